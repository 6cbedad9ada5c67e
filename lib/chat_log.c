/* chat_log.c: messages in and out of chat_messages. */
#include "chat_log.h"

#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "uuid.h"
#include "vault.h"

/* The columns every read lists, in this order. */
#define MESSAGE_COLUMNS                                                                  \
	"id, seq, role, content, content_nonce, speaker_kind, speaker_id, speaker_name," \
	" speaker_name_nonce, status, model, input_tokens, output_tokens, created_at"


int g_chat_log_message_role_valid(const char *role)
{
	return role && (strcmp(role, "user") == 0 || strcmp(role, "assistant") == 0 ||
			strcmp(role, "system") == 0);
}

int g_chat_log_message_status_valid(const char *status)
{
	return !status || strcmp(status, "complete") == 0 || strcmp(status, "partial") == 0;
}

int g_chat_log_message_read_stdin(struct g_file *f, struct g_err *err)
{
	json_t *utf8;

	if (g_fileio_read("-", G_MESSAGE_MAX_BYTES + 2, f, err) < 0)
		return -1;
	if (f->len && f->data[f->len - 1] == '\n') {
		f->len--;
		if (f->len && f->data[f->len - 1] == '\r')
			f->len--;
	}
	if (f->len > G_MESSAGE_MAX_BYTES)
		return g_err_set(err, G_EX_DATAERR,
				 "'-': %zu bytes, more than the %zu a message may hold", f->len,
				 G_MESSAGE_MAX_BYTES);
	utf8 = json_stringn((const char *)f->data, f->len); /* NULL: not UTF-8 */
	if (!utf8)
		return g_err_set(err, G_EX_DATAERR, "'-': not valid UTF-8");
	json_decref(utf8);
	return 0;
}

int g_chat_log_message_from_record(const json_t *rec, const char *name, long n,
				   const char *default_role, struct g_message *m,
				   struct g_err *err)
{
	const json_t *content = json_object_get(rec, "content");
	const json_t *role = json_object_get(rec, "role"), *status = json_object_get(rec, "status");
	const json_t *model = json_object_get(rec, "model");

	memset(m, 0, sizeof(*m));
	m->role = role ? json_string_value(role) : default_role;
	m->status = json_string_value(status);
	m->model = json_string_value(model);
	m->input_tokens = m->output_tokens = -1;
	if (!json_is_string(content))
		return g_err_set(err, G_EX_DATAERR, "'%s': record %ld: content: expected a string",
				 name, n);
	m->content = json_string_value(content);
	m->len = json_string_length(content);
	if (!g_chat_log_message_role_valid(m->role))
		return g_err_set(err, G_EX_DATAERR,
				 "'%s': record %ld: role: expected user, assistant or system", name, n);
	if ((status && !json_is_string(status)) || !g_chat_log_message_status_valid(m->status))
		return g_err_set(err, G_EX_DATAERR,
				 "'%s': record %ld: status: expected complete or partial", name, n);
	if (model && !json_is_string(model) && !json_is_null(model))
		return g_err_set(err, G_EX_DATAERR, "'%s': record %ld: model: expected a string",
				 name, n);
	return 0;
}

char *g_chat_log_text(const json_t *record, const char *character_name, size_t *len)
{
	const char *role = json_string_value(json_object_get(record, "role"));
	const json_t *speaker = json_object_get(json_object_get(record, "speaker"), "name");
	const json_t *content = json_object_get(record, "content");
	const char *name = !role || strcmp(role, "system") == 0 ? "System"
			   : strcmp(role, "assistant") == 0	   ? character_name
			   : json_is_string(speaker)		   ? json_string_value(speaker)
								   : "User";
	struct g_text t = { 0 };

	g_text_add_visible(&t, name, strlen(name));
	g_text_adds(&t, ": ");
	g_text_add_visible(&t, json_string_value(content), json_string_length(content));
	g_text_adds(&t, "\n");
	return g_text_take(&t, len);
}

static int check(const struct g_message *m, struct g_err *err)
{
	if (!g_chat_log_message_role_valid(m->role))
		return g_err_set(err, G_EX_DATAERR, "role: '%s' is not user, assistant or system",
				 m->role ? m->role : "");
	if (!g_chat_log_message_status_valid(m->status))
		return g_err_set(err, G_EX_DATAERR, "status: '%s' is not complete or partial",
				 m->status);
	if (m->len > G_MESSAGE_MAX_BYTES)
		return g_err_set(err, G_EX_DATAERR,
				 "content: %zu bytes, more than the %zu a message may hold", m->len,
				 G_MESSAGE_MAX_BYTES);
	return 0;
}

