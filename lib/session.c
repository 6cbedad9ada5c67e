/* session.c: chat session rows, their binding and their settings. */
#include "session.h"

#include <stdlib.h>
#include <string.h>

#include "ref.h"
#include "session_lore.h"
#include "settings.h"
#include "uuid.h"
#include "vault.h"

/* The settings kept as plain JSON in chat_sessions.settings; the rest
 * have columns of their own (model_name, history_limit, context_tokens)
 * or are sealed (stop and the texts of session_lore.h: text a person
 * wrote). */
static const char *const plain_settings[] = {
	"provider", "temperature", "top_p", "top_k", "max_tokens",
	"frequency_penalty", "presence_penalty", "seed", "note_depth",
	"note_role", "note_interval", "lore_scan_depth", "lore_budget",
};


const char *g_session_persona_kind_name(enum g_persona_kind kind)
{
	switch (kind) {
	case G_PERSONA_CUSTOM: return "custom";
	case G_PERSONA_IMPERSONATED: return "impersonated";
	case G_PERSONA_NONE: break;
	}
	return "none";
}

void g_session_speaker_release(struct g_speaker *sp)
{
	free(sp->name);
	memset(sp, 0, sizeof(*sp));
}

json_t *g_session_speaker_record(const struct g_speaker *sp)
{
	int none = sp->kind == G_PERSONA_NONE;

	return json_pack("{s:s, s:o, s:o}", "kind", g_session_persona_kind_name(sp->kind), "id",
			 none ? json_null() : json_string(sp->id), "name",
			 none || !sp->name ? json_null() : json_string(sp->name));
}

int g_session_speaker_load(struct g_store *s, const struct g_userkey *k, enum g_persona_kind kind,
		   const char *id, struct g_speaker *sp, struct g_err *err)
{
	size_t len;
	int rc;

	memset(sp, 0, sizeof(*sp));
	if (kind == G_PERSONA_NONE)
		return 0;
	rc = g_vault_get(s, k, kind == G_PERSONA_CUSTOM ? "user_personas" : "characters", "name",
			 id, &sp->name, &len, err);
	if (rc < 0)
		return -1;
	sp->kind = kind;
	snprintf(sp->id, sizeof(sp->id), "%s", id);
	if (rc == 0 && !(sp->name = strdup("")))
		return g_err_oom(err);
	return 0;
}

void g_session_release(struct g_session *ss)
{
	free(ss->character_name);
	free(ss->title);
	g_session_speaker_release(&ss->persona);
	json_decref(ss->settings);
	memset(ss, 0, sizeof(*ss));
}

/* pass 0: the exact id; 1: an id prefix; 2: the title */
static int match(struct g_store *s, const struct g_userkey *k, const char *ref, int pass,
		 struct g_ref_found *f, struct g_err *err)
{
	static const char *const sql[] = {
		"SELECT id, NULL, NULL FROM chat_sessions WHERE user_id = ?1 AND id = ?2",
		"SELECT id, NULL, NULL FROM chat_sessions WHERE user_id = ?1"
		" AND substr(id, 1, length(?2)) = ?2 ORDER BY id",
		"SELECT id, title, title_nonce FROM chat_sessions WHERE user_id = ?1"
		" AND title IS NOT NULL AND ?2 IS NOT NULL ORDER BY rowid",
	};
	char want[G_NAME_FOLD_MAX], got[G_NAME_FOLD_MAX], *title;
	struct g_db_stmt *st;
	size_t len;
	int rc;

	if (g_store_prepare(s, sql[pass], &st, err) < 0)
		return -1;
	g_ref_name_fold(ref, want, sizeof(want));
	g_db_bind_str(st, 1, k->user_id);
	g_db_bind_str(st, 2, ref);
	while ((rc = g_db_step(st)) == G_DB_ROW) {
		const char *id = g_db_column_text(st, 0);

		if (pass < 2) {
			g_ref_found_add(f, "session", 0, id);
			continue;
		}
		if (g_vault_open_at(k, "chat_sessions", "title", id, st, 1, &title, &len, err) < 0) {
			g_db_reset(st);
			return -1;
		}
		g_ref_name_fold(title, got, sizeof(got));
		free(title);
		if (strcmp(got, want) == 0)
			g_ref_found_add(f, "session", 0, id);
	}
	g_db_reset(st);
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, "looking up a session", err);
}

