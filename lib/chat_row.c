/* chat_row.c: a message version's row to its record, and its place. */
#include "chat_row.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat_log.h"

void g_chat_place_message(struct g_chat_place *p, const char *row_id, const char *session_id,
			  int64_t seq, const char *role, const char *kind, const char *speaker_id)
{
	memset(p, 0, sizeof(*p));
	p->table = "chat_messages";
	snprintf(p->id, sizeof(p->id), "%s", row_id ? row_id : "");
	snprintf(p->number, sizeof(p->number), "%lld", (long long)seq);
	p->bind[0] = session_id;
	p->bind[1] = p->number;
	p->bind[2] = role;
	p->speaker_at = 3;
	p->bind[3] = kind;
	p->bind[4] = speaker_id;
}

void g_chat_place_swipe(struct g_chat_place *p, const char *row_id, const char *message_id,
			int64_t index, const char *kind, const char *speaker_id)
{
	memset(p, 0, sizeof(*p));
	p->table = "chat_swipes";
	snprintf(p->id, sizeof(p->id), "%s", row_id ? row_id : "");
	snprintf(p->number, sizeof(p->number), "%lld", (long long)index);
	p->bind[0] = message_id;
	p->bind[1] = p->number;
	p->speaker_at = 2;
	p->bind[2] = kind;
	p->bind[3] = speaker_id;
}

static json_t *text_or_null(struct g_db_stmt *st, int col)
{
	return g_db_column_is_null(st, col)
		       ? json_null()
		       : json_string(g_db_column_text(st, col));
}

static json_t *count_or_null(struct g_db_stmt *st, int col)
{
	return g_db_column_is_null(st, col)
		       ? json_null()
		       : json_integer(g_db_column_int64(st, col));
}

static const char *text(struct g_db_stmt *st, int col)
{
	return g_db_column_text(st, col);
}

json_t *g_chat_row_record(const struct g_userkey *k, const char *session_id, struct g_db_stmt *st,
			  int swipe, struct g_err *err)
{
	char *content = NULL, *name = NULL;
	size_t content_len = 0, name_len = 0;
	json_t *rec = NULL, *speaker;
	struct g_chat_place p;
	int none = strcmp(text(st, 5), "none") == 0;

	if (swipe)
		g_chat_place_swipe(&p, text(st, 0), text(st, 16), g_db_column_int64(st, 14),
				   text(st, 5), text(st, 6));
	else
		g_chat_place_message(&p, text(st, 0), session_id, g_db_column_int64(st, 1),
				     text(st, 2), text(st, 5), text(st, 6));
	if (g_vault_open_bound_at(k, p.table, "content", p.id, p.bind, st, 3, &content,
				  &content_len, err) < 0 ||
	    g_vault_open_bound_at(k, p.table, "speaker_name", p.id, p.bind, st, 7, &name,
				  &name_len, err) < 0)
		goto out;
	speaker = json_pack("{s:o, s:o, s:o}", "kind", text_or_null(st, 5), "id",
			    none ? json_null() : text_or_null(st, 6), "name",
			    none || !name ? json_null() : json_stringn_nocheck(name, name_len));
	rec = json_pack("{s:s, s:s, s:I, s:o, s:o, s:o, s:{s:I, s:I}, s:o, s:o, s:{s:o, s:o},"
			" s:o}",
			"kind", "message", "session", session_id, "seq",
			(json_int_t)g_db_column_int64(st, 1), "role", text_or_null(st, 2),
			"speaker", speaker, "content",
			json_stringn_nocheck(content ? content : "", content_len), "swipe", "index",
			(json_int_t)g_db_column_int64(st, 14), "count",
			(json_int_t)g_db_column_int64(st, 15), "status", text_or_null(st, 9),
			"model", text_or_null(st, 10), "usage", "input_tokens",
			count_or_null(st, 11), "output_tokens", count_or_null(st, 12),
			"created_at", text_or_null(st, 13));
	if (!rec)
		g_err_oom(err);
out:
	free(content);
	free(name);
	return rec;
}

