/* card_lenient.c: fields read the way people wrote them, with a warning
 * each, rather than a card refused. */
#include "card_lenient.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct field {
	const char *name;
	enum g_card_type type;
} fields[] = {
#define G_CARD_FIELD(name, type, required, column) { #name, G_CARD_##type },
#define G_CARD_FIELD_NO_COLUMN(name, type, required) { #name, G_CARD_##type },
#include "card_fields.h"
};

/* What SillyTavern's reader takes from the top level when data lacks it. */
static const char *const fallback_fields[] = {
	"name", "description", "personality", "scenario", "first_mes", "mes_example", "tags",
};

/* Where an object tag keeps its name, most telling first. */
static const char *const tag_name_keys[] = { "name", "label", "title", "tag", "_typeName" };

static int field_type(const char *key, enum g_card_type *type)
{
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(*fields); i++)
		if (strcmp(fields[i].name, key) == 0) {
			*type = fields[i].type;
			return 1;
		}
	return 0;
}

/* Metadata no prompt reads: a value of the wrong type stays as written. */
static int is_metadata(const char *field)
{
	return strcmp(field, "source") == 0 || strcmp(field, "creation_date") == 0 ||
	       strcmp(field, "modification_date") == 0 ||
	       strcmp(field, "creator_notes_multilingual") == 0;
}

int g_card_leniency(const char *name, int strict, g_card_warn_fn warn, void *warn_arg,
		    struct g_err *err, const char *strict_msg, const char *warn_msg)
{
	char line[1024];

	if (strict)
		return g_err_set(err, G_EX_DATAERR, "'%s': %s", name, strict_msg);
	if (!warn)
		return 0;
	/* located like an error, so a batch says which card it is about */
	snprintf(line, sizeof(line), "'%s': %s", name, warn_msg);
	warn(line, warn_arg);
	return 0;
}

int g_card_lenient_warn(struct g_card_lenient *l, const char *place, const char *strict_what,
			const char *fmt, ...)
{
	char msg[512], placed[768], strict_msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(placed, sizeof(placed), "%s: %s", place, msg);
	snprintf(strict_msg, sizeof(strict_msg), "%s: %s", place, strict_what);
	return g_card_leniency(l->name, l->strict || l->typed, l->warn, l->warn_arg, l->err,
			       strict_msg, placed);
}

const char *g_card_lenient_quote(char *buf, size_t size, const char *s, size_t len)
{
	size_t n = len < size - 4 ? len : size - 4, i;

	if (n < len) /* cut before a continuation byte, never inside a character */
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	for (i = 0; i < n; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (n < len)
		memcpy(buf + n, "...", 3), n += 3;
	buf[n] = '\0';
	return buf;
}

/* How a value is named in a message: "a list", "null", ... */
static const char *kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "a value";
}

/* A number or boolean as text (its JSON); NULL if memory fails. */
static json_t *scalar_text(const json_t *v)
{
	char *s = json_dumps(v, JSON_ENCODE_ANY);
	json_t *t = s ? json_string(s) : NULL;

	free(s);
	return t;
}

static int all_strings(const json_t *v)
{
	const json_t *item;
	size_t i;

	json_array_foreach(v, i, item)
		if (!json_is_string(item))
			return 0;
	return 1;
}

static json_t *joined(const json_t *list)
{
	const json_t *item;
	size_t i, total = 0, at = 0;
	char *buf;
	json_t *s;

	json_array_foreach(list, i, item)
		total += json_string_length(item) + 1;
	if (!(buf = malloc(total ? total : 1)))
		return NULL;
	json_array_foreach(list, i, item) {
		if (i)
			buf[at++] = '\n';
		memcpy(buf + at, json_string_value(item), json_string_length(item));
		at += json_string_length(item);
	}
	s = json_stringn_nocheck(buf, at);
	free(buf);
	return s;
}

static json_t *oom(struct g_card_lenient *l)
{
	g_err_oom(l->err);
	return NULL;
}

