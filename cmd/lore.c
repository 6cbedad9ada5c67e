/*
 * lore: a user's lorebooks (DESIGN.md §8 "Lore"): import (World Info,
 * character_book, a card's book), list, show, update (JSON Merge Patch),
 * delete, attach and detach (a session, a persona, a character, global),
 * export as World Info or V3. Books are read and shaped by lib/lore_import
 * and lib/lore_convert, stored by lib/lore_store; this is naming,
 * transactions and output.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lore_convert.h"
#include "lore_edit.h"
#include "lore_import.h"
#include "lore_store.h"
#include "msg.h"
#include "subcmd.h"

static const char synopsis[] =
	"usage: lore import [--name NAME] [FILE...|-]\n"
	"       lore import --from-card CARD [--name NAME]\n"
	"       lore list\n"
	"       lore show [--full] BOOK...\n"
	"       lore update BOOK [--set KEY=VALUE]... [--clear KEY]...\n"
	"       lore delete BOOK...\n"
	"       lore attach BOOK (--session S | --persona P | --character C | --global)\n"
	"       lore detach BOOK (--session S | --persona P | --character C | --global)\n"
	"       lore export [--format st|v3] BOOK\n"
	"options: -d DB  -u USER  -y  --pretty  --input json|yaml  -n  -q  -v  -h  -V\n";

static const enum g_opt own[] = { G_OPT_CHARACTER, G_OPT_CLEAR, G_OPT_FORMAT, G_OPT_FROM_CARD,
				  G_OPT_FULL, G_OPT_GLOBAL, G_OPT_NAME, G_OPT_PERSONA,
				  G_OPT_SESSION, G_OPT_SET };

#define BIT(code) G_OPT_BIT(G_OPT_##code)
#define TARGETS (BIT(SESSION) | BIT(PERSONA) | BIT(CHARACTER) | BIT(GLOBAL))

struct lore_cmd {
	struct g_subcmd c; /* first: the verbs get it back by a cast */
	json_t *patch;     /* --set and --clear, in order */
	const char *name, *from_card, *target;
	enum g_lore_target to;
	int st; /* --format st */
};

#define CTX(l) (&(l)->c.ctx)
#define STORE(l) ((l)->c.ctx.store)
#define KEY(l) (&(l)->c.ctx.key)

static json_t *summary(const char *id, const char *name, const char *status)
{
	return json_pack("{s:s, s:s, s:s, s:s}", "kind", "lorebook", "id", id, "name", name,
			 "status", status);
}

/* --- import ------------------------------------------------------------- */

static int store_book(struct lore_cmd *l, const json_t *book, const char *source,
		      struct g_err *err)
{
	const char *status = NULL;
	char id[G_UUID_LEN];
	json_t *rec;
	int rc;

	if (g_context_begin(CTX(l), err) < 0)
		return -1;
	rc = g_lore_store_import(STORE(l), KEY(l), book, source, id, &status, err);
	if (g_context_end(CTX(l), rc, err) < 0)
		return -1;
	rec = summary(id, json_string_value(json_object_get(book, "name")), status);
	if (rec)
		json_object_set_new(rec, "source", json_string(source));
	return g_subcmd_write(&l->c, rec, err);
}

static int import_file(struct lore_cmd *l, const char *file, struct g_err *err)
{
	json_t *doc, *book;
	int rc;

	if (g_lore_import_read(file, l->c.cli.input, &doc, err) < 0)
		return -1;
	rc = g_lore_import_book(doc, file, l->name, &book, err);
	json_decref(doc);
	if (rc < 0)
		return -1;
	rc = store_book(l, book, file, err);
	json_decref(book);
	return rc;
}

/* a copy of a stored character's or persona's own book */
static int import_card(struct lore_cmd *l, struct g_err *err)
{
	char source[64];
	json_t *book;
	int rc;

	if (g_lore_edit_from_card(STORE(l), KEY(l), l->from_card, l->name, &book, source,
				  sizeof(source), err) < 0)
		return -1;
	rc = store_book(l, book, source, err);
	json_decref(book);
	return rc;
}

static int run_import(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct lore_cmd *l = (struct lore_cmd *)c;
	char *dash[] = { (char *)"-" };
	int i;

	if (l->from_card) {
		if (n > 0)
			return g_err_set(err, G_EX_USAGE, "--from-card and files: give one");
		return import_card(l, err);
	}
	if (n == 0) {
		args = dash;
		n = 1;
	}
	for (i = 0; i < n; i++)
		if (import_file(l, args[i], err) < 0) {
			g_subcmd_failed(&l->c, err);
			if (err->code == G_EX_IOERR)
				break;
		}
	return 0;
}

/* --- list, show --------------------------------------------------------- */

static int write_one(struct lore_cmd *l, const char *id, int full, struct g_err *err)
{
	struct g_lore_row r;
	int rc;

	if (g_lore_store_load(STORE(l), KEY(l), id, &r, err) < 0)
		return -1;
	rc = g_subcmd_write(&l->c, g_lore_edit_record(STORE(l), KEY(l), &r, full, err), err);
	g_lore_row_release(&r);
	return rc;
}

