/* prompt_note.c: the author's note of one turn, as SillyTavern's
 * authors-note.js places it (read for its behaviour, not copied). */
#include "prompt_lore.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

static long setting(const json_t *settings, const char *key, long fallback)
{
	const json_t *v = json_object_get(settings, key);

	return json_is_integer(v) ? (long)json_integer_value(v) : fallback;
}

/* Every interval user messages, the new one counted: placed on the
 * interval-th, the 2 interval-th, ... (none yet: not placed). */
static int due(const struct g_prompt_lore_in *in)
{
	long interval = setting(in->settings, "note_interval", G_PROMPT_NOTE_INTERVAL_DEFAULT);
	long users = in->pending ? 1 : 0;
	const json_t *m;
	size_t i;

	json_array_foreach (in->history, i, m)
		if (json_is_string(json_object_get(m, "role")) &&
		    strcmp(json_string_value(json_object_get(m, "role")), "user") == 0)
			users++;
	return interval > 0 && users > 0 && users % interval == 0;
}

static void part(struct g_text *t, const char *s)
{
	if (!s || !*s)
		return;
	if (t->len)
		g_text_adds(t, "\n");
	g_text_adds(t, s);
}

json_t *g_prompt_note(const struct g_prompt_lore_in *in, const struct g_prompt_lore *lore,
		      const char *persona_top, const char *persona_bottom, int64_t *depth,
		      struct g_err *err)
{
	const char *note = json_string_value(json_object_get(in->settings, "note"));
	const char *role = json_string_value(json_object_get(in->settings, "note_role"));
	struct g_text t = { 0 };
	char *text = NULL;
	json_t *msg;
	size_t n;

	if (!due(in))
		return NULL;
	if (note && *note && !(text = g_macro_expand(in->m, note, strlen(note), 0, &n))) {
		g_err_oom(err);
		return NULL;
	}
	part(&t, g_prompt_lore_at(lore, 2));
	part(&t, persona_top);
	part(&t, text);
	part(&t, persona_bottom);
	part(&t, g_prompt_lore_at(lore, 3));
	free(text);
	if (t.failed) {
		g_text_release(&t);
		g_err_oom(err);
		return NULL;
	}
	if (!t.len) {
		g_text_release(&t);
		return NULL;
	}
	*depth = setting(in->settings, "note_depth", G_PROMPT_NOTE_DEPTH_DEFAULT);
	msg = json_pack("{s:s, s:s%}", "role", role ? role : "system", "content", t.data, t.len);
	g_text_release(&t);
	if (!msg)
		g_err_oom(err);
	return msg;
}
