/*
 * chat_edit.h: a session's messages changed as session-log's verbs ask:
 * appended, edited, deleted, another version made current, or a SillyTavern chat file imported as a new
 * session. Each change that is a whole verb is one transaction of the
 * context (g_context_begin/end, so -n rolls it back) and hands back the
 * records to print, built inside it: the caller prints them after the
 * commit. Records are new references; errors as chat_log.h's.
 */
#ifndef GUISE_CHAT_EDIT_H
#define GUISE_CHAT_EDIT_H

#include <jansson.h>
#include <stdint.h>

#include "chat_import.h"
#include "chat_log.h"
#include "context.h"
#include "doc.h"

/* Append m inside the caller's transaction (a batch of appends shares
 * one); the message as stored is appended to pending. */
int g_chat_edit_append(struct g_context *c, const char *session_id, const struct g_message *m,
		       json_t *pending, struct g_err *err);

/* What was stored, once committed: out gets each record (the list is
 * emptied), and returns -1 with err set when it cannot write. */
typedef int (*g_chat_edit_out_fn)(json_t *rec, void *arg, struct g_err *err);
/* A record a batch passes over: told, with its error (65, located). */
typedef void (*g_chat_edit_bad_fn)(const struct g_err *err, void *arg);

/* Commit the transaction open since g_context_begin, then pending to out. */
int g_chat_edit_commit(struct g_context *c, json_t *pending, g_chat_edit_out_fn out, void *arg,
		       struct g_err *err);

/* Append each message record of r (a user's unless it says; spoken by
 * speaker) to session_id, committing every batch records and handing the
 * stored records to out after each commit. A record that is not a message
 * or that the store refuses as data goes to bad and the rest go on; a
 * stream that cannot be read further goes to bad and ends the batch. -1
 * for what stops it (memory, I/O, the store). */
int g_chat_edit_append_records(struct g_context *c, const char *session_id,
			       const struct g_speaker *speaker, struct g_doc_reader *r,
			       size_t batch, g_chat_edit_bad_fn bad, g_chat_edit_out_fn out,
			       void *arg, struct g_err *err);

/* Message seq's content becomes text[0..len); *record: the message as
 * stored. */
int g_chat_edit_text(struct g_context *c, const char *session_id, int64_t seq, const char *text,
		     size_t len, json_t **record, struct g_err *err);

/* Message seq's version index becomes its current one (chat_swipe.h);
 * *record: the message as stored. */
int g_chat_edit_swipe(struct g_context *c, const char *session_id, int64_t seq, int64_t index,
		      json_t **record, struct g_err *err);

/* Delete the messages numbered in seqs (a JSON array of integers), and
 * the last `last` ones when last > 0: all or none (one that is not there
 * deletes none, 66). *records: a {kind, session, seq, status} record for
 * each deleted message, in the order deleted. */
int g_chat_edit_delete(struct g_context *c, const char *session_id, json_t *seqs, long last,
		       json_t **records, struct g_err *err);

/* The SillyTavern chat file name ("-": stdin), read whole first so no
 * writer waits on a slow pipe, as a new session: *record is the session's
 * record. */
int g_chat_edit_import(struct g_context *c, const char *name, enum g_doc_format input,
		       const struct g_chat_import *o, json_t **record, struct g_err *err);

#endif
