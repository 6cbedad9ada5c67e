/* chat_edit.c: session-log's changes to a session's messages, each one
 * transaction. */
#include "chat_edit.h"

#include "chat_swipe.h"
#include "fileio.h"
#include "session.h"

int g_chat_edit_append(struct g_context *c, const char *session_id, const struct g_message *m,
		       json_t *pending, struct g_err *err)
{
	json_t *rec;
	int64_t seq = 0;

	if (g_chat_log_append(c->store, &c->key, session_id, m, &seq, err) < 0 ||
	    g_chat_log_get(c->store, &c->key, session_id, seq, &rec, err) < 0)
		return -1;
	return json_array_append_new(pending, rec) < 0 ? g_err_oom(err) : 0;
}

int g_chat_edit_commit(struct g_context *c, json_t *pending, g_chat_edit_out_fn out, void *arg,
		       struct g_err *err)
{
	size_t i;
	json_t *rec;
	int rc = g_context_end(c, 0, err);

	json_array_foreach (pending, i, rec)
		if (rc == 0)
			rc = out(rec, arg, err);
	json_array_clear(pending);
	return rc;
}

int g_chat_edit_append_records(struct g_context *c, const char *session_id,
			       const struct g_speaker *speaker, struct g_doc_reader *r,
			       size_t batch, g_chat_edit_bad_fn bad, g_chat_edit_out_fn out,
			       void *arg, struct g_err *err)
{
	json_t *pending = json_array(), *in;
	struct g_message m;
	long n = 0;
	int rc = 0, got, open = 0;

	if (!pending)
		return g_err_oom(err);
	while (rc == 0 && (got = g_doc_read(r, &in, err)) != 0) {
		if (got < 0) {
			bad(err, arg);
			break;
		}
		n++;
		if (!open && (rc = g_context_begin(c, err)) == 0)
			open = 1;
		if (rc == 0 && g_chat_log_message_from_record(in, "-", n, "user", &m, err) < 0) {
			bad(err, arg); /* told; the batch goes on */
		} else if (rc == 0) {
			m.speaker = speaker;
			if (g_chat_edit_append(c, session_id, &m, pending, err) < 0) {
				if (err->code == G_EX_DATAERR)
					bad(err, arg);
				else
					rc = -1;
			}
		}
		json_decref(in);
		if (rc == 0 && open && json_array_size(pending) >= batch) {
			open = 0;
			rc = g_chat_edit_commit(c, pending, out, arg, err);
		}
	}
	if (open)
		rc = rc == 0 ? g_chat_edit_commit(c, pending, out, arg, err)
			     : g_context_end(c, rc, err);
	json_decref(pending);
	return rc;
}

/* fn's change to message seq, then its record: one transaction. */
static int change(struct g_context *c, const char *session_id, int64_t seq,
		  int (*fn)(struct g_context *c, const char *session_id, int64_t seq,
			    const void *arg, struct g_err *err),
		  const void *arg, json_t **record, struct g_err *err)
{
	int rc = g_context_begin(c, err);

	*record = NULL;
	if (rc < 0)
		return -1;
	rc = fn(c, session_id, seq, arg, err);
	if (rc == 0)
		rc = g_chat_log_get(c->store, &c->key, session_id, seq, record, err);
	if (g_context_end(c, rc, err) < 0) {
		json_decref(*record);
		*record = NULL;
		return -1;
	}
	return 0;
}

struct text {
	const char *text;
	size_t len;
};

static int edit(struct g_context *c, const char *session_id, int64_t seq, const void *arg,
		struct g_err *err)
{
	const struct text *t = arg;

	return g_chat_log_edit(c->store, &c->key, session_id, seq, t->text, t->len, err);
}

int g_chat_edit_text(struct g_context *c, const char *session_id, int64_t seq, const char *text,
		     size_t len, json_t **record, struct g_err *err)
{
	struct text t = { text, len };

	return change(c, session_id, seq, edit, &t, record, err);
}

static int choose(struct g_context *c, const char *session_id, int64_t seq, const void *arg,
		  struct g_err *err)
{
	return g_chat_swipe_choose(c->store, &c->key, session_id, seq, *(const int64_t *)arg, err);
}

int g_chat_edit_swipe(struct g_context *c, const char *session_id, int64_t seq, int64_t index,
		      json_t **record, struct g_err *err)
{
	return change(c, session_id, seq, choose, &index, record, err);
}

static int collect_seq(json_t *rec, void *arg)
{
	return json_array_append(arg, json_object_get(rec, "seq")) < 0;
}

int g_chat_edit_delete(struct g_context *c, const char *session_id, json_t *seqs, long last,
		       json_t **records, struct g_err *err)
{
	json_t *out = json_array(), *v;
	size_t i;
	int rc = out ? 0 : g_err_oom(err);

	*records = NULL;
	if (rc == 0 && last > 0)
		rc = g_chat_log_each(c->store, &c->key, session_id, last, collect_seq, seqs, err);
	if (rc == 0 && (rc = g_context_begin(c, err)) == 0) {
		json_array_foreach (seqs, i, v) {
			if (rc == 0)
				rc = g_chat_log_delete(c->store, &c->key, session_id,
						       json_integer_value(v), err);
			if (rc == 0 && json_array_append_new(out, json_pack("{s:s, s:s, s:O, s:s}",
						"kind", "message", "session", session_id, "seq", v,
						"status", "deleted")) < 0)
				rc = g_err_oom(err);
		}
		rc = g_context_end(c, rc, err);
	}
	if (rc < 0) {
		json_decref(out);
		return -1;
	}
	*records = out;
	return 0;
}

int g_chat_edit_import(struct g_context *c, const char *name, enum g_doc_format input,
		       const struct g_chat_import *o, json_t **record, struct g_err *err)
{
	struct g_doc_reader *r = NULL;
	struct g_file f = { 0 };
	char id[G_UUID_LEN];
	int rc = g_fileio_read(name, G_CHAT_MAX_BYTES, &f, err);

	*record = NULL;
	if (rc == 0 && !(r = g_doc_reader_new_mem(f.data, f.len, name, input, G_DOC_RECORDS)))
		rc = g_err_oom(err);
	if (rc == 0 && (rc = g_context_begin(c, err)) == 0) {
		rc = g_chat_import_run(c->store, &c->key, &c->user, r, name, o, id, err);
		if (rc == 0)
			rc = g_session_record_of(c->store, &c->key, id, record, err);
		rc = g_context_end(c, rc, err);
	}
	g_doc_reader_free(r);
	g_fileio_release(&f);
	if (rc < 0) {
		json_decref(*record);
		*record = NULL;
		return -1;
	}
	return 0;
}
