/*
 * persona: a user's personas and characters by hand (DESIGN.md §1, §2, §4):
 * create, list, show, update (JSON Merge Patch), delete, and the default
 * persona. Cards are made and patched by lib/card_edit, stored by
 * lib/card_store; this is naming, transactions and output.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "card_edit.h"
#include "card_list.h"
#include "card_row.h"
#include "card_store.h"
#include "ref.h"
#include "cli.h"
#include "doc.h"
#include "msg.h"
#include "session.h"
#include "subcmd.h"

static const char synopsis[] =
	"usage: persona create [--character] [--default] [--name NAME] [--description TEXT]\n"
	"                      [--set KEY=VALUE]...\n"
	"       persona list [--characters | --all]\n"
	"       persona show [--character | --persona] NAME...\n"
	"       persona update [--character | --persona] NAME [--set KEY=VALUE]... [--clear KEY]...\n"
	"       persona delete [--character | --persona] [--cascade] NAME...\n"
	"       persona set-default NAME\n"
	"       persona clear-default\n"
	"options: -d DB  -u USER  -y  --pretty  --input json|yaml  -n  -q  -v  -h  -V\n";

/* its own long options (cmd/common/opt.h) */
static const enum g_opt own[] = {
	G_OPT_ALL, G_OPT_CASCADE, G_OPT_KIND_CHARACTER, G_OPT_CHARACTERS, G_OPT_CLEAR,
	G_OPT_DEFAULT, G_OPT_DESCRIPTION, G_OPT_NAME, G_OPT_KIND_PERSONA, G_OPT_SET
};

/* The command's own options, as bits, to say which a subcommand takes. */
#define BIT(code) G_OPT_BIT(G_OPT_##code)

struct persona_cmd {
	struct g_subcmd c; /* first: the verbs get it back by a cast */
	int kinds;        /* G_REF_*: --character, --persona or both */
	json_t *patch;    /* --set and --clear, in order */
	const char *name; /* --name */
	const char *description;
};

static enum g_cardkind create_kind(const struct persona_cmd *p)
{
	return (p->c.given & BIT(KIND_CHARACTER)) ? G_CHARACTER : G_PERSONA;
}

/* {kind, id, name[, status]}: a name cut at a NUL, as it is shown */
static json_t *summary(enum g_cardkind kind, const char *id, const char *name,
		       const char *status)
{
	return g_card_row_summary(kind, id, name, name ? strlen(name) : 0, status);
}

static int create_one(struct persona_cmd *p, const json_t *in, const char *where,
		      struct g_err *err)
{
	enum g_cardkind kind = create_kind(p);
	struct g_card_edit e;
	char id[G_UUID_LEN];
	int rc;

	if (g_card_edit_create(in, kind, where, &e, err) < 0)
		return -1;
	if (p->c.given & BIT(DEFAULT))
		e.make_default = 1;
	rc = g_card_store_create(&p->c.ctx, kind, &e, where, id, err);
	if (rc == 0)
		rc = g_subcmd_write(&p->c, summary(kind, id, g_card_store_name(e.card), "created"),
				    err);
	g_card_edit_release(&e);
	return rc;
}

static int run_create(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct persona_cmd *p = (struct persona_cmd *)c;
	struct g_doc_reader *r;
	json_t *in;
	int rc;

	(void)args;
	(void)n;
	if (p->c.given & (BIT(NAME) | BIT(DESCRIPTION) | BIT(SET))) {
		in = json_deep_copy(p->patch);
		if (!in)
			return g_err_oom(err);
		if (p->name)
			json_object_set_new(in, "name", json_string(p->name));
		if (p->description)
			json_object_set_new(in, "description", json_string(p->description));
		rc = create_one(p, in, "arguments", err);
		json_decref(in);
		return rc;
	}
	r = g_doc_reader_new(stdin, "-", p->c.cli.input, G_DOC_RECORDS);
	if (!r)
		return g_err_oom(err);
	while ((rc = g_doc_read(r, &in, err)) > 0) {
		rc = create_one(p, in, "-", err);
		json_decref(in);
		if (rc < 0) {
			g_subcmd_failed(&p->c, err);
			if (err->code == G_EX_IOERR)
				break;
		}
	}
	g_doc_reader_free(r);
	if (rc < 0 && err->code != G_EX_IOERR) /* a stream that broke */
		g_subcmd_failed(&p->c, err);
	return 0;
}