int g_session_resolve(struct g_store *s, const struct g_userkey *k, const char *ref,
		      char id[G_UUID_LEN], struct g_err *err)
{
	struct g_ref_found f;
	int pass, rc;

	for (pass = 0; pass < 3; pass++) {
		if (pass < 2 && !g_ref_looks_like_id(ref))
			continue;
		memset(&f, 0, sizeof(f));
		if (match(s, k, ref, pass, &f, err) < 0)
			return -1;
		if ((rc = g_ref_found_one(&f, ref, id, err)) <= 0)
			return rc;
	}
	return g_err_set(err, G_EX_NOINPUT, "no such session '%s'", ref);
}

static const char *text_col(struct g_db_stmt *st, int col)
{
	return g_db_column_text(st, col);
}

/* settings from the row: the plain JSON, the columns and the sealed stop
 * list (plain text, or NULL). */
static json_t *row_settings(struct g_db_stmt *st, const char *id, const char *stop, size_t stop_len,
			    struct g_err *err)
{
	json_t *settings = g_settings_new(), *plain, *v;
	json_error_t jerr;
	size_t i;

	if (!settings)
		return g_err_oom(err), NULL;
	plain = json_loads(text_col(st, 4) ? text_col(st, 4) : "{}", 0, &jerr);
	if (!json_is_object(plain)) {
		json_decref(plain);
		json_decref(settings);
		g_err_set(err, G_EX_DATAERR, "session '%s': stored settings are damaged", id);
		return NULL;
	}
	for (i = 0; i < sizeof(plain_settings) / sizeof(*plain_settings); i++)
		if ((v = json_object_get(plain, plain_settings[i])))
			json_object_set(settings, plain_settings[i], v);
	json_decref(plain);
	if (!g_db_column_is_null(st, 7))
		json_object_set_new(settings, "model", json_string(text_col(st, 7)));
	if (!g_db_column_is_null(st, 5))
		json_object_set_new(settings, "history_limit",
				    json_integer(g_db_column_int64(st, 5)));
	if (!g_db_column_is_null(st, 6))
		json_object_set_new(settings, "context_tokens",
				    json_integer(g_db_column_int64(st, 6)));
	if (stop) {
		v = json_loadb(stop, stop_len, 0, &jerr);
		if (!json_is_array(v)) {
			json_decref(v);
			json_decref(settings);
			g_err_set(err, G_EX_DATAERR, "session '%s': stored stop list is damaged", id);
			return NULL;
		}
		json_object_set_new(settings, "stop", v);
	}
	return settings;
}

/* The binding of a row, refused (77) if the store's rules would have
 * refused it: checked before anything of the row is decrypted. */
static int check_binding(struct g_store *s, const struct g_userkey *k, struct g_db_stmt *st,
			 struct g_session *out, struct g_err *err)
{
	const char *custom = text_col(st, 2), *imp = text_col(st, 3);
	enum g_persona_kind kind = custom ? G_PERSONA_CUSTOM
				   : imp ? G_PERSONA_IMPERSONATED : G_PERSONA_NONE;
	struct g_speaker character;

	if ((custom && imp) || (imp && strcmp(imp, out->character_id) == 0))
		goto refuse;
	if (g_session_speaker_load(s, k, G_PERSONA_IMPERSONATED, out->character_id, &character, err) < 0)
		goto failed;
	out->character_name = character.name;
	if (g_session_speaker_load(s, k, kind, custom ? custom : imp, &out->persona, err) < 0)
		goto failed;
	return 0;
failed:
	if (err->code != G_EX_NOINPUT)
		return -1; /* a field that fails to open, or the store */
refuse:
	return g_err_set(err, G_EX_NOPERM, "session '%s' binds what it may not: refused", out->id);
}

/* The row's binding (columns 14, 15) opened against its character and
 * persona (columns 1-3): 65 if they are not the ones it was sealed with. */
