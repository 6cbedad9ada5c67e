/* lore_report.c: an activation's result as the report's JSON (guise.lore,
 * less the budget, which the render adds). */
#include "lore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const roles[] = { "system", "user", "assistant" };

static json_t *hit(const struct g_lore_in *in, const struct g_lore_hit *h, const char *what,
		   int full)
{
	const struct g_lore_entry *e;
	json_t *o;

	if (h->book >= in->nbooks)
		return json_pack("{s:s}", what, h->why);
	e = &in->books[h->book].entries[h->entry];
	if (!full)
		return json_pack("{s:s, s:O, s:s}", "book", in->books[h->book].name, "entry", e->id,
				 what, h->why);
	o = json_pack("{s:s, s:O, s:s, s:s, s:i, s:I, s:s, s:I, s:I}", "book",
		      in->books[h->book].name, "entry", e->id, "comment", e->comment, "why", h->why,
		      "position", e->position, "depth", (json_int_t)e->depth, "role", roles[e->role],
		      "order", (json_int_t)e->order, "priority", (json_int_t)e->priority);
	return o;
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
