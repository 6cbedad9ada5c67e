/* lore_book.c: a lorebook read from JSON into struct g_lore_book. Two
 * shapes: V3's character_book (entries a list; SillyTavern's own fields
 * under each entry's extensions, with the names its convertCharacterBook
 * reads) and SillyTavern's World Info file (entries an object keyed by
 * uid, camelCase fields). A field that is null is taken as not said. */
#include "lore.h"
#include "lore_index.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int g_lore_book_list_add(struct g_lore_list *l, const char *s, size_t len)
{
	char **v, *copy;

	if (!(copy = malloc(len + 1)))
		return -1;
	memcpy(copy, s, len);
	copy[len] = '\0';
	if (!(v = realloc(l->v, (l->n + 1) * sizeof(*v)))) {
		free(copy);
		return -1;
	}
	l->v = v;
	l->v[l->n++] = copy;
	return 0;
}

void g_lore_book_list_release(struct g_lore_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

struct ctx {
	const char *name;
	int st;            /* World Info shape */
	char place[128];   /* "entries[3]" or "entries.5" */
	const json_t *ext; /* the V3 entry's extensions, or NULL */
	struct g_err *err;
};

static int fail(struct ctx *c, const char *field, const char *what)
{
	return g_err_set(c->err, G_EX_DATAERR, "'%s': %s%s%s: %s", c->name, c->place,
			 *c->place && *field ? "." : "", field, what);
}

/* A field of the entry: World Info's st name on the entry; V3's in its
 * extensions, else (top, when given) on the entry. *field says where. */
static const json_t *get(struct ctx *c, const json_t *e, const char *st, const char *v3,
			 const char *top, char *field, size_t size)
{
	const json_t *v = NULL;

	if (c->st) {
		v = st ? json_object_get(e, st) : NULL;
		snprintf(field, size, "%s", st ? st : "");
	} else {
		if (v3 && c->ext)
			v = json_object_get(c->ext, v3);
		snprintf(field, size, "extensions.%s", v3 ? v3 : "");
		if ((!v || json_is_null(v)) && top) {
			v = json_object_get(e, top);
			snprintf(field, size, "%s", top);
		}
	}
	return v && !json_is_null(v) ? v : NULL;
}

static int flag(struct ctx *c, const json_t *e, const char *st, const char *v3,
		const char *top, int *out)
{
	char field[64];
	const json_t *v = get(c, e, st, v3, top, field, sizeof(field));

	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return fail(c, field, "expected true or false");
	*out = json_is_true(v);
	return 0;
}

static int whole(struct ctx *c, const json_t *e, const char *st, const char *v3,
		 const char *top, long min, long max, long *out)
{
	char field[64], what[96];
	const json_t *v = get(c, e, st, v3, top, field, sizeof(field));
	double d;

	if (!v)
		return 0;
	d = json_number_value(v);
	if (!json_is_number(v) || d != floor(d) || d < (double)min || d > (double)max) {
		snprintf(what, sizeof(what), "expected a whole number from %ld to %ld", min, max);
		return fail(c, field, what);
	}
	*out = (long)d;
	return 0;
}

static int text(struct ctx *c, const json_t *e, const char *st, const char *v3,
		const char *top, char **out)
{
	char field[64];
	const json_t *v = get(c, e, st, v3, top, field, sizeof(field));
	char *copy;

	if (v && !json_is_string(v))
		return fail(c, field, "expected a string");
	if (!(copy = strdup(v ? json_string_value(v) : "")))
		return g_err_oom(c->err);
	free(*out);
	*out = copy;
	return 0;
}

static int list(struct ctx *c, const json_t *e, const char *st, const char *v3,
		struct g_lore_list *l)
{
	char field[64], item[100];
	const json_t *v = get(c, e, st, NULL, v3, field, sizeof(field)), *k;
	size_t i;

	if (!v)
		return 0;
	if (!json_is_array(v))
		return fail(c, field, "expected a list of strings");
	if (json_array_size(v) > G_LORE_KEYS_MAX) {
		snprintf(item, sizeof(item), "more than %d keys", G_LORE_KEYS_MAX);
		return fail(c, field, item);
	}
	json_array_foreach (v, i, k) {
		if (!json_is_string(k)) {
			snprintf(item, sizeof(item), "%s[%zu]", field, i);
			return fail(c, item, "expected a string");
		}
		if (g_lore_book_list_add(l, json_string_value(k), json_string_length(k)) < 0)
			return g_err_oom(c->err);
	}
	return 0;
}

static int position(struct ctx *c, const json_t *e, struct g_lore_entry *out)
{
	char field[64];
	const json_t *v = get(c, e, "position", "position", NULL, field, sizeof(field));
	long n = 1;

	if (v || c->st) {
		if (whole(c, e, "position", "position", NULL, 0, 7, &n) < 0)
			return -1;
		out->position = (int)n;
		return 0;
	}
	v = json_object_get(e, "position"); /* V3's own: before_char, after_char */
	if (v && json_typeof(v) != JSON_NULL && json_typeof(v) != JSON_STRING)
		return fail(c, "position", "expected \"before_char\" or \"after_char\"");
	out->position = json_is_string(v) && strcmp(json_string_value(v), "before_char") == 0 ? 0 : 1;
	return 0;
}

static int role(struct ctx *c, const json_t *e, struct g_lore_entry *out)
{
	static const char *const names[] = { "system", "user", "assistant" };
	char field[64];
	const json_t *v = get(c, e, "role", "role", NULL, field, sizeof(field));
	long n = 0;

	if (json_is_string(v)) {
		for (n = 0; n < 3 && strcmp(json_string_value(v), names[n]) != 0; n++)
			;
		if (n == 3)
			return fail(c, field, "expected system, user or assistant");
	} else if (whole(c, e, "role", "role", NULL, 0, 2, &n) < 0) {
		return -1;
	}
	out->role = (enum g_lore_role)n;
	return 0;
}

static int recursion_delay(struct ctx *c, const json_t *e, struct g_lore_entry *out)
{
	char field[64];
	const json_t *v = get(c, e, "delayUntilRecursion", "delay_until_recursion", NULL, field,
			      sizeof(field));

	if (v && json_is_boolean(v)) {
		out->delay_until_recursion = json_is_true(v);
		return 0;
	}
	return whole(c, e, "delayUntilRecursion", "delay_until_recursion", NULL, 0,
		     G_LORE_STEPS_MAX, &out->delay_until_recursion);
}

static int probability(struct ctx *c, const json_t *e, struct g_lore_entry *out)
{
	char field[64];
	const json_t *v = get(c, e, "probability", "probability", NULL, field, sizeof(field));

	if (!v)
		return 0;
	if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 100)
		return fail(c, field, "expected a number from 0 to 100");
	out->probability = json_number_value(v);
	return 0;
}

