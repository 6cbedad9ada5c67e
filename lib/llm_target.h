/*
 * llm_target.h: where a request goes and with what key (DESIGN.md §9).
 * Each of provider, url and model is its flag, else its environment
 * variable (GUISE_PROVIDER, GUISE_LLM_URL, GUISE_MODEL), else the
 * request's (guise.provider, model), else the default: openai, the
 * provider's own URL; there is no default model. The key is
 * --api-key-file's, else the provider's variable, else GUISE_API_KEY;
 * ollama takes a key from the file only.
 *
 * The strings chosen are borrowed from the flags, the environment or the
 * request; the key is the target's own: g_secret_release(&t->key).
 */
#ifndef GUISE_LLM_TARGET_H
#define GUISE_LLM_TARGET_H

#include <jansson.h>

#include "err.h"
#include "llm.h"
#include "secret.h"

struct g_llm_target {
	/* in: the flags (NULL when not given); url and model out: chosen */
	const char *provider_flag, *url, *model, *key_file;
	/* out */
	enum g_provider provider;
	struct g_secret key;
};

/* Choose for request. A provider that is none of the four is 64 when the
 * flag named it, 78 when the environment or the request did; a url or
 * model flag that is not UTF-8 is 65 naming the flag, such a variable 78
 * naming it; no model anywhere is 64; the key's errors are
 * g_secret_api_key's. */
int g_llm_target_resolve(struct g_llm_target *t, const json_t *request, struct g_err *err);

#endif
