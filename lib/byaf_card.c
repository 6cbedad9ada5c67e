/*
 * byaf_card.c: a Backyard character as a V3 card, as SillyTavern's BYAF
 * import maps it:
 *   name          character.name, else character.displayName
 *   description   character.persona
 *   scenario      the first scenario's narrative
 *   first_mes     the first scenario's first message
 *   mes_example   the first scenario's example messages, each after <START>
 *   system_prompt the first scenario's formattingInstructions
 *   alternate_greetings  the other scenarios' first messages, without
 *                 repeats or the first scenario's own
 *   character_book  character.loreItems: keys split at commas, in order
 *   tags          ["nsfw"] when character.isNSFW
 *   creator, creator_notes  manifest.author.name, .backyardURL
 *   extensions.display_name  character.displayName
 * Backyard's macros become SillyTavern's in every text the card takes.
 * Besides, as SillyTavern does not: creation_date and modification_date
 * from character.createdAt and updatedAt, and extensions.backyard with
 * the manifest, the character and the scenarios as written, less what
 * went into the fields above and the scenarios' chat messages (the
 * archive, kept whole as the card imported, still has them).
 */
#include "byaf_card.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "timestamp.h"

#define MANIFEST "manifest.json"

struct mk {
	const char *name;
	struct g_err *err;
};

/* The text at key of obj (file names where obj is): 1 and *out set, 0 when
 * absent or null, -1 with err set when another type. */
static int text(struct mk *m, const json_t *obj, const char *key, const char *file,
		const char *place, const json_t **out)
{
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return g_err_set(m->err, G_EX_DATAERR, "'%s': %s: %s: expected a string", m->name,
				 file, place ? place : key);
	*out = v;
	return 1;
}

/* What a text is, in SillyTavern's terms: "" when absent. */
static const char *str(const json_t *v)
{
	return v ? json_string_value(v) : "";
}

static size_t len(const json_t *v)
{
	return v ? json_string_length(v) : 0;
}

struct buf {
	char *p;
	size_t n, cap;
	int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	char *p;

	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 2;

