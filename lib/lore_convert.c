/* lore_convert.c: SillyTavern World Info <-> V3 character_book. */
#include "lore_convert.h"

#include <stdio.h>
#include <string.h>

/* SillyTavern's entry fields and the extension names its
 * convertCharacterBook reads them from; the same name where they agree. */
static const char *const renamed[][2] = {
	{ "position", "position" },
	{ "depth", "depth" },
	{ "role", "role" },
	{ "probability", "probability" },
	{ "useProbability", "useProbability" },
	{ "selectiveLogic", "selectiveLogic" },
	{ "group", "group" },
	{ "groupOverride", "group_override" },
	{ "groupWeight", "group_weight" },
	{ "useGroupScoring", "use_group_scoring" },
	{ "scanDepth", "scan_depth" },
	{ "caseSensitive", "case_sensitive" },
	{ "matchWholeWords", "match_whole_words" },
	{ "preventRecursion", "prevent_recursion" },
	{ "excludeRecursion", "exclude_recursion" },
	{ "delayUntilRecursion", "delay_until_recursion" },
	{ "sticky", "sticky" },
	{ "cooldown", "cooldown" },
	{ "delay", "delay" },
	{ "displayIndex", "display_index" },
	{ "outletName", "outlet_name" },
	{ "automationId", "automation_id" },
	{ "ignoreBudget", "ignore_budget" },
	{ "matchPersonaDescription", "match_persona_description" },
	{ "matchCharacterDescription", "match_character_description" },
	{ "matchCharacterPersonality", "match_character_personality" },
	{ "matchCharacterDepthPrompt", "match_character_depth_prompt" },
	{ "matchScenario", "match_scenario" },
	{ "matchCreatorNotes", "match_creator_notes" },
	{ NULL, NULL },
};

/* Entry fields both shapes have, under each one's name. */
static const char *const core[][2] = {
	{ "uid", "id" },
	{ "key", "keys" },
	{ "keysecondary", "secondary_keys" },
	{ "comment", "comment" },
	{ "content", "content" },
	{ "constant", "constant" },
	{ "selective", "selective" },
	{ "order", "insertion_order" },
	{ NULL, NULL },
};

/* V3's entry fields World Info has no name for: kept under the same name. */
static const char *const v3_only[] = { "name", "priority", "use_regex", "case_sensitive", NULL };

/* A book's own fields, the same in both shapes. */
static const char *const book_fields[] = { "name", "description", "scan_depth", "token_budget",
					   "recursive_scanning", NULL };

static const char *lookup(const char *const (*pairs)[2], int from, const char *name)
{
	for (; pairs[0][0]; pairs++)
		if (strcmp(pairs[0][from], name) == 0)
			return pairs[0][!from];
	return NULL;
}

static int listed(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return 1;
	return 0;
}

const json_t *g_lore_convert_find(const json_t *doc, const char *name, struct g_err *err)
{
	const json_t *data = json_object_get(doc, "data");

	if (json_is_object(doc) && json_object_get(doc, "entries"))
		return doc;
	if (json_is_object(data) && json_is_object(json_object_get(data, "character_book")))
		return json_object_get(data, "character_book");
	if (json_is_object(doc) && json_is_object(json_object_get(doc, "character_book")))
		return json_object_get(doc, "character_book");
	g_err_set(err, G_EX_DATAERR,
		  "'%s': no lorebook in it (a World Info file, a character_book or a card with one)",
		  name);
	return NULL;
}

/* Set key of to to value (taken) unless it is set already: 65 then. */
static int put(json_t *to, const char *key, json_t *value, const char *name, const char *where,
	       const char *from, struct g_err *err)
{
	if (!value)
		return g_err_oom(err);
	if (json_object_get(to, key)) {
		json_decref(value);
		return g_err_set(err, G_EX_DATAERR, "'%s': %s.%s: given twice (also as '%s')", name,
				 where, from, key);
	}
	return json_object_set_new(to, key, value) < 0 ? g_err_oom(err) : 0;
}