static int open_binding(const struct g_userkey *k, struct g_db_stmt *st, const char *id,
			struct g_err *err)
{
	const char *bind[] = { text_col(st, 1), text_col(st, 2), text_col(st, 3) };
	char *plain = NULL;
	size_t len;
	int rc;

	rc = g_vault_open_bound_at(k, "chat_sessions", "binding", id, bind, st, 14, &plain, &len,
				   err);
	free(plain);
	return rc < 0 ? -1 : 0;
}

int g_session_load(struct g_store *s, const struct g_userkey *k, const char *id,
		   struct g_session *out, struct g_err *err)
{
	static const char sql[] =
		"SELECT id, character_id, active_custom_persona_id,"
		" active_impersonated_character_id, settings, history_limit, context_tokens,"
		" model_name, created_at, updated_at, title, title_nonce, stop, stop_nonce,"
		" binding, binding_nonce, texts, texts_nonce FROM chat_sessions"
		" WHERE id = ?1 AND user_id = ?2";
	struct g_db_stmt *st;
	char *stop = NULL, *texts = NULL;
	size_t len = 0, stop_len = 0, texts_len = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (g_store_prepare(s, sql, &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, id);
	g_db_bind_str(st, 2, k->user_id);
	rc = g_db_step(st);
	if (rc != G_DB_ROW) {
		g_db_reset(st);
		return rc == G_DB_DONE ? g_err_set(err, G_EX_NOINPUT, "no such session '%s'", id)
					 : g_store_error(s, rc, "reading a session", err);
	}
	snprintf(out->id, sizeof(out->id), "%s", text_col(st, 0));
	snprintf(out->character_id, sizeof(out->character_id), "%s", text_col(st, 1));
	snprintf(out->created_at, sizeof(out->created_at), "%s", text_col(st, 8));
	snprintf(out->updated_at, sizeof(out->updated_at), "%s", text_col(st, 9));
	rc = check_binding(s, k, st, out, err);
	if (rc == 0 && open_binding(k, st, out->id, err) < 0)
		rc = -1;
	if (rc == 0 && g_vault_open_at(k, "chat_sessions", "title", out->id, st, 10, &out->title,
				       &len, err) < 0)
		rc = -1;
	if (rc == 0 && g_vault_open_at(k, "chat_sessions", "stop", out->id, st, 12, &stop,
				       &stop_len, err) < 0)
		rc = -1;
	if (rc == 0 && g_vault_open_at(k, "chat_sessions", "texts", out->id, st, 16, &texts,
				       &texts_len, err) < 0)
		rc = -1;
	if (rc == 0 && !(out->settings = row_settings(st, out->id, stop, stop_len, err)))
		rc = -1;
	if (rc == 0 && texts &&
	    g_session_texts_open(out->settings, out->id, texts, texts_len, err) < 0)
		rc = -1;
	free(stop);
	free(texts);
	g_db_reset(st);
	if (rc < 0)
		g_session_release(out);
	return rc;
}

int g_session_load_ref(struct g_store *s, const struct g_userkey *k, const char *ref,
		       struct g_session *out, struct g_err *err)
{
	char id[G_UUID_LEN];