static json_t *as_text(struct g_card_lenient *l, const char *place, json_t *v)
{
	char quoted[64];
	json_t *t;

	if (json_is_string(v))
		return json_incref(v);
	if (json_is_array(v) && all_strings(v)) {
		if (g_card_lenient_warn(l, place, "expected a string",
					"a list of strings, joined with newlines") < 0)
			return NULL;
		return (t = joined(v)) ? t : oom(l);
	}
	if (json_is_number(v) || json_is_boolean(v)) {
		if (!(t = scalar_text(v)))
			return oom(l);
		if (g_card_lenient_warn(l, place, "expected a string", "%s, read as the text '%s'",
					kind(v), g_card_lenient_quote(quoted, sizeof(quoted),
								     json_string_value(t),
								     json_string_length(t))) < 0)
			return json_decref(t), NULL;
		return t;
	}
	if (g_card_lenient_warn(l, place, "expected a string", "%s, not text: read as empty",
				kind(v)) < 0)
		return NULL;
	return (t = json_string("")) ? t : oom(l);
}

/* The name an object tag carries, or NULL. */
static const json_t *tag_name(const json_t *tag)
{
	const json_t *n;
	size_t i;

	for (i = 0; i < sizeof(tag_name_keys) / sizeof(*tag_name_keys); i++)
		if ((n = json_object_get(tag, tag_name_keys[i])) && json_string_length(n))
			return n;
	return NULL;
}

/* One item of a list of strings that is not one: what it is read as
 * (a new reference), or a borrowed json_null() when it is left out. */
static json_t *texts_item(struct g_card_lenient *l, const char *place, const char *field,
			  json_t *item, int *failed)
{
	char quoted[64];
	const json_t *name;
	json_t *t;

	*failed = 0;
	if (json_is_object(item) && (name = tag_name(item))) {
		g_card_lenient_quote(quoted, sizeof(quoted), json_string_value(name),
				     json_string_length(name));
		*failed = g_card_lenient_warn(l, place, "expected a string", "%s, kept its name '%s'",
					      strcmp(field, "tags") == 0 ? "object tag" : "an object",
					      quoted) < 0;
		return json_incref((json_t *)name);
	}
	if (json_is_number(item) || json_is_boolean(item)) {
		if (!(t = scalar_text(item)))
			return *failed = 1, oom(l);
		*failed = g_card_lenient_warn(l, place, "expected a string", "%s, read as the text '%s'",
					      kind(item), g_card_lenient_quote(quoted, sizeof(quoted),
									  json_string_value(t),
									  json_string_length(t))) < 0;
		return t;
	}
	*failed = g_card_lenient_warn(l, place, "expected a string", "%s%s, left out", kind(item),
				      json_is_object(item) ? " with no name" : "") < 0;
	return json_null();
}

static json_t *as_texts(struct g_card_lenient *l, const char *place, const char *field, json_t *v)
{
	char where[256];
	json_t *list, *item, *t;
	size_t i;
	int failed;

	if (json_is_array(v) && all_strings(v))
		return json_incref(v);
	if (!json_is_array(v)) {
		int one = json_is_string(v) && json_string_length(v);

		if (g_card_lenient_warn(l, place, "expected a list of strings", "%s%s, read as %s",
					json_is_string(v) && !one ? "an empty " : "",
					json_is_string(v) && !one ? "string" : kind(v),
					one ? "a list of one" : "an empty list") < 0)
			return NULL;
		list = one ? json_pack("[O]", v) : json_array();
		return list ? list : oom(l);
	}
	if (!(list = json_array()))
		return oom(l);
	json_array_foreach(v, i, item) {
		if (json_is_string(item)) {
			t = json_incref(item);
		} else {
			snprintf(where, sizeof(where), "%s[%zu]", place, i);
			t = texts_item(l, where, field, item, &failed);
			if (failed)
				return json_decref(t), json_decref(list), NULL;
		}
		if (!json_is_null(t) && json_array_append_new(list, t) < 0)
			return json_decref(list), oom(l);
	}
	return list;
}

/* Whether v is what a field of type wants (book and assets are checked
 * by card.c: their shape is the card's structure, not a typing slip). */
static int fits(enum g_card_type type, const json_t *v)
{
	const char *key;
	json_t *item;

	switch (type) {
	case G_CARD_TEXT: return json_is_string(v);
	case G_CARD_TEXTS: return json_is_array(v) && all_strings(v);
	case G_CARD_OBJECT: return json_is_object(v);
	case G_CARD_NUMBER: return json_is_number(v);
	case G_CARD_TEXT_MAP:
		if (!json_is_object(v))
			return 0;
		json_object_foreach((json_t *)v, key, item)
			if (!json_is_string(item))
				return 0;
		return 1;
	case G_CARD_BOOK:
	case G_CARD_ASSETS: return 1;
	}
	return 1;
}

