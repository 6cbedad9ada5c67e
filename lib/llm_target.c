/* llm_target.c: the provider, URL, model and key of a send, from flags,
 * the environment and the request, in that order. */
#include "llm_target.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"

/* A flag, else the environment, else the request. */
static const char *pick(const char *flag, const char *env, const json_t *from)
{
	const char *v = getenv(env);

	return flag ? flag : v && *v ? v : json_string_value(from);
}

/* The flag, else the environment variable, is UTF-8: a bad flag is 65
 * naming it, a bad variable 78 (a bad environment value) naming it. */
static int utf8_from(const char *flag, const char *opt, const char *env, struct g_err *err)
{
	const char *v = flag ? flag : getenv(env);

	if (!v || g_text_utf8(v, strlen(v)))
		return 0;
	return g_err_set(err, flag ? G_EX_DATAERR : G_EX_CONFIG, "%s: not valid UTF-8",
			 flag ? opt : env);
}

int g_llm_target_resolve(struct g_llm_target *t, const json_t *request, struct g_err *err)
{
	const json_t *guise = json_object_get(request, "guise");
	const char *name = pick(t->provider_flag, "GUISE_PROVIDER", json_object_get(guise, "provider"));
	/* ollama takes no key: one goes there only when given by file, so a
	 * key meant for another provider never reaches whatever --url names */
	const char *env[] = { "GUISE_API_KEY", NULL, NULL }, *none[] = { NULL };

	if (!name)
		name = "openai";
	if (g_llm_provider_parse(name, &t->provider) < 0)
		return g_err_set(err, t->provider_flag ? G_EX_USAGE : G_EX_CONFIG,
				 "'%s' is not openai, anthropic, ollama or gemini", name);
	if (utf8_from(t->url, "--url", "GUISE_LLM_URL", err) < 0 ||
	    utf8_from(t->model, "-m", "GUISE_MODEL", err) < 0)
		return -1;
	t->url = pick(t->url, "GUISE_LLM_URL", NULL);
	if (!t->url)
		t->url = g_llm_provider_url(t->provider);
	t->model = pick(t->model, "GUISE_MODEL", json_object_get(request, "model"));
	if (!t->model)
		return g_err_set(err, G_EX_USAGE, "no model: give -m, set GUISE_MODEL, or set the "
						  "session's model (session-bind set S model=...)");
	env[1] = g_llm_provider_key_env(t->provider);
	return g_secret_api_key(t->key_file, t->provider == G_PROVIDER_OLLAMA ? none : env, &t->key,
				err) < 0 ? -1 : 0;
}
