/*
 * card_row.h: characters and personas as rows of the store (DESIGN.md §4,
 * §5), encrypted field by field.
 *
 * A card goes in as the canonical V3 card of card.h; every data field with
 * a column of its own is sealed into it (text fields as their text, the
 * others as JSON), and what has no column (the card's other top-level keys,
 * creation_date, unknown data keys) is sealed into "extra", so a row gives
 * back the card it was given. The content hash is keyed (crypt.h) and
 * covers the card, the avatar (a PNG by its chunk CRCs, confirmed byte for
 * byte on a match) and a persona's placement: re-importing the same card
 * finds it, and the hash tells nothing without the key.
 *
 * Rows are always read and written with their owner, so another user's row
 * is "not found". Writes join the caller's transaction.
 */
#ifndef GUISE_CARDROW_H
#define GUISE_CARDROW_H
#include <jansson.h>
#include <stdint.h>
#include "userkey.h"
#include "store.h"
#include "user.h"
#include "card.h"

/* What a row is made of. card and origin are borrowed; raw (the card as
 * imported) and avatar (image bytes without card chunks) may be NULL. */
struct g_card_row {
	enum g_cardkind kind;
	const json_t *card;   /* canonical V3 card */
	const json_t *origin; /* {file, format, card} */
	const unsigned char *raw;
	size_t raw_len;
	const unsigned char *avatar;
	size_t avatar_len;
	struct g_placement place; /* personas only */
};

/* The content hash of a row to be: 70 if memory fails. */
int g_card_row_hash(const struct g_userkey *k, const struct g_card_row *row,
		   unsigned char out[G_HASH_BYTES], struct g_err *err);

/* The id of k's user's row of row's kind that holds what row holds: the
 * same hash, and the same avatar byte for byte. 1 found (id set), 0 none. */
int g_card_row_find_hash(struct g_store *s, const struct g_userkey *k,
			const struct g_card_row *row,
			const unsigned char hash[G_HASH_BYTES], char id[G_UUID_LEN],
			struct g_err *err);

/* A new row; id is made here. */
int g_card_row_insert(struct g_store *s, const struct g_userkey *k,
		     const struct g_card_row *row,
		     const unsigned char hash[G_HASH_BYTES], char id[G_UUID_LEN],
		     struct g_err *err);

/* Every field of row id replaced by row's (created_at kept); 66 if k's
 * user has no such row. */
int g_card_row_replace(struct g_store *s, const struct g_userkey *k,
		      const struct g_card_row *row,
		      const unsigned char hash[G_HASH_BYTES], const char *id,
		      struct g_err *err);

/* Delete row id of k's user (the store's foreign keys unbind it from
 * sessions, or refuse while a session is with a character): 66 none. */
int g_card_row_delete(struct g_store *s, const struct g_userkey *k, enum g_cardkind kind,
		     const char *id, struct g_err *err);

/* The record of §4 for row id, decrypted (new reference in *record); with
 * avatar or raw non-NULL, those blobs too (empty when unset). 66 when k's
 * user has no such row, 65 when a field fails to open. */
int g_card_row_load(struct g_store *s, const struct g_userkey *k,
		   enum g_cardkind kind, const char *id, json_t **record,
		   struct g_blob *avatar, struct g_blob *raw, struct g_err *err);

/* g_card_row_load for a render: when the row has a lore index (its
 * character_book as lore reads it, lore_index.h), the record is without
 * data.character_book, which is read into *lore instead (*has_lore 1;
 * g_lore_book_release it; its name "" when the book says none); else the
 * whole record and *has_lore 0. 65 also when the index is damaged. */
struct g_lore_book;
int g_card_row_load_lore(struct g_store *s, const struct g_userkey *k,
			 enum g_cardkind kind, const char *id, json_t **record,
			 struct g_lore_book *lore, int *has_lore, struct g_err *err);

/* The record a row would be stored as, without id or timestamps (what
 * persona-import -n prints). New reference. */
json_t *g_card_row_preview(const struct g_card_row *row);

/* The short record a command tells of a card: {kind, id, name} and, when
 * status is not NULL, status. name is len bytes (a NUL in it kept), NULL
 * for "". New reference, NULL if memory fails. */
json_t *g_card_row_summary(enum g_cardkind kind, const char *id, const char *name, size_t len,
			   const char *status);

/* The canonical V3 card of a record: spec, spec_version, data and the
 * card's other top-level keys. New reference, NULL if memory fails. */
json_t *g_card_row_card(const json_t *record);

/* Each row of k's user of that kind with rowid > after, in rowid order:
 * fn gets its id, decrypted name (len bytes, NUL-terminated after them)
 * and rowid, and returns non-zero to stop. How a caller learns names
 * (which are ciphertext) without loading rows. */
typedef int (*g_card_row_name_fn)(const char *id, const char *name, size_t len,
				 int64_t rowid, void *arg);
int g_card_row_names(struct g_store *s, const struct g_userkey *k,
		    enum g_cardkind kind, int64_t after, g_card_row_name_fn fn,
		    void *arg, struct g_err *err);

/* Recompute every content hash of k's user under k (after a rekey, inside
 * its transaction). Returns the count of rows, or -1. */
long g_card_row_rehash(struct g_store *s, const struct g_userkey *k,
		      struct g_err *err);

#endif