static int64_t count_of(const json_t *usage, const char *key)
{
	const json_t *v = json_object_get(usage, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

int g_chat_row_version(const json_t *record, struct g_message *m, struct g_speaker *sp,
		       struct g_err *err)
{
	const json_t *speaker = json_object_get(record, "speaker");
	const json_t *content = json_object_get(record, "content");
	const char *kind = json_string_value(json_object_get(speaker, "kind"));
	const char *id = json_string_value(json_object_get(speaker, "id"));
	const char *name = json_string_value(json_object_get(speaker, "name"));
	const json_t *usage = json_object_get(record, "usage");

	memset(m, 0, sizeof(*m));
	memset(sp, 0, sizeof(*sp));
	sp->kind = kind && strcmp(kind, "custom") == 0		? G_PERSONA_CUSTOM
		   : kind && strcmp(kind, "impersonated") == 0 ? G_PERSONA_IMPERSONATED
							       : G_PERSONA_NONE;
	if (sp->kind != G_PERSONA_NONE) {
		snprintf(sp->id, sizeof(sp->id), "%s", id ? id : "");
		if (name && !(sp->name = strdup(name)))
			return g_err_oom(err);
	}
	m->role = json_string_value(json_object_get(record, "role"));
	m->content = json_string_value(content);
	m->len = json_string_length(content);
	m->status = json_string_value(json_object_get(record, "status"));
	m->model = json_string_value(json_object_get(record, "model"));
	m->input_tokens = count_of(usage, "input_tokens");
	m->output_tokens = count_of(usage, "output_tokens");
	m->created_at = json_string_value(json_object_get(record, "created_at"));
	m->speaker = sp;
	return 0;
}

int g_chat_row_seal(const struct g_userkey *k, struct g_chat_place *p, const struct g_message *m,
		    struct g_sealed *content, struct g_sealed *name, struct g_err *err)
{
	const struct g_speaker *sp = m->speaker;
	int none = sp->kind == G_PERSONA_NONE;

	memset(content, 0, sizeof(*content));
	memset(name, 0, sizeof(*name));
	p->bind[p->speaker_at] = g_session_persona_kind_name(sp->kind);
	p->bind[p->speaker_at + 1] = none ? NULL : sp->id;
	if (g_vault_seal_bound(k, p->table, "content", p->id, p->bind,
			       m->content ? m->content : "", m->len, content, err) < 0)
		return -1;
	return g_vault_seal_bound(k, p->table, "speaker_name", p->id, p->bind,
				  none ? NULL : sp->name, sp->name ? strlen(sp->name) : 0, name,
				  err);
}

static void bind_count(struct g_db_stmt *st, int idx, int64_t n)
{
	if (n >= 0)
		g_db_bind_int64(st, idx, n);
	else
		g_db_bind_null(st, idx);
}

void g_chat_row_bind(struct g_db_stmt *st, int idx, const struct g_message *m,
		     const struct g_sealed *content, const struct g_sealed *name, const char *now)
{
	const struct g_speaker *sp = m->speaker;

	g_vault_bind(st, idx, content);
	g_db_bind_str(st, idx + 2, g_session_persona_kind_name(sp->kind));
	if (sp->kind != G_PERSONA_NONE)
		g_db_bind_str(st, idx + 3, sp->id);
	else
		g_db_bind_null(st, idx + 3);
	g_vault_bind(st, idx + 4, name);
	g_db_bind_str(st, idx + 6, m->status ? m->status : "complete");
	if (m->model)
		g_db_bind_str(st, idx + 7, m->model);
	else
		g_db_bind_null(st, idx + 7);
	bind_count(st, idx + 8, m->input_tokens);
	bind_count(st, idx + 9, m->output_tokens);
	g_db_bind_str(st, idx + 10, m->created_at ? m->created_at : now);
}
