/*
 * session_edit.h: sessions made and changed from what a user names (the
 * work of session-bind): a character, a persona or a character to be, a
 * greeting, settings. Names are resolved here (ref.h, g_session_resolve);
 * each change is one transaction of the context (g_context_begin/end, so
 * -n rolls it back) and hands back the record to print, built inside it:
 * the caller prints it after the commit. Records are new references;
 * errors as the session.h functions under them.
 */
#ifndef GUISE_SESSION_EDIT_H
#define GUISE_SESSION_EDIT_H

#include <jansson.h>

#include "context.h"
#include "session.h"

/* The greeting a new session starts with, from its character's record:
 * index 0 the first_mes, N the Nth of alternate_greetings. *text is NULL
 * for none: an empty first_mes that was not asked for. 65 when the one
 * asked for is missing (asked: index 0 named on purpose). */
int g_session_edit_greeting(const json_t *character, long index, int asked,
			    const json_t **text, struct g_err *err);

/* What a new session is asked to be. */
struct g_session_edit_spec {
	const char *character;              /* a name or id */
	const char *persona, *impersonate;  /* at most one, as */
	int no_persona;                     /* g_session_pick_persona */
	int no_greeting;                    /* start with no message */
	long greeting;                      /* as g_session_edit_greeting */
	int greeting_asked;
	const char *title;                  /* NULL: none */
	char *const *sets;                  /* KEY=VALUE, as g_settings_assign */
	int nsets;
};

/* A new session as spec asks, its greeting the first message. */
int g_session_edit_start(struct g_context *c, const struct g_session_edit_spec *spec,
			 json_t **record, struct g_err *err);

/* Make card_ref (a persona for CUSTOM, a character for IMPERSONATED,
 * ignored for NONE: cleared) the active persona of session_ref. */
int g_session_edit_bind(struct g_context *c, const char *session_ref, enum g_persona_kind kind,
			const char *card_ref, json_t **record, struct g_err *err);

/* Assign sets[0..n) to session_ref's settings (g_settings_assign). */
int g_session_edit_set(struct g_context *c, const char *session_ref, char *const *sets, int n,
		       json_t **record, struct g_err *err);

/* The card record of session_ref's active persona (a persona or an
 * impersonated character), {"kind": "none"} without one. No transaction. */
int g_session_edit_persona_record(struct g_context *c, const char *session_ref,
				  json_t **record, struct g_err *err);

/* Delete session_ref with its messages; *record says how many went (NULL
 * if memory fails: the session is gone all the same). */
int g_session_edit_delete(struct g_context *c, const char *session_ref, json_t **record,
			  struct g_err *err);

#endif
