/* card_edit.c: hand-written characters and personas, and merge patches of
 * them, into canonical cards. */
#include "card_edit.h"

#include <string.h>

#include "card.h"
#include "card_row.h"
#include "doc.h"

/* Keys of a record that describe the row rather than the card: an update
 * may carry them unchanged (a record piped back from `persona show`), but
 * not change them. */
static const char *const row_keys[] = {
	"kind", "id", "spec", "spec_version", "origin", "top_level",
	"created_at", "updated_at", "default",
};


static int bad(struct g_err *err, const char *name, const char *place, const char *what)
{
	return g_err_set(err, G_EX_DATAERR, "'%s': %s: %s", name, place, what);
}

void g_card_edit_release(struct g_card_edit *e)
{
	json_decref(e->card);
	e->card = NULL;
}

int g_card_edit_merge_patch(json_t *target, const json_t *patch)
{
	const char *key;
	json_t *v, *child;

	json_object_foreach ((json_t *)patch, key, v) {
		if (json_is_null(v)) {
			json_object_del(target, key);
			continue;
		}
		if (!json_is_object(v)) {
			if (json_object_set_new(target, key, json_deep_copy(v)) < 0)
				return -1;
			continue;
		}
		child = json_object_get(target, key);
		if (!json_is_object(child)) {
			child = json_object();
			if (json_object_set_new(target, key, child) < 0)
				return -1;
		}
		if (g_card_edit_merge_patch(child, v) < 0)
			return -1;
	}
	return 0;
}

static int is_placement_key(const char *key)
{
	return strcmp(key, "position") == 0 || strcmp(key, "depth") == 0 ||
	       strcmp(key, "role") == 0;
}

/* One key of a placement from v (null: its default) into *place. */
static int placement_key(struct g_placement *place, const char *key, const json_t *v,
			 const char *name, struct g_err *err)
{
	struct g_placement p = *place;

	if (strcmp(key, "depth") == 0) {
		if (json_is_null(v))
			p.depth = g_placement_default.depth;
		else if (!json_is_integer(v) || json_integer_value(v) < 0)
			return bad(err, name, key, "expected a whole number, 0 or more");
		else
			p.depth = json_integer_value(v);
		*place = p;
		return 0;
	}
	if (strcmp(key, "position") == 0) {
		p.position = json_is_null(v) ? g_placement_default.position : json_string_value(v);
		if (g_placement_parse(p.position, p.depth, p.role, place) < 0)
			return bad(err, name, key, "expected in_prompt, at_depth, an_top, an_bottom or none");
		return 0;
	}
	p.role = json_is_null(v) ? g_placement_default.role : json_string_value(v);
	if (g_placement_parse(p.position, p.depth, p.role, place) < 0)
		return bad(err, name, key, "expected system, user or assistant");
	return 0;
}

/* A key at the top of a persona's input that is not a card field. */
static int persona_key(struct g_card_edit *out, const char *key, const json_t *v,
		       enum g_cardkind kind, const char *name, struct g_err *err)
{
	if (kind != G_PERSONA)
		return bad(err, name, key, "only a persona has this");
	if (strcmp(key, "default") == 0) {
		if (!json_is_boolean(v))
			return bad(err, name, key, "expected true or false");
		out->make_default = json_is_true(v);
		return 0;
	}
	return placement_key(&out->place, key, v, name, err);
}

/* The checks a card's own normalisation does not make: a persona needs a
 * description (DESIGN.md §1); a character, like any card, only a name. */
static int required(const json_t *card, enum g_cardkind kind, const char *name,
		    struct g_err *err)
{
	const json_t *data = json_object_get(card, "data");

	if (kind == G_PERSONA && json_string_length(json_object_get(data, "description")) == 0)
		return bad(err, name, "data.description", "required");
	return 0;
}

/* A card that lacks a name is refused by its normalisation too, but in the
 * words of an imported card; a person writing one is told what is missing. */
static json_t *normalize(const json_t *doc, const char *name, struct g_err *err)
{
	const json_t *v = json_object_get(json_object_get(doc, "data"), "name");
	enum g_card_shape shape;

	if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
		bad(err, name, "data.name", "required");
		return NULL;
	}
	/* typed: a person writing a card is told of a wrong type, not read around it */
	return g_card_normalize_file(doc, name, NULL, G_CARD_TYPED, &shape, NULL, NULL, err);
}

