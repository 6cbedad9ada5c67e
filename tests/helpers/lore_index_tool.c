/*
 * lore_index_tool.c: test-tool lore-index, the binary form of a read book
 * (lib/lore_index.h) made and read back, for the lore index suite and the
 * fuzz seeds:
 *
 *   test-tool lore-index write   a book (JSON) on stdin, its index on stdout
 *   test-tool lore-index read    an index on stdin: {"name", "entries"} of
 *                                the book it holds, {"stale": true} for
 *                                another version's, or 65 as a render has it
 */
#include "lore_gen.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit.h"
#include "fileio.h"
#include "lore.h"
#include "lore_index.h"
#include "msg.h"

static const char usage[] = "usage: test-tool lore-index write|read\n";

static int write_index(void)
{
	struct g_lore_book b;
	struct g_err err;
	unsigned char *out;
	json_t *book = json_loadf(stdin, JSON_DECODE_ANY, NULL);
	size_t len;
	int rc;

	if (!book) {
		g_msg("lore-index: stdin is not one JSON document");
		return G_EX_DATAERR;
	}
	rc = g_lore_book_read(&b, book, "", &err);
	json_decref(book);
	if (rc < 0)
		return g_msg_report(&err);
	rc = g_lore_index_write(&b, &out, &len);
	g_lore_book_release(&b);
	if (rc != 0) {
		g_msg("lore-index: %s", rc < 0 ? "out of memory" : "an id neither number nor string");
		return rc < 0 ? G_EX_SOFTWARE : G_EX_DATAERR;
	}
	rc = fwrite(out, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : G_EX_IOERR;
	free(out);
	return rc;
}

static int read_index(void)
{
	struct g_lore_book b;
	struct g_file f;
	struct g_err err;
	int rc;

	if (g_fileio_read("-", (size_t)1 << 30, &f, &err) < 0)
		return g_msg_report(&err);
	rc = g_lore_index_read(&b, f.data, f.len, &err);
	g_fileio_release(&f);
	if (rc < 0)
		return g_msg_report(&err);
	if (rc == 1) {
		printf("{\"stale\":true}\n");
		return 0;
	}
	printf("{\"name\":\"%s\",\"entries\":%zu}\n", b.name, b.n);
	g_lore_book_release(&b);
	return 0;
}

int lore_index_main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "write") == 0)
		return write_index();
	if (argc == 2 && strcmp(argv[1], "read") == 0)
		return read_index();
	return g_msg_usage(usage, "lore-index: write or read");
}
