/*
 * lore.h: lorebooks (world info) and their activation (DESIGN.md §8 "Lore";
 * where it is silent, SillyTavern's world-info.js is the reference).
 *
 * A book is read from JSON (a V3 character_book, entries a list, or a
 * SillyTavern World Info file, entries an object keyed by uid) into a
 * struct g_lore_book whose entries own their strings; `@@` decorator lines
 * are read off the content then (lore_decor.c). g_lore_book_release frees
 * what the book holds.
 *
 * Activation is a pure function: books, the scan text (the chat's recent
 * messages, newest first), the timed state the session carries and a seed
 * in; the fired entries with why, the skipped ones with why, notes (unknown
 * decorators, keys that are not valid regexes or gave up at the match
 * limit) and the new timed state out. The same inputs and seed give the
 * same result. It never fails on what a book says (a bad regex is a note);
 * only memory fails it. Placement, the token budget and macros on fired
 * content belong to the render, not here.
 *
 * Entries are taken in order of descending insertion_order, ties in the
 * order of the books as given (session, persona, character, global) and
 * then of the entries in their book; the fired list is in ascending
 * insertion_order (the order of placement), ties the same way.
 */
#ifndef GUISE_LORE_H
#define GUISE_LORE_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Limits on what a book may hold: a book past them is refused (65). */
#define G_LORE_ENTRIES_MAX 10000 /* entries in one book */
#define G_LORE_KEYS_MAX 1000     /* keys in one list of an entry */
#define G_LORE_SCAN_DEPTH_MAX 1000
#define G_LORE_STEPS_MAX 100     /* max_recursion_steps */
/* Limits on a timed state (it comes back in a request a person may edit):
 * its effects, and the bytes of a book's name or an entry's id in it. */
#define G_LORE_STATE_MAX 50000
#define G_LORE_STATE_NAME_MAX 1024
/* Activation's defaults and the regex engine's bounds, so that a hostile
 * pattern gives up (a note, no match) instead of holding a render. */
#define G_LORE_SCAN_DEPTH_DEFAULT 2
#define G_LORE_STEPS_DEFAULT 10
#define G_LORE_DEPTH_DEFAULT 4   /* position 4's depth when none is said */
#define G_LORE_WEIGHT_DEFAULT 100
#define G_LORE_MATCH_LIMIT 100000
#define G_LORE_DEPTH_LIMIT 2000
#define G_LORE_HEAP_LIMIT_KIB 4096

/* selectiveLogic: how secondary keys combine with a primary match. */
enum g_lore_logic { G_LORE_AND_ANY, G_LORE_NOT_ALL, G_LORE_NOT_ANY, G_LORE_AND_ALL };
enum g_lore_role { G_LORE_SYSTEM, G_LORE_USER, G_LORE_ASSISTANT };

/* Decorators read (G_LORE_D_* bits of entry.decor). */
#define G_LORE_D_ACTIVATE 1u
#define G_LORE_D_DONT_ACTIVATE 2u
#define G_LORE_D_KEEP_AFTER_MATCH 4u
#define G_LORE_D_DONT_AFTER_MATCH 8u

struct g_lore_prep;

struct g_lore_list {
	char **v;
	size_t n;
	/* each key made ready ahead (a book read from its index), else NULL */
	const struct g_lore_prep *prep;
};

struct g_lore_entry {
	json_t *id;          /* uid or id as written (number or string), else the index */
	char *comment;       /* comment, else name; "" when neither */
	char *content;       /* without its decorator lines */
	struct g_lore_list keys, secondary;
	struct g_lore_list additional, exclude; /* @@additional_keys, @@exclude_keys */
	struct g_lore_list notes; /* what the decorators said that was not used */
	int enabled, constant, selective, use_regex;
	enum g_lore_logic logic;
	long order, priority;
	int case_sensitive, whole_words; /* -1: not said (no, yes) */
	long scan_depth;                 /* -1: the book's */
	int position;                    /* 0..7 as SillyTavern numbers them */
	long depth;
	enum g_lore_role role;
	double probability;              /* 0..100 */
	int use_probability;
	char *group;                     /* "" none; several split by commas */
	char *outlet;                    /* position 7's outlet name ("" none) */
	int group_override;
	long group_weight;
	int group_scoring;               /* -1: not said (no) */
	int prevent_recursion, exclude_recursion;
	long delay_until_recursion;      /* 0 no, else the recursion level */
	long sticky, cooldown, delay;    /* 0 none */
	unsigned decor;                  /* G_LORE_D_* */
	long only_after, only_every;     /* @@activate_only_after/every, 0 none */
};