/* A document of V3 shape around a copy of data, with the other top-level
 * keys of top (may be NULL). */
static json_t *v3_doc(const json_t *data, const json_t *top)
{
	json_t *doc = json_pack("{s:s, s:s, s:o}", "spec", "chara_card_v3", "spec_version", "3.0",
				"data", json_deep_copy(data));
	const char *key;
	json_t *v;

	if (doc && json_is_object(top))
		json_object_foreach ((json_t *)top, key, v)
			if (!g_card_own_key(key))
				json_object_set(doc, key, v);
	return doc;
}

static int is_card_spec(const json_t *spec)
{
	const char *s = json_string_value(spec);

	return s && (strcmp(s, "chara_card_v3") == 0 || strcmp(s, "chara_card_v2") == 0);
}

/* A flat record: its card fields into data; the rest must be a
 * persona's own keys (read later, by persona_keys). */
static json_t *flat_doc(const json_t *in, enum g_cardkind kind,
			const char *name, struct g_err *err)
{
	json_t *data = json_object(), *v;
	const char *key;

	if (!data)
		return g_err_oom(err), NULL;
	json_object_foreach ((json_t *)in, key, v) {
		if (strcmp(key, "kind") == 0 && json_is_string(v) &&
		    strcmp(json_string_value(v), g_cardkind_name(kind)) == 0)
			continue;
		if (g_card_field(key)) {
			json_object_set(data, key, v);
			continue;
		}
		if (strcmp(key, "default") != 0 && !is_placement_key(key)) {
			json_decref(data);
			return bad(err, name, key, "not a card field"), NULL;
		}
		if (kind != G_PERSONA) {
			json_decref(data);
			return bad(err, name, key, "only a persona has this"), NULL;
		}
	}
	v = v3_doc(data, NULL);
	json_decref(data);
	if (!v)
		g_err_oom(err);
	return v;
}

/* A persona's placement and default from the top of its input, over
 * what the card's extensions said. */
static int persona_keys(const json_t *in, struct g_card_edit *out, const char *name,
			struct g_err *err)
{
	const char *key;
	json_t *v;

	json_object_foreach ((json_t *)in, key, v)
		if ((is_placement_key(key) || strcmp(key, "default") == 0) &&
		    persona_key(out, key, v, G_PERSONA, name, err) < 0)
			return -1;
	return 0;
}

int g_card_edit_create(const json_t *in, enum g_cardkind kind, const char *name,
		      struct g_card_edit *out, struct g_err *err)
{
	int card_shaped;
	json_t *doc;

	memset(out, 0, sizeof(*out));
	out->place = g_placement_default;
	out->make_default = -1;
	if (!json_is_object(in))
		return bad(err, name, "record", "expected an object");
	card_shaped = is_card_spec(json_object_get(in, "spec"));
	if (card_shaped) {
		doc = json_incref((json_t *)in);
	} else if (json_is_object(json_object_get(in, "data"))) {
		/* a record as `persona show` prints it */
		doc = v3_doc(json_object_get(in, "data"), json_object_get(in, "top_level"));
		if (!doc)
			return g_err_oom(err);
	} else if (!(doc = flat_doc(in, kind, name, err))) {
		return -1;
	}
	out->card = normalize(doc, name, err);
	json_decref(doc);
	if (!out->card)
		return -1;
	/* a persona exported by guise carries its placement in extensions */
	if (kind == G_PERSONA)
		g_placement_take(out->card, &out->place);
	if ((kind == G_PERSONA && !card_shaped && persona_keys(in, out, name, err) < 0) ||
	    required(out->card, kind, name, err) < 0) {
		g_card_edit_release(out);
		return -1;
	}
	return 0;
}

static int is_row_key(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(row_keys) / sizeof(*row_keys); i++)
		if (strcmp(key, row_keys[i]) == 0)
			return 1;
	return 0;
}

