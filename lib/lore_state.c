/* lore_state.c: the timed state a session carries between renders (what
 * lore_timed.c reads and writes), to and from its JSON form. */
#include "lore.h"

#include <stdlib.h>
#include <string.h>

static const char *const effects[] = { "sticky", "cooldown", "matched" };

int g_lore_state_add(struct g_lore_state *s, const struct g_lore_timed *t)
{
	struct g_lore_timed *v;
	size_t cap;

	if (s->n == s->cap) {
		cap = s->cap ? s->cap * 2 : 8;
		if (!(v = realloc(s->v, cap * sizeof(*v))))
			return -1;
		s->v = v;
		s->cap = cap;
	}
	v = &s->v[s->n];
	*v = *t;
	v->source = NULL;
	if (!(v->book = strdup(t->book)))
		return -1;
	if (t->source && !(v->source = strdup(t->source))) {
		free(v->book);
		return -1;
	}
	v->entry = json_incref(t->entry);
	s->n++;
	return 0;
}

void g_lore_state_release(struct g_lore_state *s)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->v[i].source);
		free(s->v[i].book);
		json_decref(s->v[i].entry);
	}
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static int bad(struct g_err *err, size_t i, const char *field, const char *what)
{
	g_err_set(err, G_EX_DATAERR, "state[%zu]%s%s: %s", i, *field ? "." : "", field, what);
	return -1;
}

/* A book's source or name, or an entry's id, as the state may hold it:
 * short, and no control bytes (they would only come from an edited
 * request). */
static int name_ok(const json_t *v)
{
	const char *p = json_string_value(v);
	size_t i, n = json_string_length(v);

	if (n > G_LORE_STATE_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
			return 0;
	return 1;
}

static int count(const json_t *o, const char *name, long *out)
{
	const json_t *v = json_object_get(o, name);

	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 100000000)
		return -1;
	*out = (long)json_integer_value(v);
	return 0;
}

int g_lore_state_read(struct g_lore_state *s, const json_t *json, struct g_err *err)
{
	struct g_lore_timed t;
	const json_t *o, *v;
	size_t i;

	memset(s, 0, sizeof(*s));
	if (!json || json_is_null(json))
		return 0;
	if (!json_is_array(json))
		return g_err_set(err, G_EX_DATAERR, "state: expected a list");
	if (json_array_size(json) > G_LORE_STATE_MAX)
		return g_err_set(err, G_EX_DATAERR, "state: more than %d effects", G_LORE_STATE_MAX);
	json_array_foreach (json, i, o) {
		memset(&t, 0, sizeof(t));
		if (!json_is_object(o)) {
			bad(err, i, "", "expected an object");
			goto fail;
		}
		/* none in state stored before sources (lore_timed.c) */
		v = json_object_get(o, "source");
		if (v && !(json_is_string(v) && name_ok(v))) {
			bad(err, i, "source", "expected a string of at most 1024 bytes, no control characters");
			goto fail;
		}
		t.source = (char *)json_string_value(v);
		v = json_object_get(o, "book");
		if (!json_is_string(v) || !name_ok(v)) {
			bad(err, i, "book", "expected a name of at most 1024 bytes, no control characters");
			goto fail;
		}
		t.book = (char *)json_string_value(v);
		t.entry = json_object_get(o, "entry");
		if (!json_is_integer(t.entry) && !(json_is_string(t.entry) && name_ok(t.entry))) {
			bad(err, i, "entry", "expected a number or a string");
			goto fail;
		}
		v = json_object_get(o, "effect");
		for (t.effect = G_LORE_STICKY; t.effect <= G_LORE_MATCHED; t.effect++)
			if (json_is_string(v) && strcmp(json_string_value(v), effects[t.effect]) == 0)
				break;
		if (t.effect > G_LORE_MATCHED) {
			bad(err, i, "effect", "expected sticky, cooldown or matched");
			goto fail;
		}
		if (count(o, "start", &t.start) < 0) {
			bad(err, i, "start", "expected a whole number from 0");
			goto fail;
		}
		if (t.effect != G_LORE_MATCHED && (count(o, "end", &t.end) < 0 || t.end < t.start)) {
			bad(err, i, "end", "expected a whole number from start on");
			goto fail;
		}
		v = json_object_get(o, "protected");
		if (v && !json_is_boolean(v)) {
			bad(err, i, "protected", "expected true or false");
			goto fail;
		}
		t.protected = json_is_true(v);
		if (g_lore_state_add(s, &t) < 0) {
			g_err_oom(err);
			goto fail;
		}
	}
	return 0;
fail:
	g_lore_state_release(s);
	return -1;
}

json_t *g_lore_state_json(const struct g_lore_state *s)
{
	json_t *a = json_array(), *o;
	const struct g_lore_timed *t;
	size_t i;

	for (i = 0; a && i < s->n; i++) {
		t = &s->v[i];
		o = json_pack("{s:s*, s:s, s:O, s:s, s:I}", "source", t->source, "book", t->book,
			      "entry", t->entry, "effect", effects[t->effect], "start",
			      (json_int_t)t->start);
		if (o && t->effect != G_LORE_MATCHED &&
		    json_object_set_new(o, "end", json_integer(t->end)) < 0)
			json_decref(o), o = NULL;
		if (o && t->protected && json_object_set_new(o, "protected", json_true()) < 0)
			json_decref(o), o = NULL;
		if (!o || json_array_append_new(a, o) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}
