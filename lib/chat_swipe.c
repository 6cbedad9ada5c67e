/* chat_swipe.c: a message's other versions in chat_swipes, and trading
 * places with the current one. */
#include "chat_swipe.h"

#include <stdlib.h>
#include <string.h>

#include "chat_row.h"
#include "uuid.h"

static int step_done(struct g_store *s, struct g_db_stmt *st, const char *what, struct g_err *err)
{
	int rc = g_db_step(st);

	g_db_finalize(st);
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, what, err);
}

/* The same for a statement the store keeps (g_store_prepare): reset, not
 * finalized. */
static int step_kept(struct g_store *s, struct g_db_stmt *st, const char *what, struct g_err *err)
{
	int rc = g_db_step(st);

	g_db_reset(st);
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, what, err);
}

/* A statement prepared for this call only (these run rarely: the store's
 * cache of kept statements is for the hot paths, here the ones a chat
 * file's import runs for each message). */
static int prepare(struct g_store *s, const char *sql, struct g_db_stmt **st, struct g_err *err)
{
	int rc = g_db_prepare(s->db, sql, st);

	return rc == G_DB_OK ? 0 : g_store_error(s, rc, "reading a message's swipes", err);
}

/* Version m kept aside as swipe index of message row message_id. */
static int insert_swipe(struct g_store *s, const struct g_userkey *k, const char *message_id,
			int64_t index, const struct g_message *m, struct g_err *err)
{
	static const char sql[] =
		"INSERT INTO chat_swipes (id, message_id, user_id, swipe_index, "
		G_CHAT_ROW_VERSION_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
		" ?12, ?13, ?14, ?15)";
	struct g_sealed content = { 0 }, name = { 0 };
	char id[G_UUID_LEN], now[G_TIMESTAMP_LEN];
	struct g_chat_place p;
	struct g_db_stmt *st = NULL;
	int rc = -1;

	if (g_chat_log_message_check(m, err) < 0 || g_uuid7(id, err) < 0)
		return -1;
	g_chat_place_swipe(&p, id, message_id, index, NULL, NULL);
	if (g_chat_row_seal(k, &p, m, &content, &name, err) < 0 ||
	    g_store_prepare(s, sql, &st, err) < 0)
		goto out;
	g_timestamp_now(now);
	g_db_bind_str(st, 1, id);
	g_db_bind_str(st, 2, message_id);
	g_db_bind_str(st, 3, k->user_id);
	g_db_bind_int64(st, 4, index);
	g_chat_row_bind(st, 5, m, &content, &name, now);
	rc = step_kept(s, st, "storing a swipe", err);
out:
	g_vault_sealed_release(&content);
	g_vault_sealed_release(&name);
	return rc;
}

static int64_t swipe_field(const json_t *record, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(json_object_get(record, "swipe"), key));
}

/* The record of swipe index of message row message_id, kept aside, and its
 * row id: 65 when it is not there though the message counts it. */
