/*
 * charx_fuzz: libFuzzer target for the CHARX reader and writer (lib/charx).
 * Oracles: a refusal is 65 (or 70, out of memory); what reads has only
 * safe names and no card.json among its entries; written again it reads
 * back the same card and the same entries, in the same order.
 */
#include <stdlib.h>
#include <string.h>

#include "charx.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int same(const struct g_charx *a, const struct g_charx *b)
{
	size_t i;

	if (a->card_len != b->card_len || memcmp(a->card, b->card, a->card_len) != 0 ||
	    a->n_entries != b->n_entries)
		return 0;
	for (i = 0; i < a->n_entries; i++)
		if (strcmp(a->entries[i].path, b->entries[i].path) != 0 ||
		    a->entries[i].len != b->entries[i].len ||
		    memcmp(a->entries[i].data, b->entries[i].data, a->entries[i].len) != 0)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct g_charx x, again;
	struct g_err err;
	unsigned char *out;
	size_t out_len, i;

	(void)g_charx_sniff(data, size);
	if (g_charx_read(data, size, "fuzz", &x, &err) < 0) {
		if (err.code != G_EX_DATAERR && err.code != G_EX_SOFTWARE)
			abort();
		return 0;
	}
	for (i = 0; i < x.n_entries; i++) {
		const char *p = x.entries[i].path;

		if (g_charx_bad_name(p, strlen(p)) || strcmp(p, "card.json") == 0)
			abort();
	}
	if (g_charx_write(x.card, x.card_len, x.entries, x.n_entries, &out, &out_len, &err) < 0)
		abort(); /* what reads must write */
	if (g_charx_read(out, out_len, "fuzz", &again, &err) < 0 || !same(&x, &again))
		abort();
	g_charx_release(&again);
	g_charx_release(&x);
	free(out);
	return 0;
}
