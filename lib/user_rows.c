/* user_rows.c: a user's rows copied as they are into another store. */
#include "user_rows.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vault.h"

/* A plain column and how it is read and bound: text, integer, bytes. */
struct column {
	const char *name;
	char type; /* 't', 'i', 'b' */
};

/* A table's plain columns; its encrypted ones (and their nonces) come from
 * g_vault_tables, so a sealed column added there travels too. */
struct plan {
	const char *table;
	const struct column *plain; /* ends with a NULL name */
	const char *order;          /* the order rows go in (attach order, lists) */
};

#define CARD_PLAIN                                                                        \
	{ "id", 't' }, { "user_id", 't' }, { "spec", 't' }, { "spec_version", 't' },       \
	{ "created_at", 't' }, { "updated_at", 't' }, { "content_hash", 'b' }

static const struct column character_plain[] = { CARD_PLAIN, { NULL, 0 } };
static const struct column persona_plain[] = {
	CARD_PLAIN, { "position", 't' }, { "depth", 'i' }, { "role", 't' }, { NULL, 0 }
};
static const struct column session_plain[] = {
	{ "id", 't' }, { "user_id", 't' }, { "character_id", 't' }, { "settings", 't' },
	{ "history_limit", 'i' }, { "context_tokens", 'i' }, { "model_name", 't' },
	{ "created_at", 't' }, { "updated_at", 't' }, { "active_custom_persona_id", 't' },
	{ "active_impersonated_character_id", 't' }, { NULL, 0 }
};

/* a message's plain columns and its other versions' */
#define TURN_PLAIN                                                                        \
	{ "speaker_kind", 't' }, { "speaker_id", 't' }, { "status", 't' }, { "model", 't' }, \
	{ "input_tokens", 'i' }, { "output_tokens", 'i' }, { "created_at", 't' }

static const struct column message_plain[] = {
	{ "id", 't' }, { "session_id", 't' }, { "user_id", 't' }, { "seq", 'i' }, { "role", 't' },
	TURN_PLAIN, { "swipe_index", 'i' }, { "swipe_count", 'i' }, { NULL, 0 }
};
static const struct column swipe_plain[] = {
	{ "id", 't' }, { "message_id", 't' }, { "user_id", 't' }, { "swipe_index", 'i' },
	TURN_PLAIN, { NULL, 0 }
};
static const struct column book_plain[] = {
	{ "id", 't' }, { "user_id", 't' }, { "created_at", 't' }, { "updated_at", 't' },
	{ "content_hash", 'b' }, { NULL, 0 }
};
/* no id: the book names the row in a message */
static const struct column binding_plain[] = {
	{ "book_id", 't' }, { "user_id", 't' }, { "session_id", 't' }, { "persona_id", 't' },
	{ "character_id", 't' }, { "created_at", 't' }, { NULL, 0 }
};

/* Foreign keys first: a session needs its character and persona, a
 * message its session, a swipe its message, an attachment its book and
 * place. Tables without a rowid on every store order by their key. */
static const struct plan plans[] = {
	{ "characters", character_plain, "rowid" },
	{ "user_personas", persona_plain, "rowid" },
	{ "chat_sessions", session_plain, "rowid" },
	{ "chat_messages", message_plain, "session_id, seq" },
	{ "chat_swipes", swipe_plain, "message_id, swipe_index" },
	{ "lorebooks", book_plain, "rowid" },
	{ "lore_bindings", binding_plain, "rowid" },
};

#define MAX_COLUMNS 96
#define SQL_MAX 8192

/* A table's columns, plain then sealed pairs, and both statements' text. */
struct shape {
	const char *name[MAX_COLUMNS];
	char type[MAX_COLUMNS];
	char nonce[MAX_COLUMNS][64]; /* "<column>_nonce" for a sealed column */
	int n;
	char select[SQL_MAX], insert[SQL_MAX];
};

static const char *const *sealed_of(const char *table)
{
	const struct g_vault_table *t;

	for (t = g_vault_tables; t->name; t++)
		if (strcmp(t->name, table) == 0)
			return t->columns;
	return NULL;
}

static int add(struct shape *sh, const char *name, char type)
{
	if (sh->n >= MAX_COLUMNS)
		return -1;
	sh->name[sh->n] = name;
	sh->type[sh->n++] = type;
	return 0;
}

/* Append printf text to buf (SQL_MAX); -1 when it would not fit. */
__attribute__((format(printf, 3, 4))) static int append(char *buf, size_t *at,
							 const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(buf + *at, SQL_MAX - *at, fmt, ap);
	va_end(ap);

	if (w < 0 || (size_t)w >= SQL_MAX - *at)
		return -1;
	*at += (size_t)w;
	return 0;
}

