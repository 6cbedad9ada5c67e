/*
 * lore_import_fuzz: libFuzzer target for what `lore import` and `lore
 * export` make of a book (lib/lore_convert, lib/lore_import): the input is
 * one JSON or YAML document, a World Info file, a V3 book or a card.
 *
 * Oracles: a document that is refused is refused with 65 (or 70, memory);
 * a book that is taken converts to World Info and back to V3 and again
 * without changing any more (the second round gives what the first gave,
 * both ways), and what comes back is still a book activation takes.
 */
#include <stdio.h>
#include <stdlib.h>

#include "doc.h"
#include "lore_convert.h"
#include "lore_import.h"
#include "oracle.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void refused_right(const struct g_err *err)
{
	if (err->code != G_EX_DATAERR && err->code != G_EX_SOFTWARE) {
		fprintf(stderr, "refused with %d: %s\n", (int)err->code, err->msg);
		abort();
	}
}

static json_t *must(json_t *v, const struct g_err *err, const char *what)
{
	if (!v) {
		fprintf(stderr, "%s failed: %s\n", what, err->msg);
		abort();
	}
	return v;
}

static void same(const json_t *a, const json_t *b, const char *what)
{
	if (!json_equal(a, b)) {
		char *x = json_dumps(a, JSON_COMPACT), *y = json_dumps(b, JSON_COMPACT);

		fprintf(stderr, "%s changed:\n%s\n%s\n", what, x ? x : "?", y ? y : "?");
		abort();
	}
}

static void check(const char *buf, size_t len)
{
	struct g_doc_reader *r = g_doc_reader_new_mem(buf, len, "in", G_DOC_AUTO, G_DOC_DOCUMENTS);
	json_t *doc = NULL, *v3, *st1, *v3b, *st2, *v3c;
	struct g_err err;

	if (!r)
		return;
	if (g_doc_read(r, &doc, &err) <= 0) {
		g_doc_reader_free(r);
		return;
	}
	g_doc_reader_free(r);
	if (g_lore_import_book(doc, "in.json", NULL, &v3, &err) < 0) {
		refused_right(&err);
		json_decref(doc);
		return;
	}
	st1 = must(g_lore_convert_to_st(v3, &err), &err, "to World Info");
	v3b = must(g_lore_convert_to_v3(st1, "st", &err), &err, "back to V3");
	if (g_lore_import_check(v3b, "st", &err) < 0) {
		fprintf(stderr, "the book back from World Info is refused: %s\n", err.msg);
		abort();
	}
	st2 = must(g_lore_convert_to_st(v3b, &err), &err, "to World Info again");
	v3c = must(g_lore_convert_to_v3(st2, "st", &err), &err, "back to V3 again");
	same(st1, st2, "World Info");
	same(v3b, v3c, "the V3 book");
	json_decref(doc);
	json_decref(v3);
	json_decref(st1);
	json_decref(v3b);
	json_decref(st2);
	json_decref(v3c);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	oracle_on_copy(data, size, check);
	return 0;
}
