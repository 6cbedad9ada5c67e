/*
 * lore_edit.h: what `lore` does to stored books beyond storing them
 * (lore_store.h): a copy of a stored card's own book to import, a merge
 * patch applied to a book, and the record `lore list` and `show` print.
 * Writes join the caller's transaction.
 */
#ifndef GUISE_LORE_EDIT_H
#define GUISE_LORE_EDIT_H
#include <jansson.h>

#include "lore_store.h"

/* The book of k's user's character or persona ref (its data.character_book)
 * as import would store it, named name when not NULL; its source
 * ("character:ID") into source. 66 no such card, 65 a card without a book.
 * New reference in *out. */
int g_lore_edit_from_card(struct g_store *s, const struct g_userkey *k, const char *ref,
			  const char *name, json_t **out, char *source, size_t source_size,
			  struct g_err *err);

/* Apply patch (RFC 7386) to the book ref names, where it came from
 * ("arguments" or "-") naming it in messages; the book as stored then
 * (V3 again, checked as an import checks it) in *book, its id in id, and
 * *status "updated" or "unchanged". 66, 65 located. */
int g_lore_edit_patch(struct g_store *s, const struct g_userkey *k, const char *ref,
		      const json_t *patch, const char *where, char id[G_UUID_LEN], json_t **book,
		      const char **status, struct g_err *err);

/* {kind: lorebook, id, name, entries, attached, created_at, updated_at}
 * and with full the book: a new reference, NULL with err set. */
json_t *g_lore_edit_record(struct g_store *s, const struct g_userkey *k,
			   const struct g_lore_row *r, int full, struct g_err *err);

/* The object ref names for a binding to t (a session, a persona, a
 * character; nothing for global) into id: 66, 65 as each resolver. */
int g_lore_edit_target(struct g_store *s, const struct g_userkey *k, enum g_lore_target t,
		       const char *ref, char id[G_UUID_LEN], struct g_err *err);

/* --set KEY=VALUE (VALUE as JSON when it reads as JSON, else the text) or
 * --clear KEY (null) into patch: 64 "--set 'x': expected KEY=VALUE". */
int g_lore_edit_set(json_t *patch, const char *arg, int clear, struct g_err *err);

#endif
