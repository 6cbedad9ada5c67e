/* lore_edit.c: a card's book to import, a patch on a stored book, a
 * book's record (lore_edit.h). */
#include "lore_edit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card_edit.h"
#include "card_row.h"
#include "lore_convert.h"
#include "lore_import.h"
#include "ref.h"
#include "session.h"

int g_lore_edit_from_card(struct g_store *s, const struct g_userkey *k, const char *ref,
			  const char *name, json_t **out, char *source, size_t source_size,
			  struct g_err *err)
{
	enum g_cardkind kind;
	char id[G_UUID_LEN];
	json_t *record, *card;
	int rc;

	*out = NULL;
	if (g_ref_resolve(s, k, G_REF_CHARACTERS | G_REF_PERSONAS, ref, &kind, id, err) < 0 ||
	    g_card_row_load(s, k, kind, id, &record, NULL, NULL, err) < 0)
		return -1;
	card = g_card_row_card(record);
	json_decref(record);
	if (!card)
		return g_err_oom(err);
	snprintf(source, source_size, "%s:%s", g_cardkind_name(kind), id);
	if (!json_is_object(json_object_get(json_object_get(card, "data"), "character_book")))
		rc = g_err_set(err, G_EX_DATAERR, "%s '%s' has no character_book",
			       g_cardkind_name(kind), ref);
	else
		rc = g_lore_import_book(card, source, name, out, err);
	json_decref(card);
	return rc;
}

int g_lore_edit_patch(struct g_store *s, const struct g_userkey *k, const char *ref,
		      const json_t *patch, const char *where, char id[G_UUID_LEN], json_t **book,
		      const char **status, struct g_err *err)
{
	struct g_lore_row r;
	const json_t *name;
	json_t *patched;
	int rc;

	*status = "updated";
	if (g_lore_store_resolve(s, k, ref, id, err) < 0 || g_lore_store_load(s, k, id, &r, err) < 0)
		return -1;
	patched = json_deep_copy(r.book);

	/* patched, then V3 again: entries patched in World Info's shape are
	 * stored as V3 entries, as an import stores them */
	if (!patched || g_card_edit_merge_patch(patched, patch) < 0)
		rc = g_err_oom(err);
	else if (!(*book = g_lore_convert_to_v3(patched, where, err)))
		rc = -1;
	else if (!json_is_string(name = json_object_get(*book, "name")) ||
		 json_string_length(name) == 0)
		rc = g_err_set(err, G_EX_DATAERR, "'%s': name: a book needs a name", where);
	else
		rc = g_lore_import_check(*book, where, err);
	if (rc == 0 && json_equal(*book, r.book))
		*status = "unchanged";
	else if (rc == 0)
		rc = g_lore_store_replace(s, k, id, *book, err);
	json_decref(patched);
	g_lore_row_release(&r);
	return rc;
}

json_t *g_lore_edit_record(struct g_store *s, const struct g_userkey *k,
			   const struct g_lore_row *r, int full, struct g_err *err)
{
	json_t *attached = g_lore_store_attachments(s, k, r->id, err), *rec;

	if (!attached)
		return NULL;
	rec = json_pack("{s:s, s:s, s:s%, s:I, s:o, s:s, s:s}", "kind", "lorebook", "id", r->id,
			"name", r->name, strlen(r->name), "entries",
			(json_int_t)json_array_size(json_object_get(r->book, "entries")),
			"attached", attached, "created_at", r->created_at, "updated_at",
			r->updated_at);
	if (rec && full)
		json_object_set(rec, "book", r->book);
	if (!rec)
		g_err_oom(err);
	return rec;
}

int g_lore_edit_target(struct g_store *s, const struct g_userkey *k, enum g_lore_target t,
		       const char *ref, char id[G_UUID_LEN], struct g_err *err)
{
	enum g_cardkind kind;

	switch (t) {
	case G_LORE_TO_SESSION:
		return g_session_resolve(s, k, ref, id, err);
	case G_LORE_TO_PERSONA:
	case G_LORE_TO_CHARACTER:
		return g_ref_resolve(s, k, t == G_LORE_TO_PERSONA ? G_REF_PERSONAS : G_REF_CHARACTERS,
				     ref, &kind, id, err);
	case G_LORE_TO_GLOBAL:
		break;
	}
	return 0;
}

int g_lore_edit_set(json_t *patch, const char *arg, int clear, struct g_err *err)
{
	const char *eq = clear ? NULL : strchr(arg, '=');
	json_t *v;
	char *key;

	if (!clear && (!eq || eq == arg))
		return g_err_set(err, G_EX_USAGE, "--set '%s': expected KEY=VALUE", arg);
	key = clear ? strdup(arg) : strndup(arg, (size_t)(eq - arg));
	if (!key)
		return g_err_oom(err);
	v = clear ? json_null() : json_loads(eq + 1, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, NULL);
	if (!v)
		v = json_string(eq + 1);
	if (!v || json_object_set_new(patch, key, v) < 0) {
		free(key);
		return g_err_set(err, G_EX_USAGE, "--set '%s': not UTF-8", arg);
	}
	free(key);
	return 0;
}