static int step_done(struct g_store *s, sqlite3_stmt *st, const char *what, struct g_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : g_store_error(s, rc, what, err);
}

static int next_seq(struct g_store *s, const char *session_id, int64_t *seq, struct g_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if (g_store_prepare(s, "SELECT max(seq) FROM chat_messages WHERE session_id = ?1", &st,
			    err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, session_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*seq = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) + 1 : 0;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? 0 : g_store_error(s, rc, "numbering a message", err);
}

/* What a message's sealed fields are bound to (DESIGN.md §6), in the
 * order of chat_messages' binds in vault.c: its session, seq, role,
 * speaker kind and speaker id (NULL for none). */
struct place {
	char id[G_UUID_LEN];
	char seq[24];
	const char *bind[5];
};

static void place_init(struct place *p, const char *session_id, int64_t seq, const char *role,
		       const char *kind, const char *speaker_id)
{
	snprintf(p->seq, sizeof(p->seq), "%lld", (long long)seq);
	p->bind[0] = session_id;
	p->bind[1] = p->seq;
	p->bind[2] = role;
	p->bind[3] = kind;
	p->bind[4] = speaker_id;
}

static void bind_count(sqlite3_stmt *st, int idx, int64_t n)
{
	if (n >= 0)
		sqlite3_bind_int64(st, idx, n);
	else
		sqlite3_bind_null(st, idx);
}

int g_chat_log_append(struct g_store *s, const struct g_userkey *k, const char *session_id,
		     const struct g_message *m, int64_t *seq, struct g_err *err)
{
	static const char sql[] =
		"INSERT INTO chat_messages (id, session_id, user_id, seq, role, content,"
		" content_nonce, speaker_kind, speaker_id, speaker_name, speaker_name_nonce,"
		" status, model, input_tokens, output_tokens, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)";
	static const char touch[] =
		"UPDATE chat_sessions SET updated_at = ?1 WHERE id = ?2 AND user_id = ?3";
	const struct g_speaker *sp = m->speaker;
	struct g_sealed content = { 0 }, name = { 0 };
	char id[G_UUID_LEN], now[G_TIMESTAMP_LEN];
	struct place p = { 0 };
	sqlite3_stmt *st;
	int rc = -1;

	if (check(m, err) < 0 || next_seq(s, session_id, seq, err) < 0 || g_uuid7(id, err) < 0)
		return -1;
	place_init(&p, session_id, *seq, m->role, g_session_persona_kind_name(sp->kind),
		   sp->kind == G_PERSONA_NONE ? NULL : sp->id);
	if (g_vault_seal_bound(k, "chat_messages", "content", id, p.bind,
			       m->content ? m->content : "", m->len, &content, err) < 0 ||
	    g_vault_seal_bound(k, "chat_messages", "speaker_name", id, p.bind,
			       sp->kind == G_PERSONA_NONE ? NULL : sp->name,
			       sp->name ? strlen(sp->name) : 0, &name, err) < 0 ||
	    g_store_prepare(s, sql, &st, err) < 0)
		goto out;
	g_timestamp_now(now);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, session_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->user_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, *seq);
	sqlite3_bind_text(st, 5, m->role, -1, SQLITE_STATIC);
	g_vault_bind(st, 6, &content);
	sqlite3_bind_text(st, 8, g_session_persona_kind_name(sp->kind), -1, SQLITE_STATIC);
	if (sp->kind != G_PERSONA_NONE)
		sqlite3_bind_text(st, 9, sp->id, -1, SQLITE_STATIC);
	g_vault_bind(st, 10, &name);
	sqlite3_bind_text(st, 12, m->status ? m->status : "complete", -1, SQLITE_STATIC);
	if (m->model)
		sqlite3_bind_text(st, 13, m->model, -1, SQLITE_STATIC);
	bind_count(st, 14, m->input_tokens);
	bind_count(st, 15, m->output_tokens);
	sqlite3_bind_text(st, 16, m->created_at ? m->created_at : now, -1, SQLITE_STATIC);
	if (step_done(s, st, "storing a message", err) < 0 ||
	    g_store_prepare(s, touch, &st, err) < 0)
		goto out;
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, session_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->user_id, -1, SQLITE_STATIC);
	rc = step_done(s, st, "storing a message", err);
out:
	g_vault_sealed_release(&content);
	g_vault_sealed_release(&name);
	return rc;
}

static json_t *text_or_null(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL
		       ? json_null()
		       : json_string((const char *)sqlite3_column_text(st, col));
}

