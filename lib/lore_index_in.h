/*
 * lore_index_in.h: the reader of a book's binary form (lore_index.h) as
 * its files share it: lore_index_read.c reads values, keys and entries,
 * lore_index_lazy.c keeps a book a render reads lazily, lore_index.c reads
 * the frame and the book. Not for use outside lore_index*.c.
 */
#ifndef GUISE_LORE_INDEX_IN_H
#define GUISE_LORE_INDEX_IN_H
#include <stddef.h>
#include <stdint.h>

#include "lore_index.h"
#include "lore_match.h"

/* What a book read lazily keeps of each entry: where it is and, for a
 * quiet one not read yet, what activation asks of it before it wakes:
 * its scan depth and its keys' runs. */
struct g_lore_unread {
	char *start;         /* the entry, from its kind byte */
	char *at;            /* a quiet entry's rest, its id first (NULL: its part unopened) */
	uint32_t size, len;  /* the entry's bytes (the head's), and its rest's */
	uint32_t part;       /* form 5: the part its rest is */
	uint32_t runs;       /* its keys' runs: where they start in lazy->runs */
	int32_t scan_depth;
	unsigned char quiet;
	unsigned char maybe; /* a key of it may be in any text: never asleep */
};

/* A block that entries, and the list strings' slots and preps, are made
 * in as they are read (a render reads a few dozen of hundreds). */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

struct g_lore_lazy {
	struct g_lore_unread *unread;
	struct g_lore_entry **live; /* entry i once read, else NULL */
	/* for each quiet entry, the count of its keys that can match, then
	 * for each of those its count of runs and the runs */
	uint32_t *runs;
	size_t nruns, cap;
	struct chunk *chunks;
	struct g_lore_parts parts; /* form 5: the quiet entries' rests */
};

struct in {
	char *p;        /* in the book's arena */
	size_t left;
	/* the book's list strings and their preps beside them, handed out in
	 * order; or, z set, made in z's chunks for the entry being read */
	char **lists;
	struct g_lore_prep *preps;
	struct g_lore_lazy *z;
	size_t lists_left;
	int form;       /* 3: every entry whole; 4: quiet rests inline; 5: in parts */
	const struct g_lore_parts *parts; /* form 5: the rests */
	size_t part;    /* form 5: the part the next quiet entry's rest is */
	struct g_err *err;
};

/* 65 "lore index: what", located by the caller: -1. */
int g_lore_ix_bad(struct in *c, const char *what);
/* A count of at most max, each of which takes `each` bytes at least: a
 * count past what is left is a lie (each 0: of things kept elsewhere). */
int g_lore_ix_count(struct in *c, uint64_t max, size_t each, size_t *n);
/* A number in [min, max] into *v. */
int g_lore_ix_num(struct in *c, int64_t min, int64_t max, long *v);
/* A string, left where it is: its NUL is the one written after it. */
int g_lore_ix_str(struct in *c, char **s);
int g_lore_ix_byte(struct in *c, unsigned *b);
/* The prep of key raw (lore_index_write.c's put_prep form), its texts left
 * in the arena. */
int g_lore_ix_prep(struct in *c, struct g_lore_prep *p, char *raw);
/* An id as written: 0 with the number in *n, 1 with the string in *s. */
int g_lore_ix_raw_id(struct in *c, int64_t *n, char **s);
/* Whether e is quiet in an index: as g_lore_entry_quiet says, and with
 * its other keys prepped. */
int g_lore_ix_quiet(const struct g_lore_entry *e);
/* What follows an entry's keys: the rest of it (keys 1: form 3's, with
 * its keys after its strings). */
int g_lore_ix_rest(struct in *c, struct g_lore_entry *e, int keys);
/* A quiet entry's counts of list strings and of bytes in its rest. */
int g_lore_ix_rest_size(struct in *c, size_t *nlists, size_t *len);
/* Part i of a form 5 index, of the length its entry says, into *rest. */
int g_lore_ix_open_part(struct in *c, const struct g_lore_parts *parts, size_t i, size_t len,
			char **rest);
/* An entry, whole (a quiet one's rest, form 5: part c->part). */
int g_lore_ix_entry(struct in *c, struct g_lore_entry *e);

/* size bytes, zeroed, in z's chunks: NULL if memory fails. */
void *g_lore_ix_alloc(struct g_lore_lazy *z, size_t size);
/* Entry i of a book read lazily: a quiet one left unread (its scan depth
 * and keys' runs kept), any other read now. */
int g_lore_ix_lazy_entry(struct in *c, struct g_lore_book *b, size_t i);

#endif
