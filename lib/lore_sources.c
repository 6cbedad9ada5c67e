/* lore_sources.c: the books of one render, gathered in DESIGN.md §8's
 * order. */
#include "lore_sources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_row.h"

/* The name of a card's book that names none. */
static json_t *default_name(const json_t *card)
{
	const char *card_name = json_string_value(json_object_get(json_object_get(card, "data"),
								   "name"));

	return json_sprintf("%s's book", card_name ? card_name : "card");
}

/* The source of a card's own book (lore.h): the card's id, which no
 * rename changes; NULL when the record has none. */
static json_t *card_source(const json_t *card)
{
	const char *id = json_string_value(json_object_get(card, "id"));

	return id ? json_sprintf("card:%s", id) : NULL;
}

int g_lore_sources_name(struct g_lore_book *b, const json_t *card, struct g_err *err)
{
	json_t *name, *source = card_source(card);

	free(b->source);
	b->source = source ? strdup(json_string_value(source)) : NULL;
	json_decref(source);
	if (source && !b->source)
		return g_err_oom(err);
	if (*b->name)
		return 0;
	if (!(name = default_name(card)))
		return g_err_oom(err);
	free(b->name);
	b->name = strdup(json_string_value(name));
	json_decref(name);
	return b->name ? 0 : g_err_oom(err);
}

int g_lore_sources_card(struct g_store *s, const struct g_userkey *k, enum g_cardkind kind,
			const char *id, json_t **record, struct g_lore_book *lore, int *has_lore,
			struct g_err *err)
{
	if (g_card_row_load_lore(s, k, kind, id, record, lore, has_lore, err) < 0)
		return -1;
	return *has_lore ? g_lore_sources_name(lore, *record, err) : 0;
}

/* A card's own book, named for the card when it names none itself, its
 * source the card's (whatever source the book itself says). */
static int card_book(const json_t *card, json_t *books, struct g_err *err)
{
	const json_t *data = json_object_get(card, "data");
	const json_t *book = json_object_get(data, "character_book");
	const char *name = json_string_value(json_object_get(book, "name"));
	json_t *copy, *source;

	if (!json_is_object(book))
		return 0;
	if (!(copy = json_copy((json_t *)book)))
		return g_err_oom(err);
	if (!(source = card_source(card)))
		json_object_del(copy, "source");
	if ((source && json_object_set_new(copy, "source", source) < 0) ||
	    ((!name || !*name) && json_object_set_new(copy, "name", default_name(card)) < 0)) {
		json_decref(copy);
		return g_err_oom(err);
	}
	return json_array_append_new(books, copy) < 0 ? g_err_oom(err) : 0;
}

int g_lore_sources_gather(struct g_store *s, const struct g_userkey *k,
			  const struct g_lore_owner owners[G_LORE_SOURCES], json_t *books,
			  struct g_err *err)
{
	int from;

	for (from = 0; from < G_LORE_SOURCES; from++) {
		const struct g_lore_owner *o = &owners[from];

		/* the card's own book first, then the books attached to the
		 * group's object */
		if (o->book && json_array_append_new(books, json_integer(from)) < 0)
			return g_err_oom(err);
		if (!o->book && o->card && card_book(o->card, books, err) < 0)
			return -1;
		if ((o->id || o->target == G_LORE_TO_GLOBAL) &&
		    g_lore_store_attached(s, k, o->target, o->id, books, err) < 0)
			return -1;
	}
	return 0;
}

int g_lore_sources_cast(struct g_store *s, const struct g_userkey *k, const struct g_lore_cast *c,
			const struct g_lore_book *ready[G_LORE_SOURCES], json_t *books,
			struct g_err *err)
{
	struct g_lore_owner owners[G_LORE_SOURCES] = {
		[G_LORE_FROM_SESSION] = { G_LORE_TO_SESSION, c->session_id, NULL, NULL },
		[G_LORE_FROM_PERSONA] = { c->impersonated ? G_LORE_TO_CHARACTER : G_LORE_TO_PERSONA,
					  json_string_value(json_object_get(c->persona, "id")),
					  c->persona, c->persona_book },
		[G_LORE_FROM_CHARACTER] = { G_LORE_TO_CHARACTER,
					    json_string_value(json_object_get(c->character, "id")),
					    c->character, c->character_book },
		[G_LORE_FROM_GLOBAL] = { G_LORE_TO_GLOBAL, NULL, NULL, NULL },
	};
	int from;

	for (from = 0; from < G_LORE_SOURCES; from++)
		ready[from] = owners[from].book;
	return g_lore_sources_gather(s, k, owners, books, err);
}