static int list_write(const json_t *rec, void *arg, struct g_err *err)
{
	struct persona_cmd *p = arg;

	return g_doc_write(p->c.out, rec, err);
}

static int run_list(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct persona_cmd *p = (struct persona_cmd *)c;

	(void)args;
	(void)n;
	if ((p->c.given & BIT(CHARACTERS)) && (p->c.given & BIT(ALL)))
		return g_err_set(err, G_EX_USAGE, "--characters and --all: give one");
	return g_card_list(&p->c.ctx,
			   (p->c.given & BIT(CHARACTERS)) ? G_REF_CHARACTERS
			   : (p->c.given & BIT(ALL))      ? G_REF_CHARACTERS | G_REF_PERSONAS
							      : G_REF_PERSONAS,
			   list_write, p, err);
}

static int run_show(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct persona_cmd *p = (struct persona_cmd *)c;
	json_t *records = json_array(), *rec;
	enum g_cardkind kind;
	char id[G_UUID_LEN];
	size_t i;
	int rc = 0, a;

	if (!records)
		return g_err_oom(err);
	/* all or nothing: every name found before anything is written */
	for (a = 0; a < n && rc == 0; a++)
		if ((rc = g_ref_resolve(p->c.ctx.store, &p->c.ctx.key, p->kinds, args[a], &kind, id,
					err)) == 0 &&
		    (rc = g_card_row_load(p->c.ctx.store, &p->c.ctx.key, kind, id, &rec, NULL, NULL,
					  err)) == 0)
			json_array_append_new(records, rec);
	json_array_foreach (records, i, rec)
		if (rc == 0)
			rc = g_doc_write(p->c.out, rec, err);
	json_decref(records);
	return rc;
}

/* The patch of an update: the flags', else one document from stdin. */
static json_t *read_patch(struct persona_cmd *p, struct g_err *err)
{
	json_t *patch = NULL;

	if (p->c.given & (BIT(SET) | BIT(CLEAR)))
		return json_incref(p->patch);
	if (g_doc_read_one(stdin, "-", p->c.cli.input, "patch", &patch, err) == 0)
		g_err_set(err, G_EX_DATAERR, "'-': no patch on stdin");
	return patch;
}

static int run_update(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct persona_cmd *p = (struct persona_cmd *)c;
	struct g_card_edit e = { 0 };
	const char *status = "updated";
	enum g_cardkind kind;
	char id[G_UUID_LEN];
	json_t *patch;
	int rc;

	(void)n;
	/* stdin is read before the lock is taken: a slow writer holds no one up */
	if (!(patch = read_patch(p, err)))
		return -1;
	rc = g_card_store_update(&p->c.ctx, p->kinds, args[0], patch,
				 (p->c.given & (BIT(SET) | BIT(CLEAR))) ? "arguments" : "-",
				 &kind, id, &e, &status, err);
	if (rc == 0)
		rc = g_subcmd_write(&p->c, summary(kind, id, g_card_store_name(e.card), status), err);
	g_card_edit_release(&e);
	json_decref(patch);
	return rc;
}

static int delete_one(struct persona_cmd *p, const char *ref, struct g_err *err)
{
	json_t *record, *rec;
	enum g_cardkind kind;
	char id[G_UUID_LEN];
	const char *name;
	int64_t unbound = 0, deleted = 0;
	int rc;

	rc = g_card_store_delete(&p->c.ctx, p->kinds, ref, !!(p->c.given & BIT(CASCADE)), &kind,
				 id, &record, &unbound, &deleted, err);
	name = json_string_value(json_object_get(record, "name"));
	/* not a warning: what the deletion did beyond the row, for -q to quiet */
	if (rc == 0 && unbound > 0 && p->c.cli.verbosity >= 0)
		g_msg("'%s' was the active persona of %lld session(s): they now have none", name,
		      (long long)unbound);
	if (rc == 0) {
		rec = summary(kind, id, name, "deleted");
		if (rec)
			json_object_set_new(rec, "sessions",
					    json_integer(kind == G_PERSONA ? unbound : deleted));
		rc = g_subcmd_write(&p->c, rec, err);
	}
	json_decref(record);
	return rc;
}

static int run_delete(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct persona_cmd *p = (struct persona_cmd *)c;
	int i;

	for (i = 0; i < n; i++)
		if (delete_one(p, args[i], err) < 0) {
			g_subcmd_failed(&p->c, err);
			if (err->code == G_EX_IOERR)
				break;
		}
	return 0;
}

