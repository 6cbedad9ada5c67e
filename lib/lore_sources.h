/*
 * lore_sources.h: the books one render scans (DESIGN.md §8 "Where books
 * come from"), as JSON books (V3 character_book objects, each with its
 * "name"), in the order that breaks insertion_order ties:
 *   1. the session's attached books,
 *   2. the active persona's: its card's own character_book (a custom
 *      persona's, or the impersonated character's), then its attached ones,
 *   3. the character's: its card's own character_book, then attached ones,
 *   4. the user's global books.
 * A card's embedded book is used as it is: no import step. A card whose
 * row has a lore index (lore_index.h) gives its book already read: the
 * list holds the number of its group there (prompt_lore.h's ready).
 */
#ifndef GUISE_LORE_SOURCES_H
#define GUISE_LORE_SOURCES_H
#include <jansson.h>

#include "card.h"
#include "err.h"
#include "lore.h"
#include "lore_store.h"

/* Whose books: a group of the list above. */
enum g_lore_source { G_LORE_FROM_SESSION, G_LORE_FROM_PERSONA, G_LORE_FROM_CHARACTER,
		     G_LORE_FROM_GLOBAL, G_LORE_SOURCES };

/* What the render knows of each group: what kind of object it is (an
 * impersonated character's books are a character's), its id (NULL: none,
 * as the session of a render without one; the global group has none) and
 * the card record whose data.character_book it carries (NULL: none). */
struct g_lore_owner {
	enum g_lore_target target;
	const char *id;
	const json_t *card;
	const struct g_lore_book *book; /* the card's book already read, NULL: none */
};

/* Name b, a card's book read from its lore index, as a card's book is
 * named when it names none itself ("Seren's book"), and give it the card's
 * source, "card:<id>", as every card's own book has (lore.h); 70 when
 * memory fails. */
int g_lore_sources_name(struct g_lore_book *b, const json_t *card, struct g_err *err);

/* A card's record (g_card_row_load_lore) and, when its row has a lore
 * index, its own book already read and named as above: *has_lore 1. */
int g_lore_sources_card(struct g_store *s, const struct g_userkey *k, enum g_cardkind kind,
			const char *id, json_t **record, struct g_lore_book *lore, int *has_lore,
			struct g_err *err);

/* Append the books of owners[0..G_LORE_SOURCES) to books (an array) in the
 * order above: each card's own, and k's user's books attached to each
 * object (lore_store.h). 65/77 as g_lore_store_attached, 70 when memory
 * fails. */
int g_lore_sources_gather(struct g_store *s, const struct g_userkey *k,
			  const struct g_lore_owner owners[G_LORE_SOURCES], json_t *books,
			  struct g_err *err);

/* What one render loaded: its session (NULL: none), the persona's card
 * record (NULL: none; an impersonated character's when impersonated) and
 * the character's, each with its book when read from the lore index (NULL:
 * the record's is used). */
struct g_lore_cast {
	const char *session_id;
	int impersonated;
	const json_t *persona, *character;
	const struct g_lore_book *persona_book, *character_book;
};

/* g_lore_sources_gather over the four groups of c (global included), and
 * into ready, by group, the books already read (g_prompt_in's lore_ready). */
int g_lore_sources_cast(struct g_store *s, const struct g_userkey *k, const struct g_lore_cast *c,
			const struct g_lore_book *ready[G_LORE_SOURCES], json_t *books,
			struct g_err *err);

#endif
