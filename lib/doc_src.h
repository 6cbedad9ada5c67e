/*
 * doc_src.h: the byte source under a document reader, and the reader
 * itself (private to doc_*.c; the functions are doc_src.c's).
 * A small buffer over a FILE or a memory block that can look one byte ahead
 * and counts lines and columns (columns in characters, as jansson does) so
 * every error can say where it is.
 */
#ifndef GUISE_DOC_SRC_H
#define GUISE_DOC_SRC_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <yaml.h>

#include "doc.h"

#define G_DOC_SRC_BUF 65536

struct g_doc_src {
	FILE *file;                /* NULL when reading memory */
	const unsigned char *data; /* the buffer: file chunk or the memory */
	size_t len, pos;
	unsigned char *chunk;      /* the file's buffer, G_DOC_SRC_BUF bytes */
	int eof, ioerr;
	size_t offset;             /* bytes consumed since the start */
	long line, col;            /* of the next byte, from 1 */
};

/* The YAML builder's stack: one frame per open mapping or sequence. */
struct g_doc_frame {
	json_t *container; /* borrowed: its parent (or the root) holds it;
			    * NULL for a top-level list of records */
	char *key;         /* a mapping's key waiting for its value */
};

struct g_doc_builder {
	/* one more than the depth cap: a top-level list of records is a
	 * frame that does not count */
	struct g_doc_frame stack[G_DOC_MAX_DEPTH + 1];
	int depth;
	int in_list;       /* records mode, inside a top-level sequence */
	json_t *root;      /* the document, or the record being built */
};

struct g_doc_reader {
	struct g_doc_src src;
	char *name;
	enum g_doc_format format;
	enum g_doc_unit unit;
	int done;        /* end reached or an error happened */
	int started;     /* the first read happened */
	/* JSON records: inside a top-level array */
	int in_array, array_count, need_comma;
	/* YAML */
	int yaml_ready;
	yaml_parser_t parser;
	size_t doc_start;   /* offset where the current record began */
	int too_big;        /* the YAML input handler hit the record limit */
	struct g_doc_builder builder;
};

int g_doc_src_peek(struct g_doc_src *s);
int g_doc_src_get(struct g_doc_src *s);
/* Copy up to size bytes out (the YAML input handler); returns the count. */
size_t g_doc_src_read(struct g_doc_src *s, unsigned char *out, size_t size);

/* Set err to "'name':line:col: message" (65). */
int g_doc_src_error_at(const struct g_doc_reader *r, long line, long col,
		   struct g_err *err, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The deepest nesting in v, counting v as 1, or limit + 1 once past limit. */
int g_doc_src_depth(const json_t *v, int limit);

#endif