	if (g_session_resolve(s, k, ref, id, err) < 0)
		return -1;
	return g_session_load(s, k, id, out, err);
}

/* The count(*) that sql selects with ?1 and ?2 (when not NULL) bound to a1
 * and a2; -1 with err saying what was counted if it fails. */
static int64_t count_rows(struct g_store *s, const char *sql, const char *a1, const char *a2,
			  const char *what, struct g_err *err)
{
	struct g_db_stmt *st;
	int64_t n = -1;
	int rc;

	if (g_store_prepare(s, sql, &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, a1);
	if (a2)
		g_db_bind_str(st, 2, a2);
	rc = g_db_step(st);
	if (rc == G_DB_ROW)
		n = g_db_column_int64(st, 0);
	else
		g_store_error(s, rc, what, err);
	g_db_reset(st);
	return n;
}

int64_t g_session_messages(struct g_store *s, const char *id, struct g_err *err)
{
	return count_rows(s, "SELECT count(*) FROM chat_messages WHERE session_id = ?1", id, NULL,
			  "counting messages", err);
}

json_t *g_session_record(const struct g_session *ss, int64_t messages)
{
	return json_pack("{s:s, s:s, s:o, s:{s:s, s:s}, s:o, s:O, s:I, s:s, s:s}", "kind",
			 "session", "id", ss->id, "title",
			 ss->title ? json_string(ss->title) : json_null(), "character", "id",
			 ss->character_id, "name", ss->character_name ? ss->character_name : "",
			 "persona", g_session_speaker_record(&ss->persona), "settings", ss->settings,
			 "messages", (json_int_t)messages, "created_at", ss->created_at,
			 "updated_at", ss->updated_at);
}

int g_session_record_of(struct g_store *s, const struct g_userkey *k, const char *id,
			json_t **record, struct g_err *err)
{
	struct g_session ss;
	int64_t n;

	*record = NULL;
	if (g_session_load(s, k, id, &ss, err) < 0)
		return -1;
	n = g_session_messages(s, ss.id, err);
	if (n >= 0 && !(*record = g_session_record(&ss, n)))
		g_err_oom(err);
	g_session_release(&ss);
	return *record ? 0 : -1;
}

/* Bind the settings at parameters first.. (plain JSON, model, history
 * limit, context tokens, the stop list sealed into sealed[0]) and the
 * texts sealed into sealed[1] at texts_at. */
static int bind_settings(const struct g_userkey *k, struct g_db_stmt *st, int first, int texts_at,
			 const char *id, const json_t *settings, char **plain_json,
			 struct g_sealed sealed[2], struct g_err *err)
{
	json_t *plain = json_object(), *v;
	char *stop_json = NULL;
	size_t i;
	int rc = 0;

	if (!plain)
		return g_err_oom(err);
	for (i = 0; i < sizeof(plain_settings) / sizeof(*plain_settings); i++)
		if ((v = json_object_get(settings, plain_settings[i])) && !json_is_null(v))
			json_object_set(plain, plain_settings[i], v);
	*plain_json = json_dumps(plain, JSON_COMPACT);
	json_decref(plain);
	v = json_object_get(settings, "stop");
	if (json_is_array(v) && !(stop_json = json_dumps(v, JSON_COMPACT)))
		rc = g_err_oom(err);
	if (rc == 0 && !*plain_json)
		rc = g_err_oom(err);
	if (rc == 0)
		rc = g_vault_seal(k, "chat_sessions", "stop", id, stop_json,
				  stop_json ? strlen(stop_json) : 0, &sealed[0], err);
	if (rc == 0)
		rc = g_session_texts_seal(k, id, settings, &sealed[1], err);
	free(stop_json);
	if (rc < 0)
		return -1;
	g_db_bind_str(st, first, *plain_json);
	if ((v = json_object_get(settings, "model")) && json_is_string(v))
		g_db_bind_str(st, first + 1, json_string_value(v)); /* settings outlives the step */
	else
		g_db_bind_null(st, first + 1);
	if ((v = json_object_get(settings, "history_limit")) && json_is_integer(v))
		g_db_bind_int64(st, first + 2, json_integer_value(v));
	else
		g_db_bind_null(st, first + 2);
	if ((v = json_object_get(settings, "context_tokens")) && json_is_integer(v))
		g_db_bind_int64(st, first + 3, json_integer_value(v));
	else
		g_db_bind_null(st, first + 3);
	g_vault_bind(st, first + 4, &sealed[0]);
	g_vault_bind(st, texts_at, &sealed[1]);
	return 0;
}

static int own_character(enum g_persona_kind kind, const char *persona_id,
			 const char *character_id, struct g_err *err)
{
	if (kind == G_PERSONA_IMPERSONATED && strcmp(persona_id, character_id) == 0)
		return g_err_set(err, G_EX_DATAERR,
				 "a session cannot impersonate its own character");
	return 0;
}

/* A session's binding: an empty string sealed bound to its character and
 * active persona (DESIGN.md §6), so that a row pointed elsewhere with the
 * sqlite3 command fails to open; there in every row, whatever the title. */
static int seal_binding(const struct g_userkey *k, const char *id, const char *character_id,
			enum g_persona_kind kind, const char *persona_id, struct g_sealed *out,
			struct g_err *err)
{
	const char *bind[] = { character_id, kind == G_PERSONA_CUSTOM ? persona_id : NULL,
			       kind == G_PERSONA_IMPERSONATED ? persona_id : NULL };

	return g_vault_seal_bound(k, "chat_sessions", "binding", id, bind, "", 0, out, err);
}

static int step_done(struct g_store *s, struct g_db_stmt *st, const char *what, struct g_err *err)
{
	int rc = g_db_step(st);

	g_db_reset(st);
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, what, err);
}

int g_session_pick_persona(struct g_store *s, const struct g_userkey *k, const struct g_user *u,
			   const char *persona_ref, const char *impersonate_ref, int none,
			   enum g_persona_kind *kind, char id[G_UUID_LEN], struct g_err *err)
{
	enum g_cardkind found;
	int rc;

