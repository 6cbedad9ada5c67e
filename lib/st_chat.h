/*
 * st_chat.h: SillyTavern chat files (JSON Lines), in and out.
 *
 * A chat file is a header line {user_name, character_name, create_date,
 * chat_metadata} and then one line per message {name, is_user, is_system,
 * send_date, mes, extra, ...}. Reading takes what a session keeps of a
 * message: its role (is_user: user, is_system: system, else assistant),
 * the speaker's name, the text, and send_date when it is RFC 3339 or
 * milliseconds since the epoch (SillyTavern's other date shapes are
 * human-readable text and are not trusted). Swipes, extra and other keys
 * are not kept. Writing makes the shape SillyTavern imports.
 */
#ifndef GUISE_STCHAT_H
#define GUISE_STCHAT_H
#include <jansson.h>

#include "err.h"
#include "timestamp.h"

/* Whether a chat file's first record is its header (not a message). */
int g_st_chat_is_header(const json_t *record);

/* One message of a chat file; strings borrowed from the record. */
struct g_st_chat_message {
	const char *role;
	const char *name; /* NULL: none given */
	const char *content;
	size_t len;
	char created_at[G_TIMESTAMP_LEN]; /* "" when not given or not a date */
};

/* Read record (the n-th of input name, from 1) as a message: 65 located
 * "'name': record n: mes: expected a string". */
int g_st_chat_message(const json_t *record, const char *name, long n,
		     struct g_st_chat_message *out, struct g_err *err);

/* A header line and a message line as SillyTavern writes them (new
 * references). message is a record of chat_log.h; user_name names the
 * user's messages whose speaker has no name. */
json_t *g_st_chat_header_out(const char *user_name, const char *character_name,
			    const char *create_date);
json_t *g_st_chat_message_out(const json_t *message, const char *user_name,
			     const char *character_name);

#endif
