/*
 * chat_row.h: one version of a message as a row and as a record, for the
 * two places a version lives (chat_log.h, chat_swipe.h): the current one
 * in chat_messages, the others (its swipes) in chat_swipes. A version's
 * content and speaker name are sealed in format 2 (vault.h) and bound to
 * its place: in chat_messages to the session, seq, role, speaker kind and
 * id; in chat_swipes to the message's row, the swipe index, speaker kind
 * and id. A read selects either place with the same columns, in this
 * order, so one function makes the record of both.
 */
#ifndef GUISE_CHATROW_H
#define GUISE_CHATROW_H
#include <jansson.h>
#include <stdint.h>

#include "session.h"
#include "vault.h"

/* The columns of a current version (a chat_messages row). */
#define G_CHAT_ROW_COLUMNS                                                               \
	"id, seq, role, content, content_nonce, speaker_kind, speaker_id, speaker_name," \
	" speaker_name_nonce, status, model, input_tokens, output_tokens, created_at,"  \
	" swipe_index, swipe_count"
/* The same of another version: a chat_swipes row w joined with its
 * message m, then the message's row id. */
#define G_CHAT_SWIPE_COLUMNS                                                            \
	"w.id, m.seq, m.role, w.content, w.content_nonce, w.speaker_kind, w.speaker_id," \
	" w.speaker_name, w.speaker_name_nonce, w.status, w.model, w.input_tokens,"     \
	" w.output_tokens, w.created_at, w.swipe_index, m.swipe_count, w.message_id"

/* Where a version's sealed fields go: its table, row id and binds (the
 * strings bind points at are in the struct or borrowed, see below). */
struct g_chat_place {
	const char *table;
	char id[G_UUID_LEN];
	char number[24]; /* the seq or the swipe index, as decimal text */
	const char *bind[G_VAULT_BINDS_MAX];
	int speaker_at; /* bind[speaker_at]: the speaker kind, then its id */
};

/* The place of a current version (chat_messages): strings borrowed. */
void g_chat_place_message(struct g_chat_place *p, const char *row_id, const char *session_id,
			  int64_t seq, const char *role, const char *kind, const char *speaker_id);
/* The place of another version (chat_swipes): strings borrowed. */
void g_chat_place_swipe(struct g_chat_place *p, const char *row_id, const char *message_id,
			int64_t index, const char *kind, const char *speaker_id);

/* The message record (DESIGN.md §4) of the row at st, selected with
 * G_CHAT_ROW_COLUMNS (swipe 0) or G_CHAT_SWIPE_COLUMNS (swipe 1), its
 * fields opened: NULL with err (65 a field that fails). */
json_t *g_chat_row_record(const struct g_userkey *k, const char *session_id, struct g_db_stmt *st,
			  int swipe, struct g_err *err);

/* A version to write, made of a record's fields (borrowed from record;
 * the speaker's name copied into sp, released by the caller). */
struct g_message;
int g_chat_row_version(const json_t *record, struct g_message *m, struct g_speaker *sp,
		       struct g_err *err);

/* m's content and speaker's name sealed for p (its speaker binds filled
 * from m first): both released by the caller, also on failure. */
int g_chat_row_seal(const struct g_userkey *k, struct g_chat_place *p, const struct g_message *m,
		    struct g_sealed *content, struct g_sealed *name, struct g_err *err);

/* The columns a write of a version lists, in this order, bound by
 * g_chat_row_bind from parameter idx on (G_CHAT_ROW_VERSION_PARAMS). */
#define G_CHAT_ROW_VERSION_COLUMNS                                                      \
	"content, content_nonce, speaker_kind, speaker_id, speaker_name,"               \
	" speaker_name_nonce, status, model, input_tokens, output_tokens, created_at"
#define G_CHAT_ROW_VERSION_PARAMS 11

/* Bind version m, its sealed content and speaker name, to parameters
 * idx on of st; now is created_at when m has none. All must outlive the
 * statement's step. */
void g_chat_row_bind(struct g_db_stmt *st, int idx, const struct g_message *m,
		     const struct g_sealed *content, const struct g_sealed *name, const char *now);

#endif