static int run_list(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct lore_cmd *l = (struct lore_cmd *)c;
	json_t *ids = g_lore_store_ids(STORE(l), KEY(l), err), *id;
	size_t i;
	int rc = 0;

	(void)args;
	(void)n;
	if (!ids)
		return -1;
	json_array_foreach (ids, i, id)
		if (rc == 0)
			rc = write_one(l, json_string_value(id), 0, err);
	json_decref(ids);
	return rc;
}

static int run_show(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct lore_cmd *l = (struct lore_cmd *)c;
	json_t *ids = json_array(), *id;
	char one[G_UUID_LEN];
	size_t i;
	int rc = 0, a;

	if (!ids)
		return g_err_oom(err);
	/* all or nothing: every name found before anything is written */
	for (a = 0; a < n && rc == 0; a++)
		if ((rc = g_lore_store_resolve(STORE(l), KEY(l), args[a], one, err)) == 0)
			json_array_append_new(ids, json_string(one));
	json_array_foreach (ids, i, id)
		if (rc == 0)
			rc = write_one(l, json_string_value(id), !!(c->given & BIT(FULL)), err);
	json_decref(ids);
	return rc;
}

/* --- update, delete ----------------------------------------------------- */

static json_t *read_patch(struct lore_cmd *l, struct g_err *err)
{
	json_t *patch = NULL;

	if (l->c.given & (BIT(SET) | BIT(CLEAR)))
		return json_incref(l->patch);
	if (g_doc_read_one(stdin, "-", l->c.cli.input, "patch", &patch, err) == 0)
		g_err_set(err, G_EX_DATAERR, "'-': no patch on stdin");
	return patch;
}

static int run_update(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct lore_cmd *l = (struct lore_cmd *)c;
	const char *status = "updated";
	char id[G_UUID_LEN];
	json_t *patch, *book = NULL;
	int rc;

	(void)n;
	/* stdin is read before the lock is taken */
	if (!(patch = read_patch(l, err)))
		return -1;
	if (!json_is_object(patch))
		rc = g_err_set(err, G_EX_DATAERR, "'-': a patch is an object");
	else if ((rc = g_context_begin(CTX(l), err)) == 0)
		rc = g_context_end(CTX(l),
				   g_lore_edit_patch(STORE(l), KEY(l), args[0], patch,
						     (c->given & (BIT(SET) | BIT(CLEAR))) ? "arguments"
											   : "-",
						     id, &book, &status, err),
				   err);
	if (rc == 0)
		rc = g_subcmd_write(
			&l->c, summary(id, json_string_value(json_object_get(book, "name")), status),
			err);
	json_decref(book);
	json_decref(patch);
	return rc;
}

static int delete_one(struct lore_cmd *l, const char *ref, struct g_err *err)
{
	struct g_lore_row r = { 0 };
	char id[G_UUID_LEN];
	int rc;

	if (g_context_begin(CTX(l), err) < 0)
		return -1;
	rc = g_lore_store_resolve(STORE(l), KEY(l), ref, id, err);
	if (rc == 0 && (rc = g_lore_store_load(STORE(l), KEY(l), id, &r, err)) == 0)
		rc = g_lore_store_delete(STORE(l), KEY(l), r.id, err);
	if (g_context_end(CTX(l), rc, err) == 0)
		rc = g_subcmd_write(&l->c, summary(r.id, r.name, "deleted"), err);
	else
		rc = -1;
	g_lore_row_release(&r);
	return rc;
}

static int run_delete(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct lore_cmd *l = (struct lore_cmd *)c;
	int i;

	for (i = 0; i < n; i++)
		if (delete_one(l, args[i], err) < 0) {
			g_subcmd_failed(&l->c, err);
			if (err->code == G_EX_IOERR)
				break;
		}
	return 0;
}

/* --- attach, detach ----------------------------------------------------- */

static const char *const target_names[] = { "session", "persona", "character", "global" };

