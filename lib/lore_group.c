/* lore_group.c: inclusion groups. Of the entries a scan step found that
 * share a group, one stays: a sticky one if any is (the rest go), else,
 * after group scoring has dropped those that matched fewer keys, the
 * highest insertion_order among those with group_override, else one drawn
 * by group_weight from the render's generator. A group that already has
 * an entry in from an earlier step takes no other. (SillyTavern's
 * filterByInclusionGroups; an entry in several groups, written
 * "a, b", is in each.) Losers are skipped for the rest of the render. */
#include "lore_run.h"

#include <stdlib.h>
#include <string.h>

struct group {
	const char *name;
	size_t len;
	int sticky;
};

/* Whether the candidate's group list names g. */
static int member(const struct g_lore_cand *c, const char *g, size_t len)
{
	const char *s = c->e->group, *end;

	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		for (end = s; *end && *end != ','; end++)
			;
		if ((size_t)(end - s) == len && len && memcmp(s, g, len) == 0)
			return 1;
		s = *end ? end + 1 : end;
	}
	return 0;
}

static int score(struct g_lore_run *r, size_t i, int recursion)
{
	const struct g_lore_cand *c = &r->c[i];
	int p, s;

	if (!c->e->keys.n)
		return 0;
	p = g_lore_scan_count(r, i, G_LORE_PRIMARY, recursion);
	if (!c->e->secondary.n)
		return p;
	s = g_lore_scan_count(r, i, G_LORE_SECONDARY, recursion);
	if (c->e->logic == G_LORE_AND_ANY)
		return p + s;
	if (c->e->logic == G_LORE_AND_ALL && (size_t)s == c->e->secondary.n)
		return p + s;
	return p;
}

static int lose(struct g_lore_run *r, size_t i, const struct group *g, size_t winner)
{
	char buf[200];

	r->c[i].out = 1;
	r->c[i].done = 1;
	return g_lore_scan_why(&r->c[i].skip, "group '%.*s' went to entry %s", (int)g->len,
				   g->name, g_lore_scan_name(r, winner, r->c[i].book, buf,
								 sizeof(buf)));
}

/* Pick the group's winner among the live members, or SIZE_MAX. */
static size_t choose(struct g_lore_run *r, const size_t *live, size_t n)
{
	size_t i, best = SIZE_MAX;
	uint64_t total = 0, roll, sum = 0;

	for (i = 0; i < n; i++)
		if (r->c[live[i]].e->group_override &&
		    (best == SIZE_MAX || r->c[live[i]].e->order > r->c[best].e->order))
			best = live[i];
	if (best != SIZE_MAX || n == 0)
		return best;
	for (i = 0; i < n; i++)
		total += (uint64_t)r->c[live[i]].e->group_weight;
	if (!total)
		return live[0];
	roll = g_lore_scan_rand(r) % total;
	for (i = 0; i < n; i++) {
		sum += (uint64_t)r->c[live[i]].e->group_weight;
		if (roll < sum)
			return live[i];
	}
	return live[n - 1];
}

static int one(struct g_lore_run *r, const size_t *fresh, size_t n, struct group *g,
	       size_t *live, int recursion)
{
	size_t i, nlive = 0, winner = SIZE_MAX, k;
	int best = -1, scored = 0, s;

	for (i = 0; i < r->norder; i++) /* in from an earlier step: the first in the books */
		if (r->c[k = r->order[i]].fired && member(&r->c[k], g->name, g->len) && k < winner)
			winner = k;
	for (i = 0; i < n; i++) {
		k = fresh[i];
		if (r->c[k].out || !member(&r->c[k], g->name, g->len))
			continue;
		if (winner != SIZE_MAX && lose(r, k, g, winner) < 0)
			return -1;
		if (winner == SIZE_MAX)
			live[nlive++] = k;
	}
	for (i = 0; i < nlive && !g->sticky; i++)
		if (r->c[live[i]].sticky)
			g->sticky = 1, winner = live[i];
	for (i = 0; i < nlive && !g->sticky; i++)
		if (r->c[live[i]].e->group_scoring == 1)
			scored = 1;
	for (i = 0; i < nlive && scored; i++) {
		r->c[live[i]].score = score(r, live[i], recursion);
		if (r->c[live[i]].score > best)
			best = r->c[live[i]].score;
	}
	for (i = 0, k = 0; i < nlive; i++) { /* score losers and non-sticky ones out */
		s = r->c[live[i]].score;
		if ((g->sticky && !r->c[live[i]].sticky) ||
		    (scored && r->c[live[i]].e->group_scoring == 1 && s < best))
			r->c[live[i]].out = 2;
		else
			live[k++] = live[i];
	}
	if (!g->sticky && k)
		winner = choose(r, live, k);
	for (i = 0; i < n; i++) {
		size_t c = fresh[i];

		if (c != winner && member(&r->c[c], g->name, g->len) &&
		    (r->c[c].out == 2 || (!r->c[c].out && !(g->sticky && r->c[c].sticky))) &&
		    lose(r, c, g, winner) < 0)
			return -1;
	}
	return 0;
}

int g_lore_group_filter(struct g_lore_run *r, const size_t *fresh, size_t n, int recursion)
{
	struct group *g = calloc(n + 1, sizeof(*g));
	size_t *live = calloc(n + 1, sizeof(*live)), ng = 0, i, j;
	const char *s, *end;
	int rc = 0;

	if (!g || !live) {
		free(g);
		free(live);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		for (s = r->c[fresh[i]].e->group; *s; s = *end ? end + 1 : end) {
			while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
				s++;
			for (end = s; *end && *end != ','; end++)
				;
			for (j = 0; j < ng; j++)
				if (g[j].len == (size_t)(end - s) && !memcmp(g[j].name, s, g[j].len))
					break;
			if (j == ng && end > s) {
				struct group *more = ng >= n ? realloc(g, (ng + 1) * 2 * sizeof(*g)) : g;

				if (!more) {
					rc = -1;
					break;
				}
				g = more;
				g[ng].name = s;
				g[ng].len = (size_t)(end - s);
				g[ng++].sticky = 0;
			}
		}
	}
	for (j = 0; j < ng && rc == 0; j++)
		rc = one(r, fresh, n, &g[j], live, recursion);
	free(g);
	free(live);
	return rc;
}