struct g_lore_book {
	char *name;
	/* What timed effects are keyed by, stable across renames and unlike
	 * any other book's of the render: "card:<uuid>" (a card's own book),
	 * "lore:<uuid>" (a stored book), set by lore_sources.c over any the
	 * book says in its "source"; NULL: the name (a test document's book) */
	char *source;
	long scan_depth;   /* -1: the session's */
	long token_budget; /* -1: none said */
	long max_steps;    /* extensions.max_recursion_steps, -1: none said */
	int recursive;     /* recursive_scanning (default yes): its entries fire by recursion */
	struct g_lore_entry *entries;
	size_t n;
	/* A book read from its index (lore_index.h): every string of its
	 * entries points into arena (the block it was read into, or a part
	 * of it opened later) and every list's v into lists (or, read
	 * lazily, into lazy's blocks), freed with them rather than one by
	 * one (name is its own). NULL for a book read from JSON. */
	void *arena;
	char **lists;
	struct g_lore_prep *preps; /* beside lists */
	/* A book a render read from its index (lore_index.c): entries is
	 * NULL, and each entry is made only when it is read (g_lore_book_at),
	 * a quiet one (below) when activation wakes it, until then its scan
	 * depth and its keys' runs alone. NULL for any other book: every entry
	 * read, in entries. */
	struct g_lore_lazy *lazy;
};

/* Whether only entry x's primary keys can fire it, or have it reported:
 * enabled, not constant, with keys, and without decorators, notes, a
 * delay or delay_until_recursion. Activation leaves such an entry out
 * until one of its keys may be in the texts, and a render reads the rest
 * of it from its index only then. */
int g_lore_entry_quiet(const struct g_lore_entry *x);
/* Whether entry i of b is quiet and, for activation to leave it asleep,
 * carries the preps of every key (g_lore_entry_prepped; a book read from
 * JSON carries none): what its index says when b was read from one,
 * without reading the entry (lore_index.c). */
int g_lore_book_quiet(const struct g_lore_book *b, size_t i);
/* Entry i of b, the rest of it read from the book's index first if it has
 * not been: NULL with err (65 "lore index: ...", 70) when it does not
 * read. Any entry activation considers goes through this (lore_index.c). */
const struct g_lore_entry *g_lore_book_entry(const struct g_lore_book *b, size_t i,
					     struct g_err *err);
/* Entry i of b, once g_lore_book_entry has read it (what fired, what was
 * skipped). */
const struct g_lore_entry *g_lore_book_at(const struct g_lore_book *b, size_t i);
/* Entry i's own scan_depth (-1: its book's), read or not. */
long g_lore_book_scan_depth(const struct g_lore_book *b, size_t i);
/* Whether entry i of b has id `id` (1, 0), its id alone read when the
 * entry is not; -1 with err (65) when that does not read. */
int g_lore_book_entry_is(const struct g_lore_book *b, size_t i, const json_t *id,
			 struct g_err *err);

/* Read book (V3 character_book or SillyTavern World Info) into *b. name is
 * the book's name when the book does not say one; its "source" (a string)
 * is b->source. 65 located as
 * "'name': entries[3].keys[1]: expected a string". */
int g_lore_book_read(struct g_lore_book *b, const json_t *book, const char *name,
		     struct g_err *err);
void g_lore_book_release(struct g_lore_book *b);

