/*
 * doc_yaml.h: the YAML half of the document reader (private to doc_*.c):
 * doc_read.c hands a reader over once it knows the input is YAML.
 */
#ifndef GUISE_DOC_YAML_H
#define GUISE_DOC_YAML_H

#include "doc_src.h"

/* The next record or document of r, as g_doc_read. */
int g_doc_yaml_read(struct g_doc_reader *r, json_t **out, struct g_err *err);
/* The YAML parser's state, freed (the reader stays). */
void g_doc_yaml_release(struct g_doc_reader *r);

#endif
