/*
 * lore_import.h: what `lore import` stores, from what a person has: a
 * World Info file, a V2/V3 character_book or a card holding one, in JSON
 * or YAML (lore_convert.h does the shapes). The book's name is the one
 * given (--name), else the book's own, else its file's name without the
 * extension. A book that activation would refuse (g_lore_book_read) is
 * refused here, 65 located "'file.json': entries[3].keys[1]: ...".
 */
#ifndef GUISE_LORE_IMPORT_H
#define GUISE_LORE_IMPORT_H
#include <jansson.h>

#include "doc.h"
#include "err.h"

/* The one document of file ("-": stdin), new reference in *out. */
int g_lore_import_read(const char *file, enum g_doc_format format, json_t **out,
		       struct g_err *err);

/* The V3 book (name set) to store from doc, read from file; name: the
 * name given, or NULL. New reference in *out. */
int g_lore_import_book(const json_t *doc, const char *file, const char *name, json_t **out,
		       struct g_err *err);

/* A book as stored, checked again after a change (lore update). */
int g_lore_import_check(const json_t *book, const char *where, struct g_err *err);

#endif