static int read_swipe(struct g_store *s, const struct g_userkey *k, const char *session_id,
		      const char *message_id, int64_t index, json_t **record,
		      char id[G_UUID_LEN], struct g_err *err)
{
	static const char sql[] = "SELECT " G_CHAT_SWIPE_COLUMNS " FROM chat_swipes w"
				  " JOIN chat_messages m ON m.id = w.message_id"
				  " WHERE w.message_id = ?1 AND w.user_id = ?2 AND w.swipe_index = ?3";
	struct g_db_stmt *st;
	int rc;

	*record = NULL;
	if (prepare(s, sql, &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, message_id);
	g_db_bind_str(st, 2, k->user_id);
	g_db_bind_int64(st, 3, index);
	rc = g_db_step(st);
	if (rc == G_DB_ROW) {
		snprintf(id, G_UUID_LEN, "%s", g_db_column_text(st, 0));
		rc = (*record = g_chat_row_record(k, session_id, st, 1, err)) ? 0 : -1;
	} else if (rc == G_DB_DONE) {
		rc = g_err_set(err, G_EX_DATAERR, "chat_messages '%s': swipe %lld is missing",
			       message_id, (long long)index);
	} else {
		rc = g_store_error(s, rc, "reading a swipe", err);
	}
	g_db_finalize(st);
	return rc;
}

/* Version record kept aside as swipe index of message row message_id. */
static int keep_aside(struct g_store *s, const struct g_userkey *k, const char *message_id,
		      int64_t index, const json_t *record, struct g_err *err)
{
	struct g_speaker sp;
	struct g_message m = { .role = NULL };
	int rc = g_chat_row_version(record, &m, &sp, err);

	if (rc == 0)
		rc = insert_swipe(s, k, message_id, index, &m, err);
	g_session_speaker_release(&sp);
	return rc;
}

static int each_swipe(struct g_store *s, const struct g_userkey *k, const char *session_id,
		      int64_t seq, g_chat_log_fn fn, void *arg, struct g_err *err);

/* The current version and the others are two reads: one snapshot (a read
 * transaction, unless the caller's is open) so that a swipe chosen by
 * another process in between cannot show a version twice or not at all. */
int g_chat_swipe_each(struct g_store *s, const struct g_userkey *k, const char *session_id,
		      int64_t seq, g_chat_log_fn fn, void *arg, struct g_err *err)
{
	struct g_err ignored;
	int own = !g_db_in_transaction(s->db), rc;

	if (own && g_store_begin_read(s, err) < 0)
		return -1;
	rc = each_swipe(s, k, session_id, seq, fn, arg, err);
	if (own && g_store_exec(s, "COMMIT", rc < 0 ? &ignored : err) < 0) {
		g_store_exec(s, "ROLLBACK", &ignored);
		rc = -1;
	}
	return rc;
}

static int collect(json_t *rec, void *arg)
{
	return json_array_append(arg, rec) < 0;
}

int g_chat_swipe_versions(struct g_store *s, const struct g_userkey *k, const char *session_id,
			  const json_t *rec, json_t **out, struct g_err *err)
{
	const json_t *swipe = json_object_get(rec, "swipe");

	*out = NULL;
	if (json_integer_value(json_object_get(swipe, "count")) <= 1)
		return 0;
	if (!(*out = json_array()))
		return g_err_oom(err);
	if (g_chat_swipe_each(s, k, session_id, json_integer_value(json_object_get(rec, "seq")),
			      collect, *out, err) == 0)
		return 0;
	json_decref(*out);
	*out = NULL;
	return -1;
}

static int each_swipe(struct g_store *s, const struct g_userkey *k, const char *session_id,
		      int64_t seq, g_chat_log_fn fn, void *arg, struct g_err *err)
{
	static const char sql[] = "SELECT " G_CHAT_SWIPE_COLUMNS " FROM chat_swipes w"
				  " JOIN chat_messages m ON m.id = w.message_id"
				  " WHERE w.message_id = ?1 AND w.user_id = ?2 ORDER BY w.swipe_index";
	char id[G_UUID_LEN];
	json_t *current = NULL, *rec;
	struct g_db_stmt *st = NULL;
	int64_t at;
	int rc, stop = 0;

	if (g_chat_log_current(s, k, session_id, seq, &current, id, err) < 0 ||
	    prepare(s, sql, &st, err) < 0) {
		json_decref(current);
		return -1;
	}
	at = swipe_field(current, "index");
	g_db_bind_str(st, 1, id);
	g_db_bind_str(st, 2, k->user_id);
	while (!stop && (rc = g_db_step(st)) == G_DB_ROW) {
		if (current && g_db_column_int64(st, 14) > at) {
			stop = fn(current, arg);
			json_decref(current);
			current = NULL;
			if (stop)
				break;
		}
		if (!(rec = g_chat_row_record(k, session_id, st, 1, err))) {
			rc = -1;
			break;
		}
		stop = fn(rec, arg);
		json_decref(rec);
	}
	if (stop)
		rc = G_DB_DONE;
	else if (rc == G_DB_DONE && current)
		fn(current, arg);
	g_db_finalize(st);
	json_decref(current);
	if (rc == -1)
		return -1;
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, "reading a message's swipes", err);
}

