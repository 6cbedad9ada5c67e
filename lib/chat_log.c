/* chat_log.c: messages in and out of chat_messages. */
#include "chat_log.h"

#include <stdlib.h>
#include <string.h>

#include "chat_row.h"
#include "text.h"
#include "uuid.h"

/* The columns every read lists, in this order. */
#define MESSAGE_COLUMNS G_CHAT_ROW_COLUMNS

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

int g_chat_log_message_check(const struct g_message *m, struct g_err *err)
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

static int step_done(struct g_store *s, struct g_db_stmt *st, const char *what, struct g_err *err)
{
	int rc = g_db_step(st);

	g_db_reset(st);
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, what, err);
}

int g_chat_log_lock(struct g_store *s, const char *session_id, struct g_err *err)
{
	int rc = g_db_lock(s->db, "chat_sessions", session_id);

	return rc == G_DB_OK ? 0 : g_store_error(s, rc, "locking the session", err);
}

static int next_seq(struct g_store *s, const char *session_id, int64_t *seq, struct g_err *err)
{
	struct g_db_stmt *st;
	int rc;

	/* two writers of one session must not both read the same max */
	if (g_chat_log_lock(s, session_id, err) < 0 ||
	    g_store_prepare(s, "SELECT max(seq) FROM chat_messages WHERE session_id = ?1", &st,
			    err) < 0)
		return -1;
	g_db_bind_str(st, 1, session_id);
	rc = g_db_step(st);
	*seq = rc == G_DB_ROW ? g_db_column_int64(st, 0) + 1 : 0;
	g_db_reset(st);
	return rc == G_DB_ROW ? 0 : g_store_error(s, rc, "numbering a message", err);
}

int g_chat_log_append(struct g_store *s, const struct g_userkey *k, const char *session_id,
		     const struct g_message *m, int64_t *seq, struct g_err *err)
{
	static const char sql[] =
		"INSERT INTO chat_messages (id, session_id, user_id, seq, role, "
		G_CHAT_ROW_VERSION_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
		" ?12, ?13, ?14, ?15, ?16)";
	static const char touch[] =
		"UPDATE chat_sessions SET updated_at = ?1 WHERE id = ?2 AND user_id = ?3";
	struct g_sealed content = { 0 }, name = { 0 };
	char id[G_UUID_LEN], now[G_TIMESTAMP_LEN];
	struct g_chat_place p;
	struct g_db_stmt *st;
	int rc = -1;

	if (g_chat_log_message_check(m, err) < 0 || next_seq(s, session_id, seq, err) < 0 ||
	    g_uuid7(id, err) < 0)
		return -1;
	g_chat_place_message(&p, id, session_id, *seq, m->role, NULL, NULL);
	if (g_chat_row_seal(k, &p, m, &content, &name, err) < 0 ||
	    g_store_prepare(s, sql, &st, err) < 0)
		goto out;
	g_timestamp_now(now);
	g_db_bind_str(st, 1, id);
	g_db_bind_str(st, 2, session_id);
	g_db_bind_str(st, 3, k->user_id);
	g_db_bind_int64(st, 4, *seq);
	g_db_bind_str(st, 5, m->role);
	g_chat_row_bind(st, 6, m, &content, &name, now);
	if (step_done(s, st, "storing a message", err) < 0 ||
	    g_store_prepare(s, touch, &st, err) < 0)
		goto out;
	g_db_bind_str(st, 1, now);
	g_db_bind_str(st, 2, session_id);
	g_db_bind_str(st, 3, k->user_id);
	rc = step_done(s, st, "storing a message", err);
out:
	g_vault_sealed_release(&content);
	g_vault_sealed_release(&name);
	return rc;
}

/* The row of message seq, stepped to: G_DB_ROW, G_DB_DONE (none) or an
 * error code; *st is reset by the caller. -1 with err set if it cannot be
 * prepared. */
static int step_message(struct g_store *s, const struct g_userkey *k, const char *session_id,
			int64_t seq, struct g_db_stmt **st, struct g_err *err)
{
	static const char sql[] = "SELECT " MESSAGE_COLUMNS " FROM chat_messages"
				  " WHERE session_id = ?1 AND user_id = ?2 AND seq = ?3";

	if (g_store_prepare(s, sql, st, err) < 0)
		return -1;
	g_db_bind_str(*st, 1, session_id);
	g_db_bind_str(*st, 2, k->user_id);
	g_db_bind_int64(*st, 3, seq);
	return g_db_step(*st);
}

