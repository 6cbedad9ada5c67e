/*
 * chat_import.h: a SillyTavern chat file (st_chat.h) into a new session.
 *
 * The session is with the character named (else the one the file's header
 * names) and binds a persona as `session-bind new` does. Its messages keep
 * the file's order and text; a user message's speaker is the bound persona
 * under the name the file gives it, any other's the bound persona as it
 * is. Everything joins the caller's transaction, so a file that fails part
 * way stores nothing.
 */
#ifndef GUISE_CHATIMPORT_H
#define GUISE_CHATIMPORT_H

#include "doc.h"
#include "session.h"

/* The largest chat file read (it is read whole before the transaction
 * opens, so that no other writer waits on a slow pipe). */
#define G_CHAT_MAX_BYTES ((size_t)256 << 20)

struct g_chat_import {
	const char *character_ref; /* NULL: the header's character_name */
	const char *persona_ref, *impersonate_ref;
	int no_persona;
	const char *title;
};

/* Read r (named name) into a new session: its id in id. 65 located for a
 * malformed file, 66 for a character, persona or default not found. */
int g_chat_import_run(struct g_store *s, const struct g_userkey *k, const struct g_user *u,
		     struct g_doc_reader *r, const char *name, const struct g_chat_import *o,
		     char id[G_UUID_LEN], struct g_err *err);

#endif