static int write_default(struct persona_cmd *p, const char *id, int is_default,
			 struct g_err *err)
{
	struct g_speaker sp;
	json_t *rec;

	if (g_session_speaker_load(p->c.ctx.store, &p->c.ctx.key, G_PERSONA_CUSTOM, id, &sp, err) < 0)
		return -1;
	rec = summary(G_PERSONA, id, sp.name, NULL);
	g_session_speaker_release(&sp);
	if (rec)
		json_object_set_new(rec, "default", json_boolean(is_default));
	return g_subcmd_write(&p->c, rec, err);
}

static int run_set_default(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct persona_cmd *p = (struct persona_cmd *)c;
	char id[G_UUID_LEN];

	(void)n;
	if (g_card_store_set_default(&p->c.ctx, args[0], id, err) < 0)
		return -1;
	return write_default(p, id, 1, err);
}

static int run_clear_default(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct persona_cmd *p = (struct persona_cmd *)c;
	char id[G_UUID_LEN];
	int had;

	(void)args;
	(void)n;
	if ((had = g_card_store_clear_default(&p->c.ctx, id, err)) <= 0)
		return had;
	return write_default(p, id, 0, err);
}

#define KINDS (BIT(KIND_CHARACTER) | BIT(KIND_PERSONA))

static const struct g_subcmd_verb verbs[] = {
	{ "create", 0, 0,
	  BIT(KIND_CHARACTER) | BIT(DEFAULT) | BIT(NAME) | BIT(DESCRIPTION) | BIT(SET),
	  G_CONTEXT_KEY, run_create },
	{ "list", 0, 0, BIT(CHARACTERS) | BIT(ALL), G_CONTEXT_KEY, run_list },
	{ "show", 1, -1, KINDS, G_CONTEXT_KEY, run_show },
	{ "update", 1, 1, KINDS | BIT(SET) | BIT(CLEAR), G_CONTEXT_KEY, run_update },
	{ "delete", 1, -1, KINDS | BIT(CASCADE), G_CONTEXT_KEY, run_delete },
	{ "set-default", 1, 1, 0, G_CONTEXT_KEY, run_set_default },
	{ "clear-default", 0, 0, 0, G_CONTEXT_KEY, run_clear_default },
};

static int own_option(void *cmd, int opt, const char *arg)
{
	struct persona_cmd *p = cmd;
	struct g_err err;

	switch (opt) {
	case G_OPT_NAME:
	case G_OPT_DESCRIPTION:
		if (g_cli_utf8(opt == G_OPT_NAME ? "--name" : "--description", arg, &err) < 0)
			return g_msg_report(&err);
		*(opt == G_OPT_NAME ? &p->name : &p->description) = arg;
		break;
	case G_OPT_SET:
	case G_OPT_CLEAR:
		if ((opt == G_OPT_SET ? g_card_edit_set(p->patch, arg, &err)
				    : g_card_edit_unset(p->patch, arg, &err)) < 0)
			return err.code == G_EX_USAGE ? g_msg_usage(synopsis, "%s", err.msg)
						      : g_msg_report(&err);
		break;
	}
	return -1;
}

static int check(struct g_subcmd *c)
{
	struct persona_cmd *p = (struct persona_cmd *)c;

	if ((c->given & BIT(KIND_CHARACTER)) && (c->given & BIT(DEFAULT)))
		return g_msg_usage(synopsis, "--default: only a persona can be the default");
	if ((c->given & KINDS) == KINDS)
		return g_msg_usage(synopsis, "--character and --persona: give one");
	p->kinds = (c->given & BIT(KIND_CHARACTER)) ? G_REF_CHARACTERS
		   : (c->given & BIT(KIND_PERSONA)) ? G_REF_PERSONAS
						   : G_REF_CHARACTERS | G_REF_PERSONAS;
	return -1;
}

int main(int argc, char **argv)
{
	static const struct g_subcmd_def def = {
		{ synopsis, G_CLI_SHORTOPTS, G_OPT_OWN(own), own_option },
		verbs, sizeof(verbs) / sizeof(*verbs), check
	};
	struct persona_cmd p;
	int status;

	memset(&p, 0, sizeof(p));
	p.patch = json_object();
	status = p.patch ? g_subcmd_main(&p.c, &def, argc, argv) : G_EX_SOFTWARE;
	json_decref(p.patch);
	return g_frame_finish(status);
}
