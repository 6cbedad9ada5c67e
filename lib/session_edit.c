/* session_edit.c: session-bind's changes, from names to one transaction. */
#include "session_edit.h"

#include <stdlib.h>

#include "chat_swipe.h"
#include "ref.h"
#include "settings.h"

static const char *card_name(const json_t *character)
{
	return json_string_value(json_object_get(character, "name"));
}

int g_session_edit_greeting(const json_t *character, long index, int asked,
			    const json_t **text, struct g_err *err)
{
	const json_t *data = json_object_get(character, "data");
	const json_t *alternates = json_object_get(data, "alternate_greetings");
	size_t n = json_array_size(alternates);

	*text = NULL;
	if (index == 0) {
		*text = json_object_get(data, "first_mes");
		if (json_string_length(*text) > 0)
			return 0;
		*text = NULL;
		if (asked)
			return g_err_set(err, G_EX_DATAERR, "'%s' has no first_mes to greet with",
					 card_name(character));
		return 0;
	}
	if (index < 0 || (size_t)index > n)
		return g_err_set(err, G_EX_DATAERR, "'%s' has %zu alternate greeting%s",
				 card_name(character), n, n == 1 ? "" : "s");
	*text = json_array_get(alternates, (size_t)index - 1);
	return 0;
}

/* The character, greeting and persona of a new session, read before its
 * transaction. */
struct start {
	json_t *character;
	const json_t *greeting;
	enum g_persona_kind kind;
	struct g_speaker speaker;
	char character_id[G_UUID_LEN], persona_id[G_UUID_LEN];
};

static int prepare(struct g_context *c, const struct g_session_edit_spec *spec, struct start *st,
		   struct g_err *err)
{
	enum g_cardkind kind;

	if (g_ref_resolve(c->store, &c->key, G_REF_CHARACTERS, spec->character, &kind,
			  st->character_id, err) < 0 ||
	    g_card_row_load(c->store, &c->key, G_CHARACTER, st->character_id, &st->character, NULL,
			    NULL, err) < 0)
		return -1;
	if (!spec->no_greeting &&
	    g_session_edit_greeting(st->character, spec->greeting, spec->greeting_asked,
				    &st->greeting, err) < 0)
		return -1;
	if (g_session_pick_persona(c->store, &c->key, &c->user, spec->persona, spec->impersonate,
				   spec->no_persona, &st->kind, st->persona_id, err) < 0)
		return -1;
	return g_session_speaker_load(c->store, &c->key, st->kind, st->persona_id, &st->speaker,
				      err);
}

/* Message 1: every greeting of the character (first_mes, then each of
 * alternate_greetings), swipes numbered as --greeting numbers them, as
 * SillyTavern keeps them; the one asked for current. */
static int greet(struct g_context *c, const char *id, const json_t *character, long current,
		 const struct g_speaker *speaker, struct g_err *err)
{
	const json_t *data = json_object_get(character, "data");
	const json_t *alternates = json_object_get(data, "alternate_greetings");
	size_t i, n = 1 + json_array_size(alternates), first = 0;
	struct g_message *v;
	int64_t seq;
	int rc;

	/* more greetings than a message has swipes: the one asked for alone */
	if (n > G_CHAT_SWIPES_MAX) {
		first = (size_t)current;
		n = 1;
		current = 0;
	}
	if (!(v = calloc(n, sizeof(*v))))
		return g_err_oom(err);
	for (i = 0; i < n; i++) {
		const json_t *text = i + first ? json_array_get(alternates, i + first - 1)
					       : json_object_get(data, "first_mes");

		v[i].role = "assistant";
		v[i].content = json_string_value(text) ? json_string_value(text) : "";
		v[i].len = json_string_length(text);
		v[i].input_tokens = v[i].output_tokens = -1;
		v[i].speaker = speaker;
	}
	rc = g_chat_swipe_append(c->store, &c->key, id, v, n, (size_t)current, &seq, err);
	free(v);
	return rc;
}

int g_session_edit_start(struct g_context *c, const struct g_session_edit_spec *spec,
			 json_t **record, struct g_err *err)
{
	struct start st = { .character = NULL };
	json_t *settings = g_settings_new();
	char id[G_UUID_LEN];
	int rc;

	*record = NULL;
	if (!settings)
		return g_err_oom(err);
	rc = g_settings_assign(settings, spec->sets, spec->nsets, err);
	if (rc == 0)
		rc = prepare(c, spec, &st, err);
	if (rc == 0 && (rc = g_context_begin(c, err)) == 0) {
		rc = g_session_insert(c->store, &c->key, st.character_id, st.kind, st.persona_id,
				      spec->title, settings, id, err);
		if (rc == 0 && st.greeting)
			rc = greet(c, id, st.character, spec->greeting, &st.speaker, err);
		if (rc == 0)
			rc = g_session_record_of(c->store, &c->key, id, record, err);
		rc = g_context_end(c, rc, err);
	}
	if (rc < 0) {
		json_decref(*record);
		*record = NULL;
	}
	json_decref(st.character);
	json_decref(settings);
	g_session_speaker_release(&st.speaker);
	return rc;
}

