/* card.c: every card shape into the canonical V3 card. */
#include "card.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_book.h"
#include "card_lenient.h"

/* The fields of V3's data, in the spec's order, with their types; the
 * required ones get their empty value when missing. */
static const struct field {
	const char *name;
	enum g_card_type type;
	int required;
} fields[] = {
#define G_CARD_FIELD(name, type, required, column) { #name, G_CARD_##type, required },
#define G_CARD_FIELD_NO_COLUMN(name, type, required) { #name, G_CARD_##type, required },
#include "card_fields.h"
};

/* The V1 fields, shared by V1 cards and the top-level copies of V2. */
static const char *const v1_fields[] = {
	"name", "description", "personality", "scenario", "first_mes", "mes_example",
};

int g_card_own_key(const char *key)
{
	return strcmp(key, "spec") == 0 || strcmp(key, "spec_version") == 0 ||
	       strcmp(key, "data") == 0;
}

int g_card_field(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(*fields); i++)
		if (strcmp(fields[i].name, key) == 0)
			return fields[i].type == G_CARD_TEXT ? 2 : 1;
	return 0;
}

const char *g_card_shape_name(enum g_card_shape shape)
{
	switch (shape) {
	case G_CARD_V3: return "chara_card_v3";
	case G_CARD_V2: return "chara_card_v2";
	case G_CARD_V1: return "v1";
	case G_CARD_PYGMALION: return "pygmalion";
	case G_CARD_TEXTGEN: return "textgen";
	}
	return "unknown";
}

static int fail(struct g_card_lenient *c, const char *place, const char *what)
{
	return g_err_set(c->err, G_EX_DATAERR, "'%s': %s: %s", c->name, place, what);
}

