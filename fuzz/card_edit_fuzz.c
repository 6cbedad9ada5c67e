/*
 * card_edit_fuzz: libFuzzer target for what people write by hand (lib/
 * card_edit): a document read as a new persona and as a new character, and
 * as a merge patch of a persona. Oracles: a card that is made is complete
 * and stable (normalising it again changes nothing); a persona keeps a
 * name and a description; an empty patch changes nothing; and patching
 * with the made card's own data gives the same card back (when it holds
 * no null, which a patch cannot say).
 */
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "card_edit.h"
#include "doc.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void stable(const json_t *card)
{
	enum g_card_shape shape;
	struct g_err err;
	json_t *again = g_card_normalize(card, "again", 0, &shape, NULL, NULL, &err);

	if (!again || !json_equal(again, (json_t *)card))
		abort();
	json_decref(again);
}

/* A record as g_card_row_load gives it, around card. */
static json_t *as_record(const json_t *card, const struct g_placement *place)
{
	json_t *top = json_object(), *v;
	const char *key;

	json_object_foreach ((json_t *)card, key, v)
		if (!g_card_own_key(key))
			json_object_set(top, key, v);
	return json_pack("{s:s, s:s, s:O, s:o, s:s, s:I, s:s}", "kind", "persona", "id", "x",
			 "data", json_object_get(card, "data"), "top_level", top, "position",
			 place->position, "depth", (json_int_t)place->depth, "role", place->role);
}

/* Whether v holds a null, which a merge patch cannot say (null deletes). */
static int has_null(const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i;

	if (json_is_null(v))
		return 1;
	json_object_foreach ((json_t *)v, key, item)
		if (has_null(item))
			return 1;
	json_array_foreach (v, i, item)
		if (has_null(item))
			return 1;
	return 0;
}

static void check_persona(const struct g_card_edit *e)
{
	const json_t *d = json_object_get(e->card, "data");

	stable(e->card);
	if (json_string_length(json_object_get(d, "name")) == 0 ||
	    json_string_length(json_object_get(d, "description")) == 0 ||
	    !g_placement_valid(&e->place))
		abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char base[] = "{\"name\":\"Wren\",\"description\":\"A quiet cartographer.\"}";
	struct g_card_edit e, made, back;
	struct g_err err;
	json_t *doc = g_doc_parse_json(data, size, "fuzz", &err), *record, *empty, *self;

	if (!doc)
		return 0;
	if (g_card_edit_create(doc, G_CHARACTER, "-", &e, &err) == 0) {
		stable(e.card);
		g_card_edit_release(&e);
	}
	if (g_card_edit_create(doc, G_PERSONA, "-", &e, &err) == 0) {
		check_persona(&e);
		/* its own data as a patch changes nothing (unless it holds a
		 * null: a patch's null deletes) */
		record = as_record(e.card, &e.place);
		self = json_pack("{s:O}", "data", json_object_get(e.card, "data"));
		if (!record || !self)
			abort();
		if (!has_null(self)) {
			if (g_card_edit_update(record, self, G_PERSONA, "-", &back, &err) < 0 ||
			    !json_equal(back.card, e.card))
				abort();
			g_card_edit_release(&back);
		}
		json_decref(self);
		json_decref(record);
		g_card_edit_release(&e);
	}
	/* the document as a patch of a persona */
	empty = g_doc_parse_json(base, strlen(base), "base", &err);
	if (!empty || g_card_edit_create(empty, G_PERSONA, "base", &made, &err) < 0)
		abort();
	record = as_record(made.card, &made.place);
	if (g_card_edit_update(record, doc, G_PERSONA, "-", &e, &err) == 0) {
		check_persona(&e);
		if (json_object_size(doc) == 0 && !json_equal(e.card, made.card))
			abort();
		g_card_edit_release(&e);
	}
	json_decref(record);
	g_card_edit_release(&made);
	json_decref(empty);
	json_decref(doc);
	return 0;
}
