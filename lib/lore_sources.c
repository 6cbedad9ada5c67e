/* lore_sources.c: the books of one render, gathered in DESIGN.md §8's
 * order. */
#include "lore_sources.h"


/* A card's own book, named for the card when it names none itself. */
static int card_book(const json_t *card, json_t *books, struct g_err *err)
{
	const json_t *data = json_object_get(card, "data");
	const json_t *book = json_object_get(data, "character_book");
	const char *name = json_string_value(json_object_get(book, "name"));
	const char *card_name = json_string_value(json_object_get(data, "name"));
	json_t *copy;

	if (!json_is_object(book))
		return 0;
	if (!(copy = json_copy((json_t *)book)))
		return g_err_oom(err);
	if ((!name || !*name) &&
	    json_object_set_new(copy, "name",
				json_sprintf("%s's book", card_name ? card_name : "card")) < 0) {
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
		if (o->card && card_book(o->card, books, err) < 0)
			return -1;
		if ((o->id || o->target == G_LORE_TO_GLOBAL) &&
		    g_lore_store_attached(s, k, o->target, o->id, books, err) < 0)
			return -1;
	}
	return 0;
}