static int st_field_to_v3(json_t *out, json_t *ext, const char *key, json_t *v, const char *name,
			  const char *where, struct g_err *err)
{
	const char *to;

	if (strcmp(key, "disable") == 0 && json_is_boolean(v))
		return put(out, "enabled", json_boolean(!json_is_true(v)), name, where, key, err);
	if ((to = lookup(core, 0, key)) || listed(v3_only, key))
		return put(out, to ? to : key, json_incref(v), name, where, key, err);
	if (strcmp(key, "position") == 0 && json_is_integer(v) &&
	    put(out, "position",
		json_string(json_integer_value(v) == 0 ? "before_char" : "after_char"), name, where,
		key, err) < 0)
		return -1;
	to = lookup(renamed, 0, key);
	return put(ext, to ? to : key, json_incref(v), name, where, key, err);
}

static json_t *st_entry_to_v3(const json_t *e, const char *name, const char *where,
			      struct g_err *err)
{
	json_t *out = json_object(), *ext = json_object(), *v;
	const char *key;

	if (!out || !ext)
		goto oom;
	json_object_foreach ((json_t *)e, key, v)
		if (st_field_to_v3(out, ext, key, v, name, where, err) < 0)
			goto fail;
	if (json_object_size(ext) && json_object_set(out, "extensions", ext) < 0)
		goto oom;
	json_decref(ext);
	return out;
oom:
	g_err_oom(err);
fail:
	json_decref(out);
	json_decref(ext);
	return NULL;
}

static int st_entries_to_v3(json_t *out, const json_t *entries, const char *name,
			    struct g_err *err)
{
	json_t *list = json_array(), *e;
	const char *key;
	char where[64];

	if (!list || json_object_set_new(out, "entries", list) < 0)
		return g_err_oom(err);
	json_object_foreach ((json_t *)entries, key, e) {
		json_t *v3;

		snprintf(where, sizeof(where), "entries.%.40s", key);
		/* not an object: left for g_lore_book_read to refuse, located */
		v3 = json_is_object(e) ? st_entry_to_v3(e, name, where, err) : json_incref(e);
		if (!v3 || json_array_append_new(list, v3) < 0)
			return v3 ? g_err_oom(err) : -1;
	}
	return 0;
}

json_t *g_lore_convert_to_v3(const json_t *book, const char *name, struct g_err *err)
{
	json_t *out, *ext, *v;
	const char *key;

	if (!json_is_object(book)) {
		g_err_set(err, G_EX_DATAERR, "'%s': expected a book (an object)", name);
		return NULL;
	}
	if (!json_is_object(json_object_get(book, "entries"))) {
		if (!(out = json_deep_copy(book)))
			g_err_oom(err);
		return out;
	}
	out = json_object();
	ext = json_object();
	if (!out || !ext)
		goto oom;
	json_object_foreach ((json_t *)book, key, v) {
		int rc = 0;

		if (listed(book_fields, key))
			rc = put(out, key, json_deep_copy(v), name, "book", key, err);
		else if (strcmp(key, "extensions") == 0 && json_is_object(v))
			rc = json_object_update_missing(ext, v) < 0 ? g_err_oom(err) : 0;
		else if (strcmp(key, "entries") != 0)
			rc = put(ext, key, json_deep_copy(v), name, "book", key, err);
		if (rc < 0)
			goto fail;
	}
	if (json_object_size(ext) && json_object_set(out, "extensions", ext) < 0)
		goto oom;
	if (st_entries_to_v3(out, json_object_get(book, "entries"), name, err) < 0)
		goto fail;
	json_decref(ext);
	return out;
oom:
	g_err_oom(err);
fail:
	json_decref(out);
	json_decref(ext);
	return NULL;
}

/* --- V3 to World Info --------------------------------------------------- */

/* Whether World Info's key would be read back as something else than an
 * unknown field kept as it is: such a key that is not where it belongs
 * in a V3 entry is left out of the export (activation never read it). */
