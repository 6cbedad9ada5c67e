/*
 * doc_fuzz: libFuzzer target for the document reader (JSON and YAML) and
 * writer. The first byte picks the format and the unit; the rest is the
 * input. Whatever reads must also survive the round trip: written as YAML
 * and as JSON and read back, each value must equal itself, or the target
 * aborts. And the one-call JSON parser (g_doc_parse_json) must agree with
 * the streaming reader: what it takes, the reader reads as one document.
 */
#include <stdio.h>
#include <stdlib.h>

#include "doc.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static json_t *round_trip(const json_t *v, enum g_doc_style style,
			  enum g_doc_format format)
{
	struct g_doc_writer *w;
	struct g_doc_reader *r;
	struct g_err err;
	json_t *back = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	w = g_doc_writer_new(f, style);
	if (!w || g_doc_write(w, v, &err) < 0)
		abort();
	if (g_doc_writer_close(w, &err) < 0)
		abort();
	fclose(f);
	r = g_doc_reader_new_mem(buf, len, "round trip", format, G_DOC_DOCUMENTS);
	if (!r || g_doc_read(r, &back, &err) != 1) {
		fprintf(stderr, "cannot read back: %s\n%.*s\n", err.msg, (int)len, buf);
		abort();
	}
	g_doc_reader_free(r);
	free(buf);
	return back;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const enum g_doc_format formats[] = { G_DOC_AUTO, G_DOC_JSON, G_DOC_YAML };
	struct g_doc_reader *r;
	struct g_err err;
	json_t *v, *back;
	int n = 0;

	if (size < 1)
		return 0;
	if ((v = g_doc_parse_json(data + 1, size - 1, "fuzz", &err))) {
		r = g_doc_reader_new_mem(data + 1, size - 1, "fuzz", G_DOC_JSON, G_DOC_DOCUMENTS);
		if (!r || g_doc_read(r, &back, &err) != 1 || !json_equal(v, back))
			abort();
		json_decref(back);
		if (g_doc_read(r, &back, &err) != 0)
			abort(); /* one text, not a stream */
		g_doc_reader_free(r);
		json_decref(v);
	}
	r = g_doc_reader_new_mem(data + 1, size - 1, "fuzz", formats[data[0] % 3],
				 (data[0] & 4) ? G_DOC_DOCUMENTS : G_DOC_RECORDS);
	if (!r)
		return 0;
	while (n++ < 64 && g_doc_read(r, &v, &err) > 0) {
		back = round_trip(v, G_DOC_OUT_YAML, G_DOC_YAML);
		if (!back || !json_equal(v, back))
			abort();
		json_decref(back);
		back = round_trip(v, G_DOC_OUT_JSONL, G_DOC_JSON);
		if (!back || !json_equal(v, back))
			abort();
		json_decref(back);
		json_decref(v);
	}
	g_doc_reader_free(r);
	return 0;
}
