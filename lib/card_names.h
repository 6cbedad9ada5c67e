/*
 * card_names.h: which of a user's characters and personas are called what,
 * for an import that must find a card's namesakes (--on-conflict). Names
 * are ciphertext in the store, so they are learnt once, by decrypting each
 * row's name, and after that only the rows added since (by rowid), which
 * is how a long import sees what parallel importers stored meanwhile.
 * Names compare as ref.h names them: exact, ASCII case folded.
 */
#ifndef GUISE_CARDNAMES_H
#define GUISE_CARDNAMES_H
#include <jansson.h>
#include "card_row.h"

struct g_card_names;

struct g_card_names *g_card_names_new(void);
void g_card_names_free(struct g_card_names *n);

/* Learn the rows of k's user added since the last call (all at first). */
int g_card_names_refresh(struct g_card_names *n, struct g_store *s,
			const struct g_userkey *k, struct g_err *err);

/* Note a row written now (so a namesake later in the same transaction
 * sees it); a later refresh does not count it twice. */
int g_card_names_add(struct g_card_names *n, enum g_cardkind kind, const char *id,
		    const char *name);

/* The ids of rows of that kind called name (a JSON array, borrowed), or
 * NULL when there are none. */
const json_t *g_card_names_ids(const struct g_card_names *n, enum g_cardkind kind,
			      const char *name);

/* Forget everything: after a rollback, what was learnt may be gone. */
void g_card_names_clear(struct g_card_names *n);

#endif
