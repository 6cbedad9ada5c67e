/*
 * lore_index_fuzz: libFuzzer target for the reader of a book's binary form
 * (g_lore_index_read, lib/lore_index.h), which a render trusts once it has
 * opened the sealed column. Oracle: it refuses with 65 (or 70, memory),
 * calls another version's stale with nothing read, or
 * reads a book whose every entry is in range and which, written again,
 * gives the very bytes read (the form has one spelling per book).
 */
#include <stdlib.h>
#include <string.h>

#include "lore_index.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct g_lore_book b;
	struct g_err err;
	unsigned char *again;
	size_t len, i;

	int rc = g_lore_index_read(&b, data, size, &err);

	if (rc < 0) {
		if (err.code != G_EX_DATAERR && err.code != G_EX_SOFTWARE)
			abort();
		return 0;
	}
	if (rc == 1) { /* another version's: stale, nothing read */
		if (b.n || b.arena)
			abort();
		return 0;
	}
	for (i = 0; i < b.n; i++)
		if (b.entries[i].position < 0 || b.entries[i].position > 7 ||
		    (unsigned)b.entries[i].logic > 3 || (unsigned)b.entries[i].role > 2 ||
		    !(b.entries[i].probability >= 0 && b.entries[i].probability <= 100))
			abort();
	if (g_lore_index_write(&b, &again, &len) != 0 || len != size ||
	    memcmp(again, data, size) != 0)
		abort();
	free(again);
	g_lore_book_release(&b);
	return 0;
}