	*kind = G_PERSONA_NONE;
	id[0] = '\0';
	if (persona_ref) {
		*kind = G_PERSONA_CUSTOM;
		return g_ref_resolve(s, k, G_REF_PERSONAS, persona_ref, &found, id, err);
	}
	if (impersonate_ref) {
		*kind = G_PERSONA_IMPERSONATED;
		return g_ref_resolve(s, k, G_REF_CHARACTERS, impersonate_ref, &found, id, err);
	}
	if (none)
		return 0;
	rc = g_user_default_persona(s, u, id, err);
	if (rc > 0)
		*kind = G_PERSONA_CUSTOM;
	return rc < 0 ? -1 : 0;
}

int g_session_insert(struct g_store *s, const struct g_userkey *k, const char *character_id,
		     enum g_persona_kind kind, const char *persona_id, const char *title,
		     const json_t *settings, char id[G_UUID_LEN], struct g_err *err)
{
	static const char sql[] =
		"INSERT INTO chat_sessions (id, user_id, character_id, title, title_nonce,"
		" active_custom_persona_id, active_impersonated_character_id, created_at,"
		" updated_at, settings, model_name, history_limit, context_tokens, stop,"
		" stop_nonce, binding, binding_nonce, texts, texts_nonce) VALUES (?1, ?2, ?3, ?4,"
		" ?5, ?6, ?7, ?8, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
	struct g_sealed sealed_title = { 0 }, sealed[2] = { { 0 } }, binding = { 0 };
	char now[G_TIMESTAMP_LEN], *plain_json = NULL;
	struct g_db_stmt *st;
	int rc;

	if (own_character(kind, persona_id, character_id, err) < 0 || g_uuid7(id, err) < 0 ||
	    g_vault_seal(k, "chat_sessions", "title", id, title, title ? strlen(title) : 0,
			 &sealed_title, err) < 0 ||
	    seal_binding(k, id, character_id, kind, persona_id, &binding, err) < 0 ||
	    g_store_prepare(s, sql, &st, err) < 0) {
		g_vault_sealed_release(&sealed_title);
		g_vault_sealed_release(&binding);
		return -1;
	}
	g_timestamp_now(now);
	g_db_bind_str(st, 1, id);
	g_db_bind_str(st, 2, k->user_id);
	g_db_bind_str(st, 3, character_id);
	g_vault_bind(st, 4, &sealed_title);
	if (kind == G_PERSONA_CUSTOM)
		g_db_bind_str(st, 6, persona_id);
	if (kind == G_PERSONA_IMPERSONATED)
		g_db_bind_str(st, 7, persona_id);
	g_db_bind_str(st, 8, now);
	g_vault_bind(st, 15, &binding);
	rc = bind_settings(k, st, 9, 17, id, settings, &plain_json, sealed, err);
	if (rc == 0)
		rc = step_done(s, st, "storing a session", err);
	else
		g_db_reset(st);
	free(plain_json);
	g_vault_sealed_release(&sealed_title);
	g_vault_sealed_release(&sealed[0]);
	g_vault_sealed_release(&sealed[1]);
	g_vault_sealed_release(&binding);
	return rc;
}

/* One UPDATE of k's user's session: exactly one row changes, else 66. */
static int one_row(struct g_store *s, struct g_db_stmt *st, const char *id, struct g_err *err)
{
	if (step_done(s, st, "storing a session", err) < 0)
		return -1;
	if (g_db_changes(s->db) != 1)
		return g_err_set(err, G_EX_NOINPUT, "no such session '%s'", id);
	return 0;
}

int g_session_bind(struct g_store *s, const struct g_userkey *k, const struct g_session *ss,
		   enum g_persona_kind kind, const char *persona_id, struct g_err *err)
{
	/* the binding re-sealed to match, for the character it was loaded
	 * with */
	static const char sql[] =
		"UPDATE chat_sessions SET active_custom_persona_id = ?1,"
		" active_impersonated_character_id = ?2, updated_at = ?3, binding = ?4,"
		" binding_nonce = ?5 WHERE id = ?6 AND user_id = ?7 AND character_id = ?8";
	struct g_sealed binding = { 0 };
	char now[G_TIMESTAMP_LEN];
	struct g_db_stmt *st;
	int rc;

