/* session_lore.c: a session's sealed text settings and lore state, and
 * where a render of it stood. */
#include "session_lore.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypt.h"
#include "session.h"

/* The settings of settings.c that are text a person wrote: sealed
 * together in chat_sessions.texts. */
static const char *const sealed_texts[] = { "note", "draft_prompt" };

#define NTEXTS (sizeof(sealed_texts) / sizeof(*sealed_texts))

int g_session_text_sealed(const char *key)
{
	size_t i;

	for (i = 0; i < NTEXTS; i++)
		if (strcmp(key, sealed_texts[i]) == 0)
			return 1;
	return 0;
}

int g_session_texts_seal(const struct g_userkey *k, const char *id, const json_t *settings,
			 struct g_sealed *out, struct g_err *err)
{
	json_t *texts = json_object(), *v;
	char *plain = NULL;
	size_t i;
	int rc;

	if (!texts)
		return g_err_oom(err);
	for (i = 0; i < NTEXTS; i++)
		if ((v = json_object_get(settings, sealed_texts[i])) && json_is_string(v))
			json_object_set(texts, sealed_texts[i], v);
	if (json_object_size(texts) && !(plain = json_dumps(texts, JSON_COMPACT))) {
		json_decref(texts);
		return g_err_oom(err);
	}
	json_decref(texts);
	rc = g_vault_seal(k, "chat_sessions", "texts", id, plain, plain ? strlen(plain) : 0, out,
			  err);
	free(plain);
	return rc;
}

int g_session_texts_open(json_t *settings, const char *id, const char *plain, size_t len,
			 struct g_err *err)
{
	json_error_t jerr;
	json_t *texts = json_loadb(plain, len, 0, &jerr), *v;
	size_t i;

	if (!json_is_object(texts)) {
		json_decref(texts);
		return g_err_set(err, G_EX_DATAERR, "session '%s': stored texts are damaged", id);
	}
	for (i = 0; i < NTEXTS; i++)
		if ((v = json_object_get(texts, sealed_texts[i])) && json_is_string(v))
			json_object_set(settings, sealed_texts[i], v);
	json_decref(texts);
	return 0;
}

static int state_load(struct g_store *s, const struct g_userkey *k, const char *id,
		      json_t **state, struct g_err *err)
{
	json_error_t jerr;
	char *plain = NULL;
	size_t len = 0;
	int rc;

	*state = NULL;
	rc = g_vault_get(s, k, "chat_sessions", "lore_state", id, &plain, &len, err);
	if (rc < 0)
		return -1;
	*state = rc ? json_loadb(plain, len, 0, &jerr) : json_array();
	free(plain);
	if (!json_is_array(*state)) {
		json_decref(*state);
		*state = NULL;
		return rc ? g_err_set(err, G_EX_DATAERR, "session '%s': stored lore state is damaged",
				      id)
			  : g_err_oom(err);
	}
	return 0;
}

int g_session_lore_state_store(struct g_store *s, const struct g_userkey *k, const char *id,
			       const json_t *state, struct g_err *err)
{
	static const char sql[] = "UPDATE chat_sessions SET lore_state = ?1, lore_state_nonce = ?2"
				  " WHERE id = ?3 AND user_id = ?4";
	struct g_sealed sealed = { 0 };
	char *plain = json_dumps(state, JSON_COMPACT);
	struct g_db_stmt *st;
	int rc;

	if (!plain)
		return g_err_oom(err);
	rc = g_vault_seal(k, "chat_sessions", "lore_state", id, plain, strlen(plain), &sealed, err);
	free(plain);
	if (rc == 0 && (rc = g_store_prepare(s, sql, &st, err)) == 0) {
		g_vault_bind(st, 1, &sealed);
		g_db_bind_str(st, 3, id);
		g_db_bind_str(st, 4, k->user_id);
		rc = g_db_step(st);
		g_db_reset(st);
		if (rc != G_DB_DONE)
			rc = g_store_error(s, rc, "storing the lore state", err);
		else if (g_db_changes(s->db) != 1)
			rc = g_err_set(err, G_EX_NOINPUT, "no such session '%s'", id);
		else
			rc = 0;
	}
	g_vault_sealed_release(&sealed);
	return rc;
}

/* The newest message's row id, "" when there is none: a chat that lost a
 * message and gained another is as long as it was, but does not end with
 * the same row. */
static int last_row(struct g_store *s, const struct g_userkey *k, const char *id,
		    char row[G_UUID_LEN], struct g_err *err)
{
	static const char sql[] = "SELECT id FROM chat_messages WHERE session_id = ?1 AND "
				  "user_id = ?2 ORDER BY seq DESC LIMIT 1";
	struct g_db_stmt *st;
	int rc;

	*row = '\0';
	if (g_store_prepare(s, sql, &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, id);
	g_db_bind_str(st, 2, k->user_id);
	rc = g_db_step(st);
	if (rc == G_DB_ROW && g_db_column_text(st, 0))
		snprintf(row, G_UUID_LEN, "%s", g_db_column_text(st, 0));
	g_db_reset(st);
	return rc == G_DB_ROW || rc == G_DB_DONE ? 0 : g_store_error(s, rc, "messages", err);
}

int g_session_lore_at(struct g_store *s, const struct g_userkey *k, const char *id,
		      int64_t length, const json_t *state, json_t **at, struct g_err *err)
{
	unsigned char hash[G_HASH_BYTES];
	char row[G_UUID_LEN], count[24], mark[2 * G_HASH_BYTES + 1];
	char *doc;
	struct g_hash_part parts[5];

	*at = NULL;
	if (last_row(s, k, id, row, err) < 0)
		return -1;
	if (!(doc = json_dumps(state, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)))
		return g_err_oom(err);
	snprintf(count, sizeof(count), "%lld", (long long)length);
	parts[0] = (struct g_hash_part){ "lore-at", 7 };
	parts[1] = (struct g_hash_part){ id, strlen(id) };
	parts[2] = (struct g_hash_part){ count, strlen(count) };
	parts[3] = (struct g_hash_part){ row, strlen(row) };
	parts[4] = (struct g_hash_part){ doc, strlen(doc) };
	g_crypt_content_hash(k->dek, parts, 5, hash);
	free(doc);
	sodium_bin2hex(mark, sizeof(mark), hash, sizeof(hash));
	*at = json_pack("{s:s, s:I, s:s}", "session", id, "length", (json_int_t)length, "mark",
			mark);
	return *at ? 0 : g_err_oom(err);
}

int g_session_lore_state_load(struct g_store *s, const struct g_userkey *k, const char *id,
			      int64_t length, json_t **state, json_t **at, struct g_err *err)
{
	if (at)
		*at = NULL;
	if (state_load(s, k, id, state, err) < 0)
		return -1;
	if (at && g_session_lore_at(s, k, id, length, *state, at, err) < 0) {
		json_decref(*state);
		*state = NULL;
		return -1;
	}
	return 0;
}

int g_session_lore_still_at(struct g_store *s, const struct g_userkey *k, const char *id,
			    const json_t *at, struct g_err *err)
{
	json_t *state = NULL, *now = NULL;
	int64_t n;
	int rc;

	if (!at)
		return 0;
	rc = (n = g_session_messages(s, id, err)) < 0 ||
		     g_session_lore_state_load(s, k, id, n, &state, &now, err) < 0
	     ? -1
	     : json_equal(at, now);
	json_decref(state);
	json_decref(now);
	return rc;
}
