/*
 * text_fuzz: libFuzzer target for text shown on a terminal
 * (g_text_add_visible, g_text_write_visible, lib/text). Oracles: the
 * result holds no byte a terminal acts on (no C0 control but newline and
 * tab, no DEL, no C1 control C2 80 .. C2 9F), is at most twice as long as
 * the input, is what a reference written byte by byte says, and the FILE
 * writer writes exactly what the string builder builds, also when the input
 * is added in two pieces cut anywhere outside a C1 pair.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* The reference: each byte on its own, caret notation as cat -v. */
static void reference(struct g_text *t, const unsigned char *s, size_t n)
{
	size_t i;
	char c;

	for (i = 0; i < n; i++) {
		if (s[i] == 0x7f) {
			g_text_add(t, "^?", 2);
		} else if (s[i] < 0x20 && s[i] != '\n' && s[i] != '\t') {
			c = (char)('@' + s[i]);
			g_text_add(t, "^", 1);
			g_text_add(t, &c, 1);
		} else if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] < 0xa0) {
			c = (char)('@' + s[i + 1] - 0x80);
			g_text_add(t, "M-^", 3);
			g_text_add(t, &c, 1);
			i++;
		} else {
			g_text_add(t, s + i, 1);
		}
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct g_text t = { 0 }, ref = { 0 }, two = { 0 };
	char *out, *want, *pieces, *written = NULL;
	size_t len, want_len, pieces_len, written_len = 0, i, cut;
	FILE *f;

	g_text_add_visible(&t, data, size);
	if (!(out = g_text_take(&t, &len)))
		return 0;
	if (len > 2 * size)
		abort();
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)out[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f ||
		    (c == 0xc2 && i + 1 < len && (unsigned char)out[i + 1] >= 0x80 &&
		     (unsigned char)out[i + 1] < 0xa0))
			abort();
	}
	reference(&ref, data, size);
	want = g_text_take(&ref, &want_len);
	if (want && (want_len != len || memcmp(want, out, len) != 0))
		abort();
	/* two pieces, cut where no C1 pair is split */
	cut = size ? data[0] % (size + 1) : 0;
	if (cut > 0 && cut < size && data[cut - 1] == 0xc2)
		cut--;
	g_text_add_visible(&two, data, cut);
	g_text_add_visible(&two, data + cut, size - cut);
	pieces = g_text_take(&two, &pieces_len);
	if (pieces && (pieces_len != len || memcmp(pieces, out, len) != 0))
		abort();
	f = open_memstream(&written, &written_len);
	if (f) {
		if (g_text_write_visible(f, data, size) < 0)
			abort();
		if (fclose(f) != 0)
			abort();
		if (written_len != len || memcmp(written, out, len) != 0)
			abort();
	}
	free(written);
	free(pieces);
	free(want);
	free(out);
	return 0;
}