	if (own_character(kind, persona_id, ss->character_id, err) < 0 ||
	    seal_binding(k, ss->id, ss->character_id, kind, persona_id, &binding, err) < 0)
		return -1;
	if (g_store_prepare(s, sql, &st, err) < 0) {
		g_vault_sealed_release(&binding);
		return -1;
	}
	g_timestamp_now(now);
	if (kind == G_PERSONA_CUSTOM)
		g_db_bind_str(st, 1, persona_id);
	if (kind == G_PERSONA_IMPERSONATED)
		g_db_bind_str(st, 2, persona_id);
	g_db_bind_str(st, 3, now);
	g_vault_bind(st, 4, &binding);
	g_db_bind_str(st, 6, ss->id);
	g_db_bind_str(st, 7, k->user_id);
	g_db_bind_str(st, 8, ss->character_id);
	rc = one_row(s, st, ss->id, err);
	g_vault_sealed_release(&binding);
	return rc;
}

int g_session_store_settings(struct g_store *s, const struct g_userkey *k, const char *id,
			     const json_t *settings, struct g_err *err)
{
	static const char sql[] =
		"UPDATE chat_sessions SET updated_at = ?1, settings = ?2, model_name = ?3,"
		" history_limit = ?4, context_tokens = ?5, stop = ?6, stop_nonce = ?7,"
		" texts = ?10, texts_nonce = ?11 WHERE id = ?8 AND user_id = ?9";
	struct g_sealed sealed[2] = { { 0 } };
	char now[G_TIMESTAMP_LEN], *plain_json = NULL;
	struct g_db_stmt *st;
	int rc;

	if (g_store_prepare(s, sql, &st, err) < 0)
		return -1;
	g_timestamp_now(now);
	g_db_bind_str(st, 1, now);
	g_db_bind_str(st, 8, id);
	g_db_bind_str(st, 9, k->user_id);
	rc = bind_settings(k, st, 2, 10, id, settings, &plain_json, sealed, err);
	if (rc == 0)
		rc = one_row(s, st, id, err);
	else
		g_db_reset(st);
	free(plain_json);
	g_vault_sealed_release(&sealed[0]);
	g_vault_sealed_release(&sealed[1]);
	return rc;
}

int g_session_delete(struct g_store *s, const struct g_userkey *k, const char *id,
		     struct g_err *err)
{
	struct g_db_stmt *st;

	if (g_store_prepare(s, "DELETE FROM chat_sessions WHERE id = ?1 AND user_id = ?2", &st,
			    err) < 0)
		return -1;
	g_db_bind_str(st, 1, id);
	g_db_bind_str(st, 2, k->user_id);
	return one_row(s, st, id, err);
}

int g_session_each(struct g_store *s, const struct g_userkey *k, const char *character_id,
		   int (*fn)(const char *id, void *arg), void *arg, struct g_err *err)
{
	struct g_db_stmt *st;
	char id[G_UUID_LEN];
	int rc;

	/* not the statement cache: fn runs statements of its own meanwhile */
	rc = g_db_prepare(s->db,
			  "SELECT id FROM chat_sessions WHERE user_id = ?1"
			  " AND (?2 IS NULL OR character_id = ?2) ORDER BY created_at, rowid",
			  &st);
	if (rc != G_DB_OK)
		return g_store_error(s, rc, "listing sessions", err);
	g_db_bind_str(st, 1, k->user_id);
	if (character_id)
		g_db_bind_str(st, 2, character_id);
	while ((rc = g_db_step(st)) == G_DB_ROW) {
		snprintf(id, sizeof(id), "%s", text_col(st, 0));
		if (fn(id, arg)) {
			rc = G_DB_DONE;
			break;
		}
	}
	g_db_finalize(st);
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, "listing sessions", err);
}

