/*
 * st_chat.h: SillyTavern chat files (JSON Lines), in and out.
 *
 * A chat file is a header line {user_name, character_name, create_date,
 * chat_metadata} and then one line per message {name, is_user, is_system,
 * send_date, mes, extra, ...}. Reading takes what a session keeps of a
 * message: its role (is_user: user, is_system: system, else assistant),
 * the speaker's name, the text, and send_date when it is RFC 3339 or
 * milliseconds since the epoch (SillyTavern's other date shapes are
 * human-readable text and are not trusted), and its swipes: the versions
 * in `swipes`, `swipe_id` the current one (whose text is `mes`), each
 * with the send_date and extra.model of its `swipe_info` entry where it
 * has them. Other keys are not kept. Writing makes the shape SillyTavern
 * imports, swipes included.
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
	const char *model;                /* extra.model; NULL: none */
	const json_t *swipes;             /* NULL: one version, the above */
	size_t nswipes, swipe_id;         /* swipes[swipe_id] is the above */
	const json_t *swipe_info;         /* NULL, or swipe_info as it is */
};

/* The most swipes a message may have. */
#define G_ST_CHAT_SWIPES_MAX 1000

/* One version (swipe i < nswipes) of a message read: its text (m's own
 * for swipe_id), created_at ("" none) and model (NULL none). */
struct g_st_chat_swipe {
	const char *content;
	size_t len;
	char created_at[G_TIMESTAMP_LEN];
	const char *model;
};
void g_st_chat_swipe(const struct g_st_chat_message *m, size_t i, struct g_st_chat_swipe *out);

/* Read record (the n-th of input name, from 1) as a message: 65 located
 * "'name': record n: mes: expected a string"; also for swipes that are
 * not strings or more than G_ST_CHAT_SWIPES_MAX, a swipe_id out of range. */
int g_st_chat_message(const json_t *record, const char *name, long n,
		     struct g_st_chat_message *out, struct g_err *err);

/* A header line and a message line as SillyTavern writes them (new
 * references). message is a record of chat_log.h; user_name names the
 * user's messages whose speaker has no name; versions (NULL: none) the
 * records of all its versions in order (chat_swipe.h), written as its
 * swipes when there are more than one. */
json_t *g_st_chat_header_out(const char *user_name, const char *character_name,
			    const char *create_date);
json_t *g_st_chat_message_out(const json_t *message, const json_t *versions,
			     const char *user_name, const char *character_name);

#endif
