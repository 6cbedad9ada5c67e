/*
 * chat_log.h: a session's messages (DESIGN.md §4, §5).
 *
 * Messages are numbered by seq from 1 in the order they were written; a
 * deleted message leaves its number unused (later ones keep theirs, new
 * ones go after the highest). Each message keeps its speaker: the persona
 * that was active when it was written, with the name it had then (sealed),
 * so switching or renaming personas never rewrites history. Content and
 * the speaker's name are ciphertext, bound to the message's session, seq,
 * role, speaker kind and speaker id (vault.h): a row moved or altered with
 * the sqlite3 command fails to read (65). Reading the last N costs N rows,
 * whatever the length of the session.
 *
 * Writes join the caller's transaction; the session must be k's user's
 * (callers load it first with g_session_load, which checks that).
 */
#ifndef GUISE_CHATLOG_H
#define GUISE_CHATLOG_H
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "doc.h"
#include "fileio.h"
#include "session.h"

/* The most a message may hold. */
#define G_MESSAGE_MAX_BYTES ((size_t)4 << 20)

/* What a new message is made of; strings are borrowed. */
struct g_message {
	const char *role;    /* user, assistant, system */
	const char *content; /* len bytes, NUL bytes allowed */
	size_t len;
	const char *status;     /* complete (NULL too) or partial */
	const char *model;      /* NULL: none */
	int64_t input_tokens;   /* -1: unknown */
	int64_t output_tokens;  /* -1: unknown */
	const char *created_at; /* NULL: now */
	const struct g_speaker *speaker;
};

/* A message's text as a person types it: the whole of stdin, less one
 * trailing newline ("\n" or "\r\n", so `echo hi |` gives "hi"), NUL bytes
 * kept; 65 over G_MESSAGE_MAX_BYTES or not UTF-8. */
int g_chat_log_message_read_stdin(struct g_file *f, struct g_err *err);

/* Whether role and status are ones a message may have. */
int g_chat_log_message_role_valid(const char *role);
int g_chat_log_message_status_valid(const char *status);

/* Whether m is a message that may be stored: 65 for a bad role or status
 * or content over G_MESSAGE_MAX_BYTES. */
int g_chat_log_message_check(const struct g_message *m, struct g_err *err);

/* Message record n of input name ({role, content, status, model}, as
 * session-log show writes one) as a message whose strings are borrowed
 * from rec, the speaker left for the caller: a record without a role is
 * default_role's (NULL: the role is required). 65 naming the record and
 * the first field, in that order, that is not what a message holds. */
int g_chat_log_message_from_record(const json_t *rec, const char *name, long n,
				   const char *default_role, struct g_message *m,
				   struct g_err *err);

/* Append m to the session: *seq is its number. 65 for content over
 * G_MESSAGE_MAX_BYTES or a bad role or status. */
int g_chat_log_append(struct g_store *s, const struct g_userkey *k, const char *session_id,
		     const struct g_message *m, int64_t *seq, struct g_err *err);

/* The record of message seq (new reference): 66 when there is none. */
int g_chat_log_get(struct g_store *s, const struct g_userkey *k, const char *session_id,
		  int64_t seq, json_t **record, struct g_err *err);

/* Each message record in seq order, all of them (last 0) or the last
 * `last`: fn gets a record it may keep (json_incref) and returns non-zero
 * to stop. */
typedef int (*g_chat_log_fn)(json_t *record, void *arg);
/* A g_chat_log_fn appending to arg (an array) what a render's history
 * holds of a record: {role, content, name (the speaker's, which lore
 * scans), seq (which regenerate and continue name their message by)}. */
int g_chat_log_keep_brief(json_t *record, void *arg);
int g_chat_log_each(struct g_store *s, const struct g_userkey *k, const char *session_id,
		   int64_t last, g_chat_log_fn fn, void *arg, struct g_err *err);
/* The same for the messages before message number before only: the last
 * `last` of those (0: all), as many rows read. */
int g_chat_log_each_before(struct g_store *s, const struct g_userkey *k,
			   const char *session_id, int64_t before, int64_t last,
			   g_chat_log_fn fn, void *arg, struct g_err *err);

/* Each message record of the stream on in (named name in messages, read
 * as format: G_DOC_AUTO detects), each required to be a message with its
 * role (g_chat_log_message_from_record, 65 located), to fn, which returns
 * non-zero when memory fails. */
int g_chat_log_read_records(FILE *in, const char *name, enum g_doc_format format,
			    g_chat_log_fn fn, void *arg, struct g_err *err);

/* A message record as a transcript writes it, "Name: content\n": the name
 * System, the character's (assistant), else the speaker's or User; bytes
 * a terminal acts on made visible (text.h). NULL out of memory. */
char *g_chat_log_text(const json_t *record, const char *character_name, size_t *len);

/* New content for message seq (speaker, role and seq kept): 66 none. */
int g_chat_log_edit(struct g_store *s, const struct g_userkey *k, const char *session_id,
		   int64_t seq, const char *content, size_t len, struct g_err *err);

/* Delete message seq with all its versions (chat_swipe.h): 66 none. */
int g_chat_log_delete(struct g_store *s, const struct g_userkey *k, const char *session_id,
		     int64_t seq, struct g_err *err);

/* Lock session_id's row (g_db_lock) inside the caller's write
 * transaction, before reading what a write of its messages depends on
 * (the next seq, a message's swipe index and count): after the user's row
 * (db.h's lock order). */
int g_chat_log_lock(struct g_store *s, const char *session_id, struct g_err *err);

/* For chat_swipe.c, which keeps a message's other versions: the record of
 * message seq (its current version, every field opened) and its row id;
 * 66 none. */
int g_chat_log_current(struct g_store *s, const struct g_userkey *k, const char *session_id,
		       int64_t seq, json_t **record, char id[G_UUID_LEN], struct g_err *err);
/* Message row id (seq, m's role as it is) becomes version m, swipe index
 * of count; m's created_at NULL: now. */
int g_chat_log_rewrite(struct g_store *s, const struct g_userkey *k, const char *session_id,
		       const char *id, int64_t seq, const struct g_message *m, int64_t index,
		       int64_t count, struct g_err *err);

#endif