static json_t *count_or_null(sqlite3_stmt *st, int col)
{
	return sqlite3_column_type(st, col) == SQLITE_NULL
		       ? json_null()
		       : json_integer(sqlite3_column_int64(st, col));
}

/* The place of the message at st (MESSAGE_COLUMNS) in session_id. */
static void row_place(sqlite3_stmt *st, const char *session_id, struct place *p)
{
	snprintf(p->id, sizeof(p->id), "%s", (const char *)sqlite3_column_text(st, 0));
	place_init(p, session_id, sqlite3_column_int64(st, 1),
		   (const char *)sqlite3_column_text(st, 2),
		   (const char *)sqlite3_column_text(st, 5),
		   (const char *)sqlite3_column_text(st, 6));
}

/* The record of the message at st (MESSAGE_COLUMNS). */
static json_t *row_record(const struct g_userkey *k, const char *session_id, sqlite3_stmt *st,
			  struct g_err *err)
{
	char *content = NULL, *name = NULL;
	size_t content_len = 0, name_len = 0;
	json_t *rec = NULL, *speaker;
	struct place p = { 0 };
	int none = strcmp((const char *)sqlite3_column_text(st, 5), "none") == 0;

	row_place(st, session_id, &p);
	if (g_vault_open_bound_at(k, "chat_messages", "content", p.id, p.bind, st, 3, &content,
				  &content_len, err) < 0 ||
	    g_vault_open_bound_at(k, "chat_messages", "speaker_name", p.id, p.bind, st, 7, &name,
				  &name_len, err) < 0)
		goto out;
	speaker = json_pack("{s:o, s:o, s:o}", "kind", text_or_null(st, 5), "id",
			    none ? json_null() : text_or_null(st, 6), "name",
			    none || !name ? json_null() : json_stringn_nocheck(name, name_len));
	rec = json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o}, s:o}", "kind",
			"message", "session", session_id, "seq",
			(json_int_t)sqlite3_column_int64(st, 1), "role", text_or_null(st, 2),
			"speaker", speaker, "content",
			json_stringn_nocheck(content ? content : "", content_len), "status",
			text_or_null(st, 9), "model", text_or_null(st, 10), "usage", "input_tokens",
			count_or_null(st, 11), "output_tokens", count_or_null(st, 12),
			"created_at", text_or_null(st, 13));
	if (!rec)
		g_err_oom(err);
out:
	free(content);
	free(name);
	return rec;
}

/* The row of message seq, stepped to: SQLITE_ROW, SQLITE_DONE (none) or an
 * error code; *st is reset by the caller. -1 with err set if it cannot be
 * prepared. */