static int shape_of(const struct plan *p, struct shape *sh, struct g_err *err)
{
	const char *const *sealed = sealed_of(p->table);
	const struct column *c;
	size_t s = 0, i = 0;
	int j, bad = 0;

	sh->n = 0;
	for (c = p->plain; c->name && !bad; c++)
		bad = add(sh, c->name, c->type);
	for (; sealed && *sealed && !bad; sealed++) {
		bad = add(sh, *sealed, 'b');
		if (!bad) {
			snprintf(sh->nonce[sh->n], sizeof(sh->nonce[0]), "%s_nonce", *sealed);
			bad = add(sh, sh->nonce[sh->n], 'b');
		}
	}
	bad = bad || append(sh->select, &s, "SELECT ") ||
	      append(sh->insert, &i, "INSERT INTO %s (", p->table);
	for (j = 0; j < sh->n && !bad; j++)
		bad = append(sh->select, &s, "%s%s", j ? ", " : "", sh->name[j]) ||
		      append(sh->insert, &i, "%s%s", j ? ", " : "", sh->name[j]);
	bad = bad || append(sh->select, &s, " FROM %s WHERE user_id = ?1 ORDER BY %s", p->table,
			    p->order) ||
	      append(sh->insert, &i, ") VALUES (");
	for (j = 0; j < sh->n && !bad; j++)
		bad = append(sh->insert, &i, "%s?%d", j ? ", " : "", j + 1);
	if (bad || append(sh->insert, &i, ")") < 0)
		return g_err_set(err, G_EX_SOFTWARE, "%s: too many columns to copy", p->table);
	return 0;
}

/* Column j of the row in sel, bound to parameter j + 1 of ins as read. */
static void bind_as_read(const struct shape *sh, int j, struct g_db_stmt *sel,
			 struct g_db_stmt *ins)
{
	if (g_db_column_is_null(sel, j)) {
		g_db_bind_null(ins, j + 1);
	} else if (sh->type[j] == 'i') {
		g_db_bind_int64(ins, j + 1, g_db_column_int64(sel, j));
	} else if (sh->type[j] == 't') {
		g_db_bind_text(ins, j + 1, g_db_column_text(sel, j), g_db_column_bytes(sel, j));
	} else {
		const void *b = g_db_column_blob(sel, j);

		/* an empty value is not SQL NULL */
		g_db_bind_blob(ins, j + 1, b ? b : "", g_db_column_bytes(sel, j));
	}
}

static long copy_table(struct g_store *from, struct g_store *to, const struct plan *p,
		       const char *user_id, struct shape *sh, struct g_err *err)
{
	struct g_db_stmt *sel = NULL, *ins = NULL;
	long rows = 0;
	int rc, j;

	if (shape_of(p, sh, err) < 0)
		return -1;
	rc = g_db_prepare(from->db, sh->select, &sel);
	if (rc != G_DB_OK)
		return g_store_error(from, rc, "reading the user's rows", err);
	rc = g_db_prepare(to->db, sh->insert, &ins);
	if (rc != G_DB_OK) {
		g_db_finalize(sel);
		return g_store_error(to, rc, "writing the user's rows", err);
	}
	g_db_bind_str(sel, 1, user_id);
	while (rows >= 0 && (rc = g_db_step(sel)) == G_DB_ROW) {
		for (j = 0; j < sh->n; j++)
			bind_as_read(sh, j, sel, ins);
		rc = g_db_step(ins);
		if (rc != G_DB_DONE) {
			/* the target's words (65 for a row it refuses), and which row */
			g_store_error(to, rc, NULL, err);
			g_err_prefix(err, "%s '%s'", p->table, g_db_column_text(sel, 0));
			rows = -1;
		}
		g_db_reset(ins);
		g_db_clear_bindings(ins);
		rows += rows >= 0;
	}
	if (rows >= 0 && rc != G_DB_DONE)
		rows = g_store_error(from, rc, "reading the user's rows", err);
	g_db_finalize(ins);
	g_db_finalize(sel);
	return rows;
}

long g_user_rows_copy(struct g_store *from, struct g_store *to, const char *user_id,
		      g_user_rows_fn *fn, void *arg, struct g_err *err)
{
	struct shape *sh = malloc(sizeof(*sh)); /* large: one, reused */
	long total = 0, rows = 0;
	size_t i;

	if (!sh)
		return g_err_oom(err);
	for (i = 0; i < sizeof(plans) / sizeof(*plans) && rows >= 0; i++) {
		struct g_user_rows_table t;

		rows = copy_table(from, to, &plans[i], user_id, sh, err);
		if (rows < 0)
			break;
		t.table = plans[i].table;
		t.rows = rows;
		t.columns = sh->n;
		if (fn)
			fn(&t, arg);
		total += rows;
	}
	free(sh);
	return rows < 0 ? -1 : total;
}