int g_chat_log_get(struct g_store *s, const struct g_userkey *k, const char *session_id,
		  int64_t seq, json_t **record, struct g_err *err)
{
	struct g_db_stmt *st;
	int rc;

	*record = NULL;
	if ((rc = step_message(s, k, session_id, seq, &st, err)) < 0)
		return -1;
	if (rc == G_DB_ROW)
		rc = (*record = g_chat_row_record(k, session_id, st, 0, err)) ? 0 : -1;
	else if (rc == G_DB_DONE)
		rc = g_err_set(err, G_EX_NOINPUT, "session '%s' has no message %lld", session_id,
			       (long long)seq);
	else
		rc = g_store_error(s, rc, "reading a message", err);
	g_db_reset(st);
	return rc;
}

int g_chat_log_each(struct g_store *s, const struct g_userkey *k, const char *session_id,
		   int64_t last, g_chat_log_fn fn, void *arg, struct g_err *err)
{
	return g_chat_log_each_before(s, k, session_id, INT64_MAX, last, fn, arg, err);
}

int g_chat_log_each_before(struct g_store *s, const struct g_userkey *k,
			   const char *session_id, int64_t before, int64_t last,
			   g_chat_log_fn fn, void *arg, struct g_err *err)
{
	/* the last N through the (session_id, seq) index, backwards from
	 * before, then put in order: N rows read whatever the session's
	 * length */
	static const char all[] = "SELECT " MESSAGE_COLUMNS " FROM chat_messages"
				  " WHERE session_id = ?1 AND user_id = ?2 AND seq < ?3 ORDER BY seq";
	static const char tail[] = "SELECT * FROM (SELECT " MESSAGE_COLUMNS " FROM chat_messages"
				   " WHERE session_id = ?1 AND user_id = ?2 AND seq < ?3"
				   " ORDER BY seq DESC LIMIT ?4) AS m ORDER BY seq";
	struct g_db_stmt *st;
	json_t *rec;
	int rc;

	rc = g_db_prepare(s->db, last > 0 ? tail : all, &st);
	if (rc != G_DB_OK)
		return g_store_error(s, rc, "reading messages", err);
	g_db_bind_str(st, 1, session_id);
	g_db_bind_str(st, 2, k->user_id);
	g_db_bind_int64(st, 3, before);
	if (last > 0)
		g_db_bind_int64(st, 4, last);
	while ((rc = g_db_step(st)) == G_DB_ROW) {
		int stop;

		if (!(rec = g_chat_row_record(k, session_id, st, 0, err))) {
			g_db_finalize(st);
			return -1;
		}
		stop = fn(rec, arg);
		json_decref(rec);
		if (stop) {
			rc = G_DB_DONE;
			break;
		}
	}
	g_db_finalize(st);
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, "reading messages", err);
}

int g_chat_log_current(struct g_store *s, const struct g_userkey *k, const char *session_id,
		       int64_t seq, json_t **record, char id[G_UUID_LEN], struct g_err *err)
{
	struct g_db_stmt *st;
	int rc;

	*record = NULL;
	if ((rc = step_message(s, k, session_id, seq, &st, err)) < 0)
		return -1;
	if (rc == G_DB_ROW) { /* id is the first of MESSAGE_COLUMNS */
		snprintf(id, G_UUID_LEN, "%s", g_db_column_text(st, 0));
		*record = g_chat_row_record(k, session_id, st, 0, err);
	}
	g_db_reset(st);
	if (rc == G_DB_DONE)
		return g_err_set(err, G_EX_NOINPUT, "session '%s' has no message %lld", session_id,
				 (long long)seq);
	if (rc != G_DB_ROW)
		return g_store_error(s, rc, "reading a message", err);
	return *record ? 0 : -1;
}