		if (!(p = realloc(b->p, cap))) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

/* Whether s (n bytes) has word at i, in any case. */
static int at(const char *s, size_t n, size_t i, const char *word)
{
	size_t w = strlen(word);

	return n - i >= w && strncasecmp(s + i, word, w) == 0;
}

/* One pass does what SillyTavern's four replacements do one after the
 * other: none of them makes text another would match. */
static void macros(struct buf *b, const char *s, size_t n)
{
	static const struct {
		const char *from, *to;
		int bare; /* not when '}' follows */
	} map[] = {
		{ "#{user}:", "{{user}}:", 0 },
		{ "#{character}:", "{{char}}:", 0 },
		{ "{character}", "{{char}}", 1 },
		{ "{user}", "{{user}}", 1 },
	};
	size_t i = 0, start = 0, k, w;

	while (i < n) {
		for (k = 0; k < sizeof(map) / sizeof(*map); k++) {
			w = strlen(map[k].from);
			if (at(s, n, i, map[k].from) && !(map[k].bare && i + w < n && s[i + w] == '}'))
				break;
		}
		if (k == sizeof(map) / sizeof(*map)) {
			i++;
			continue;
		}
		put(b, s + start, i - start);
		put(b, map[k].to, strlen(map[k].to));
		i += strlen(map[k].from);
		start = i;
	}
	put(b, s + start, n - start);
}

json_t *g_byaf_card_macros(const char *s, size_t n)
{
	struct buf b = { 0 };
	json_t *out;

	put(&b, "", 0);
	macros(&b, s, n);
	out = b.oom ? NULL : json_stringn(b.p, b.n);
	free(b.p);
	return out;
}

/* Set key of data to the text v with macros replaced ("" when absent). */
static int set_text(struct mk *m, json_t *data, const char *key, const json_t *v)
{
	json_t *s = g_byaf_card_macros(str(v), len(v));

	if (!s || json_object_set_new(data, key, s) < 0)
		return g_err_oom(m->err);
	return 0;
}

/* Set key of data to the text at from of obj (in file). */
static int field(struct mk *m, json_t *data, const char *key, const json_t *obj,
		 const char *from, const char *file)
{
	const json_t *v;

	if (text(m, obj, from, file, NULL, &v) < 0)
		return -1;
	return set_text(m, data, key, v);
}

/* The first message of a scenario, or NULL (SillyTavern reads only the
 * first, the spec allowing one). */
static int first_message(struct mk *m, const json_t *sc, const char *file, const json_t **out)
{
	const json_t *first = json_array_get(json_object_get(sc, "firstMessages"), 0);

	*out = NULL;
	return json_is_object(first) ? text(m, first, "text", file, "firstMessages[0].text", out)
				     : 0;
}

static int examples(struct mk *m, json_t *data, const json_t *sc, const char *file)
{
	const json_t *list = json_object_get(sc, "exampleMessages"), *ex, *t;
	struct buf b = { 0 };
	char place[48];
	json_t *s;
	size_t i;

	put(&b, "", 0);
	json_array_foreach (list, i, ex) {
		snprintf(place, sizeof(place), "exampleMessages[%zu].text", i);
		if (!json_is_object(ex))
			continue;
		if (text(m, ex, "text", file, place, &t) < 0) {
			free(b.p);
			return -1;
		}
		if (!t || len(t) == 0)
			continue;
		put(&b, "<START>\n", 8);
		macros(&b, str(t), len(t));
		put(&b, "\n", 1);
	}
	while (b.n > 0 && strchr(" \t\n\r\v\f", b.p[b.n - 1]))
		b.n--;
	s = b.oom ? NULL : json_stringn(b.p, b.n);
	free(b.p);
	if (!s || json_object_set_new(data, "mes_example", s) < 0)
		return g_err_oom(m->err);
	return 0;
}

static int greetings(struct mk *m, json_t *data, const json_t *scenarios, const json_t *paths,
		     const json_t *first)
{
	json_t *list = json_array(), *g, *have;
	const json_t *t;
	size_t i, j;

	if (!list || json_object_set_new(data, "alternate_greetings", list) < 0)
		return g_err_oom(m->err);
	for (i = 1; i < json_array_size(scenarios); i++) {
		if (first_message(m, json_array_get(scenarios, i),
				  json_string_value(json_array_get(paths, i)), &t) < 0)
			return -1;
		if (!t || len(t) == 0 || (first && json_equal(t, first)))
			continue;
		if (!(g = g_byaf_card_macros(str(t), len(t))))
			return g_err_oom(m->err);
		json_array_foreach (list, j, have)
			if (json_equal(have, g))
				break;
		if (j < json_array_size(list))
			json_decref(g);
		else if (json_array_append_new(list, g) < 0)
			return g_err_oom(m->err);
	}
	return 0;
}

/* One key of a lore item, split at commas, each trimmed, none empty. */
static int keys(json_t *out, const json_t *key)
{
	json_t *all = g_byaf_card_macros(str(key), len(key));
	const char *s = all ? json_string_value(all) : NULL, *end, *a, *z;
	int rc = 0;

	if (!s)
		return -1;
	end = s + json_string_length(all);
	for (a = s; a <= end && rc == 0; a = z + 1) {
		const char *b;

		for (z = a; z < end && *z != ','; z++)
			;
		for (b = z; a < b && strchr(" \t\n\r\v\f", *a) && *a; a++)
			;
		while (b > a && strchr(" \t\n\r\v\f", b[-1]) && b[-1])
			b--;
		if (b > a)
			rc = json_array_append_new(out, json_stringn(a, (size_t)(b - a)));
	}
	json_decref(all);
	return rc;
}

static int book(struct mk *m, json_t *data, const json_t *chr, const char *file)
{
	const json_t *items = json_object_get(chr, "loreItems"), *item, *key, *value;
	json_t *entries, *e, *ks, *content;
	char place[48];
	size_t i;

	if (json_array_size(items) == 0)
		return 0;
	if (!(entries = json_array()) ||
	    json_object_set_new(data, "character_book",
				json_pack("{s:o, s:{}}", "entries", entries, "extensions")) < 0)
		return g_err_oom(m->err);
	json_array_foreach (items, i, item) {
		if (json_is_null(item))
			continue;
		snprintf(place, sizeof(place), "loreItems[%zu]", i);
		if (!json_is_object(item))
			return g_err_set(m->err, G_EX_DATAERR, "'%s': %s: %s: expected an object",
					 m->name, file, place);
		snprintf(place, sizeof(place), "loreItems[%zu].key", i);
		if (text(m, item, "key", file, place, &key) < 0)
			return -1;
		snprintf(place, sizeof(place), "loreItems[%zu].value", i);
		if (text(m, item, "value", file, place, &value) < 0)
			return -1;
		ks = json_array();
		content = g_byaf_card_macros(str(value), len(value));
		e = json_pack("{s:o?, s:o?, s:{}, s:b, s:I}", "keys", ks, "content", content,
			      "extensions", "enabled", 1, "insertion_order", (json_int_t)i);
		if (!ks || !content || !e || keys(ks, key) < 0 || json_array_append_new(entries, e) < 0)
			return g_err_oom(m->err);
	}
	return 0;
}

/* V3's dates are seconds; Backyard's ISO 8601 text, kept as written too */
static int date(json_t *data, const char *key, const json_t *iso)
{
	int64_t ms;

	if (!json_is_string(iso) || g_timestamp_parse(json_string_value(iso), &ms) < 0)
		return 0;
	return json_object_set_new(data, key, json_integer((json_int_t)(ms / 1000 - (ms % 1000 < 0))));
}

/* The manifest's author, the name and the flags. */
static int about(struct mk *m, json_t *data, const json_t *manifest, const json_t *chr,
		 const char *file)
{
	const json_t *author = json_object_get(manifest, "author"), *name, *display, *v;
	json_t *tags = json_array(), *ext = json_object_get(data, "extensions");

	if (!tags || json_object_set_new(data, "tags", tags) < 0)
		return g_err_oom(m->err);
	if (json_is_true(json_object_get(chr, "isNSFW")) &&
	    json_array_append_new(tags, json_string("nsfw")) < 0)
		return g_err_oom(m->err);
	if (text(m, chr, "name", file, NULL, &name) < 0 ||
	    text(m, chr, "displayName", file, NULL, &display) < 0)
		return -1;
	if (!(name && len(name)))
		name = display;
	/* no name at all: the card's normalising says so */
	if (name && len(name) &&
	    json_object_set_new(data, "name", json_stringn(str(name), len(name))) < 0)
		return g_err_oom(m->err);
	if (display && len(display) &&
	    json_object_set_new(ext, "display_name", json_stringn(str(display), len(display))) < 0)
		return g_err_oom(m->err);
	if (text(m, author, "name", MANIFEST, "author.name", &v) < 0)
		return -1;
	if (json_object_set_new(data, "creator", json_stringn(str(v), len(v))) < 0)
		return g_err_oom(m->err);
	if (text(m, author, "backyardURL", MANIFEST, "author.backyardURL", &v) < 0)
		return -1;
	if (json_object_set_new(data, "creator_notes", json_stringn(str(v), len(v))) < 0)
		return g_err_oom(m->err);
	if (date(data, "creation_date", json_object_get(chr, "createdAt")) < 0 ||
	    date(data, "modification_date", json_object_get(chr, "updatedAt")) < 0)
		return g_err_oom(m->err);
	return 0;
}

/* What the card's fields do not hold, kept as written. */
static json_t *kept(const json_t *manifest, const json_t *chr, const json_t *scenarios)
{
	static const char *const mapped[] = { "narrative", "formattingInstructions",
					      "firstMessages", "exampleMessages", NULL };
	json_t *c = json_deep_copy(chr), *list = json_deep_copy(scenarios), *sc;
	size_t i, k;

	json_array_foreach (list, i, sc) {
		json_object_del(sc, "messages");
		for (k = 0; i == 0 && mapped[k]; k++)
			json_object_del(sc, mapped[k]);
	}
	if (c && json_is_string(json_object_get(c, "persona")))
		json_object_del(c, "persona");
	if (c && json_is_array(json_object_get(c, "loreItems")))
		json_object_del(c, "loreItems");
	return json_pack("{s:O, s:o, s:o}", "manifest", manifest, "character", c, "scenarios",
			 list);
}

json_t *g_byaf_card_make(const json_t *manifest, const json_t *chr, const char *chr_path,
			 const json_t *scenarios, const json_t *paths, const char *name,
			 struct g_err *err)
{
	struct mk m = { name, err };
	const json_t *sc = json_array_get(scenarios, 0), *first;
	const char *file = json_string_value(json_array_get(paths, 0));
	json_t *data = json_object(), *ext = json_object(), *card;
	int rc;

