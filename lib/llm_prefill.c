/* llm_prefill.c: a request that ends with the model's own text (a message
 * continued, a draft's start) as each protocol can take it. */
#include "llm.h"

#include <string.h>

#include "prompt_mode.h"

/* Continue and a draft with a start end with an assistant message the
 * model is to go on with. */
static int ends_with_own_text(const json_t *request, const json_t *messages)
{
	const char *mode = json_string_value(json_object_get(json_object_get(request, "guise"),
							      "mode"));
	const json_t *last = json_array_get(messages, json_array_size(messages) - 1);
	const char *role = json_string_value(json_object_get(last, "role"));

	return mode && role && strcmp(role, "assistant") == 0 &&
	       (strcmp(mode, "continue") == 0 || strcmp(mode, "draft") == 0);
}

json_t *g_llm_messages(enum g_provider p, const json_t *request)
{
	const json_t *messages = json_object_get(request, "messages");
	json_t *out = json_copy((json_t *)messages), *last;
	const char *text;
	size_t n;

	if (!out || !ends_with_own_text(request, messages))
		return out;
	if (p != G_PROVIDER_ANTHROPIC) {
		/* the others answer the chat: told to go on instead */
		json_array_append_new(out, json_pack("{s:s, s:s}", "role", "system", "content",
						     g_prompt_continue_nudge));
		return out;
	}
	/* anthropic continues a last assistant turn itself, one that does
	 * not end with white space */
	last = json_deep_copy(json_array_get(out, json_array_size(out) - 1));
	text = json_string_value(json_object_get(last, "content"));
	n = text ? json_string_length(json_object_get(last, "content")) : 0;
	while (n && strchr(" \t\r\n", text[n - 1]))
		n--;
	if (last && text)
		json_object_set_new(last, "content", json_stringn(text, n));
	json_array_set_new(out, json_array_size(out) - 1, last);
	return out;
}
