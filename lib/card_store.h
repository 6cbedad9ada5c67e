/*
 * card_store.h: cards into the store the way persona-import and persona
 * put them there (DESIGN.md §4, §7), so the commands hold no SQL.
 *
 * An import finds a card already stored (same content hash) rather than
 * storing it twice, and meets a namesake (same kind, name compared as
 * ref.h does) as its conflict policy says: another row (new), the old row
 * left as it is (skip) or overwritten under its id (replace; a name that
 * several rows share cannot say which). Cards that stand or fall together
 * (one, or a SillyTavern backup's personas) are stored under one
 * savepoint of the caller's transaction, which g_card_store_begin opens
 * (the key checked under the lock: a rekey since it was read is 75) and
 * g_card_store_commit ends.
 *
 * Creating and updating by hand (persona create, persona update) are one
 * transaction each, opened here.
 */
#ifndef GUISE_CARD_STORE_H
#define GUISE_CARD_STORE_H
#include <jansson.h>

#include "card_edit.h"
#include "card_import.h"
#include "card_names.h"
#include "card_row.h"
#include "context.h"

/* What an import does with a namesake of a card it stores. */
enum g_card_store_conflict {
	G_CARD_STORE_NEW,     /* store another row */
	G_CARD_STORE_REPLACE, /* overwrite the namesake, keeping its id */
	G_CARD_STORE_SKIP,    /* keep the namesake, store nothing */
};

struct g_card_store {
	struct g_context *ctx; /* borrowed: the store, the user, the key */
	enum g_card_store_conflict on_conflict;
	struct g_card_names *names; /* replace and skip only */
	int in_tx;                  /* between begin and commit */
};

/* One card of an import, and what became of it. */
struct g_card_store_card {
	struct g_card_row row; /* row.card is card */
	json_t *card;          /* owned: the card as it is stored */
	const char *where;     /* how messages name it: the file, or file[N] */
	int make_default;      /* a persona to be the user's default */
	char id[G_UUID_LEN];   /* its row, once stored */
	const char *status;    /* "created", "unchanged", "updated", "skipped" */
};

/* The card of an imported item as it is stored: a persona when as_persona
 * or from a backup (its placement taken out of the card unless the backup
 * gave it), {{user}} and {{char}} swapped with swap_macros. 70 if memory
 * fails; release with g_card_store_card_release. */
int g_card_store_card_init(struct g_card_store_card *c, const struct g_card_item *item,
			   int as_persona, int swap_macros, struct g_err *err);
void g_card_store_card_release(struct g_card_store_card *c);

/* The card's data.name, "" when it has none. */
const char *g_card_store_name(const json_t *card);

/* Namesakes are learnt (every name decrypted) only for replace and skip. */
int g_card_store_init(struct g_card_store *cs, struct g_context *ctx,
		      enum g_card_store_conflict on_conflict, struct g_err *err);
void g_card_store_release(struct g_card_store *cs);

/* Open the transaction: the key checked under the lock (75 if a rekey
 * retired it, 66 if the user was deleted), then the namesakes stored
 * since the last one learnt. */
int g_card_store_begin(struct g_card_store *cs, struct g_err *err);
/* Commit it; when that fails, it is rolled back and what was learnt of
 * its rows forgotten. */
int g_card_store_commit(struct g_card_store *cs, struct g_err *err);
/* Roll back an open transaction (nothing when none is open). */
void g_card_store_rollback(struct g_card_store *cs);

/* Called inside the savepoint for each card stored (its id and status
 * set), so that what the caller makes of it (a record to tell) fails the
 * group too: non-zero with err set undoes every card of it. */
typedef int (*g_card_store_fn)(const struct g_card_store_card *c, void *arg,
			       struct g_err *err);

/* Store cards[0..n) under one savepoint of the open transaction: all of
 * them, or (-1, err set, the transaction still open) none. */
int g_card_store_group(struct g_card_store *cs, struct g_card_store_card *cards, size_t n,
		       g_card_store_fn fn, void *arg, struct g_err *err);

/* persona create: e's card as a new row of kind (its own transaction),
 * the user's default too when e says so (65, naming where, for a
 * character). */
int g_card_store_create(struct g_context *ctx, enum g_cardkind kind, const struct g_card_edit *e,
			const char *where, char id[G_UUID_LEN], struct g_err *err);

/* persona update: the card ref names (of kinds, ref.h) patched (card_edit)
 * and stored back, read and written in one transaction so that no writer
 * slips in between. *kind, id, *e (released by the caller) and *status
 * ("updated", or "unchanged" when the card and placement came out the
 * same) say what was done. */
int g_card_store_update(struct g_context *ctx, int kinds, const char *ref, const json_t *patch,
			const char *where, enum g_cardkind *kind, char id[G_UUID_LEN],
			struct g_card_edit *e, const char **status, struct g_err *err);

#endif
