/* card_store.c: cards into the store by import policy, or by hand. */
#include "card_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro_swap.h"
#include "ref.h"
#include "session.h"
#include "timestamp.h"

static void card_release(struct g_card_store_card *c)
{
	json_decref(c->card);
	c->card = NULL;
	c->row.card = NULL;
}

static int card_init(struct g_card_store_card *c, const struct g_card_item *item, int as_persona,
		     int swap_macros, struct g_err *err)
{
	memset(c, 0, sizeof(*c));
	c->where = item->where;
	c->make_default = item->is_default;
	c->row.kind = (as_persona || item->from_backup) ? G_PERSONA : G_CHARACTER;
	/* a copy only when it is changed: a large card is not held twice */
	c->card = (swap_macros || (c->row.kind == G_PERSONA && !item->from_backup))
			  ? json_deep_copy(item->card)
			  : json_incref(item->card);
	if (!c->card)
		return g_err_oom(err);
	c->row.place = item->from_backup ? item->place : g_placement_default;
	if (c->row.kind == G_PERSONA && !item->from_backup)
		g_placement_take(c->card, &c->row.place);
	if (swap_macros && g_macro_swap_json(json_object_get(c->card, "data")) < 0) {
		card_release(c);
		return g_err_oom(err);
	}
	c->row.card = c->card;
	c->row.origin = item->origin;
	c->row.raw = item->raw;
	c->row.raw_len = item->raw_len;
	c->row.avatar = item->avatar;
	c->row.avatar_len = item->avatar_len;
	return 0;
}

struct g_card_store_card *g_card_store_cards_new(const struct g_card_item *items, size_t n,
						 int as_persona, int swap_macros,
						 struct g_err *err)
{
	struct g_card_store_card *cards = calloc(n, sizeof(*cards));
	size_t i;

	if (!cards)
		return g_err_oom(err), NULL;
	for (i = 0; i < n; i++)
		if (card_init(&cards[i], &items[i], as_persona, swap_macros, err) < 0) {
			g_card_store_cards_free(cards, i);
			return NULL;
		}
	return cards;
}

void g_card_store_cards_free(struct g_card_store_card *cards, size_t n)
{
	size_t i;

	for (i = 0; cards && i < n; i++)
		card_release(&cards[i]);
	free(cards);
}

const char *g_card_store_name(const json_t *card)
{
	const char *name = json_string_value(json_object_get(json_object_get(card, "data"), "name"));

	return name ? name : "";
}

int g_card_store_init(struct g_card_store *cs, struct g_context *ctx,
		      enum g_card_store_conflict on_conflict, long batch, struct g_err *err)
{
	memset(cs, 0, sizeof(*cs));
	cs->ctx = ctx;
	cs->on_conflict = on_conflict;
	cs->batch = batch;
	/* decrypting every name is not worth it for new */
	if (on_conflict != G_CARD_STORE_NEW && !(cs->names = g_card_names_new()))
		return g_err_oom(err);
	return 0;
}

/* An open batch undone, and what was learnt of its rows forgotten. */
static void rollback(struct g_card_store *cs)
{
	if (!cs->in_tx)
		return;
	cs->in_tx = 0;
	g_store_rollback(cs->ctx->store);
	if (cs->names)
		g_card_names_clear(cs->names);
}

void g_card_store_release(struct g_card_store *cs)
{
	rollback(cs);
	g_card_names_free(cs->names);
	cs->names = NULL;
}

static int begin(struct g_card_store *cs, struct g_err *err)
{
	if (g_context_begin(cs->ctx, err) < 0)
		return -1;
	if (cs->names && g_card_names_refresh(cs->names, cs->ctx->store, &cs->ctx->key, err) < 0) {
		g_store_rollback(cs->ctx->store);
		return -1;
	}
	cs->in_tx = 1;
	cs->in_batch = 0;
	cs->began_ms = g_timestamp_ms();
	return 0;
}

int g_card_store_due(const struct g_card_store *cs, size_t n)
{
	if (!cs->in_tx)
		return 0;
	if (n > 0)
		return cs->in_batch > 0 && cs->in_batch + (long)n > cs->batch;
	return cs->in_batch >= cs->batch || g_timestamp_ms() - cs->began_ms >= G_CARD_STORE_BATCH_MS;
}

