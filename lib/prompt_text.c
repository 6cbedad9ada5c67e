/* prompt_text.c: a request as a readable transcript (prompt-render
 * --format text), what lore did after it. */
#include "prompt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/* a book's or an entry's own text, its control bytes made visible */
static void visible(struct g_text *t, const char *s)
{
	if (s)
		g_text_add_visible(t, s, strlen(s));
}

/* "book 'B' entry 3" and what follows of one report item */
static void item(struct g_text *t, const char *label, const json_t *o, const char *why)
{
	char *id = json_dumps(json_object_get(o, "entry"), JSON_ENCODE_ANY);
	const char *book = json_string_value(json_object_get(o, "book"));
	const char *comment = json_string_value(json_object_get(o, "comment"));

	g_text_adds(t, label);
	if (book) {
		g_text_adds(t, " book '");
		visible(t, book);
		g_text_adds(t, "' entry ");
		visible(t, id);
	}
	if (comment && *comment) {
		g_text_adds(t, " (");
		visible(t, comment);
		g_text_adds(t, ")");
	}
	g_text_adds(t, book ? ": " : " ");
	visible(t, json_string_value(json_object_get(o, why)));
	free(id);
}

/* guise.lore after the transcript: "[LORE]", the budget, then each fired
 * entry, each skipped one and each note, a line each. */
static void lore_text(struct g_text *t, const json_t *report)
{
	const json_t *budget = json_object_get(report, "budget"), *o;
	char line[160];
	size_t i;

	snprintf(line, sizeof(line), "\n[LORE]\nbudget: %lld of %lld tokens used\n",
		 (long long)json_integer_value(json_object_get(budget, "used")),
		 (long long)json_integer_value(json_object_get(budget, "tokens")));
	g_text_adds(t, line);
	json_array_foreach (json_object_get(report, "fired"), i, o) {
		item(t, "fired:", o, "why");
		snprintf(line, sizeof(line), "; position %lld, depth %lld, role %s, %lld tokens\n",
			 (long long)json_integer_value(json_object_get(o, "position")),
			 (long long)json_integer_value(json_object_get(o, "depth")),
			 json_string_value(json_object_get(o, "role")),
			 (long long)json_integer_value(json_object_get(o, "tokens")));
		g_text_adds(t, line);
	}
	json_array_foreach (json_object_get(report, "skipped"), i, o) {
		item(t, "skipped:", o, "why");
		g_text_adds(t, "\n");
	}
	json_array_foreach (json_object_get(report, "notes"), i, o) {
		item(t, "note:", o, "note");
		g_text_adds(t, "\n");
	}
}

char *g_prompt_transcript(const json_t *request)
{
	struct g_text t = { 0 };
	const json_t *m;
	size_t i;

	json_array_foreach (json_object_get(request, "messages"), i, m) {
		const json_t *content = json_object_get(m, "content");
		const char *role = json_string_value(json_object_get(m, "role"));

		if (i)
			g_text_adds(&t, "\n");
		g_text_adds(&t, "[");
		for (; role && *role; role++) { /* [SYSTEM], [USER], [ASSISTANT] */
			char up = *role >= 'a' && *role <= 'z' ? (char)(*role - 'a' + 'A') : *role;

			g_text_add(&t, &up, 1);
		}
		g_text_adds(&t, "]\n");
		g_text_add_visible(&t, json_string_value(content), json_string_length(content));
		g_text_adds(&t, "\n");
	}
	if (json_object_get(json_object_get(request, "guise"), "lore"))
		lore_text(&t, json_object_get(json_object_get(request, "guise"), "lore"));
	return g_text_take(&t, NULL);
}
