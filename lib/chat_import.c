/* chat_import.c: SillyTavern chat lines into a session's messages. */
#include "chat_import.h"

#include <stdlib.h>
#include <string.h>

#include "ref.h"
#include "chat_swipe.h"
#include "settings.h"
#include "st_chat.h"

/* The first record: the header (its character's name into *character),
 * or a message to be stored like the rest (*first kept). */
static int header(struct g_doc_reader *r, const char *name, json_t **first,
		  const char **character, struct g_err *err)
{
	const json_t *v;
	int rc = g_doc_read(r, first, err);

	*character = NULL;
	if (rc < 0)
		return -1;
	if (rc == 0)
		return g_err_set(err, G_EX_DATAERR, "'%s': no chat in it", name);
	if (!g_st_chat_is_header(*first))
		return 0;
	v = json_object_get(*first, "character_name");
	if (v && !json_is_string(v))
		return g_err_set(err, G_EX_DATAERR, "'%s': record 1: character_name: expected a string",
				 name);
	*character = json_string_value(v);
	return 0;
}

_Static_assert(G_ST_CHAT_SWIPES_MAX == G_CHAT_SWIPES_MAX, "a chat file's swipes fit a message");

/* One message of the file, stored, each of its swipes a version. */
static int store_line(struct g_store *s, const struct g_userkey *k, const char *session_id,
		      const struct g_speaker *bound, const json_t *line, const char *name, long n,
		      struct g_err *err)
{
	struct g_st_chat_message sm;
	struct g_st_chat_swipe *sw = NULL;
	struct g_message *v = NULL;
	size_t i, count;
	int64_t seq;
	int rc;

	if (g_st_chat_message(line, name, n, &sm, err) < 0)
		return -1;
	count = sm.swipes ? sm.nswipes : 1;
	if (!(v = calloc(count, sizeof(*v))) || !(sw = calloc(count, sizeof(*sw)))) {
		free(v);
		return g_err_oom(err);
	}
	for (i = 0; i < count; i++) {
		g_st_chat_swipe(&sm, sm.swipes ? i : sm.swipe_id, &sw[i]);
		v[i].role = sm.role;
		v[i].content = sw[i].content;
		v[i].len = sw[i].len;
		v[i].model = sw[i].model;
		v[i].input_tokens = v[i].output_tokens = -1;
		v[i].created_at = sw[i].created_at[0] ? sw[i].created_at : NULL;
		v[i].speaker = bound;
	}
	rc = g_chat_swipe_append(s, k, session_id, v, count, sm.swipe_id, &seq, err);
	if (rc < 0)
		g_err_prefix(err, "'%s': record %ld", name, n);
	free(v);
	free(sw);
	return rc;
}

int g_chat_import_run(struct g_store *s, const struct g_userkey *k, const struct g_user *u,
		     struct g_doc_reader *r, const char *name, const struct g_chat_import *o,
		     char id[G_UUID_LEN], struct g_err *err)
{
	json_t *first = NULL, *line, *settings = g_settings_new();
	const char *character;
	char character_id[G_UUID_LEN], persona_id[G_UUID_LEN];
	enum g_persona_kind kind;
	enum g_cardkind found;
	struct g_speaker bound = { 0 };
	long n = 1;
	int rc;

	if (!settings)
		return g_err_oom(err);
	rc = header(r, name, &first, &character, err);
	if (rc == 0 && !o->character_ref && !character)
		rc = g_err_set(err, G_EX_USAGE,
			       "'%s' names no character: give one with --character", name);
	if (rc == 0)
		rc = g_ref_resolve(s, k, G_REF_CHARACTERS,
				       o->character_ref ? o->character_ref : character, &found,
				       character_id, err);
	if (rc == 0)
		rc = g_session_pick_persona(s, k, u, o->persona_ref, o->impersonate_ref,
					    o->no_persona, &kind, persona_id, err);
	if (rc == 0)
		rc = g_session_speaker_load(s, k, kind, persona_id, &bound, err);
	if (rc == 0)
		rc = g_session_insert(s, k, character_id, kind, persona_id, o->title, settings, id,
				      err);
	if (rc == 0 && !g_st_chat_is_header(first))
		rc = store_line(s, k, id, &bound, first, name, n, err);
	while (rc == 0 && (rc = g_doc_read(r, &line, err)) > 0) {
		rc = store_line(s, k, id, &bound, line, name, ++n, err);
		json_decref(line);
	}
	json_decref(first);
	json_decref(settings);
	g_session_speaker_release(&bound);
	return rc < 0 ? -1 : 0;
}
