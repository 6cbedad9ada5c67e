/* st_chat.c: SillyTavern chat lines to messages and back. */
#include "st_chat.h"

#include <stdio.h>
#include <string.h>

int g_st_chat_is_header(const json_t *record)
{
	return json_is_object(record) && !json_object_get(record, "mes") &&
	       (json_object_get(record, "user_name") || json_object_get(record, "character_name") ||
		json_object_get(record, "chat_metadata"));
}

static int bad(struct g_err *err, const char *name, long n, const char *key, const char *what)
{
	return g_err_set(err, G_EX_DATAERR, "'%s': record %ld: %s: %s", name, n, key, what);
}

/* A boolean key that may be absent (false). */
static int flag(const json_t *record, const char *key, int *out)
{
	const json_t *v = json_object_get(record, key);

	if (v && !json_is_boolean(v))
		return -1;
	*out = json_is_true(v);
	return 0;
}

/* A send_date into out: RFC 3339 or milliseconds since the epoch, else
 * "" (SillyTavern's humanized dates are not trusted). */
static void date_of(const json_t *date, char out[G_TIMESTAMP_LEN])
{
	int64_t ms;

	out[0] = '\0';
	if (json_is_string(date) && g_timestamp_parse(json_string_value(date), &ms) == 0)
		g_timestamp_format(ms, out);
	else if (json_is_integer(date) && json_integer_value(date) > 0 &&
		 json_integer_value(date) < 253402300800000LL) /* before year 10000 */
		g_timestamp_format(json_integer_value(date), out);
}

static const char *model_of(const json_t *holder)
{
	return json_string_value(json_object_get(json_object_get(holder, "extra"), "model"));
}

/* swipes and swipe_id of record into out: a list of strings of at most
 * G_ST_CHAT_SWIPES_MAX, swipe_id one of them (absent: 0). */
static int swipes(const json_t *record, const char *name, long n, struct g_st_chat_message *out,
		  struct g_err *err)
{
	const json_t *list = json_object_get(record, "swipes"), *id, *v;
	size_t i, count = json_array_size(list);
	char key[48];

	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return bad(err, name, n, "swipes", "expected a list of strings");
	if (count > G_ST_CHAT_SWIPES_MAX)
		return g_err_set(err, G_EX_DATAERR,
				 "'%s': record %ld: swipes: %zu, more than the %d a message may have",
				 name, n, count, G_ST_CHAT_SWIPES_MAX);
	json_array_foreach (list, i, v)
		if (!json_is_string(v)) {
			snprintf(key, sizeof(key), "swipes[%zu]", i);
			return bad(err, name, n, key, "expected a string");
		}
	id = json_object_get(record, "swipe_id");
	if (id && !json_is_null(id) &&
	    (!json_is_integer(id) || json_integer_value(id) < 0 ||
	     (count && (size_t)json_integer_value(id) >= count)))
		return g_err_set(err, G_EX_DATAERR,
				 "'%s': record %ld: swipe_id: expected a number from 0 to %zu", name,
				 n, count ? count - 1 : 0);
	if (count < 2) /* one version: the message itself */
		return 0;
	out->swipes = list;
	out->nswipes = count;
	out->swipe_id = json_is_integer(id) ? (size_t)json_integer_value(id) : 0;
	v = json_object_get(record, "swipe_info");
	out->swipe_info = json_is_array(v) ? v : NULL;
	return 0;
}

void g_st_chat_swipe(const struct g_st_chat_message *m, size_t i, struct g_st_chat_swipe *out)
{
	const json_t *info = json_array_get(m->swipe_info, i), *text = json_array_get(m->swipes, i);

	memset(out, 0, sizeof(*out));
	date_of(json_object_get(info, "send_date"), out->created_at);
	out->model = model_of(info);
	if (i != m->swipe_id) {
		out->content = json_string_value(text);
		out->len = json_string_length(text);
		return;
	}
	/* the message's own keys first, its swipe_info entry after */
	out->content = m->content;
	out->len = m->len;
	if (m->created_at[0])
		memcpy(out->created_at, m->created_at, sizeof(out->created_at));
	if (m->model)
		out->model = m->model;
}

int g_st_chat_message(const json_t *record, const char *name, long n,
		     struct g_st_chat_message *out, struct g_err *err)
{
	const json_t *mes = json_object_get(record, "mes"), *who;
	int is_user, is_system;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(record))
		return bad(err, name, n, "record", "expected an object");
	if (!json_is_string(mes))
		return bad(err, name, n, "mes", "expected a string");
	if (flag(record, "is_user", &is_user) < 0)
		return bad(err, name, n, "is_user", "expected true or false");
	if (flag(record, "is_system", &is_system) < 0)
		return bad(err, name, n, "is_system", "expected true or false");
	who = json_object_get(record, "name");
	if (who && !json_is_string(who) && !json_is_null(who))
		return bad(err, name, n, "name", "expected a string");
	out->role = is_system ? "system" : is_user ? "user" : "assistant";
	out->name = json_string_value(who);
	out->content = json_string_value(mes);
	out->len = json_string_length(mes);
	date_of(json_object_get(record, "send_date"), out->created_at);
	out->model = model_of(record);
	return swipes(record, name, n, out, err);
}

json_t *g_st_chat_header_out(const char *user_name, const char *character_name,
			    const char *create_date)
{
	return json_pack("{s:s, s:s, s:s, s:{}}", "user_name", user_name, "character_name",
			 character_name, "create_date", create_date, "chat_metadata");
}

/* The swipe keys of a message of several versions, added to line. */
static int swipes_out(json_t *line, const json_t *message, const json_t *versions)
{
	json_t *texts = json_array(), *info = json_array(), *v, *entry;
	size_t i;
	int bad = !texts || !info;

	json_array_foreach (versions, i, v) {
		const json_t *model = json_object_get(v, "model");

		entry = json_pack("{s:O, s:{}}", "send_date", json_object_get(v, "created_at"),
				  "extra");
		if (entry && json_is_string(model))
			bad |= json_object_set_new(json_object_get(entry, "extra"), "model",
						   json_stringn(json_string_value(model),
								json_string_length(model))) < 0;
		bad |= json_array_append(texts, json_object_get(v, "content")) < 0 ||
		       json_array_append_new(info, entry) < 0;
	}
	bad |= json_object_set(line, "swipe_id",
			       json_object_get(json_object_get(message, "swipe"), "index")) < 0;
	bad |= json_object_set_new(line, "swipes", texts) < 0;
	bad |= json_object_set_new(line, "swipe_info", info) < 0;
	return bad ? -1 : 0;
}

json_t *g_st_chat_message_out(const json_t *message, const json_t *versions,
			     const char *user_name, const char *character_name)
{
	const char *role = json_string_value(json_object_get(message, "role"));
	const json_t *speaker = json_object_get(json_object_get(message, "speaker"), "name");
	int is_user = role && strcmp(role, "user") == 0;
	int is_system = role && strcmp(role, "system") == 0;
	const char *name = is_system ? "System"
			   : !is_user ? character_name
			   : json_is_string(speaker) ? json_string_value(speaker) : user_name;
	json_t *line = json_pack("{s:s, s:b, s:b, s:O, s:O, s:{}}", "name", name, "is_user", is_user,
			 "is_system", is_system, "send_date", json_object_get(message, "created_at"),
			 "mes", json_object_get(message, "content"), "extra");
	if (line && json_array_size(versions) > 1 && swipes_out(line, message, versions) < 0) {
		json_decref(line);
		return NULL;
	}
	return line;
}
