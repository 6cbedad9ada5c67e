/*
 * charx.h: CHARX files, RisuAI's card container (DESIGN.md §7): a zip
 * archive with the V3 card as card.json at its root and the card's assets
 * beside it (e.g. assets/icon/images/main.png, which the card calls
 * embeded://assets/icon/images/main.png).
 *
 * Archives are untrusted and read from memory only: nothing is ever written
 * to disk. The reader refuses, as 65 with the entry named, what a careful
 * unzip would: unsafe or duplicate entry names, encrypted entries, methods
 * other than stored and deflate, symbolic links, and sizes past the caps
 * below. Declared sizes are checked before anything is allocated and are
 * not trusted while inflating either. The writer refuses what the reader
 * would, so an archive it makes always reads back.
 *
 * struct g_charx and everything in it is malloc'ed by g_charx_read; the
 * caller releases it with g_charx_release. g_charx_write's output is
 * malloc'ed and the caller frees it.
 */
#ifndef GUISE_CHARX_H
#define GUISE_CHARX_H

#include <stddef.h>

#include "err.h"

#define G_CHARX_MAX_FILE ((size_t)256 << 20)  /* the zip itself */
#define G_CHARX_MAX_ENTRY ((size_t)64 << 20)  /* one inflated entry */
#define G_CHARX_MAX_TOTAL ((size_t)256 << 20) /* all entries inflated */
/* inflated/compressed, for an entry (or the whole archive) over
 * G_CHARX_RATIO_FLOOR bytes inflated: deflate itself tops out near 1032 */
#define G_CHARX_MAX_RATIO 200
#define G_CHARX_RATIO_FLOOR ((size_t)1 << 20)
#define G_CHARX_MAX_ENTRIES 10000

struct g_charx_entry {
	char *path; /* UTF-8, relative, '/'-separated; from g_charx_read
		     * never "card.json" */
	unsigned char *data;
	size_t len;
};

struct g_charx {
	char *card; /* card.json's bytes, NUL-terminated for convenience */
	size_t card_len;
	struct g_charx_entry *entries; /* in archive order */
	size_t n_entries;
};

/* 1 if buf starts like a zip: a local file header (PK\3\4) or the end
 * record of an empty archive (PK\5\6). */
int g_charx_sniff(const unsigned char *buf, size_t len);

/* Why an entry name is unsafe ("absolute path", "a '..' component", ...),
 * or NULL if it is fine: relative, '/'-separated, UTF-8 without control
 * characters, backslashes or a drive letter. */
const char *g_charx_bad_name(const char *path, size_t len);

/* Read a CHARX from memory: card.json (65 "no card.json" without one) and
 * every other regular file, directories skipped. name is how errors call
 * the file. On failure *out is left empty. */
int g_charx_read(const unsigned char *buf, size_t len, const char *name,
		 struct g_charx *out, struct g_err *err);

/* Any zip read as g_charx_read reads a CHARX, within the same limits, but
 * with every regular file as an entry (card.json too, if there is one) and
 * card left NULL: for the other zip formats (byaf.h). */
int g_charx_read_entries(const unsigned char *buf, size_t len, const char *name,
			 struct g_charx *out, struct g_err *err);

/* Free what g_charx_read filled in and empty *x. */
void g_charx_release(struct g_charx *x);

/* A new CHARX: card.json first, deflated, then the entries in order:
 * deflated, or stored when they are compressed media already (PNG, JPEG,
 * WebP, ...) or when deflating would pass the reader's ratio cap.
 * Timestamps are fixed, so the same card makes the same bytes. */
int g_charx_write(const char *card, size_t card_len,
		  const struct g_charx_entry *entries, size_t n,
		  unsigned char **out, size_t *out_len, struct g_err *err);

#endif