/* Load session_ref, let fn change it, take its record: one transaction. */
static int change(struct g_context *c, const char *session_ref,
		  int (*fn)(struct g_context *c, struct g_session *ss, const void *arg,
			    struct g_err *err),
		  const void *arg, json_t **record, struct g_err *err)
{
	struct g_session ss;
	char id[G_UUID_LEN];
	int rc;

	*record = NULL;
	if (g_session_resolve(c->store, &c->key, session_ref, id, err) < 0 ||
	    g_context_begin(c, err) < 0)
		return -1;
	rc = g_session_load(c->store, &c->key, id, &ss, err);
	if (rc == 0) {
		rc = fn(c, &ss, arg, err);
		g_session_release(&ss);
	}
	if (rc == 0)
		rc = g_session_record_of(c->store, &c->key, id, record, err);
	if (g_context_end(c, rc, err) < 0) {
		json_decref(*record);
		*record = NULL;
		return -1;
	}
	return 0;
}

struct binding {
	enum g_persona_kind kind;
	const char *ref;
};

static int rebind(struct g_context *c, struct g_session *ss, const void *arg, struct g_err *err)
{
	const struct binding *to = arg;
	enum g_cardkind kind;
	char id[G_UUID_LEN] = "";

	if (to->kind != G_PERSONA_NONE &&
	    g_ref_resolve(c->store, &c->key,
			  to->kind == G_PERSONA_CUSTOM ? G_REF_PERSONAS : G_REF_CHARACTERS, to->ref,
			  &kind, id, err) < 0)
		return -1;
	return g_session_bind(c->store, &c->key, ss, to->kind, id, err);
}

int g_session_edit_bind(struct g_context *c, const char *session_ref, enum g_persona_kind kind,
			const char *card_ref, json_t **record, struct g_err *err)
{
	const struct binding to = { kind, card_ref };

	return change(c, session_ref, rebind, &to, record, err);
}

struct assignments {
	char *const *list;
	int n;
};

static int assign(struct g_context *c, struct g_session *ss, const void *arg, struct g_err *err)
{
	const struct assignments *a = arg;

	if (g_settings_assign(ss->settings, a->list, a->n, err) < 0)
		return -1;
	return g_session_store_settings(c->store, &c->key, ss->id, ss->settings, err);
}

int g_session_edit_set(struct g_context *c, const char *session_ref, char *const *sets, int n,
		       json_t **record, struct g_err *err)
{
	const struct assignments a = { sets, n };

	return change(c, session_ref, assign, &a, record, err);
}

int g_session_edit_persona_record(struct g_context *c, const char *session_ref,
				  json_t **record, struct g_err *err)
{
	struct g_session ss;
	char id[G_UUID_LEN];
	int rc;

	*record = NULL;
	if (g_session_resolve(c->store, &c->key, session_ref, id, err) < 0 ||
	    g_session_load(c->store, &c->key, id, &ss, err) < 0)
		return -1;
	if (ss.persona.kind == G_PERSONA_NONE)
		rc = (*record = json_pack("{s:s}", "kind", "none")) ? 0 : g_err_oom(err);
	else
		rc = g_card_row_load(c->store, &c->key,
				     ss.persona.kind == G_PERSONA_CUSTOM ? G_PERSONA : G_CHARACTER,
				     ss.persona.id, record, NULL, NULL, err);
	g_session_release(&ss);
	return rc < 0 ? -1 : 0;
}

int g_session_edit_delete(struct g_context *c, const char *session_ref, json_t **record,
			  struct g_err *err)
{
	char id[G_UUID_LEN];
	int64_t messages;
	int rc;

	*record = NULL;
	if (g_session_resolve(c->store, &c->key, session_ref, id, err) < 0 ||
	    g_context_begin(c, err) < 0)
		return -1;
	messages = g_session_messages(c->store, id, err);
	rc = messages < 0 ? -1 : g_session_delete(c->store, &c->key, id, err);
	if (g_context_end(c, rc, err) < 0)
		return -1;
	*record = json_pack("{s:s, s:s, s:s, s:I}", "kind", "session", "id", id, "status",
			    "deleted", "messages", (json_int_t)messages);
	return 0;
}
