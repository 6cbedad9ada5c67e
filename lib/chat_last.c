/* chat_last.c: a session's last message of a role, and the messages before
 * it, read from the end. */
#include "chat_last.h"

/* The number of the last message of role (0: none) and how many messages
 * come after it (few: the turns since, counted through the index). */
static int find_last(struct g_store *s, const struct g_userkey *k, const char *session_id,
		     const char *role, int64_t *seq, int64_t *after, struct g_err *err)
{
	static const char sql[] =
		"SELECT t.seq, (SELECT count(*) FROM chat_messages a WHERE a.session_id = ?1"
		" AND a.user_id = ?2 AND a.seq > t.seq) FROM chat_messages t"
		" WHERE t.session_id = ?1 AND t.user_id = ?2 AND t.role = ?3"
		" ORDER BY t.seq DESC LIMIT 1";
	struct g_db_stmt *st;
	int rc;

	if (g_store_prepare(s, sql, &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, session_id);
	g_db_bind_str(st, 2, k->user_id);
	g_db_bind_str(st, 3, role);
	*seq = *after = 0;
	rc = g_db_step(st);
	if (rc == G_DB_ROW) {
		*seq = g_db_column_int64(st, 0);
		*after = g_db_column_int64(st, 1);
	}
	g_db_reset(st);
	return rc == G_DB_ROW || rc == G_DB_DONE
		       ? 0
		       : g_store_error(s, rc, "reading the last message", err);
}

int g_chat_last_of_role(struct g_store *s, const struct g_userkey *k, const char *session_id,
			const char *role, int64_t last, g_chat_log_fn fn, void *arg,
			json_t **target, int64_t *after, struct g_err *err)
{
	int64_t seq;

	*target = NULL;
	if (find_last(s, k, session_id, role, &seq, after, err) < 0)
		return -1;
	if (seq == 0)
		return 0;
	if (g_chat_log_get(s, k, session_id, seq, target, err) < 0)
		return -1;
	if (fn && g_chat_log_each_before(s, k, session_id, seq, last, fn, arg, err) < 0) {
		json_decref(*target);
		*target = NULL;
		return -1;
	}
	return 1;
}