int g_card_store_commit(struct g_card_store *cs, struct g_err *err)
{
	if (!cs->in_tx)
		return 0;
	cs->in_tx = 0;
	if (g_store_commit(cs->ctx->store, err) == 0)
		return 0;
	g_store_rollback(cs->ctx->store);
	if (cs->names) /* it may have learnt rows that are not there */
		g_card_names_clear(cs->names);
	return -1;
}

/* Store one card, or find it stored: c->status and c->id say which. */
static int store_card(struct g_card_store *cs, struct g_card_store_card *c, struct g_err *err)
{
	struct g_store *s = cs->ctx->store;
	const struct g_userkey *k = &cs->ctx->key;
	unsigned char hash[G_HASH_BYTES];
	const json_t *same = NULL;
	int found;

	c->id[0] = '\0';
	c->status = "created";
	if (g_card_row_hash(k, &c->row, hash, err) < 0)
		return -1;
	found = g_card_row_find_hash(s, k, &c->row, hash, c->id, err);
	if (found != 0) {
		c->status = "unchanged";
		return found < 0 ? -1 : 0;
	}
	if (cs->names)
		same = g_card_names_ids(cs->names, c->row.kind, g_card_store_name(c->card));
	if (json_array_size(same) && cs->on_conflict == G_CARD_STORE_SKIP) {
		snprintf(c->id, G_UUID_LEN, "%s", json_string_value(json_array_get(same, 0)));
		c->status = "skipped";
		return 0;
	}
	if (json_array_size(same) && cs->on_conflict == G_CARD_STORE_REPLACE) {
		if (json_array_size(same) > 1)
			return g_err_set(err, G_EX_DATAERR,
					 "'%s': %zu %ss are called that: cannot tell which to replace",
					 c->where, json_array_size(same), g_cardkind_name(c->row.kind));
		snprintf(c->id, G_UUID_LEN, "%s", json_string_value(json_array_get(same, 0)));
		c->status = "updated";
		return g_card_row_replace(s, k, &c->row, hash, c->id, err);
	}
	return g_card_row_insert(s, k, &c->row, hash, c->id, err);
}

int g_card_store_group(struct g_card_store *cs, struct g_card_store_card *cards, size_t n,
		       g_card_store_fn fn, void *arg, struct g_err *err)
{
	struct g_store *s = cs->ctx->store;
	struct g_err ignored;
	size_t i;
	int rc = 0;

	if ((!cs->in_tx && begin(cs, err) < 0) || g_store_exec_kept(s, "SAVEPOINT card", err) < 0)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		rc = store_card(cs, &cards[i], err);
		if (rc == 0 && cards[i].make_default)
			rc = g_user_set_default_persona(s, &cs->ctx->user, cards[i].id, err);
		if (rc == 0 && fn)
			rc = fn(&cards[i], arg, err) ? -1 : 0;
	}
	if (rc == 0)
		rc = g_store_exec_kept(s, "RELEASE card", err);
	if (rc < 0) {
		g_store_exec(s, "ROLLBACK TO card", &ignored);
		g_store_exec(s, "RELEASE card", &ignored);
		return -1;
	}
	/* namesakes learnt only once the rows are there to stay in the
	 * transaction */
	for (i = 0; cs->names && i < n; i++)
		if (strcmp(cards[i].status, "created") == 0)
			g_card_names_add(cs->names, cards[i].row.kind, cards[i].id,
					 g_card_store_name(cards[i].card));
	cs->in_batch += (long)n;
	return 0;
}

int g_card_store_create(struct g_context *ctx, enum g_cardkind kind, const struct g_card_edit *e,
			const char *where, char id[G_UUID_LEN], struct g_err *err)
{
	struct g_card_row row = { kind, e->card, NULL, NULL, 0, NULL, 0, e->place };
	unsigned char hash[G_HASH_BYTES];
	int rc;

	if (kind == G_CHARACTER && e->make_default == 1)
		return g_err_set(err, G_EX_DATAERR, "'%s': default: only a persona can be the default",
				 where);
	/* hashed before the lock is taken: no one waits on it */
	if (g_card_row_hash(&ctx->key, &row, hash, err) < 0 || g_context_begin(ctx, err) < 0)
		return -1;
	rc = g_card_row_insert(ctx->store, &ctx->key, &row, hash, id, err);
	if (rc == 0 && kind == G_PERSONA && e->make_default == 1)
		rc = g_user_set_default_persona(ctx->store, &ctx->user, id, err);
	return g_context_end(ctx, rc, err);
}