static int step_message(struct g_store *s, const struct g_userkey *k, const char *session_id,
			int64_t seq, sqlite3_stmt **st, struct g_err *err)
{
	static const char sql[] = "SELECT " MESSAGE_COLUMNS " FROM chat_messages"
				  " WHERE session_id = ?1 AND user_id = ?2 AND seq = ?3";

	if (g_store_prepare(s, sql, st, err) < 0)
		return -1;
	sqlite3_bind_text(*st, 1, session_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(*st, 2, k->user_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(*st, 3, seq);
	return sqlite3_step(*st);
}

int g_chat_log_get(struct g_store *s, const struct g_userkey *k, const char *session_id,
		  int64_t seq, json_t **record, struct g_err *err)
{
	sqlite3_stmt *st;
	int rc;

	*record = NULL;
	if ((rc = step_message(s, k, session_id, seq, &st, err)) < 0)
		return -1;
	if (rc == SQLITE_ROW)
		rc = (*record = row_record(k, session_id, st, err)) ? 0 : -1;
	else if (rc == SQLITE_DONE)
		rc = g_err_set(err, G_EX_NOINPUT, "session '%s' has no message %lld", session_id,
			       (long long)seq);
	else
		rc = g_store_error(s, rc, "reading a message", err);
	sqlite3_reset(st);
	return rc;
}

int g_chat_log_each(struct g_store *s, const struct g_userkey *k, const char *session_id,
		   int64_t last, g_chat_log_fn fn, void *arg, struct g_err *err)
{
	/* the last N through the (session_id, seq) index, backwards, then
	 * put in order: N rows read whatever the session's length */
	static const char all[] = "SELECT " MESSAGE_COLUMNS " FROM chat_messages"
				  " WHERE session_id = ?1 AND user_id = ?2 ORDER BY seq";
	static const char tail[] = "SELECT * FROM (SELECT " MESSAGE_COLUMNS " FROM chat_messages"
				   " WHERE session_id = ?1 AND user_id = ?2"
				   " ORDER BY seq DESC LIMIT ?3) ORDER BY seq";
	sqlite3_stmt *st;
	json_t *rec;
	int rc;

	rc = sqlite3_prepare_v2(s->db, last > 0 ? tail : all, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return g_store_error(s, rc, "reading messages", err);
	sqlite3_bind_text(st, 1, session_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->user_id, -1, SQLITE_STATIC);
	if (last > 0)
		sqlite3_bind_int64(st, 3, last);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int stop;

		if (!(rec = row_record(k, session_id, st, err))) {
			sqlite3_finalize(st);
			return -1;
		}
		stop = fn(rec, arg);
		json_decref(rec);
		if (stop) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : g_store_error(s, rc, "reading messages", err);
}

/* The row id of message seq: 66 none. */
static int message_id(struct g_store *s, const struct g_userkey *k, const char *session_id,
		      int64_t seq, char id[G_UUID_LEN], struct g_err *err)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = step_message(s, k, session_id, seq, &st, err)) < 0)
		return -1;
	if (rc == SQLITE_ROW) /* id is the first of MESSAGE_COLUMNS */
		snprintf(id, G_UUID_LEN, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return g_err_set(err, G_EX_NOINPUT, "session '%s' has no message %lld", session_id,
				 (long long)seq);
	return rc == SQLITE_ROW ? 0 : g_store_error(s, rc, "reading a message", err);
}

/* The place of message seq, its fields opened first: a message whose
 * role or speaker was altered is refused (65), not sealed anew as it now
 * stands. 66 none. */
static int message_place(struct g_store *s, const struct g_userkey *k, const char *session_id,
			 int64_t seq, struct place *p, char strings[3][G_UUID_LEN],
			 struct g_err *err)
{
	sqlite3_stmt *st;
	json_t *rec = NULL;
	int rc, i;

	if ((rc = step_message(s, k, session_id, seq, &st, err)) < 0)
		return -1;
	if (rc == SQLITE_ROW && (rec = row_record(k, session_id, st, err))) {
		row_place(st, session_id, p);
		/* copies: the statement's text is gone at its reset */
		for (i = 0; i < 3; i++) {
			snprintf(strings[i], G_UUID_LEN, "%s", p->bind[i + 2] ? p->bind[i + 2] : "");
			p->bind[i + 2] = p->bind[i + 2] ? strings[i] : NULL;
		}
	}
	sqlite3_reset(st);
	json_decref(rec);
	if (rc == SQLITE_DONE)
		return g_err_set(err, G_EX_NOINPUT, "session '%s' has no message %lld", session_id,
				 (long long)seq);
	if (rc != SQLITE_ROW)
		return g_store_error(s, rc, "reading a message", err);
	return rec ? 0 : -1;
}

int g_chat_log_edit(struct g_store *s, const struct g_userkey *k, const char *session_id,
		   int64_t seq, const char *content, size_t len, struct g_err *err)
{
	struct g_sealed sealed = { 0 };
	char strings[3][G_UUID_LEN];
	struct place p = { 0 };
	const char *id = p.id;
	sqlite3_stmt *st;
	int rc;

	if (len > G_MESSAGE_MAX_BYTES)
		return g_err_set(err, G_EX_DATAERR,
				 "content: %zu bytes, more than the %zu a message may hold", len,
				 G_MESSAGE_MAX_BYTES);
	if (message_place(s, k, session_id, seq, &p, strings, err) < 0 ||
	    g_vault_seal_bound(k, "chat_messages", "content", id, p.bind, content ? content : "",
			       len, &sealed, err) < 0)
		return -1;
	rc = g_store_prepare(s,
			     "UPDATE chat_messages SET content = ?1, content_nonce = ?2"
			     " WHERE id = ?3 AND user_id = ?4",
			     &st, err);
	if (rc == 0) {
		g_vault_bind(st, 1, &sealed);
		sqlite3_bind_text(st, 3, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, k->user_id, -1, SQLITE_STATIC);
		rc = step_done(s, st, "storing a message", err);
	}
	g_vault_sealed_release(&sealed);
	return rc;
}

int g_chat_log_delete(struct g_store *s, const struct g_userkey *k, const char *session_id,
		     int64_t seq, struct g_err *err)
{
	char id[G_UUID_LEN];
	sqlite3_stmt *st;

	if (message_id(s, k, session_id, seq, id, err) < 0 ||
	    g_store_prepare(s, "DELETE FROM chat_messages WHERE id = ?1 AND user_id = ?2", &st,
			    err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->user_id, -1, SQLITE_STATIC);
	return step_done(s, st, "deleting a message", err);
}