/* A spec warning: an error under strict. */
static int warn(struct g_card_lenient *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int warn(struct g_card_lenient *c, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return g_card_leniency(c->name, c->strict, c->warn, c->warn_arg, c->err, msg, msg);
}



/* A book or assets: the card's structure, checked as the spec has it (the
 * other fields are read leniently, card_lenient.c). */
static int check_field(struct g_card_lenient *c, const struct field *f, const json_t *v)
{
	char place[128];
	json_t *item;
	size_t i;

	if (f->type == G_CARD_BOOK)
		return g_card_book_check(c, v);
	if (f->type != G_CARD_ASSETS)
		return 0;
	if (!json_is_array(v))
		return fail(c, "data.assets", "expected a list of assets");
	json_array_foreach (v, i, item)
		if (!json_is_object(item) || !json_is_string(json_object_get(item, "type")) ||
		    !json_is_string(json_object_get(item, "uri"))) {
			snprintf(place, sizeof(place), "data.assets[%zu]", i);
			return fail(c, place, "expected an asset with a type and a uri");
		}
	return 0;
}

static json_t *empty_value(enum g_card_type type)
{
	switch (type) {
	case G_CARD_TEXTS: return json_array();
	case G_CARD_OBJECT: return json_object();
	default: return json_string("");
	}
}



/* value as written kept under field, where what it is read as differs */
static int keep_as_written(struct g_card_lenient *c, const char *field, json_t *value)
{
	if ((!c->written && !(c->written = json_object())) ||
	    json_object_set(c->written, field, value) < 0)
		return g_err_oom(c->err);
	return 0;
}

/* v read leniently as field (place in messages) into data: data gets
 * what it is read as, and the value as written is kept if they differ. */
static int read_field(struct g_card_lenient *c, json_t *data, const char *place,
		      const char *field, json_t *v)
{
	json_t *read = g_card_lenient_value(c, place, field, v);

	if (!read)
		return -1;
	if (read != v && keep_as_written(c, field, v) < 0) {
		json_decref(read);
		return -1;
	}
	return json_object_set_new(data, field, read) < 0 ? g_err_oom(c->err) : 0;
}

/* No name anywhere: the file's, unless the card has no text at all. */
static int name_after_file(struct g_card_lenient *c, json_t *data)
{
	char quoted[128];
	json_t *name;

	if (!c->stem || !*c->stem)
		return fail(c, "data.name", "a card needs a name");
	if (!g_card_lenient_has_text(data))
		return fail(c, "card", "no usable text: no name, description or greeting");
	g_card_lenient_quote(quoted, sizeof(quoted), c->stem, strlen(c->stem));
	if (g_card_lenient_warn(c, "data.name", "a card needs a name",
				"no name anywhere, named '%s' after the file", quoted) < 0)
		return -1;
	/* a file name is bytes: one that is not UTF-8 cannot be a name */
	if (!(name = json_string(c->stem)))
		name = json_string("unnamed");
	return json_object_set_new(data, "name", name) < 0 ? g_err_oom(c->err) : 0;
}

/* data made whole and read: every known field of the right type,
 * required ones present, unknown keys left as they are. */
static int complete_data(struct g_card_lenient *c, json_t *data)
{
	const json_t *name;
	json_t *v;
	size_t i;

	char place[128];

	for (i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
		v = json_object_get(data, fields[i].name);
		snprintf(place, sizeof(place), "data.%s", fields[i].name);
		if (v && (fields[i].type == G_CARD_BOOK || fields[i].type == G_CARD_ASSETS)) {
			if (check_field(c, &fields[i], v) < 0)
				return -1;
		} else if (v && read_field(c, data, place, fields[i].name, v) < 0) {
			return -1;
		}
		if (!v && fields[i].required &&
		    json_object_set_new(data, fields[i].name, empty_value(fields[i].type)) < 0)
			return g_err_oom(c->err);
	}
	if (json_string_length(json_object_get(data, "name")) == 0 && name_after_file(c, data) < 0)
		return -1;
	name = json_object_get(data, "name");
	/* a name is looked up, listed and put in prompts as text: a NUL in it
	 * would hide what follows */
	if (memchr(json_string_value(name), '\0', json_string_length(name)))
		return fail(c, "data.name", "contains a NUL byte");
	return g_card_book_complete(c, data);
}

/* The values as written: this reading's, and those the card brought that
 * still hold (a card read again keeps them; one that no longer says what
 * data holds is dropped, so an export and its re-import agree). The
 * document's own are never changed. */
static int keep_written(struct g_card_lenient *c, json_t *card)
{
	json_t *had = json_object_get(card, G_CARD_LENIENT_KEY), *all, *v;
	const char *key;
	int i;

	if (!had && !c->written)
		return 0;
	if (!(all = json_object()))
		return g_err_oom(c->err);
	/* what the card brought, then this reading's over it */
	for (i = 0; i < 2; i++)
		json_object_foreach(i ? c->written : had, key, v)
			if (g_card_lenient_holds(card, key, v) && json_object_set(all, key, v) < 0)
				return json_decref(all), g_err_oom(c->err);
	if (!json_object_size(all)) {
		json_decref(all);
		json_object_del(card, G_CARD_LENIENT_KEY);
		return 0;
	}
	return json_object_set_new(card, G_CARD_LENIENT_KEY, all) < 0 ? g_err_oom(c->err) : 0;
}

/* The canonical card from data (taken) and the document's other
 * top-level keys (all but those listed in skip). */
static json_t *canonical(const json_t *doc, json_t *data, const char *const *skip,
			 size_t nskip, struct g_card_lenient *c)
{
	json_t *card = json_pack("{s:s, s:s}", "spec", "chara_card_v3", "spec_version", "3.0");
	const char *key;
	json_t *v;
	size_t i;

	if (!card || json_object_set_new(card, "data", data) < 0) {
		json_decref(card);
		g_err_oom(c->err);
		return NULL;
	}
	json_object_foreach ((json_t *)doc, key, v) {
		for (i = 0; i < nskip; i++)
			if (strcmp(key, skip[i]) == 0)
				break;
		if (i == nskip && json_object_set(card, key, v) < 0) {
			json_decref(card);
			g_err_oom(c->err);
			return NULL;
		}
	}
	if (complete_data(c, data) < 0 || keep_written(c, card) < 0) {
		json_decref(card);
		return NULL;
	}
	return card;
}

/* data copied for the card to complete: its objects and lists new, its
 * strings and numbers the document's own (json_incref), since nothing
 * changes those in place and a card's text may be most of its size; NULL
 * if memory fails. */
static json_t *shared_copy(const json_t *v)
{
	json_t *copy, *item;
	const char *key;
	size_t i;

	if (json_is_object(v)) {
		if (!(copy = json_object()))
			return NULL;
		json_object_foreach ((json_t *)v, key, item)
			if (json_object_set_new(copy, key, shared_copy(item)) < 0)
				return json_decref(copy), NULL;
		return copy;
	}
	if (json_is_array(v)) {
		if (!(copy = json_array()))
			return NULL;
		json_array_foreach (v, i, item)
			if (json_array_append_new(copy, shared_copy(item)) < 0)
				return json_decref(copy), NULL;
		return copy;
	}
	return json_incref((json_t *)v);
}

/* V2 and V3: "data" carries everything. */
static json_t *from_spec(struct g_card_lenient *c, const json_t *doc, enum g_card_shape *shape)
{
	static const char *const skip[] = { "spec", "spec_version", "data" };
	const char *spec = json_string_value(json_object_get(doc, "spec"));
	json_t *version = json_object_get(doc, "spec_version");
	json_t *data = json_object_get(doc, "data"), *copy;
	double v = 0;
	int as_v1 = !data || json_is_null(data);

	*shape = strcmp(spec, "chara_card_v3") == 0 ? G_CARD_V3 : G_CARD_V2;
	if (data && !as_v1 && !json_is_object(data))
		return fail(c, "data", "expected an object"), NULL;
	/* no data at all: the top level is the card, as a V1 card */
	if (as_v1 && g_card_lenient_warn(c, "data", "expected an object",
					 "%s, read as a V1 card from the top level",
					 data ? "null" : "missing") < 0)
		return NULL;
	/* spec_version is compared as a number: "3.0", 3, "3.10" */
	if (!version) {
		v = *shape == G_CARD_V3 ? 3.0 : 2.0;
		if (warn(c, "no spec_version: read as %.1f", v) < 0)
			return NULL;
	} else if (json_is_string(version))
		v = strtod(json_string_value(version), NULL);
	else if (json_is_number(version))
		v = json_number_value(version);
	if (*shape == G_CARD_V3 && (v < 3 || v >= 4))
		return fail(c, "spec_version", "not a V3 version"), NULL;
	if (*shape == G_CARD_V3 && v > 3.0 &&
	    warn(c, "spec_version %g is newer than 3.0: read as 3.0", v) < 0)
		return NULL;
	if (*shape == G_CARD_V2 && v != 2.0 &&
	    warn(c, "spec_version of a V2 card is not 2.0") < 0)
		return NULL;
	copy = as_v1 ? json_object() : shared_copy(data);
	if (!copy)
		return g_err_oom(c->err), NULL;
	if (g_card_lenient_fallback(c, copy, doc, as_v1) < 0)
		return json_decref(copy), NULL;
	if (as_v1)
		*shape = G_CARD_V1;
	return canonical(doc, copy, skip, sizeof(skip) / sizeof(*skip), c);
}

/* V1, Pygmalion, textgen: flat fields renamed into data. */
struct rename {
	const char *from, *to;
};

static json_t *from_flat(struct g_card_lenient *c, const json_t *doc, const struct rename *map,
			 size_t n)
{
	const char *skip[16];
	json_t *data = json_object(), *v;
	size_t i;

	if (!data || n > sizeof(skip) / sizeof(*skip))
		return g_err_oom(c->err), NULL;
	/* the canonical card's own keys: a flat card must not bring them */
	for (i = 0; i < 2; i++)
		if (json_object_get(doc, i ? "spec_version" : "data")) {
			json_decref(data);
			return fail(c, i ? "spec_version" : "data",
				    "not expected in a card without spec"), NULL;
		}
	for (i = 0; i < n; i++) {
		skip[i] = map[i].from;
		v = json_object_get(doc, map[i].from);
		/* named in messages as the card has it */
		if (v && read_field(c, data, map[i].from, map[i].to, v) < 0) {
			json_decref(data);
			return NULL;
		}
	}
	return canonical(doc, data, skip, n, c);
}

json_t *g_card_normalize(const json_t *doc, const char *name, int strict,
			 enum g_card_shape *shape, g_card_warn_fn warn_fn,
			 void *warn_arg, struct g_err *err)
{
	return g_card_normalize_file(doc, name, NULL, strict ? G_CARD_STRICT : 0, shape, warn_fn,
				     warn_arg, err);
}

/* Whether doc has a V1 field: a V1 card, named or not. */
static int has_v1_field(const json_t *doc)
{
	size_t i;

	for (i = 0; i < sizeof(v1_fields) / sizeof(*v1_fields); i++)
		if (json_object_get(doc, v1_fields[i]))
			return 1;
	return 0;
}

static json_t *normalize(struct g_card_lenient *c, const json_t *doc, enum g_card_shape *shape)
{
	static const struct rename pygmalion[] = {
		{ "char_name", "name" }, { "char_persona", "description" },
		{ "world_scenario", "scenario" }, { "char_greeting", "first_mes" },
		{ "example_dialogue", "mes_example" },
	};
	static const struct rename textgen[] = {
		{ "name", "name" }, { "context", "description" },
		{ "greeting", "first_mes" }, { "example_dialogue", "mes_example" },
	};
	struct rename v1[sizeof(v1_fields) / sizeof(*v1_fields)];
	const json_t *spec = json_object_get(doc, "spec");
	size_t i;

	if (!json_is_object(doc))
		return fail(c, "card", "not a record"), NULL;
	if (spec) {
		if (json_is_string(spec) &&
		    (strcmp(json_string_value(spec), "chara_card_v3") == 0 ||
		     strcmp(json_string_value(spec), "chara_card_v2") == 0))
			return from_spec(c, doc, shape);
		return fail(c, "spec", "not chara_card_v2 or chara_card_v3"), NULL;
	}
	if (json_object_get(doc, "char_name")) {
		*shape = G_CARD_PYGMALION;
		return from_flat(c, doc, pygmalion, sizeof(pygmalion) / sizeof(*pygmalion));
	}
	if (json_object_get(doc, "context") || json_object_get(doc, "greeting")) {
		*shape = G_CARD_TEXTGEN;
		return from_flat(c, doc, textgen, sizeof(textgen) / sizeof(*textgen));
	}
	if (has_v1_field(doc)) {
		*shape = G_CARD_V1;
		for (i = 0; i < sizeof(v1) / sizeof(*v1); i++)
			v1[i].from = v1[i].to = v1_fields[i];
		return from_flat(c, doc, v1, sizeof(v1) / sizeof(*v1));
	}
	return fail(c, "card", "not a character card: no spec, name or char_name"), NULL;
}

json_t *g_card_normalize_file(const json_t *doc, const char *name, const char *stem,
			      int flags, enum g_card_shape *shape, g_card_warn_fn warn_fn,
			      void *warn_arg, struct g_err *err)
{
	struct g_card_lenient c = { name, flags & G_CARD_STRICT, flags & G_CARD_TYPED,
				    warn_fn, warn_arg, err, stem, NULL };
	json_t *card = normalize(&c, doc, shape);

	json_decref(c.written);
	return card;
}