/* The current version of message seq, read to be written back with its
 * swipe index and count: the session's row locked first, so that two
 * writers of its swipes go one after the other. */
static int current_to_write(struct g_store *s, const struct g_userkey *k, const char *session_id,
			    int64_t seq, json_t **current, char id[G_UUID_LEN], struct g_err *err)
{
	*current = NULL;
	if (g_chat_log_lock(s, session_id, err) < 0)
		return -1;
	return g_chat_log_current(s, k, session_id, seq, current, id, err);
}

int g_chat_swipe_choose(struct g_store *s, const struct g_userkey *k, const char *session_id,
			int64_t seq, int64_t index, struct g_err *err)
{
	char id[G_UUID_LEN], swipe_id[G_UUID_LEN];
	json_t *current = NULL, *chosen = NULL;
	struct g_speaker sp = { 0 };
	struct g_message m = { .role = NULL };
	int64_t at, count;
	struct g_db_stmt *st;
	int rc = current_to_write(s, k, session_id, seq, &current, id, err);

	if (rc < 0)
		goto out;
	at = swipe_field(current, "index");
	count = swipe_field(current, "count");
	if (index < 0 || index >= count) {
		rc = g_err_set(err, G_EX_DATAERR, "message %lld has %lld swipe%s: no swipe %lld",
			       (long long)seq, (long long)count, count == 1 ? "" : "s",
			       (long long)index);
		goto out;
	}
	if (index == at)
		goto out;
	/* both opened before either moves: a version altered stays put */
	rc = read_swipe(s, k, session_id, id, index, &chosen, swipe_id, err);
	if (rc == 0 && (rc = prepare(s, "DELETE FROM chat_swipes WHERE id = ?1 AND user_id = ?2",
				     &st, err)) == 0) {
		g_db_bind_str(st, 1, swipe_id);
		g_db_bind_str(st, 2, k->user_id);
		rc = step_done(s, st, "choosing a swipe", err);
	}
	if (rc == 0)
		rc = keep_aside(s, k, id, at, current, err);
	if (rc == 0)
		rc = g_chat_row_version(chosen, &m, &sp, err);
	if (rc == 0)
		rc = g_chat_log_rewrite(s, k, session_id, id, seq, &m, index, count, err);
out:
	g_session_speaker_release(&sp);
	json_decref(current);
	json_decref(chosen);
	return rc;
}

int g_chat_swipe_add(struct g_store *s, const struct g_userkey *k, const char *session_id,
		     int64_t seq, const struct g_message *m, int64_t *index, struct g_err *err)
{
	char id[G_UUID_LEN];
	json_t *current = NULL;
	struct g_message v = *m;
	int64_t count;
	int rc = current_to_write(s, k, session_id, seq, &current, id, err);

	if (rc < 0)
		goto out;
	count = swipe_field(current, "count");
	v.role = json_string_value(json_object_get(current, "role"));
	if (m->role && strcmp(m->role, v.role) != 0)
		rc = g_err_set(err, G_EX_DATAERR, "message %lld is a%s %s message, not %s",
			       (long long)seq, strcmp(v.role, "assistant") == 0 ? "n" : "",
			       v.role, m->role);
	else if (count >= (int64_t)G_CHAT_SWIPES_MAX)
		rc = g_err_set(err, G_EX_DATAERR, "message %lld has %lld swipes, the most it may have",
			       (long long)seq, (long long)count);
	if (rc == 0)
		rc = g_chat_log_message_check(&v, err);
	if (rc == 0)
		rc = keep_aside(s, k, id, swipe_field(current, "index"), current, err);
	if (rc == 0)
		rc = g_chat_log_rewrite(s, k, session_id, id, seq, &v, count, count + 1, err);
	if (rc == 0)
		*index = count;
out:
	json_decref(current);
	return rc;
}

