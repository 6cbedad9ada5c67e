/* card_book.c: a card's lorebook checked and made whole as V3 has it. */
#include "card_book.h"

#include <stdio.h>

static int fail(struct g_card_lenient *c, const char *place, const char *what)
{
	return g_err_set(c->err, G_EX_DATAERR, "'%s': %s: %s", c->name, place, what);
}

static int check_texts(struct g_card_lenient *c, const char *place, const json_t *v)
{
	char where[300];
	json_t *item;
	size_t i;

	if (!json_is_array(v))
		return fail(c, place, "expected a list of strings");
	json_array_foreach (v, i, item)
		if (!json_is_string(item)) {
			snprintf(where, sizeof(where), "%s[%zu]", place, i);
			return fail(c, where, "expected a string");
		}
	return 0;
}

/* A book: entries a list of objects whose keys are lists of strings and
 * content a string. Entry ids may be strings or numbers; unknown keys stay. */
int g_card_book_check(struct g_card_lenient *c, const json_t *book)
{
	char where[256];
	json_t *entries, *e, *v;
	size_t i;

	if (json_is_null(book))
		return 0; /* how many exporters write "no book" */
	if (!json_is_object(book))
		return fail(c, "data.character_book", "expected an object");
	entries = json_object_get(book, "entries");
	if (!entries)
		return 0;
	if (!json_is_array(entries))
		return fail(c, "data.character_book.entries", "expected a list");
	json_array_foreach (entries, i, e) {
		snprintf(where, sizeof(where), "data.character_book.entries[%zu]", i);
		if (!json_is_object(e))
			return fail(c, where, "expected an object");
		if ((v = json_object_get(e, "keys"))) {
			snprintf(where, sizeof(where), "data.character_book.entries[%zu].keys", i);
			if (check_texts(c, where, v) < 0)
				return -1;
		}
		if ((v = json_object_get(e, "content")) && !json_is_string(v)) {
			snprintf(where, sizeof(where), "data.character_book.entries[%zu].content", i);
			return fail(c, where, "expected a string");
		}
	}
	return 0;
}

/* Set key to v (taken) where it is missing; -1 if memory fails. */
static int fill(json_t *obj, const char *key, json_t *v)
{
	if (json_object_get(obj, key)) {
		json_decref(v);
		return 0;
	}
	return json_object_set_new(obj, key, v);
}

/* A lorebook made whole as V3 requires (checked already): the book's
 * extensions and entries, each entry's keys, content, extensions, enabled,
 * insertion_order and use_regex, with V3's defaults where missing. A copy
 * replaces the book in data, so the input is never changed. */
int g_card_book_complete(struct g_card_lenient *c, json_t *data)
{
	json_t *book = json_object_get(data, "character_book"), *entries, *e;
	size_t i;
	int rc = 0;

	if (!json_is_object(book))
		return 0;
	book = json_deep_copy(book);
	if (!book || json_object_set_new(data, "character_book", book) < 0)
		return g_err_oom(c->err);
	rc |= fill(book, "extensions", json_object());
	rc |= fill(book, "entries", json_array());
	entries = json_object_get(book, "entries");
	json_array_foreach (entries, i, e) {
		rc |= fill(e, "keys", json_array());
		rc |= fill(e, "content", json_string(""));
		rc |= fill(e, "extensions", json_object());
		rc |= fill(e, "enabled", json_true());
		rc |= fill(e, "insertion_order", json_integer(0));
		rc |= fill(e, "use_regex", json_false());
	}
	return rc ? g_err_oom(c->err) : 0;
}