/* Split entry content's leading `@@` lines off into e (decorators, notes)
 * and return where the content proper starts. lore_decor.c. */
size_t g_lore_decor_read(struct g_lore_entry *e, const char *content, struct g_err *err);

/* Append a copy of s[0..len) to l; -1 if memory fails. */
int g_lore_book_list_add(struct g_lore_list *l, const char *s, size_t len);
void g_lore_book_list_release(struct g_lore_list *l);

/* --- timed state -------------------------------------------------------- */

enum g_lore_effect { G_LORE_STICKY, G_LORE_COOLDOWN, G_LORE_MATCHED };

/* One effect on one entry, counted in messages of the session: active
 * while start < chat length < end (matched: from start on, no end). It
 * belongs to the entry of that id in the book of that source (the book's
 * name when the book has none); book is the name, for the report. State
 * stored by builds before sources has none: see lore_timed.c. */
struct g_lore_timed {
	char *source;  /* NULL: keyed by book */
	char *book;
	json_t *entry; /* the entry's id */
	enum g_lore_effect effect;
	long start, end;
	int protected; /* kept even if the chat has not moved past start */
};

struct g_lore_state {
	struct g_lore_timed *v;
	size_t n, cap;
};

/* The state from its JSON form, a list of {source, book, entry, effect,
 * start, end, protected} (source may be missing); 65 located as
 * "state[2].end: ...". */
int g_lore_state_read(struct g_lore_state *s, const json_t *json, struct g_err *err);
json_t *g_lore_state_json(const struct g_lore_state *s);
int g_lore_state_add(struct g_lore_state *s, const struct g_lore_timed *t);
void g_lore_state_release(struct g_lore_state *s);

/* --- activation --------------------------------------------------------- */

struct g_lore_message {
	const char *name; /* as spoken; NULL or "" scans the content alone */
	const char *content;
};

struct g_lore_in {
	const struct g_lore_book *books; /* session, persona, character, global */
	size_t nbooks;
	const struct g_lore_message *messages; /* newest first */
	size_t nmessages;
	long chat_length; /* messages in the session; -1: nmessages */
	long scan_depth;  /* the session's lore_scan_depth; -1: 2 */
	long max_steps;   /* -1: the smallest a book says, else 10 */
	const struct g_lore_state *state;
	const char *char_name, *user_name; /* {{char}} and {{user}} in keys */
	uint64_t seed;
};

struct g_lore_hit {
	size_t book, entry; /* indices into in->books and its entries */
	char *why;
};

struct g_lore_out {
	struct g_lore_hit *fired, *skipped, *notes;
	size_t nfired, nskipped, nnotes;
	struct g_lore_state timed;
};

/* Activate in's books into *out (emptied first): 70 when memory fails, 65
 * when an entry of a book read from its index does not read. */
int g_lore_activate(const struct g_lore_in *in, struct g_lore_out *out, struct g_err *err);
void g_lore_activate_release(struct g_lore_out *out);

/* One activation's inputs read from one JSON document (test-tool and the
 * fuzz target): {books: [book...], messages: [{name, content}...] newest
 * first, state: [...], settings: {scan_depth, chat_length,
 * max_recursion_steps, char, user}}. A book without a name is "book N".
 * d->in points into d and into doc, which must outlive it. 65 located. */
struct g_lore_doc {
	struct g_lore_book *books;
	size_t nbooks;
	struct g_lore_message *messages;
	struct g_lore_state state;
	struct g_lore_in in;
};

int g_lore_doc_read(struct g_lore_doc *d, const json_t *doc, struct g_err *err);
void g_lore_doc_release(struct g_lore_doc *d);

/* The result as the report's JSON: {fired: [{book, entry, comment, why,
 * position, depth, role, order, priority}], skipped: [{book, entry, why}],
 * notes: [{book, entry, note}], timed: [...]}; a note about the whole
 * activation (book SIZE_MAX) has no book or entry. NULL if memory fails. */
json_t *g_lore_report_json(const struct g_lore_in *in, const struct g_lore_out *out);

#endif