int g_chat_swipe_append_text(struct g_store *s, const struct g_userkey *k,
			     const char *session_id, int64_t seq, const char *text, size_t len,
			     const char *status, struct g_err *err)
{
	char id[G_UUID_LEN], *joined = NULL;
	json_t *current = NULL;
	struct g_speaker sp = { 0 };
	struct g_message m = { .role = NULL };
	int rc = current_to_write(s, k, session_id, seq, &current, id, err);

	if (rc == 0)
		rc = g_chat_row_version(current, &m, &sp, err);
	if (rc == 0 && len > G_MESSAGE_MAX_BYTES - m.len)
		rc = g_err_set(err, G_EX_DATAERR,
			       "content: %zu bytes, more than the %zu a message may hold",
			       m.len + len, G_MESSAGE_MAX_BYTES);
	if (rc == 0 && !(joined = malloc(m.len + len + 1)))
		rc = g_err_oom(err);
	if (joined) { /* allocated only when all went well */
		memcpy(joined, m.content, m.len);
		if (len)
			memcpy(joined + m.len, text, len);
		m.content = joined;
		m.len += len;
		if (status)
			m.status = status;
		rc = g_chat_log_rewrite(s, k, session_id, id, seq, &m,
					swipe_field(current, "index"),
					swipe_field(current, "count"), err);
	}
	free(joined);
	g_session_speaker_release(&sp);
	json_decref(current);
	return rc;
}

/* The row id of message seq, no field opened (it was just written). */
static int message_row(struct g_store *s, const struct g_userkey *k, const char *session_id,
		       int64_t seq, char id[G_UUID_LEN], struct g_err *err)
{
	struct g_db_stmt *st;
	int rc;

	if (g_store_prepare(s,
			    "SELECT id FROM chat_messages WHERE session_id = ?1 AND user_id = ?2"
			    " AND seq = ?3",
			    &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, session_id);
	g_db_bind_str(st, 2, k->user_id);
	g_db_bind_int64(st, 3, seq);
	rc = g_db_step(st);
	if (rc == G_DB_ROW)
		snprintf(id, G_UUID_LEN, "%s", g_db_column_text(st, 0));
	g_db_reset(st);
	if (rc == G_DB_DONE)
		return g_err_set(err, G_EX_NOINPUT, "session '%s' has no message %lld", session_id,
				 (long long)seq);
	return rc == G_DB_ROW ? 0 : g_store_error(s, rc, "reading a message", err);
}

int g_chat_swipe_append(struct g_store *s, const struct g_userkey *k, const char *session_id,
			const struct g_message *v, size_t n, size_t current, int64_t *seq,
			struct g_err *err)
{
	char id[G_UUID_LEN];
	struct g_db_stmt *st;
	size_t i;
	int rc;

	if (n == 0 || current >= n)
		return g_err_set(err, G_EX_SOFTWARE, "a message of %zu versions, version %zu current",
				 n, current);
	if (n > G_CHAT_SWIPES_MAX)
		return g_err_set(err, G_EX_DATAERR, "%zu swipes, more than the %zu a message may have",
				 n, (size_t)G_CHAT_SWIPES_MAX);
	if (g_chat_log_append(s, k, session_id, &v[current], seq, err) < 0)
		return -1;
	if (n == 1)
		return 0;
	if (message_row(s, k, session_id, *seq, id, err) < 0 ||
	    g_store_prepare(s,
			    "UPDATE chat_messages SET swipe_index = ?1, swipe_count = ?2"
			    " WHERE id = ?3 AND user_id = ?4",
			    &st, err) < 0)
		return -1;
	g_db_bind_int64(st, 1, (int64_t)current);
	g_db_bind_int64(st, 2, (int64_t)n);
	g_db_bind_str(st, 3, id);
	g_db_bind_str(st, 4, k->user_id);
	rc = step_kept(s, st, "storing a message's swipes", err);
	for (i = 0; i < n && rc == 0; i++)
		if (i != current)
			rc = insert_swipe(s, k, id, (int64_t)i, &v[i], err);
	return rc;
}