static int same_place(const json_t *record, const struct g_placement *place)
{
	const char *position = json_string_value(json_object_get(record, "position"));
	const char *role = json_string_value(json_object_get(record, "role"));

	return position && role && strcmp(position, place->position) == 0 &&
	       strcmp(role, place->role) == 0 &&
	       json_integer_value(json_object_get(record, "depth")) == place->depth;
}

/* The read-modify-write of an update, inside the transaction: the row
 * read is the row patched. */
static int patch_row(struct g_context *ctx, int kinds, const char *ref, const json_t *patch,
		     const char *where, enum g_cardkind *kind, char id[G_UUID_LEN],
		     struct g_card_edit *e, const char **status, struct g_err *err)
{
	struct g_blob avatar = { 0 }, raw = { 0 };
	unsigned char hash[G_HASH_BYTES];
	json_t *record = NULL, *old = NULL;
	int rc;

	rc = g_ref_resolve(ctx->store, &ctx->key, kinds, ref, kind, id, err) < 0 ||
			     g_card_row_load(ctx->store, &ctx->key, *kind, id, &record, &avatar,
					     &raw, err) < 0
		     ? -1
		     : 0;
	if (rc == 0)
		rc = g_card_edit_update(record, patch, *kind, where, e, err);
	if (rc == 0 && !(old = g_card_row_card(record)))
		rc = g_err_oom(err);
	*status = "updated";
	if (rc == 0 && json_equal(old, e->card) &&
	    (*kind != G_PERSONA || same_place(record, &e->place)))
		*status = "unchanged";
	else if (rc == 0) {
		struct g_card_row row = { *kind, e->card, json_object_get(record, "origin"),
					  raw.data, raw.len, avatar.data, avatar.len, e->place };

		if (json_is_null(row.origin))
			row.origin = NULL;
		rc = g_card_row_hash(&ctx->key, &row, hash, err);
		if (rc == 0)
			rc = g_card_row_replace(ctx->store, &ctx->key, &row, hash, id, err);
	}
	json_decref(old);
	json_decref(record);
	free(avatar.data);
	free(raw.data);
	return rc;
}

int g_card_store_update(struct g_context *ctx, int kinds, const char *ref, const json_t *patch,
			const char *where, enum g_cardkind *kind, char id[G_UUID_LEN],
			struct g_card_edit *e, const char **status, struct g_err *err)
{
	if (g_context_begin(ctx, err) < 0)
		return -1;
	return g_context_end(ctx, patch_row(ctx, kinds, ref, patch, where, kind, id, e, status, err),
			     err);
}

int g_card_store_delete(struct g_context *ctx, int kinds, const char *ref, int cascade,
			enum g_cardkind *kind, char id[G_UUID_LEN], json_t **record,
			int64_t *unbound, int64_t *deleted, struct g_err *err)
{
	int rc;

	*record = NULL;
	if (g_context_begin(ctx, err) < 0)
		return -1;
	rc = g_ref_resolve(ctx->store, &ctx->key, kinds, ref, kind, id, err);
	if (rc == 0)
		rc = g_card_row_load(ctx->store, &ctx->key, *kind, id, record, NULL, NULL, err);
	if (rc == 0)
		rc = g_session_drop_card(ctx->store, &ctx->key, *kind, id,
					 json_string_value(json_object_get(*record, "name")), cascade,
					 unbound, deleted, err);
	return g_context_end(ctx, rc, err);
}

int g_card_store_set_default(struct g_context *ctx, const char *ref, char id[G_UUID_LEN],
			     struct g_err *err)
{
	enum g_cardkind kind;

	if (g_ref_resolve(ctx->store, &ctx->key, G_REF_CHARACTERS | G_REF_PERSONAS, ref, &kind, id,
			  err) < 0)
		return -1;
	if (kind != G_PERSONA)
		return g_err_set(err, G_EX_DATAERR,
				 "'%s' is a character: only a persona can be the default", ref);
	if (g_context_begin(ctx, err) < 0)
		return -1;
	return g_context_end(ctx, g_user_set_default_persona(ctx->store, &ctx->user, id, err), err);
}

int g_card_store_clear_default(struct g_context *ctx, char id[G_UUID_LEN], struct g_err *err)
{
	int had;

	if (g_context_begin(ctx, err) < 0)
		return -1;
	had = g_user_default_persona(ctx->store, &ctx->user, id, err);
	if (had > 0 && g_user_set_default_persona(ctx->store, &ctx->user, NULL, err) < 0)
		had = -1;
	if (g_context_end(ctx, had < 0 ? -1 : 0, err) < 0)
		return -1;
	return had;
}
