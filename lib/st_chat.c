/* st_chat.c: SillyTavern chat lines to messages and back. */
#include "st_chat.h"

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

int g_st_chat_message(const json_t *record, const char *name, long n,
		     struct g_st_chat_message *out, struct g_err *err)
{
	const json_t *mes = json_object_get(record, "mes"), *who, *date;
	int is_user, is_system;
	int64_t ms;

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
	date = json_object_get(record, "send_date");
	if (json_is_string(date) && g_timestamp_parse(json_string_value(date), &ms) == 0)
		g_timestamp_format(ms, out->created_at);
	else if (json_is_integer(date) && json_integer_value(date) > 0 &&
		 json_integer_value(date) < 253402300800000LL) /* before year 10000 */
		g_timestamp_format(json_integer_value(date), out->created_at);
	return 0;
}

json_t *g_st_chat_header_out(const char *user_name, const char *character_name,
			    const char *create_date)
{
	return json_pack("{s:s, s:s, s:s, s:{}}", "user_name", user_name, "character_name",
			 character_name, "create_date", create_date, "chat_metadata");
}

json_t *g_st_chat_message_out(const json_t *message, const char *user_name,
			     const char *character_name)
{
	const char *role = json_string_value(json_object_get(message, "role"));
	const json_t *speaker = json_object_get(json_object_get(message, "speaker"), "name");
	int is_user = role && strcmp(role, "user") == 0;
	int is_system = role && strcmp(role, "system") == 0;
	const char *name = is_system ? "System"
			   : !is_user ? character_name
			   : json_is_string(speaker) ? json_string_value(speaker) : user_name;

	return json_pack("{s:s, s:b, s:b, s:O, s:O, s:{}}", "name", name, "is_user", is_user,
			 "is_system", is_system, "send_date", json_object_get(message, "created_at"),
			 "mes", json_object_get(message, "content"), "extra");
}