json_t *g_card_lenient_value(struct g_card_lenient *l, const char *place, const char *field,
			     json_t *v)
{
	static const char *const expected[] = {
		[G_CARD_TEXT] = "a string", [G_CARD_TEXTS] = "a list of strings",
		[G_CARD_OBJECT] = "an object", [G_CARD_NUMBER] = "a number",
		[G_CARD_BOOK] = "a lorebook", [G_CARD_ASSETS] = "a list of assets",
		[G_CARD_TEXT_MAP] = "an object of strings",
	};
	char strict_what[64];
	enum g_card_type type;
	json_t *o;

	if (!field_type(field, &type) || fits(type, v))
		return json_incref(v);
	snprintf(strict_what, sizeof(strict_what), "expected %s", expected[type]);
	if (is_metadata(field)) {
		if (g_card_lenient_warn(l, place, strict_what, "%s, not %s: kept as written", kind(v),
					expected[type]) < 0)
			return NULL;
		return json_incref(v);
	}
	switch (type) {
	case G_CARD_TEXT: return as_text(l, place, v);
	case G_CARD_TEXTS: return as_texts(l, place, field, v);
	default:
		if (g_card_lenient_warn(l, place, strict_what, "%s, read as an empty object",
					kind(v)) < 0)
			return NULL;
		return (o = json_object()) ? o : oom(l);
	}
}

int g_card_lenient_fallback(struct g_card_lenient *l, json_t *data, const json_t *doc,
			    int quiet)
{
	char taken[256] = "", place[64];
	const char *key;
	json_t *dv, *tv, *v;
	size_t i, at = 0;

	for (i = 0; i < sizeof(fallback_fields) / sizeof(*fallback_fields); i++) {
		key = fallback_fields[i];
		dv = json_object_get(data, key);
		tv = json_object_get(doc, key);
		if ((dv && !json_is_null(dv)) || !tv || json_is_null(tv))
			continue;
		snprintf(place, sizeof(place), "data.%s", key);
		if ((l->strict || l->typed) && !quiet)
			return g_err_set(l->err, G_EX_DATAERR, "'%s': %s: %s, only the top level has it",
					 l->name, place, dv ? "null" : "missing");
		/* a top-level value of the wrong type is named where it is */
		if (!(v = g_card_lenient_value(l, key, key, tv)))
			return -1;
		if (json_object_set_new(data, key, v) < 0)
			return g_err_oom(l->err);
		at += (size_t)snprintf(taken + at, sizeof(taken) - at, "%s%s", at ? ", " : "", key);
	}
	if (at && !quiet)
		return g_card_lenient_warn(l, "data", "", "no %s: taken from the top level", taken);
	return 0;
}

int g_card_lenient_has_text(const json_t *data)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)data, key, v) {
		enum g_card_type type;

		if (strcmp(key, "name") == 0 || strcmp(key, "tags") == 0 || !field_type(key, &type))
			continue;
		if ((type == G_CARD_TEXT && json_string_length(v)) ||
		    (type == G_CARD_TEXTS && json_array_size(v)) ||
		    (type == G_CARD_BOOK && json_array_size(json_object_get(v, "entries"))))
			return 1;
	}
	return 0;
}

int g_card_lenient_holds(const json_t *card, const char *field, json_t *written)
{
	struct g_err err;
	struct g_card_lenient quiet = { .name = "", .err = &err };
	const json_t *now = json_object_get(json_object_get(card, "data"), field);
	const json_t *top = json_object_get(card, field);
	enum g_card_type type;
	json_t *read;
	size_t i;
	int holds;

	if (!now || !field_type(field, &type) || json_equal(written, now))
		return 0;
	/* a null the top level fills is read from there, not as written */
	for (i = 0; i < sizeof(fallback_fields) / sizeof(*fallback_fields); i++)
		if (json_is_null(written) && top && !json_is_null(top) &&
		    strcmp(field, fallback_fields[i]) == 0)
			return 0;
	read = g_card_lenient_value(&quiet, field, field, written);
	holds = read && json_equal(read, now);
	json_decref(read);
	return holds;
}

void g_card_lenient_restore(json_t *card)
{
	json_t *written = json_object_get(card, G_CARD_LENIENT_KEY);
	json_t *data = json_object_get(card, "data"), *v;
	const char *key;

	/* an edit since wins over the card as it came */
	if (json_is_object(written) && json_is_object(data))
		json_object_foreach(written, key, v)
			if (g_card_lenient_holds(card, key, v))
				json_object_set(data, key, v);
	json_object_del(card, G_CARD_LENIENT_KEY);
}
