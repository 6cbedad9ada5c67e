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
		      const json_t *target)
{
	const json_t *swipe = json_object_get(json_object_get(target, "swipe"), "index");
	int rc = json_object_set_new(guise, "mode", json_string(names[mode]));

	if (rc == 0 && mode == G_PROMPT_DRAFT)
		rc = json_object_set_new(guise, "draft",
					 json_pack("{s:o}", "start",
						   start ? json_stringn(start, len) : json_null()));
	if (rc == 0 && mode == G_PROMPT_REGENERATE)
		rc = json_object_set_new(guise, names[mode],
					 json_pack("{s:O}", "seq", json_object_get(target, "seq")));
	/* the version continued as it stood: only that one is appended to */
	if (rc == 0 && mode == G_PROMPT_CONTINUE)
		rc = json_object_set_new(guise, names[mode],
					 json_pack("{s:O, s:O, s:O}", "seq",
						   json_object_get(target, "seq"), "swipe", swipe,
						   "content", json_object_get(target, "content")));
	return rc;
}

/* key of of (guise.MODE) as a whole number >= min: 65 located if not. */
static int number(const json_t *of, const char *mode, const char *key, int64_t min,
		  const char *what, int64_t *out, struct g_err *err)
{
	const json_t *v = json_object_get(of, key);

	if (!json_is_integer(v) || json_integer_value(v) < min)
		return g_err_set(err, G_EX_DATAERR, "guise.%s.%s: not a %s", mode, key, what);
	*out = json_integer_value(v);
	return 0;
}

int g_prompt_mode_get(const json_t *request, enum g_prompt_mode *mode,
		      struct g_prompt_target *target, struct g_err *err)
{
	const json_t *guise = json_object_get(request, "guise");
	const json_t *v = json_object_get(guise, "mode"), *of, *content;
	size_t i;

	*mode = G_PROMPT_REPLY;
	memset(target, 0, sizeof(*target));
	target->swipe = -1;
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
	of = json_object_get(guise, names[i]);
	if (number(of, names[i], "seq", 1, "message number", &target->seq, err) < 0)
		return -1;
	if (*mode == G_PROMPT_REGENERATE)
		return 0;
	if (number(of, names[i], "swipe", 0, "swipe number", &target->swipe, err) < 0)
		return -1;
	content = json_object_get(of, "content");
	if (!json_is_string(content))
		return g_err_set(err, G_EX_DATAERR, "guise.continue.content: not a string");
	target->content = json_string_value(content);
	target->len = json_string_length(content);
	return 0;
}