static int run_bind(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct lore_cmd *l = (struct lore_cmd *)c;
	int attach = c->verb == 5; /* verbs[5] */
	struct g_lore_row r = { 0 };
	char target[G_UUID_LEN] = "", id[G_UUID_LEN];
	const char *status = NULL;
	json_t *rec;
	int rc;

	(void)n;
	if (!(c->given & TARGETS))
		return g_err_set(err, G_EX_USAGE,
				 "--session, --persona, --character or --global: give one");
	if (g_context_begin(CTX(l), err) < 0)
		return -1;
	rc = g_lore_store_resolve(STORE(l), KEY(l), args[0], id, err);
	if (rc == 0)
		rc = g_lore_edit_target(STORE(l), KEY(l), l->to, l->target, target, err);
	if (rc == 0 && (rc = g_lore_store_load(STORE(l), KEY(l), id, &r, err)) == 0) {
		if (attach) {
			rc = g_lore_store_attach(STORE(l), KEY(l), r.id, l->to,
						 l->to == G_LORE_TO_GLOBAL ? NULL : target, err);
			status = rc == 1 ? "attached" : "unchanged";
			rc = rc < 0 ? -1 : 0;
		} else {
			rc = g_lore_store_detach(STORE(l), KEY(l), r.id, l->to,
						 l->to == G_LORE_TO_GLOBAL ? NULL : target, err);
			status = "detached";
		}
	}
	if (g_context_end(CTX(l), rc, err) < 0) {
		g_lore_row_release(&r);
		return -1;
	}
	rec = summary(r.id, r.name, status);
	if (rec)
		json_object_set_new(rec, target_names[l->to],
				    l->to == G_LORE_TO_GLOBAL ? json_true() : json_string(target));
	g_lore_row_release(&r);
	return g_subcmd_write(&l->c, rec, err);
}

/* --- export ------------------------------------------------------------- */

static int run_export(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct lore_cmd *l = (struct lore_cmd *)c;
	struct g_lore_row r;
	char id[G_UUID_LEN];
	json_t *out;
	int rc;

	(void)n;
	if (g_lore_store_resolve(STORE(l), KEY(l), args[0], id, err) < 0 ||
	    g_lore_store_load(STORE(l), KEY(l), id, &r, err) < 0)
		return -1;
	out = l->st ? g_lore_convert_to_st(r.book, err) : json_incref(r.book);
	g_lore_row_release(&r);
	if (!out)
		return -1;
	rc = g_doc_write(l->c.out, out, err);
	json_decref(out);
	return rc;
}

static const struct g_subcmd_verb verbs[] = {
	{ "import", 0, -1, BIT(FROM_CARD) | BIT(NAME), G_CONTEXT_KEY, run_import },
	{ "list", 0, 0, 0, G_CONTEXT_KEY, run_list },
	{ "show", 1, -1, BIT(FULL), G_CONTEXT_KEY, run_show },
	{ "update", 1, 1, BIT(SET) | BIT(CLEAR), G_CONTEXT_KEY, run_update },
	{ "delete", 1, -1, 0, G_CONTEXT_KEY, run_delete },
	{ "attach", 1, 1, TARGETS, G_CONTEXT_KEY, run_bind },
	{ "detach", 1, 1, TARGETS, G_CONTEXT_KEY, run_bind },
	{ "export", 1, 1, BIT(FORMAT), G_CONTEXT_KEY, run_export },
};

static int own_option(void *cmd, int opt, const char *arg)
{
	struct lore_cmd *l = cmd;
	struct g_err err;

	switch (opt) {
	case G_OPT_NAME:
	case G_OPT_FROM_CARD:
		if (g_cli_utf8(opt == G_OPT_NAME ? "--name" : "--from-card", arg, &err) < 0)
			return g_msg_report(&err);
		*(opt == G_OPT_NAME ? &l->name : &l->from_card) = arg;
		break;
	case G_OPT_SET:
	case G_OPT_CLEAR:
		if (g_lore_edit_set(l->patch, arg, opt == G_OPT_CLEAR, &err) < 0)
			return err.code == G_EX_USAGE ? g_msg_usage(synopsis, "%s", err.msg)
						      : g_msg_report(&err);
		break;
	case G_OPT_FORMAT:
		if (strcmp(arg, "st") != 0 && strcmp(arg, "v3") != 0)
			return g_msg_usage(synopsis, "--format '%s': st or v3", arg);
		l->st = strcmp(arg, "st") == 0;
		break;
	case G_OPT_SESSION:
	case G_OPT_PERSONA:
	case G_OPT_CHARACTER:
	case G_OPT_GLOBAL:
		if (l->target || l->to == G_LORE_TO_GLOBAL)
			return g_msg_usage(synopsis,
					   "--session, --persona, --character, --global: give one");
		l->to = opt == G_OPT_SESSION	? G_LORE_TO_SESSION
			: opt == G_OPT_PERSONA	? G_LORE_TO_PERSONA
			: opt == G_OPT_CHARACTER ? G_LORE_TO_CHARACTER
						 : G_LORE_TO_GLOBAL;
		l->target = arg;
		break;
	}
	return -1;
}

int main(int argc, char **argv)
{
	static const struct g_subcmd_def def = {
		{ synopsis, G_CLI_SHORTOPTS, G_OPT_OWN(own), own_option },
		verbs, sizeof(verbs) / sizeof(*verbs), NULL
	};
	struct lore_cmd l;
	int status;

	memset(&l, 0, sizeof(l));
	l.to = G_LORE_TO_SESSION;
	l.patch = json_object();
	status = l.patch ? g_subcmd_main(&l.c, &def, argc, argv) : G_EX_SOFTWARE;
	json_decref(l.patch);
	return g_frame_finish(status);
}