static int entry(struct ctx *c, const json_t *e, size_t index, struct g_lore_entry *out)
{
	const json_t *id = json_object_get(e, c->st ? "uid" : "id");
	long logic = 0;
	int disabled = 0;
	size_t start;

	memset(out, 0, sizeof(*out));
	out->enabled = 1;
	out->case_sensitive = out->whole_words = out->group_scoring = -1;
	out->scan_depth = -1;
	out->depth = G_LORE_DEPTH_DEFAULT;
	out->probability = 100;
	out->use_probability = 1;
	out->group_weight = G_LORE_WEIGHT_DEFAULT;
	out->order = 100;
	out->selective = c->st;
	if (!json_is_object(e))
		return fail(c, "", "expected an object");
	c->ext = c->st ? NULL : json_object_get(e, "extensions");
	if (c->ext && !json_is_object(c->ext) && !json_is_null(c->ext))
		return fail(c, "extensions", "expected an object");
	if (id && !json_is_integer(id) && !json_is_string(id) && !json_is_null(id))
		return fail(c, c->st ? "uid" : "id", "expected a number or a string");
	out->id = id && !json_is_null(id) ? json_incref((json_t *)id) : json_integer((json_int_t)index);
	if (!out->id)
		return g_err_oom(c->err);
	if (list(c, e, "key", "keys", &out->keys) < 0 ||
	    list(c, e, "keysecondary", "secondary_keys", &out->secondary) < 0 ||
	    text(c, e, "comment", NULL, "comment", &out->comment) < 0 ||
	    (!*out->comment && !c->st && text(c, e, NULL, NULL, "name", &out->comment) < 0) ||
	    text(c, e, "content", NULL, "content", &out->content) < 0 ||
	    text(c, e, "group", "group", NULL, &out->group) < 0 ||
	    text(c, e, "outletName", "outletName", NULL, &out->outlet) < 0)
		return -1;
	if (flag(c, e, "constant", NULL, "constant", &out->constant) < 0 ||
	    flag(c, e, "selective", NULL, "selective", &out->selective) < 0 ||
	    flag(c, e, NULL, NULL, "use_regex", &out->use_regex) < 0 ||
	    flag(c, e, "disable", NULL, NULL, &disabled) < 0 ||
	    flag(c, e, NULL, NULL, "enabled", &out->enabled) < 0 ||
	    flag(c, e, "caseSensitive", "case_sensitive", "case_sensitive", &out->case_sensitive) < 0 ||
	    flag(c, e, "matchWholeWords", "match_whole_words", NULL, &out->whole_words) < 0 ||
	    flag(c, e, "useProbability", "useProbability", NULL, &out->use_probability) < 0 ||
	    flag(c, e, "groupOverride", "group_override", NULL, &out->group_override) < 0 ||
	    flag(c, e, "useGroupScoring", "use_group_scoring", NULL, &out->group_scoring) < 0 ||
	    flag(c, e, "preventRecursion", "prevent_recursion", NULL, &out->prevent_recursion) < 0 ||
	    flag(c, e, "excludeRecursion", "exclude_recursion", NULL, &out->exclude_recursion) < 0)
		return -1;
	if (whole(c, e, "order", NULL, "insertion_order", -1000000, 1000000, &out->order) < 0 ||
	    whole(c, e, NULL, NULL, "priority", -1000000, 1000000, &out->priority) < 0 ||
	    whole(c, e, "selectiveLogic", "selectiveLogic", NULL, 0, 3, &logic) < 0 ||
	    whole(c, e, "depth", "depth", NULL, 0, 10000, &out->depth) < 0 ||
	    whole(c, e, "groupWeight", "group_weight", NULL, 0, 1000000, &out->group_weight) < 0 ||
	    whole(c, e, "scanDepth", "scan_depth", NULL, 0, G_LORE_SCAN_DEPTH_MAX, &out->scan_depth) < 0 ||
	    whole(c, e, "sticky", "sticky", NULL, 0, 1000000, &out->sticky) < 0 ||
	    whole(c, e, "cooldown", "cooldown", NULL, 0, 1000000, &out->cooldown) < 0 ||
	    whole(c, e, "delay", "delay", NULL, 0, 1000000, &out->delay) < 0 ||
	    position(c, e, out) < 0 || role(c, e, out) < 0 || recursion_delay(c, e, out) < 0 ||
	    probability(c, e, out) < 0)
		return -1;
	out->logic = (enum g_lore_logic)logic;
	if (disabled)
		out->enabled = 0;
	if ((start = g_lore_decor_read(out, out->content, c->err)) == (size_t)-1)
		return -1;
	memmove(out->content, out->content + start, strlen(out->content + start) + 1);
	return 0;
}