int g_chat_log_rewrite(struct g_store *s, const struct g_userkey *k, const char *session_id,
		       const char *id, int64_t seq, const struct g_message *m, int64_t index,
		       int64_t count, struct g_err *err)
{
	static const char sql[] =
		"UPDATE chat_messages SET (" G_CHAT_ROW_VERSION_COLUMNS ", swipe_index, swipe_count)"
		" = (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
		" WHERE id = ?14 AND user_id = ?15";
	struct g_sealed content = { 0 }, name = { 0 };
	char now[G_TIMESTAMP_LEN];
	struct g_chat_place p;
	struct g_db_stmt *st;
	int rc = -1;

	if (g_chat_log_message_check(m, err) < 0)
		return -1;
	g_chat_place_message(&p, id, session_id, seq, m->role, NULL, NULL);
	if (g_chat_row_seal(k, &p, m, &content, &name, err) < 0 ||
	    g_store_prepare(s, sql, &st, err) < 0)
		goto out;
	g_timestamp_now(now);
	g_chat_row_bind(st, 1, m, &content, &name, now);
	g_db_bind_int64(st, 12, index);
	g_db_bind_int64(st, 13, count);
	g_db_bind_str(st, 14, id);
	g_db_bind_str(st, 15, k->user_id);
	rc = step_done(s, st, "storing a message", err);
out:
	g_vault_sealed_release(&content);
	g_vault_sealed_release(&name);
	return rc;
}

int g_chat_log_edit(struct g_store *s, const struct g_userkey *k, const char *session_id,
		   int64_t seq, const char *content, size_t len, struct g_err *err)
{
	char id[G_UUID_LEN];
	struct g_speaker sp = { 0 };
	struct g_message m = { .role = NULL };
	json_t *rec = NULL, *swipe;
	int rc;

	if (len > G_MESSAGE_MAX_BYTES)
		return g_err_set(err, G_EX_DATAERR,
				 "content: %zu bytes, more than the %zu a message may hold", len,
				 G_MESSAGE_MAX_BYTES);
	/* opened first: a message whose role or speaker was altered is
	 * refused (65), not sealed anew as it now stands; its swipe index
	 * and count, read here, are written back */
	rc = g_chat_log_lock(s, session_id, err);
	if (rc == 0)
		rc = g_chat_log_current(s, k, session_id, seq, &rec, id, err);
	if (rc == 0)
		rc = g_chat_row_version(rec, &m, &sp, err);
	if (rc == 0) {
		swipe = json_object_get(rec, "swipe");
		m.content = content;
		m.len = len;
		rc = g_chat_log_rewrite(s, k, session_id, id, seq, &m,
					json_integer_value(json_object_get(swipe, "index")),
					json_integer_value(json_object_get(swipe, "count")), err);
	}
	g_session_speaker_release(&sp);
	json_decref(rec);
	return rc;
}

int g_chat_log_delete(struct g_store *s, const struct g_userkey *k, const char *session_id,
		     int64_t seq, struct g_err *err)
{
	char id[G_UUID_LEN];
	struct g_db_stmt *st;
	json_t *rec = NULL;
	int rc = g_chat_log_current(s, k, session_id, seq, &rec, id, err);

	json_decref(rec);
	if (rc < 0 ||
	    g_store_prepare(s, "DELETE FROM chat_messages WHERE id = ?1 AND user_id = ?2", &st,
			    err) < 0)
		return -1;
	g_db_bind_str(st, 1, id);
	g_db_bind_str(st, 2, k->user_id);
	return step_done(s, st, "deleting a message", err);
}

int g_chat_log_read_records(FILE *in, const char *name, enum g_doc_format format,
			    g_chat_log_fn fn, void *arg, struct g_err *err)
{
	struct g_doc_reader *rd = g_doc_reader_new(in, name, format, G_DOC_RECORDS);
	json_t *rec;
	long n = 0;
	int got;

	if (!rd)
		return g_err_oom(err);
	while ((got = g_doc_read(rd, &rec, err)) > 0) {
		struct g_message m;

		/* each needs its role and content: nothing to default them from */
		if (g_chat_log_message_from_record(rec, name, ++n, NULL, &m, err) < 0)
			got = -1;
		else if (fn(rec, arg))
			got = g_err_oom(err);
		json_decref(rec);
		if (got < 0)
			break;
	}
	g_doc_reader_free(rd);
	return got < 0 ? -1 : 0;
}

int g_chat_log_keep_brief(json_t *rec, void *arg)
{
	const json_t *name = json_object_get(json_object_get(rec, "speaker"), "name");
	const json_t *seq = json_object_get(rec, "seq");

	return json_array_append_new(arg, json_pack("{s:O, s:O, s:O, s:O}", "role",
						    json_object_get(rec, "role"), "content",
						    json_object_get(rec, "content"), "name",
						    name ? (json_t *)name : json_null(), "seq",
						    seq ? (json_t *)seq : json_null())) < 0;
}
