/*
 * lore_store.h: a user's stored lorebooks (DESIGN.md §8 "Lore"), one row
 * of `lorebooks` each, every text sealed (name, the book, its origin),
 * and where they are attached (`lore_bindings`: a session, a persona, a
 * character, or global). A book is kept as a V3 character_book
 * (lore_convert.h) with its name set. Only k's user's rows are looked at,
 * so another user's book, session, persona or character is "not found",
 * word for word; the store's triggers refuse a binding across users even
 * when it is forced in with sqlite3. Writes join the caller's transaction.
 */
#ifndef GUISE_LORE_STORE_H
#define GUISE_LORE_STORE_H
#include <jansson.h>
#include <stdint.h>

#include "ref.h"
#include "store.h"
#include "timestamp.h"
#include "userkey.h"
#include "uuid.h"

enum g_lore_target { G_LORE_TO_SESSION, G_LORE_TO_PERSONA, G_LORE_TO_CHARACTER, G_LORE_TO_GLOBAL };

/* One book as stored, decrypted. */
struct g_lore_row {
	char id[G_UUID_LEN];
	char *name;
	char *origin;   /* where it was imported from, NULL when not said */
	json_t *book;   /* V3 character_book, "name" set */
	char created_at[G_TIMESTAMP_LEN], updated_at[G_TIMESTAMP_LEN];
};
void g_lore_row_release(struct g_lore_row *r);

/* Store book (V3, "name" set) from origin: "unchanged" when k's user has
 * the same book (keyed hash), "updated" when a book of that name (ASCII
 * case folded) is replaced, else "created"; id is the row's. 65 when
 * several books have that name. */
int g_lore_store_import(struct g_store *s, const struct g_userkey *k, const json_t *book,
			const char *origin, char id[G_UUID_LEN], const char **status,
			struct g_err *err);

/* Replace the book of row id (its name from book's "name"): 66 none. */
int g_lore_store_replace(struct g_store *s, const struct g_userkey *k, const char *id,
			 const json_t *book, struct g_err *err);

/* Row id of k's user, decrypted: 66 none, 65 a field that fails to open. */
int g_lore_store_load(struct g_store *s, const struct g_userkey *k, const char *id,
		      struct g_lore_row *out, struct g_err *err);

/* Delete row id (its bindings with it): 66 none. */
int g_lore_store_delete(struct g_store *s, const struct g_userkey *k, const char *id,
			struct g_err *err);

/* The ids of k's user's books, oldest first (a JSON array), or NULL. */
json_t *g_lore_store_ids(struct g_store *s, const struct g_userkey *k, struct g_err *err);

/* Each book's id and decrypted name: fn returns non-zero to stop. */
typedef int (*g_lore_name_fn)(const char *id, const char *name, size_t len, void *arg);
int g_lore_store_names(struct g_store *s, const struct g_userkey *k, g_lore_name_fn fn,
		       void *arg, struct g_err *err);

/* The books called name (the whole of it, ASCII case folded). */
int g_lore_store_namesakes(struct g_store *s, const struct g_userkey *k, const char *name,
			   struct g_ref_found *found, struct g_err *err);

/* The book ref names: its id, a unique id prefix (4 or more), or its name
 * (exact, ASCII case folded): 66 "no such lorebook 'ref'", 65 several. */
int g_lore_store_resolve(struct g_store *s, const struct g_userkey *k, const char *ref,
			 char id[G_UUID_LEN], struct g_err *err);

/* Recompute every book's content hash under k (after a rekey). */
long g_lore_store_rehash(struct g_store *s, const struct g_userkey *k, struct g_err *err);

/* --- bindings (lore_bind.c) --------------------------------------------- */

/* Attach book id to target id (NULL for global): 1 attached now, 0 it
 * was already; 66 when k's user has no such book or target. */
int g_lore_store_attach(struct g_store *s, const struct g_userkey *k, const char *book_id,
			enum g_lore_target t, const char *id, struct g_err *err);
/* Detach it: 66 when it was not attached there. */
int g_lore_store_detach(struct g_store *s, const struct g_userkey *k, const char *book_id,
			enum g_lore_target t, const char *id, struct g_err *err);

/* Where book id is attached, in the order attached: [{"session": id},
 * {"persona": id}, {"character": id}, {"global": true}]. NULL on error. */
json_t *g_lore_store_attachments(struct g_store *s, const struct g_userkey *k,
				 const char *book_id, struct g_err *err);

/* The user's books attached to target id (NULL for global), decrypted V3
 * character_book objects each with "name" and "source" ("lore:<id>", what
 * timed effects are keyed by: lore.h) set, appended to books (a JSON
 * array) in the order attached. */
int g_lore_store_attached(struct g_store *s, const struct g_userkey *k, enum g_lore_target t,
			  const char *id, json_t *books, struct g_err *err);

#endif