static void entry_release(struct g_lore_entry *e)
{
	json_decref(e->id);
	free(e->comment);
	free(e->content);
	free(e->group);
	free(e->outlet);
	g_lore_book_list_release(&e->keys);
	g_lore_book_list_release(&e->secondary);
	g_lore_book_list_release(&e->additional);
	g_lore_book_list_release(&e->exclude);
	g_lore_book_list_release(&e->notes);
}

static int book_fields(struct ctx *c, struct g_lore_book *b, const json_t *book)
{
	const json_t *ext = json_object_get(book, "extensions");

	c->st = 0;
	c->ext = json_is_object(ext) ? ext : NULL;
	c->place[0] = '\0';
	if (whole(c, book, NULL, NULL, "scan_depth", 0, G_LORE_SCAN_DEPTH_MAX, &b->scan_depth) < 0 ||
	    whole(c, book, NULL, NULL, "token_budget", 0, 100000000, &b->token_budget) < 0 ||
	    whole(c, book, NULL, "max_recursion_steps", NULL, 0, G_LORE_STEPS_MAX, &b->max_steps) < 0 ||
	    flag(c, book, NULL, NULL, "recursive_scanning", &b->recursive) < 0)
		return -1;
	return 0;
}

int g_lore_book_read(struct g_lore_book *b, const json_t *book, const char *name,
		     struct g_err *err)
{
	struct ctx c = { .name = name, .err = err };
	const json_t *entries, *e, *n;
	const char *key;
	size_t i = 0, count;

