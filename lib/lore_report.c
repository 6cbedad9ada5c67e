/* lore_report.c: an activation's result as the report's JSON (guise.lore,
 * less the budget, which the render adds). */
#include "lore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const roles[] = { "system", "user", "assistant" };

/* Set key (one of ours: ASCII) to v in o; a NULL v (a string that is not
 * UTF-8, memory) fails it. json_pack would do as much, reading its format
 * string anew for each of a report's dozens of entries. */
static int put(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new_nocheck(o, key, v) : -1;
}

static json_t *hit(const struct g_lore_in *in, const struct g_lore_hit *h, const char *what,
		   int full)
{
	const struct g_lore_entry *e;
	json_t *o = json_object();

	if (!o)
		return NULL;
	if (h->book >= in->nbooks) {
		if (put(o, what, json_string(h->why)) < 0)
			goto fail;
		return o;
	}
	e = g_lore_book_at(&in->books[h->book], h->entry);
	if (put(o, "book", json_string(in->books[h->book].name)) < 0 ||
	    put(o, "entry", json_incref(e->id)) < 0 ||
	    (full && put(o, "comment", json_string(e->comment)) < 0) ||
	    put(o, what, json_string(h->why)) < 0)
		goto fail;
	if (full && (put(o, "position", json_integer(e->position)) < 0 ||
		     put(o, "depth", json_integer((json_int_t)e->depth)) < 0 ||
		     put(o, "role", json_string(roles[e->role])) < 0 ||
		     put(o, "order", json_integer((json_int_t)e->order)) < 0 ||
		     put(o, "priority", json_integer((json_int_t)e->priority)) < 0))
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

static json_t *list(const struct g_lore_in *in, const struct g_lore_hit *v, size_t n,
		    const char *what, int full)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		if (json_array_append_new(a, hit(in, &v[i], what, full)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *g_lore_report_json(const struct g_lore_in *in, const struct g_lore_out *out)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "fired",
			 list(in, out->fired, out->nfired, "why", 1), "skipped",
			 list(in, out->skipped, out->nskipped, "why", 0), "notes",
			 list(in, out->notes, out->nnotes, "note", 0), "timed",
			 g_lore_state_json(&out->timed));
}