int64_t g_session_count_using(struct g_store *s, const struct g_userkey *k, const char *column,
			      const char *id, struct g_err *err)
{
	char sql[160];

	if (strcmp(column, "character_id") != 0 && strcmp(column, "active_custom_persona_id") != 0 &&
	    strcmp(column, "active_impersonated_character_id") != 0)
		return g_err_set(err, G_EX_SOFTWARE, "'%s' is not a binding column", column);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM chat_sessions WHERE user_id = ?1 AND %s = ?2", column);
	return count_rows(s, sql, k->user_id, id, "counting sessions", err);
}

static int delete_one(const char *id, void *arg)
{
	void **a = arg;

	return g_session_delete(a[0], a[1], id, a[2]) < 0;
}

/* Every session of k's user whose active persona is card id: none now. */
static int unbind_all(struct g_store *s, const struct g_userkey *k, enum g_cardkind kind,
		      const char *id, struct g_err *err)
{
	struct g_session ss;
	struct g_db_stmt *st;
	char sid[G_UUID_LEN];
	int rc;

	/* one at a time, looked up again after each: the UPDATE changes
	 * what the query selects. Each is loaded first, so that a binding
	 * that fails is never sealed anew over what was altered. */
	for (;;) {
		rc = g_db_prepare(s->db,
				  kind == G_PERSONA
					  ? "SELECT id FROM chat_sessions WHERE user_id = ?1"
					    " AND active_custom_persona_id = ?2 LIMIT 1"
					  : "SELECT id FROM chat_sessions WHERE user_id = ?1"
					    " AND active_impersonated_character_id = ?2 LIMIT 1",
				  &st);
		if (rc != G_DB_OK)
			return g_store_error(s, rc, "unbinding sessions", err);
		g_db_bind_str(st, 1, k->user_id);
		g_db_bind_str(st, 2, id);
		rc = g_db_step(st);
		if (rc == G_DB_ROW)
			snprintf(sid, sizeof(sid), "%s", text_col(st, 0));
		g_db_finalize(st);
		if (rc == G_DB_DONE)
			return 0;
		if (rc != G_DB_ROW)
			return g_store_error(s, rc, "unbinding sessions", err);
		if (g_session_load(s, k, sid, &ss, err) < 0)
			return -1;
		rc = g_session_bind(s, k, &ss, G_PERSONA_NONE, NULL, err);
		g_session_release(&ss);
		if (rc < 0)
			return -1;
	}
}

int g_session_drop_card(struct g_store *s, const struct g_userkey *k, enum g_cardkind kind,
			const char *id, const char *name, int cascade, int64_t *unbound,
			int64_t *deleted, struct g_err *err)
{
	void *arg[3] = { s, (void *)k, err };

	*deleted = 0;
	*unbound = g_session_count_using(s, k,
					 kind == G_PERSONA ? "active_custom_persona_id"
							   : "active_impersonated_character_id",
					 id, err);
	if (*unbound < 0)
		return -1;
	/* unbound here, each binding re-sealed: the store's ON DELETE SET NULL
	 * would change the rows under their bindings */
	if (*unbound > 0 && unbind_all(s, k, kind, id, err) < 0)
		return -1;
	if (kind == G_CHARACTER) {
		*deleted = g_session_count_using(s, k, "character_id", id, err);
		if (*deleted < 0)
			return -1;
		if (*deleted > 0 && !cascade)
			return g_err_set(err, G_EX_DATAERR,
					 "'%s' has %lld session(s): delete them first, or use --cascade",
					 name, (long long)*deleted);
		g_err_clear(err);
		if (*deleted > 0 && (g_session_each(s, k, id, delete_one, arg, err) < 0 || err->code))
			return -1;
	}
	return g_card_row_delete(s, k, kind, id, err);
}