	memset(b, 0, sizeof(*b));
	b->scan_depth = b->token_budget = b->max_steps = -1;
	b->recursive = 1;
	if (!json_is_object(book))
		return g_err_set(err, G_EX_DATAERR, "'%s': expected a book (an object)", name);
	n = json_object_get(book, "name");
	if (!(b->name = strdup(json_is_string(n) && *json_string_value(n) ? json_string_value(n)
									 : name)))
		return g_err_oom(err);
	c.name = b->name;
	n = json_object_get(book, "source");
	if (json_is_string(n) && !(b->source = strdup(json_string_value(n)))) {
		g_err_oom(err);
		goto fail;
	}
	entries = json_object_get(book, "entries");
	if (!json_is_array(entries) && !json_is_object(entries)) {
		g_err_set(err, G_EX_DATAERR, "'%s': entries: expected a list or an object", b->name);
		goto fail;
	}
	c.st = json_is_object(entries);
	count = c.st ? json_object_size(entries) : json_array_size(entries);
	if (count > G_LORE_ENTRIES_MAX) {
		g_err_set(err, G_EX_DATAERR, "'%s': entries: more than %d", b->name,
			  G_LORE_ENTRIES_MAX);
		goto fail;
	}
	if (book_fields(&c, b, book) < 0)
		goto fail;
	c.st = json_is_object(entries);
	if (!(b->entries = calloc(count + 1, sizeof(*b->entries)))) {
		g_err_oom(err);
		goto fail;
	}
	if (c.st) {
		json_object_foreach ((json_t *)entries, key, e) {
			snprintf(c.place, sizeof(c.place), "entries.%.100s", key);
			b->n = i + 1;
			if (entry(&c, e, i, &b->entries[i]) < 0)
				goto fail;
			i++;
		}
	} else {
		json_array_foreach (entries, i, e) {
			snprintf(c.place, sizeof(c.place), "entries[%zu]", i);
			b->n = i + 1;
			if (entry(&c, e, i, &b->entries[i]) < 0)
				goto fail;
		}
	}
	return 0;
fail:
	g_lore_book_release(b);
	return -1;
}

int g_lore_entry_quiet(const struct g_lore_entry *x)
{
	return x->enabled && !x->constant && x->keys.n && !x->decor && !x->delay &&
	       !x->delay_until_recursion && !x->only_after && !x->only_every && !x->notes.n;
}

void g_lore_book_release(struct g_lore_book *b)
{
	size_t i;

	for (i = 0; b->entries && i < b->n; i++)
		if (b->arena)
			json_decref(b->entries[i].id);
		else
			entry_release(&b->entries[i]);
	free(b->entries);
	free(b->arena);
	free(b->lists);
	free(b->preps);
	g_lore_index_release(b);
	free(b->name);
	free(b->source);
	memset(b, 0, sizeof(*b));
}
