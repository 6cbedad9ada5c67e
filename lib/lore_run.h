/*
 * lore_run.h: one activation's working state, shared by the files that do
 * its parts (lore_activate.c the scan loop, lore_group.c inclusion groups,
 * lore_timed.c timed effects). Not for use outside lore_*.c. Everything
 * here is freed by g_lore_activate before it returns.
 */
#ifndef GUISE_LORE_RUN_H
#define GUISE_LORE_RUN_H
#include <stdint.h>

#include "lore.h"
#include "lore_match.h"

enum { G_LORE_PRIMARY, G_LORE_SECONDARY, G_LORE_ADDITIONAL, G_LORE_EXCLUDE, G_LORE_LISTS };

/* A candidate's keys made ready (lore_scan.c), in one block with it. */
struct g_lore_keys {
	struct g_lore_key *v[G_LORE_LISTS];
	size_t n[G_LORE_LISTS]; /* made so far: what is released */
};

/* One entry of one book, as the scan sees it. A render holds one per entry
 * of its books: the flags are bytes and the keys apart, made only for the
 * few candidates whose keys may be in the texts. */
struct g_lore_cand {
	size_t book, entry;
	const struct g_lore_book *b;
	const struct g_lore_entry *e;
	long scan_depth;            /* resolved: entry's, book's, session's */
	long sticky_end, cooldown_end;
	long matched;               /* fired before (after-match decorators): at, or -1 */
	char *why;                  /* why it fired */
	char *skip;                 /* why it did not (so far) */
	struct g_lore_keys *keys;   /* made ready on first use, else NULL */
	size_t seen; /* texts (messages, then recursion) no primary key is in */
	int score;                  /* keys matched this step, for group scoring */
	unsigned char fired, done;  /* done: skipped for good this render */
	unsigned char sticky, cooldown; /* effects active now */
	unsigned char out;          /* dropped from this step's new entries */
};

/* Text the scan reads: a message ("name: content"), or fired content
 * (from: the candidate it came from). */
struct g_lore_text {
	char *text;
	char *fold; /* text with ASCII in lower case, for caseless plain keys */
	size_t len;
	size_t from;
	long message; /* the message's number in the session, or -1 */
	struct g_lore_filter filter; /* made on first use */
};

/* An entry not (yet) a candidate: one only its primary keys can fire,
 * none of which may be in the texts so far; runs, its keys' runs while
 * it is unread (g_lore_index_runs), else NULL: its keys say. */
struct g_lore_sleeper {
	uint32_t book, entry;
	const uint32_t *runs;
};

struct g_lore_run {
	const struct g_lore_in *in;
	struct g_lore_out *out;
	/* A slot per entry of every book, book by book (book b's first is
	 * base[b]): n of them, each a candidate once its e is set. A big
	 * book's entries are mostly asleep: their slots are never set up. */
	struct g_lore_cand *c;
	size_t n, *base;
	size_t *order, norder; /* the candidates, in the order a step takes them */
	struct g_lore_sleeper *asleep;
	size_t nasleep;
	long chat_length;
	struct g_lore_matcher m;
	struct g_lore_text *msgs, *rec; /* messages newest first; recursion buffer */
	size_t nmsgs, nrec;
	/* The runs of every text above so far (the first nseen of the
	 * messages, then the recursion texts): a key none of whose texts may
	 * hold it is passed over in one look, not one per text. */
	struct g_lore_filter seen;
	size_t nseen;
	uint64_t rng;
	struct g_err *err;
	int failed; /* err says why (an entry that did not read), not memory */
};

/* Make t->fold from t->text: -1 if memory fails. Each text is folded once
 * per render, not once per key that reads it. */
int g_lore_scan_fold(struct g_lore_text *t);
/* Whether no key of list l can be in the texts so far, as the index's
 * preps tell (1; 0 when one may be, or is not prepped; -1 memory): each
 * key prepped, and never matching or with a run no text holds. */
int g_lore_scan_nowhere(struct g_lore_run *r, const struct g_lore_list *l);
/* Whether entry s->entry of book s->book may sleep now: quiet
 * (g_lore_book_quiet), and no key of it can be in the texts so far (its
 * keys' runs, g_lore_index_runs, while it is unread, kept in s->runs;
 * else g_lore_scan_nowhere's look at its keys). 1, 0, -1 if memory
 * fails. */
int g_lore_scan_asleep(struct g_lore_run *r, struct g_lore_sleeper *s);
/* The same for a sleeper: *s's runs alone when it has them (g_lore_scan_see
 * first). */
int g_lore_scan_still(struct g_lore_run *r, const struct g_lore_sleeper *s);
/* r->seen brought up to every text there is: -1 if memory fails. */
int g_lore_scan_see(struct g_lore_run *r);
/* Whether no key of runs w (g_lore_index_runs's form) can be in f's texts. */
static inline int g_lore_scan_runs_nowhere(const struct g_lore_filter *f, const uint32_t *w)
{
	uint32_t k, n;

	for (k = 0, n = *w++; k < n; k++, w += 1 + *w)
		if (g_lore_filter_may_hold_runs(f, w + 1, *w))
			return 0;
	return 1;
}
/* The next draw of the render's generator (splitmix64). */
uint64_t g_lore_scan_rand(struct g_lore_run *r);
/* Replace *slot with a formatted reason; -1 if memory fails. */
int g_lore_scan_why(char **slot, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* An entry's id as text ("7", "a-b"), into buf. */
const char *g_lore_scan_id(const json_t *id, char *buf, size_t size);
/* Add a note about entry of book (SIZE_MAX: about the whole activation). */
int g_lore_scan_note(struct g_lore_run *r, size_t book, size_t entry, const char *text);
/* The first key of list `which` that matches this step's text, as "key 'x'
 * in message 3" into *why: 1 found, 0 none, -1 memory. */
int g_lore_scan_first(struct g_lore_run *r, size_t i, int which, int recursion, char **why);
/* The candidate's id as text, with its book's name when it is not book's. */
const char *g_lore_scan_name(const struct g_lore_run *r, size_t cand, size_t book,
				 char *buf, size_t size);
/* How many of the candidate's keys of list `which` match this step's text. */
int g_lore_scan_count(struct g_lore_run *r, size_t cand, int which, int recursion);

/* Make entry `entry` of book `book` a candidate (setup's work for each),
 * reading it (g_lore_book_entry) if it is not one yet: -1 if memory fails
 * or it does not read (r->failed). The next step sorts it in. */
int g_lore_run_take(struct g_lore_run *r, size_t book, size_t entry);

/* Inclusion groups over this step's new entries (indices into r->c, in
 * order); losers get done and their reason. -1 if memory fails. */
int g_lore_group_filter(struct g_lore_run *r, const size_t *fresh, size_t n, int recursion);

/* Timed effects: before the scan, from the state the session carries
 * (fills the candidates' sticky/cooldown/matched and out->timed with what
 * lasts); after it, for what fired. -1 if memory fails. */
int g_lore_timed_before(struct g_lore_run *r);
int g_lore_timed_after(struct g_lore_run *r);

#endif
