/*
 * doc.h: one document model for JSON and YAML.
 *
 * A value is a jansson json_t whichever format it came in or goes out as;
 * objects keep their keys in insertion order, so output key order is the
 * order a record was built in, stable from run to run.
 *
 * Reading is one record at a time: g_doc_read() hands back a new reference
 * the caller owns (json_decref). Input is JSON (an object, an array of
 * objects, or a stream of objects such as JSON Lines) or a YAML stream (each
 * document a mapping or a sequence of mappings); G_DOC_AUTO decides from the
 * first byte that is not white space: '{' or '[' is JSON, anything else YAML.
 *
 * Policies, decided once (guise.7 documents them):
 * - JSON is strict: duplicate keys, trailing commas, comments are errors.
 * - NUL: "\u0000" in a string value survives (jansson keeps strings with a
 *   length; YAML writes it as "\0"); a NUL in an object key is refused, by
 *   JSON and YAML alike, because keys are C strings in jansson.
 * - YAML plain scalars resolve by YAML 1.2's JSON schema, canonical forms
 *   only: null, true, false, -?(0|[1-9][0-9]*) and JSON-syntax reals. Every
 *   other plain scalar is the string it reads as: "no", "0777", "~", "0x1F",
 *   ".inf" stay strings. An empty plain scalar is null. Quoted scalars and
 *   "!!str" are always strings. Aliases are refused; anchors are ignored.
 * - Limits: nesting G_DOC_MAX_DEPTH, one record G_DOC_MAX_RECORD_BYTES.
 * Errors name the input and place: 'card.json':3:14: duplicate object key.
 */
#ifndef GUISE_DOC_H
#define GUISE_DOC_H

#include <jansson.h>
#include <stdio.h>

#include "err.h"

#define G_DOC_MAX_DEPTH 256
#define G_DOC_MAX_RECORD_BYTES ((size_t)64 << 20)

enum g_doc_format { G_DOC_AUTO, G_DOC_JSON, G_DOC_YAML };

enum g_doc_style {
	G_DOC_OUT_JSONL,  /* one compact object per line */
	G_DOC_OUT_PRETTY, /* indented JSON, one value after another */
	G_DOC_OUT_YAML    /* a YAML stream, "---" before each document */
};

/* What one g_doc_read() call yields. */
enum g_doc_unit {
	G_DOC_RECORDS,  /* objects; an array's elements one by one; else an error */
	G_DOC_DOCUMENTS /* whole documents of any type, arrays not split */
};

struct g_doc_reader;

/* Read from a stream (not closed by the reader; read with read(2) on its
 * descriptor, so nothing may have been read from it through stdio) or from
 * memory (not copied: it must outlive the reader). name is how errors call
 * the input. */
struct g_doc_reader *g_doc_reader_new(FILE *in, const char *name,
				      enum g_doc_format format,
				      enum g_doc_unit unit);
struct g_doc_reader *g_doc_reader_new_mem(const void *buf, size_t len,
					  const char *name,
					  enum g_doc_format format,
					  enum g_doc_unit unit);
void g_doc_reader_free(struct g_doc_reader *r);

/* The next value: 1 and *out set, 0 at the end, -1 with err set (65 for bad
 * input, 74 for a read error). After an error the reader yields nothing more:
 * a stream that broke once cannot be trusted to resynchronise. */
int g_doc_read(struct g_doc_reader *r, json_t **out, struct g_err *err);

/* Exactly one record from in (a request, a patch): 1 and *out set; 0 when
 * there is none, for the caller to word; -1 with err set, as g_doc_read or
 * 65 "'name': one WHAT at a time, not several" when another follows it. */
int g_doc_read_one(FILE *in, const char *name, enum g_doc_format format,
		   const char *what, json_t **out, struct g_err *err);

/* One JSON text held whole in memory (a PNG's card chunk, a CHARX's
 * card.json), parsed in one call rather than byte by byte, under the same
 * policies: a leading BOM skipped, a raw NUL refused, duplicate keys
 * refused, nesting capped; errors located 'name':line:col. A new reference,
 * or NULL with err set (65; 70 out of memory). */
json_t *g_doc_parse_json(const void *buf, size_t len, const char *name,
			 struct g_err *err);

struct g_doc_writer;

struct g_doc_writer *g_doc_writer_new(FILE *out, enum g_doc_style style);
/* Write one value and flush it, so a reader downstream sees it at once.
 * -1 with err set (74) when the stream fails. */
int g_doc_write(struct g_doc_writer *w, const json_t *value,
		struct g_err *err);
/* End the stream (YAML needs an end) and free the writer; -1 on failure. */
int g_doc_writer_close(struct g_doc_writer *w, struct g_err *err);

/* One value as a whole stream of its own (a writer made, used, closed):
 * what a command that prints one record does. 70 if memory fails. */
int g_doc_write_one(FILE *out, enum g_doc_style style, const json_t *value,
		    struct g_err *err);
/* --- scalars, shared by the reader and the writer (doc_scalar.c) --- */

/* What a plain YAML scalar means under the policy above; a new reference,
 * NULL only when out of memory. */
json_t *g_doc_plain_scalar(const char *s, size_t len);

/* Whether a string must be quoted in YAML so that no reader, YAML 1.1 or
 * 1.2, takes it for anything but that string. */
int g_doc_string_needs_quotes(const char *s, size_t len);

/* The shortest text that reads back as exactly v, always with a '.' or an
 * exponent so that it stays a real. Returns the length written. */
int g_doc_format_real(double v, char *buf, size_t size);

#endif
