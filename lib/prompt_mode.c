/* prompt_mode.c: a request's generation mode, written and read back. */
#include "prompt_mode.h"

#include <string.h>

const char g_prompt_draft_default[] =
	"[Write {{user}}'s next message in this chat, in {{user}}'s voice, from {{user}}'s "
	"point of view, as described above. Write only what {{user}} says and does.]";

const char g_prompt_continue_nudge[] =
	"[Continue your last message without repeating its original content.]";

static const char *const names[] = { "reply", "draft", "regenerate", "continue" };

const char *g_prompt_mode_name(enum g_prompt_mode mode)
{
	return names[mode];
}

const char *g_prompt_draft_prompt(const json_t *settings)
{
	const char *own = json_string_value(json_object_get(settings, "draft_prompt"));

	return own ? own : g_prompt_draft_default;
}

int g_prompt_mode_put(json_t *guise, enum g_prompt_mode mode, const char *start, size_t len,
		      int64_t seq)
{
	int rc = json_object_set_new(guise, "mode", json_string(names[mode]));

	if (rc == 0 && mode == G_PROMPT_DRAFT)
		rc = json_object_set_new(guise, "draft",
					 json_pack("{s:o}", "start",
						   start ? json_stringn(start, len) : json_null()));
	if (rc == 0 && (mode == G_PROMPT_REGENERATE || mode == G_PROMPT_CONTINUE))
		rc = json_object_set_new(guise, names[mode],
					 json_pack("{s:I}", "seq", (json_int_t)seq));
	return rc;
}

int g_prompt_mode_get(const json_t *request, enum g_prompt_mode *mode, int64_t *seq,
		      struct g_err *err)
{
	const json_t *guise = json_object_get(request, "guise");
	const json_t *v = json_object_get(guise, "mode"), *at;
	size_t i;

	*mode = G_PROMPT_REPLY;
	*seq = 0;
	if (!v || json_is_null(v))
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (json_is_string(v) && strcmp(json_string_value(v), names[i]) == 0)
			break;
	if (i == sizeof(names) / sizeof(*names))
		return g_err_set(err, G_EX_DATAERR,
				 "guise.mode: not reply, draft, regenerate or continue");
	*mode = (enum g_prompt_mode)i;
	if (*mode != G_PROMPT_REGENERATE && *mode != G_PROMPT_CONTINUE)
		return 0;
	at = json_object_get(json_object_get(guise, names[i]), "seq");
	if (!json_is_integer(at) || json_integer_value(at) < 1)
		return g_err_set(err, G_EX_DATAERR, "guise.%s.seq: not a message number",
				 names[i]);
	*seq = json_integer_value(at);
	return 0;
}
