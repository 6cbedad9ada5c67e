/*
 * lore_index_fuzz: libFuzzer target for the reader of a book's binary form
 * (g_lore_index_read, lib/lore_index.h), which a render trusts once it has
 * opened the sealed column. Oracle: it refuses with 65 (or 70, memory),
 * calls another version's stale with nothing read, or
 * reads a book whose every entry is in range and which, written again,
 * gives the very bytes read (the form has one spelling per book). A
 * render's lazy read (g_lore_index_take_at, each quiet entry's rest read
 * by g_lore_book_entry) agrees: it reads every entry of a book the whole
 * read reads, the same, and fails somewhere, with 65, on one it refuses.
 * A book of form 3 or 4 (GLI3, GLI4: still read, and not framed) is
 * written in the current form, which reads back and is written again the
 * same.
 */
#include <stdlib.h>
#include <string.h>

#include "lore_index.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* The lazy read of data: 0 when it reads every entry, else the error's
 * code; each entry as the whole read (whole, NULL when that failed) has it. */
static int lazily(const unsigned char *data, size_t size, const struct g_lore_book *whole)
{
	struct g_lore_book b;
	struct g_err err;
	const struct g_lore_entry *e;
	char *copy = malloc(size + 1);
	size_t i;
	int rc;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	if ((rc = g_lore_index_take_at(&b, copy, copy, size, &err)) < 0)
		return (int)err.code;
	for (i = 0; rc == 0 && i < b.n; i++) {
		if (!(e = g_lore_book_entry(&b, i, &err))) {
			rc = (int)err.code;
			break;
		}
		if (whole && (g_lore_book_quiet(&b, i) != g_lore_book_quiet(whole, i) ||
			      e->order != whole->entries[i].order ||
			      strcmp(e->content, whole->entries[i].content) != 0 ||
			      !json_equal(e->id, whole->entries[i].id) ||
			      e->keys.n != whole->entries[i].keys.n))
			abort();
	}
	g_lore_book_release(&b);
	return rc;
}

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
		if (err.code == G_EX_DATAERR && lazily(data, size, NULL) != G_EX_DATAERR)
			abort();
		return 0;
	}
	if (rc == 1) { /* another version's: stale, nothing read */
		if (b.n || b.arena)
			abort();
		return 0;
	}
	if (lazily(data, size, &b) != 0)
		abort();
	for (i = 0; i < b.n; i++)
		if (b.entries[i].position < 0 || b.entries[i].position > 7 ||
		    (unsigned)b.entries[i].logic > 3 || (unsigned)b.entries[i].role > 2 ||
		    !(b.entries[i].probability >= 0 && b.entries[i].probability <= 100))
			abort();
	if (g_lore_index_write(&b, &again, &len) != 0)
		abort();
	if (size > 3 && memcmp(data, "GLI", 3) == 0) { /* form 3 or 4: the current form, stable */
		g_lore_book_release(&b);
		if (g_lore_index_read(&b, again, len, &err) != 0)
			abort();
		LLVMFuzzerTestOneInput(again, len);
	} else if (len != size || memcmp(again, data, size) != 0) {
		abort();
	}
	free(again);
	g_lore_book_release(&b);
	return 0;
}
