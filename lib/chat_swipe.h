/*
 * chat_swipe.h: a message's versions, its swipes (DESIGN.md §4, §8).
 *
 * A message has one or more versions, numbered from 0 in the order they
 * were made (SillyTavern's swipe_id counts the same way); one is current.
 * The current version is the message as chat_log.h reads, edits and
 * deletes it (edit changes it alone, delete takes every version); the
 * others are kept aside (chat_row.h), each sealed and bound to its message
 * and index, and are read only here. Making another version current
 * trades the two places. Records are chat_log.h's message records, each
 * with its `swipe: {index, count}`. Writes join the caller's transaction;
 * the session must be k's user's (callers load it first). 66 when the
 * session has no message seq.
 */
#ifndef GUISE_CHAT_SWIPE_H
#define GUISE_CHAT_SWIPE_H
#include <jansson.h>
#include <stdint.h>

#include "chat_log.h"

/* The most versions a message may have (a chat file asking for more is
 * refused, 65). */
#define G_CHAT_SWIPES_MAX 1000

/* Each version of message seq in index order, as a record: fn as
 * g_chat_log_each's. */
int g_chat_swipe_each(struct g_store *s, const struct g_userkey *k, const char *session_id,
		      int64_t seq, g_chat_log_fn fn, void *arg, struct g_err *err);

/* The versions of rec (a message record as g_chat_log_each gives it) in
 * index order, as a list of records into *out; NULL for a message of one
 * version, which has no others to read. -1 with err set. */
int g_chat_swipe_versions(struct g_store *s, const struct g_userkey *k, const char *session_id,
			  const json_t *rec, json_t **out, struct g_err *err);

/* Make version index of message seq current (already current: nothing
 * changes). 65 when the message has no such version. */
int g_chat_swipe_choose(struct g_store *s, const struct g_userkey *k, const char *session_id,
			int64_t seq, int64_t index, struct g_err *err);

/* A new version of message seq, made current (what --regenerate records):
 * m's content, speaker, status, model, usage and created_at (NULL: now);
 * m->role NULL or the message's (65 otherwise). *index: its number. */
int g_chat_swipe_add(struct g_store *s, const struct g_userkey *k, const char *session_id,
		     int64_t seq, const struct g_message *m, int64_t *index, struct g_err *err);

/* text[0..len) appended to the current version of message seq (what
 * --continue records), its status becoming status unless NULL; 65 past
 * G_MESSAGE_MAX_BYTES. */
int g_chat_swipe_append_text(struct g_store *s, const struct g_userkey *k,
			     const char *session_id, int64_t seq, const char *text, size_t len,
			     const char *status, struct g_err *err);

/* A new message of n versions (v[0..n), all of one role), version current
 * its current one (a greeting and its alternates, a chat file's swipes):
 * *seq its number, as g_chat_log_append. 65 for n over G_CHAT_SWIPES_MAX
 * or a version that is not one a message may hold. */
int g_chat_swipe_append(struct g_store *s, const struct g_userkey *k, const char *session_id,
			const struct g_message *v, size_t n, size_t current, int64_t *seq,
			struct g_err *err);

#endif
