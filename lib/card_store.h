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
 * savepoint of a batch transaction: opened by the first group (the key
 * checked under the lock: a rekey since it was read is 75), ended by the
 * caller with g_card_store_commit when g_card_store_due says, so that
 * neither the batch nor the time the lock is held grows without bound.
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

/* A batch commits after this long too, so that a slow input never keeps
 * other writers waiting on the lock for long. */
#define G_CARD_STORE_BATCH_MS 1000

struct g_card_store {
	struct g_context *ctx; /* borrowed: the store, the user, the key */
	enum g_card_store_conflict on_conflict;
	struct g_card_names *names; /* replace and skip only */
	long batch;                 /* cards per transaction, at most */
	int in_tx;                  /* a batch is open */
	long in_batch;              /* cards stored in it */
	int64_t began_ms;           /* when it opened */
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

/* The cards of n imported items as they are stored: a persona when
 * as_persona or from a backup (its placement taken out of the card unless
 * the backup gave it), {{user}} and {{char}} swapped with swap_macros.
 * NULL and 70 if memory fails. */
struct g_card_store_card *g_card_store_cards_new(const struct g_card_item *items, size_t n,
						 int as_persona, int swap_macros,
						 struct g_err *err);
void g_card_store_cards_free(struct g_card_store_card *cards, size_t n);

/* The card's data.name, "" when it has none. */
const char *g_card_store_name(const json_t *card);

/* Batches of up to batch cards. Namesakes are learnt (every name
 * decrypted) only for replace and skip. */
int g_card_store_init(struct g_card_store *cs, struct g_context *ctx,
		      enum g_card_store_conflict on_conflict, long batch, struct g_err *err);
/* A batch still open is rolled back. */
void g_card_store_release(struct g_card_store *cs);

/* Whether the open batch is to be committed before a group of n cards
 * (n > 0: it would grow past batch; a group is never split) or after one
 * (n == 0: it is full, or has held the lock G_CARD_STORE_BATCH_MS). */
int g_card_store_due(const struct g_card_store *cs, size_t n);
/* Commit the open batch (nothing when none is open); when that fails, it
 * is rolled back and what was learnt of its rows forgotten. */
int g_card_store_commit(struct g_card_store *cs, struct g_err *err);

/* Called inside the savepoint for each card stored (its id and status
 * set), so that what the caller makes of it (a record to tell) fails the
 * group too: non-zero with err set undoes every card of it. */
typedef int (*g_card_store_fn)(const struct g_card_store_card *c, void *arg,
			       struct g_err *err);

/* Store cards[0..n) under one savepoint of the open batch, opening one
 * when none is (the key checked under the lock, 75 if a rekey retired it,
 * 66 if the user was deleted; then the namesakes stored since the last
 * batch learnt): all of them, or (-1, err set, the batch still open)
 * none. */
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

/* persona delete: the card ref names, and what it leaves behind
 * (session.h's g_session_drop_card: *unbound sessions lose it as their
 * persona, with cascade a character's *deleted sessions go with it), in
 * one transaction. *record: its record as it was (new reference, also
 * on failure when it was found). */
int g_card_store_delete(struct g_context *ctx, int kinds, const char *ref, int cascade,
			enum g_cardkind *kind, char id[G_UUID_LEN], json_t **record,
			int64_t *unbound, int64_t *deleted, struct g_err *err);

/* persona set-default: the persona ref names becomes the user's default
 * (65 for a character). */
int g_card_store_set_default(struct g_context *ctx, const char *ref, char id[G_UUID_LEN],
			     struct g_err *err);

/* persona clear-default: the default read is the default cleared, under
 * one lock. 1 with its id when there was one, 0 when none. */
int g_card_store_clear_default(struct g_context *ctx, char id[G_UUID_LEN], struct g_err *err);

#endif
