/*
 * chat_last.h: a session's last message of a role and the messages it was
 * written after (DESIGN.md §8 "Generation modes": what --regenerate and
 * --continue render from).
 *
 * Costs what reading the last N messages costs (chat_log.h), whatever the
 * session's length: the message is found through the (session_id, seq)
 * index backwards, the messages before it read the same way.
 */
#ifndef GUISE_CHAT_LAST_H
#define GUISE_CHAT_LAST_H
#include <jansson.h>
#include <stdint.h>

#include "chat_log.h"

/* The last message of role in the session: its record into *target (a new
 * reference), how many messages come after it into *after, and, when fn
 * is not NULL, the last `last` of those (0: all) to fn in seq order, as
 * g_chat_log_each gives them. 1 when there is one, 0 when the session has
 * no message of role (*target NULL), -1 with err set. */
int g_chat_last_of_role(struct g_store *s, const struct g_userkey *k, const char *session_id,
			const char *role, int64_t last, g_chat_log_fn fn, void *arg,
			json_t **target, int64_t *after, struct g_err *err);

#endif
