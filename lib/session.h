/*
 * session.h: chat sessions and their active persona (DESIGN.md §1, §4, §5).
 *
 * A session is with one character and has at most one active persona: a
 * custom persona, one of the user's characters impersonated (never the
 * session's own), or none. The store's CHECKs and triggers refuse a row
 * that breaks these rules; a row forced past them anyway (triggers
 * dropped, CHECKs ignored) is refused again when it is read: 77, and
 * nothing of it is decrypted. Its character and active persona are bound
 * into a sealed binding (vault.h) that every write of them re-seals, so a
 * row pointed elsewhere with the sqlite3 command fails to load (65).
 *
 * struct g_session is filled by g_session_load and emptied by
 * g_session_release; its strings are malloc'ed copies. Writes join the
 * caller's transaction. Rows are always looked up with their owner, so
 * another user's session is "not found", word for word.
 */
#ifndef GUISE_SESSION_H
#define GUISE_SESSION_H
#include <jansson.h>
#include <stdint.h>

#include "card_row.h"
#include "userkey.h"
#include "store.h"
#include "timestamp.h"
#include "user.h"

enum g_persona_kind { G_PERSONA_NONE, G_PERSONA_CUSTOM, G_PERSONA_IMPERSONATED };

/* "none", "custom", "impersonated" */
const char *g_session_persona_kind_name(enum g_persona_kind kind);

/* Who speaks for the user: a binding and the name it had when read. */
struct g_speaker {
	enum g_persona_kind kind;
	char id[G_UUID_LEN]; /* "" for none */
	char *name;          /* NULL for none */
};

void g_session_speaker_release(struct g_speaker *sp);
/* {kind, id, name}, nulls for none. New reference. */
json_t *g_session_speaker_record(const struct g_speaker *sp);

/* The name of k's user's persona (custom) or character (impersonated) id
 * into sp: 66 when the user has no such row. */
int g_session_speaker_load(struct g_store *s, const struct g_userkey *k, enum g_persona_kind kind,
		   const char *id, struct g_speaker *sp, struct g_err *err);

struct g_session {
	char id[G_UUID_LEN];
	char character_id[G_UUID_LEN];
	char *character_name;
	char *title; /* NULL: none */
	struct g_speaker persona;
	json_t *settings; /* every key of settings.h, null when unset */
	char created_at[G_TIMESTAMP_LEN];
	char updated_at[G_TIMESTAMP_LEN];
};

void g_session_release(struct g_session *ss);

/* A session named by id, unique id prefix (4 or more characters) or title
 * (exact, ASCII case folded): 66 none, 65 several. */
int g_session_resolve(struct g_store *s, const struct g_userkey *k, const char *ref,
		      char id[G_UUID_LEN], struct g_err *err);

/* Session id of k's user, decrypted: 66 none, 77 a row that binds what it
 * may not, 65 a field that fails to open. */
int g_session_load(struct g_store *s, const struct g_userkey *k, const char *id,
		   struct g_session *out, struct g_err *err);

/* The session ref names (g_session_resolve), loaded (g_session_load). */
int g_session_load_ref(struct g_store *s, const struct g_userkey *k, const char *ref,
		       struct g_session *out, struct g_err *err);

/* The count of a session's messages, or -1 with err set. */
int64_t g_session_messages(struct g_store *s, const char *id, struct g_err *err);

/* The session record of §4. New reference, NULL if memory fails. */
json_t *g_session_record(const struct g_session *ss, int64_t messages);

/* The persona a new session binds: the persona named persona_ref, the
 * character named impersonate_ref, none (none set), or else the user's
 * default persona as it is now (a copy of the binding: changing the
 * default later changes no existing session). At most one is given. */
int g_session_pick_persona(struct g_store *s, const struct g_userkey *k, const struct g_user *u,
			   const char *persona_ref, const char *impersonate_ref, int none,
			   enum g_persona_kind *kind, char id[G_UUID_LEN], struct g_err *err);

/* The record of session id: load, count and record in one (new reference
 * in *record). Errors as g_session_load. */
int g_session_record_of(struct g_store *s, const struct g_userkey *k, const char *id,
			json_t **record, struct g_err *err);

/* A new session with character_id, bound to persona (kind NONE: none),
 * title (NULL: none) and settings (as g_settings_new makes them). 65 when
 * it would impersonate its own character. */
int g_session_insert(struct g_store *s, const struct g_userkey *k, const char *character_id,
		     enum g_persona_kind kind, const char *persona_id, const char *title,
		     const json_t *settings, char id[G_UUID_LEN], struct g_err *err);

/* Make persona the session's active persona (kind NONE: clear it). */
int g_session_bind(struct g_store *s, const struct g_userkey *k, const struct g_session *ss,
		   enum g_persona_kind kind, const char *persona_id, struct g_err *err);

/* Store settings (every key) as the session's. */
int g_session_store_settings(struct g_store *s, const struct g_userkey *k, const char *id,
			     const json_t *settings, struct g_err *err);

/* Delete the session and its messages. */
int g_session_delete(struct g_store *s, const struct g_userkey *k, const char *id,
		     struct g_err *err);

/* Each session id of k's user (of character_id only, unless NULL), oldest
 * first; fn returns non-zero to stop. */
int g_session_each(struct g_store *s, const struct g_userkey *k, const char *character_id,
		   int (*fn)(const char *id, void *arg), void *arg, struct g_err *err);

/* Delete k's user's character or persona id (named name, for messages)
 * and settle its sessions, in the caller's transaction: sessions whose
 * active persona it was lose it (*unbound counts them); a character's own
 * sessions are refused (65) unless cascade, which deletes them with their
 * messages (*deleted counts them). */
int g_session_drop_card(struct g_store *s, const struct g_userkey *k, enum g_cardkind kind,
			const char *id, const char *name, int cascade, int64_t *unbound,
			int64_t *deleted, struct g_err *err);

/* How many of k's user's sessions have column = id (a plain column name
 * of chat_sessions: character_id, active_custom_persona_id or
 * active_impersonated_character_id); -1 with err set. */
int64_t g_session_count_using(struct g_store *s, const struct g_userkey *k, const char *column,
			      const char *id, struct g_err *err);

#endif