/* One top-level key of a patch, applied to data or the placement. */
static int patch_key(const json_t *record, json_t *data, struct g_card_edit *out,
		     const char *key, const json_t *v, enum g_cardkind kind, const char *name,
		     struct g_err *err)
{
	json_t *one;
	int rc;

	if (strcmp(key, "data") == 0)
		return 0; /* after the flat keys, so that data wins */
	if (g_card_field(key)) {
		one = json_pack("{s:O}", key, (json_t *)v);
		rc = one ? g_card_edit_merge_patch(data, one) : -1;
		json_decref(one);
		return rc < 0 ? g_err_oom(err) : 0;
	}
	if (kind == G_PERSONA && is_placement_key(key))
		return placement_key(&out->place, key, v, name, err);
	if (is_row_key(key)) {
		if (json_equal(json_object_get(record, key), (json_t *)v))
			return 0;
		return bad(err, name, key,
			   strcmp(key, "default") == 0
				   ? "not changed by update: use set-default or clear-default"
				   : "not changed by update");
	}
	return bad(err, name, key, "not a card field");
}

int g_card_edit_update(const json_t *record, const json_t *patch, enum g_cardkind kind,
		      const char *name, struct g_card_edit *out, struct g_err *err)
{
	json_t *card, *data, *v;
	const char *key;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->make_default = -1;
	out->place = g_placement_default;
	if (!json_is_object(patch))
		return bad(err, name, "patch", "expected an object");
	v = json_object_get(patch, "data");
	if (v && !json_is_object(v))
		return bad(err, name, "data", "expected an object");
	if (kind == G_PERSONA &&
	    g_placement_parse(json_string_value(json_object_get(record, "position")),
			      json_integer_value(json_object_get(record, "depth")),
			      json_string_value(json_object_get(record, "role")), &out->place) < 0)
		out->place = g_placement_default;
	card = g_card_row_card(record);
	if (!card)
		return g_err_oom(err);
	data = json_object_get(card, "data");
	json_object_foreach ((json_t *)patch, key, v)
		if ((rc = patch_key(record, data, out, key, v, kind, name, err)) < 0)
			break;
	if (rc == 0 && (v = json_object_get(patch, "data")) && g_card_edit_merge_patch(data, v) < 0)
		rc = g_err_oom(err);
	if (rc == 0 && !(out->card = normalize(card, name, err)))
		rc = -1;
	json_decref(card);
	if (rc == 0 && (rc = required(out->card, kind, name, err)) < 0)
		g_card_edit_release(out);
	return rc;
}

/* Whether key names something --set and --clear may change. */
static int settable(const char *key)
{
	return g_card_field(key) || is_placement_key(key);
}

int g_card_edit_set(json_t *patch, const char *assignment, struct g_err *err)
{
	const char *eq = strchr(assignment, '=');
	char key[64], where[256];
	json_t *v;
	size_t n = eq ? (size_t)(eq - assignment) : 0;

	if (!eq || n == 0 || n >= sizeof(key))
		return g_err_set(err, G_EX_USAGE, "--set: '%s' is not KEY=VALUE", assignment);
	memcpy(key, assignment, n);
	key[n] = '\0';
	if (!settable(key))
		return g_err_set(err, G_EX_USAGE, "--set: '%s' is not a card field", key);
	if (g_card_field(key) == 2 || strcmp(key, "position") == 0 || strcmp(key, "role") == 0) {
		v = json_string(eq + 1);
		if (!v)
			return bad(err, "--set", key, "not valid UTF-8");
	} else {
		json_error_t jerr;

		/* any JSON value: depth=4 as well as tags=["a"] */
		v = json_loadb(eq + 1, strlen(eq + 1), JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
		if (!v) {
			snprintf(where, sizeof(where), "not JSON: %s", jerr.text);
			return bad(err, "--set", key, where);
		}
	}
	if (json_object_set_new(patch, key, v) < 0)
		return g_err_oom(err);
	return 0;
}

int g_card_edit_unset(json_t *patch, const char *key, struct g_err *err)
{
	if (!settable(key))
		return g_err_set(err, G_EX_USAGE, "--clear: '%s' is not a card field", key);
	if (json_object_set_new(patch, key, json_null()) < 0)
		return g_err_oom(err);
	return 0;
}