static int st_means(const char *key)
{
	const char *camel = lookup(renamed, 1, key);

	return lookup(core, 0, key) || lookup(renamed, 0, key) || listed(v3_only, key) ||
	       strcmp(key, "disable") == 0 || (camel && strcmp(camel, key) != 0);
}

static int v3_field_to_st(json_t *out, const char *key, const json_t *v)
{
	const char *to = lookup(core, 1, key);

	if (strcmp(key, "extensions") == 0 || strcmp(key, "position") == 0)
		return 0; /* below */
	if (!to && !listed(v3_only, key) && strcmp(key, "enabled") != 0 && st_means(key))
		return 0;
	if (strcmp(key, "enabled") == 0 && json_is_boolean(v))
		return json_object_set_new(out, "disable", json_boolean(!json_is_true(v)));
	return json_object_set(out, to ? to : key, (json_t *)v);
}

static json_t *v3_entry_to_st(const json_t *e, size_t index)
{
	const json_t *ext = json_object_get(e, "extensions"), *pos = json_object_get(e, "position");
	json_t *out = json_object(), *v;
	const char *key;
	int failed = !out;

	/* extensions first, so that an entry's own field wins a clash */
	if (json_is_object(ext))
		json_object_foreach ((json_t *)ext, key, v) {
			const char *to = lookup(renamed, 1, key);

			if (to || !st_means(key))
				failed |= json_object_set(out, to ? to : key, v) < 0;
		}
	else if (ext)
		failed |= json_object_set(out, "extensions", (json_t *)ext) < 0;
	if (!json_object_get(out, "position") && json_is_string(pos))
		failed |= json_object_set_new(out, "position",
					      json_integer(strcmp(json_string_value(pos),
								  "before_char") != 0)) < 0;
	json_object_foreach ((json_t *)e, key, v)
		failed |= v3_field_to_st(out, key, v) < 0;
	if (!json_object_get(out, "uid"))
		failed |= json_object_set_new(out, "uid", json_integer((json_int_t)index)) < 0;
	if (failed) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* An entry's key in the file: its uid, else its index. */
static void entry_key(const json_t *st, size_t index, char *key, size_t size)
{
	const json_t *uid = json_object_get(st, "uid");

	if (json_is_integer(uid))
		snprintf(key, size, "%lld", (long long)json_integer_value(uid));
	else if (json_is_string(uid))
		snprintf(key, size, "%s", json_string_value(uid));
	else
		snprintf(key, size, "%zu", index);
}

json_t *g_lore_convert_to_st(const json_t *v3, struct g_err *err)
{
	const json_t *ext = json_object_get(v3, "extensions"), *list = json_object_get(v3, "entries");
	json_t *out = json_object(), *entries = json_object(), *v;
	const char *key;
	char k[128];
	int failed = !out || !entries;
	size_t i;

	if (!failed && json_is_object(ext))
		json_object_foreach ((json_t *)ext, key, v)
			/* a book's own fields are the book's, not these */
			if (!listed(book_fields, key) && strcmp(key, "entries") != 0 &&
			    strcmp(key, "extensions") != 0)
				failed |= json_object_set(out, key, v) < 0;
	if (!failed)
		json_object_foreach ((json_t *)v3, key, v)
			if (listed(book_fields, key))
				failed |= json_object_set(out, key, v) < 0;
	json_array_foreach (list, i, v) {
		json_t *st = failed ? NULL : v3_entry_to_st(v, i);

		failed |= !st;
		if (st) {
			unsigned n = 0;

			entry_key(st, i, k, sizeof(k));
			/* a uid given twice: the later one keyed by its index, then
			 * by its index and a count, so that no entry is lost */
			if (json_object_get(entries, k))
				snprintf(k, sizeof(k), "%zu", i);
			while (json_object_get(entries, k))
				snprintf(k, sizeof(k), "%zu.%u", i, ++n);
			failed |= json_object_set_new(entries, k, st) < 0;
		}
	}
	if (failed || json_object_set(out, "entries", entries) < 0) {
		json_decref(out);
		json_decref(entries);
		g_err_oom(err);
		return NULL;
	}
	json_decref(entries);
	return out;
}