	card = data ? json_pack("{s:s, s:s, s:o}", "spec", "chara_card_v3", "spec_version",
				"3.0", "data", data)
		    : NULL;
	if (!card || !ext || json_object_set_new(data, "extensions", ext) < 0) {
		json_decref(card);
		g_err_oom(err);
		return NULL;
	}
	g_err_clear(err);
	rc = about(&m, data, manifest, chr, chr_path);
	if (rc == 0)
		rc = field(&m, data, "description", chr, "persona", chr_path);
	if (rc == 0)
		rc = field(&m, data, "scenario", sc, "narrative", file);
	if (rc == 0)
		rc = first_message(&m, sc, file, &first) < 0 ? -1 : set_text(&m, data, "first_mes", first);
	if (rc == 0)
		rc = examples(&m, data, sc, file);
	if (rc == 0)
		rc = field(&m, data, "system_prompt", sc, "formattingInstructions", file);
	/* what Backyard has no word for */
	if (rc == 0)
		rc = set_text(&m, data, "personality", NULL) < 0 ||
				     set_text(&m, data, "post_history_instructions", NULL) < 0 ||
				     set_text(&m, data, "character_version", NULL) < 0
			     ? -1
			     : 0;
	if (rc == 0)
		rc = greetings(&m, data, scenarios, paths, first);
	if (rc == 0)
		rc = book(&m, data, chr, chr_path);
	if (rc == 0 && json_object_set_new(ext, "backyard", kept(manifest, chr, scenarios)) < 0)
		rc = g_err_oom(err);
	if (rc == 0)
		return card;
	json_decref(card);
	return NULL;
}
