/* turn.c: a request and its reply made into the messages of a session and
 * the reply record. */
#include "turn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat_log.h"
#include "chat_swipe.h"
#include "lore.h"
#include "ref.h"
#include "session_lore.h"

static const json_t *guise(const struct g_turn *t, const char *key)
{
	return json_object_get(json_object_get(t->request, "guise"), key);
}

/* Even if that persona is deleted meanwhile: the messages it spoke before
 * keep its id and name too. */
int g_turn_speaker(struct g_turn *t, struct g_err *err)
{
	const json_t *p = guise(t, "persona");
	const char *kind = json_string_value(json_object_get(p, "kind"));
	const char *id = json_string_value(json_object_get(p, "id"));
	const json_t *name = json_object_get(p, "name");

	if (!p)
		return 0;
	if (!json_is_object(p) || !kind)
		return g_err_set(err, G_EX_DATAERR, "guise.persona: not an object with a kind");
	if (strcmp(kind, "none") == 0) {
		t->speaker.kind = G_PERSONA_NONE;
	} else if (strcmp(kind, "custom") == 0 || strcmp(kind, "impersonated") == 0) {
		if (!id || strlen(id) != G_UUID_LEN - 1 || !g_ref_looks_like_id(id))
			return g_err_set(err, G_EX_DATAERR, "guise.persona: id: not an id");
		if (!json_is_string(name))
			return g_err_set(err, G_EX_DATAERR, "guise.persona: name: not a string");
		t->speaker.kind = kind[0] == 'c' ? G_PERSONA_CUSTOM : G_PERSONA_IMPERSONATED;
		snprintf(t->speaker.id, sizeof(t->speaker.id), "%s", id);
		t->speaker.name = strdup(json_string_value(name));
		if (!t->speaker.name)
			return g_err_oom(err);
	} else {
		return g_err_set(err, G_EX_DATAERR,
				 "guise.persona: kind: '%s' is not custom, impersonated or none", kind);
	}
	t->has_speaker = 1;
	return 0;
}

/* The request's guise.lore.timed, when it has one, checked as the state it
 * will be read back as, and its guise.lore.at as g_session_lore_at makes
 * it (65 located). */
static int lore_timed(const struct g_turn *t, struct g_err *err)
{
	const json_t *timed = json_object_get(guise(t, "lore"), "timed");
	const json_t *at = json_object_get(guise(t, "lore"), "at");
	struct g_lore_state state = { 0 };
	int rc;

	if (at && (!json_is_object(at) || !json_is_string(json_object_get(at, "session")) ||
		   !json_is_integer(json_object_get(at, "length")) ||
		   !json_is_string(json_object_get(at, "mark"))))
		return g_err_set(err, G_EX_DATAERR,
				 "guise.lore.at: expected {session, length, mark} as prompt-render "
				 "writes it");
	if (!timed)
		return 0;
	rc = g_lore_state_read(&state, timed, err);
	g_lore_state_release(&state);
	return rc < 0 ? g_err_prefix(err, "guise.lore.timed"), -1 : 0;
}

int g_turn_target(struct g_turn *t, struct g_store *s, const struct g_userkey *k,
		  struct g_err *err)
{
	const char *session = json_string_value(guise(t, "session"));

	if (!session)
		return g_err_set(err, G_EX_USAGE, "--record: the request names no session "
						  "(render it with prompt-render -s)");
	if (g_turn_speaker(t, err) < 0 || lore_timed(t, err) < 0 ||
	    g_prompt_mode_get(t->request, &t->mode, &t->target, err) < 0)
		return -1;
	return g_session_resolve(s, k, session, t->session_id, err);
}

static int append(struct g_store *s, const struct g_userkey *k, const char *session_id,
		  const struct g_message *m, json_t *stored, struct g_err *err)
{
	int64_t seq;

	if (g_chat_log_append(s, k, session_id, m, &seq, err) < 0)
		return -1;
	return json_array_append_new(stored, json_integer(seq)) < 0 ? g_err_oom(err) : 0;
}

/* The reply as a message of role spoken by the turn's speaker (the
 * session's persona when the request named none). */
static void reply_message(const struct g_turn *t, const struct g_session *ss,
			  const struct g_llm_reply *reply, int partial, const char *role,
			  struct g_message *m)
{
	memset(m, 0, sizeof(*m));
	m->role = role;
	m->content = reply->text ? reply->text : "";
	m->len = reply->text_len;
	m->status = partial ? "partial" : "complete";
	m->model = reply->model ? reply->model : t->model;
	m->input_tokens = reply->input_tokens;
	m->output_tokens = reply->output_tokens;
	m->speaker = t->has_speaker ? &t->speaker : &ss->persona;
}

/* The pending user message, then the reply. */
static int store_reply(const struct g_turn *t, struct g_store *s, const struct g_userkey *k,
		       const struct g_session *ss, const struct g_llm_reply *reply, int partial,
		       json_t *stored, struct g_err *err)
{
	const json_t *content = json_object_get(guise(t, "pending"), "content");
	struct g_message m;

	if (json_is_string(content)) {
		memset(&m, 0, sizeof(m));
		m.role = "user";
		m.content = json_string_value(content);
		m.len = json_string_length(content);
		m.input_tokens = m.output_tokens = -1;
		m.speaker = t->has_speaker ? &t->speaker : &ss->persona;
		if (append(s, k, t->session_id, &m, stored, err) < 0)
			return -1;
	}
	reply_message(t, ss, reply, partial, "assistant", &m);
	return append(s, k, t->session_id, &m, stored, err);
}

/* The user's message: the start it was asked to go on from, and the reply. */
static int store_draft(const struct g_turn *t, struct g_store *s, const struct g_userkey *k,
		       const struct g_session *ss, const struct g_llm_reply *reply, int partial,
		       json_t *stored, struct g_err *err)
{
	const json_t *start = json_object_get(guise(t, "draft"), "start");
	struct g_message m;
	char *text;
	size_t n = 0;
	int rc;

	if (json_is_string(start))
		n = json_string_length(start);
	text = malloc(n + reply->text_len + 1);
	if (!text)
		return g_err_oom(err);
	if (n)
		memcpy(text, json_string_value(start), n);
	if (reply->text_len)
		memcpy(text + n, reply->text, reply->text_len);
	reply_message(t, ss, reply, partial, "user", &m);
	m.content = text;
	m.len = n + reply->text_len;
	rc = append(s, k, t->session_id, &m, stored, err);
	free(text);
	return rc;
}

/* Continue: the version continued is still the message's current one, as
 * it was; text appended to another would go on from words the model never
 * saw (66, as for a message deleted). */
static int still_current(const struct g_turn *t, struct g_store *s, const struct g_userkey *k,
			 struct g_err *err)
{
	const struct g_prompt_target *want = &t->target;
	const json_t *content;
	json_int_t index;
	json_t *rec;
	int rc;

	if (g_chat_log_get(s, k, t->session_id, want->seq, &rec, err) < 0)
		return -1;
	index = json_integer_value(json_object_get(json_object_get(rec, "swipe"), "index"));
	content = json_object_get(rec, "content");
	if (index != want->swipe)
		rc = g_err_set(err, G_EX_NOINPUT,
			       "session '%s' message %lld: swipe %lld, the one continued, is no "
			       "longer current (swipe %lld is)",
			       t->session_id, (long long)want->seq, (long long)want->swipe,
			       (long long)index);
	else if (json_string_length(content) != want->len ||
		 (want->len && memcmp(json_string_value(content), want->content, want->len) != 0))
		rc = g_err_set(err, G_EX_NOINPUT,
			       "session '%s' message %lld: edited since the request was written, "
			       "the text continued is no longer there",
			       t->session_id, (long long)want->seq);
	else
		rc = 0;
	json_decref(rec);
	return rc;
}

int g_turn_store(struct g_turn *t, struct g_store *s, const struct g_userkey *k,
		 const struct g_llm_reply *reply, int partial, json_t *stored,
		 struct g_err *err)
{
	const json_t *lore = guise(t, "lore"), *timed = json_object_get(lore, "timed");
	struct g_session ss;
	struct g_message m;
	int64_t index;
	int rc, at = 0;

	/* lore's timed state moves on with a turn that adds a message; a
	 * request without lore leaves it as it is, and so do a new version
	 * and a continuation of a message already counted */
	if (t->mode > G_PROMPT_DRAFT || !json_is_array(timed))
		timed = NULL;
	t->lore_moved = G_TURN_LORE_STORED;
	memset(&ss, 0, sizeof(ss));
	/* loaded in the transaction: the session is still there, still ours */
	rc = g_session_load(s, k, t->session_id, &ss, err);
	/* the new timed state was worked out from the chat and the state as
	 * they were at the render: stored only if that is where the session
	 * still is, before this turn's messages move it on (the transaction
	 * holds it there) */
	if (rc == 0 && timed &&
	    (at = g_session_lore_still_at(s, k, t->session_id, json_object_get(lore, "at"), err)) < 0)
		rc = -1;
	if (rc == 0) {
		switch (t->mode) {
		case G_PROMPT_REPLY:
			rc = store_reply(t, s, k, &ss, reply, partial, stored, err);
			break;
		case G_PROMPT_DRAFT:
			rc = store_draft(t, s, k, &ss, reply, partial, stored, err);
			break;
		case G_PROMPT_REGENERATE:
			reply_message(t, &ss, reply, partial, "assistant", &m);
			rc = g_chat_swipe_add(s, k, t->session_id, t->target.seq, &m, &index, err);
			break;
		case G_PROMPT_CONTINUE:
			rc = still_current(t, s, k, err);
			if (rc == 0)
				rc = g_chat_swipe_append_text(
					s, k, t->session_id, t->target.seq,
					reply->text ? reply->text : "", reply->text_len,
					partial ? "partial" : "complete", err);
			break;
		}
		if (rc == 0 && t->mode >= G_PROMPT_REGENERATE &&
		    json_array_append_new(stored, json_integer(t->target.seq)) < 0)
			rc = g_err_oom(err);
	}
	if (rc == 0 && timed && at)
		rc = g_session_lore_state_store(s, k, t->session_id, timed, err);
	else if (rc == 0 && timed)
		t->lore_moved = json_object_get(lore, "at") ? G_TURN_LORE_MOVED : G_TURN_LORE_UNPLACED;
	g_session_release(&ss);
	return rc;
}

static json_t *count(int64_t n)
{
	return n >= 0 ? json_integer(n) : json_null();
}

json_t *g_turn_record(const struct g_turn *t, const struct g_llm_reply *reply, json_t *recorded)
{
	const json_t *session = guise(t, "session");

	return json_pack("{s:s, s:s, s:s%, s:s, s:s, s:o, s:{s:o, s:o}, s:O, s:O}", "kind", "reply",
			 "role", t->mode == G_PROMPT_DRAFT ? "user" : "assistant", "content", reply->text ? reply->text : "",
			 reply->text_len, "model", reply->model ? reply->model : t->model,
			 "provider", g_llm_provider_name(t->provider), "finish_reason",
			 reply->finish_reason ? json_string(reply->finish_reason) : json_null(),
			 "usage", "input_tokens", count(reply->input_tokens), "output_tokens",
			 count(reply->output_tokens), "session",
			 session ? (json_t *)session : json_null(), "recorded", recorded);
}

void g_turn_release(struct g_turn *t)
{
	g_session_speaker_release(&t->speaker);
	t->has_speaker = 0;
}
