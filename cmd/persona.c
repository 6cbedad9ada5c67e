/*
 * persona: a user's personas and characters by hand (DESIGN.md §1, §2, §4):
 * create, list, show, update (JSON Merge Patch), delete, and the default
 * persona. Cards are made and patched by lib/cardedit, stored by
 * lib/cardrow; this is naming, transactions and output.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "card_edit.h"
#include "ref.h"
#include "card_row.h"
#include "cli.h"
#include "doc.h"
#include "msg.h"
#include "session.h"
#include "subcmd.h"
#include "vault.h"

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

enum {
	OPT_ALL = G_OPT_COMMAND,
	OPT_CASCADE,
	OPT_CHARACTER,
	OPT_CHARACTERS,
	OPT_CLEAR,
	OPT_DEFAULT,
	OPT_DESCRIPTION,
	OPT_NAME,
	OPT_PERSONA,
	OPT_SET,
};

static const struct option options[] = {
	{ "all", no_argument, NULL, OPT_ALL },
	{ "cascade", no_argument, NULL, OPT_CASCADE },
	{ "character", no_argument, NULL, OPT_CHARACTER },
	{ "characters", no_argument, NULL, OPT_CHARACTERS },
	{ "clear", required_argument, NULL, OPT_CLEAR },
	{ "default", no_argument, NULL, OPT_DEFAULT },
	{ "description", required_argument, NULL, OPT_DESCRIPTION },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "persona", no_argument, NULL, OPT_PERSONA },
	{ "set", required_argument, NULL, OPT_SET },
	G_CLI_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

/* The command's own options, as bits, to say which a subcommand takes. */
#define BIT(opt) G_CLI_BIT(opt)

struct persona_cmd {
	struct g_subcmd c; /* first: the verbs get it back by a cast */
	int kinds;        /* G_REF_*: --character, --persona or both */
	json_t *patch;    /* --set and --clear, in order */
	const char *name; /* --name */
	const char *description;
};


static enum g_cardkind create_kind(const struct persona_cmd *p)
{
	return (p->c.given & BIT(OPT_CHARACTER)) ? G_CHARACTER : G_PERSONA;
}

/* {kind, id, name, <key>: <value>} */
static json_t *summary(enum g_cardkind kind, const char *id, const char *name)
{
	return json_pack("{s:s, s:s, s:s}", "kind", g_cardkind_name(kind), "id", id, "name",
			 name ? name : "");
}

static const char *card_name(const json_t *card)
{
	return json_string_value(json_object_get(json_object_get(card, "data"), "name"));
}

/* Store one card made by cardedit: a new row, and the default if asked. */
static int store_new(struct persona_cmd *p, enum g_cardkind kind, const struct g_card_edit *e,
		     char id[G_UUID_LEN], struct g_err *err)
{
	struct g_card_row row = { kind, e->card, NULL, NULL, 0, NULL, 0, e->place };
	unsigned char hash[G_HASH_BYTES];
	int rc;

	if (g_card_row_hash(&p->c.ctx.key, &row, hash, err) < 0 ||
	    g_context_begin(&p->c.ctx, err) < 0)
		return -1;
	rc = g_card_row_insert(p->c.ctx.store, &p->c.ctx.key, &row, hash, id, err);
	if (rc == 0 && kind == G_PERSONA && e->make_default == 1)
		rc = g_user_set_default_persona(p->c.ctx.store, &p->c.ctx.user, id, err);
	return g_context_end(&p->c.ctx, rc, err);
}

static int create_one(struct persona_cmd *p, const json_t *in, const char *where,
		      struct g_err *err)
{
	enum g_cardkind kind = create_kind(p);
	struct g_card_edit e;
	char id[G_UUID_LEN];
	json_t *rec;
	int rc;

	if (g_card_edit_create(in, kind, where, &e, err) < 0)
		return -1;
	if (p->c.given & BIT(OPT_DEFAULT))
		e.make_default = 1;
	if (kind == G_CHARACTER && e.make_default == 1) {
		g_card_edit_release(&e);
		return g_err_set(err, G_EX_DATAERR, "'%s': default: only a persona can be the default",
				 where);
	}
	rc = store_new(p, kind, &e, id, err);
	if (rc == 0) {
		rec = summary(kind, id, card_name(e.card));
		if (rec)
			json_object_set_new(rec, "status", json_string("created"));
		rc = g_subcmd_write(&p->c, rec, err);
	}
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
	if (p->c.given & (BIT(OPT_NAME) | BIT(OPT_DESCRIPTION) | BIT(OPT_SET))) {
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

struct lister {
	struct persona_cmd *p;
	enum g_cardkind kind;
	char default_id[G_UUID_LEN];
	struct g_err *err;
	int rc;
};

/* One line of a list; source: the file an imported card came from, null
 * for one made here. */
static int list_kind_row(const char *id, const char *name, size_t name_len, int64_t rowid,
			 void *arg)
{
	struct lister *l = arg;
	const char *table = g_cardkind_table(l->kind);
	json_t *rec = summary(l->kind, id, name), *origin = NULL;
	char *plain = NULL;
	size_t len;
	int rc;

	(void)rowid;
	if (rec) /* the whole name, a NUL in it too (from before they were refused) */
		json_object_set_new(rec, "name", json_stringn(name, name_len));
	rc = g_vault_get(l->p->c.ctx.store, &l->p->c.ctx.key, table, "origin", id, &plain, &len,
			 l->err);
	if (rc > 0)
		origin = json_loadb(plain, len, 0, NULL);
	free(plain);
	if (rc >= 0 && rec) {
		json_t *file = json_object_get(origin, "file");

		json_object_set(rec, "source", json_is_string(file) ? file : json_null());
		if (l->kind == G_PERSONA)
			json_object_set_new(rec, "default",
					    json_boolean(strcmp(id, l->default_id) == 0));
		rc = g_doc_write(l->p->c.out, rec, l->err);
	}
	json_decref(origin);
	json_decref(rec);
	l->rc = rc < 0 ? -1 : 0;
	return l->rc;
}

static int run_list(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct persona_cmd *p = (struct persona_cmd *)c;
	struct lister l = { p, G_PERSONA, "", err, 0 };

	(void)args;
	(void)n;
	if ((p->c.given & BIT(OPT_CHARACTERS)) && (p->c.given & BIT(OPT_ALL)))
		return g_err_set(err, G_EX_USAGE, "--characters and --all: give one");
	if (g_user_default_persona(p->c.ctx.store, &p->c.ctx.user, l.default_id, err) < 0)
		return -1;
	if (!(p->c.given & BIT(OPT_CHARACTERS)) &&
	    (g_card_row_names(p->c.ctx.store, &p->c.ctx.key, G_PERSONA, 0, list_kind_row, &l, err) < 0 ||
	     l.rc < 0))
		return -1;
	l.kind = G_CHARACTER;
	if ((p->c.given & (BIT(OPT_CHARACTERS) | BIT(OPT_ALL))) &&
	    (g_card_row_names(p->c.ctx.store, &p->c.ctx.key, G_CHARACTER, 0, list_kind_row, &l, err) <
		     0 ||
	     l.rc < 0))
		return -1;
	return 0;
}

static int load(struct persona_cmd *p, const char *ref, enum g_cardkind *kind,
		char id[G_UUID_LEN], json_t **record, struct g_blob *avatar, struct g_blob *raw,
		struct g_err *err)
{
	return g_ref_resolve(p->c.ctx.store, &p->c.ctx.key, p->kinds, ref, kind, id, err) < 0 ||
			       g_card_row_load(p->c.ctx.store, &p->c.ctx.key, *kind, id, record, avatar,
					      raw, err) < 0
		       ? -1
		       : 0;
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
		if ((rc = load(p, args[a], &kind, id, &rec, NULL, NULL, err)) == 0)
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
	struct g_doc_reader *r;
	json_t *patch = NULL, *more = NULL;
	int rc;

	if (p->c.given & (BIT(OPT_SET) | BIT(OPT_CLEAR)))
		return json_incref(p->patch);
	r = g_doc_reader_new(stdin, "-", p->c.cli.input, G_DOC_RECORDS);
	if (!r)
		return g_err_oom(err), NULL;
	rc = g_doc_read(r, &patch, err);
	if (rc == 0)
		g_err_set(err, G_EX_DATAERR, "'-': no patch on stdin");
	else if (rc > 0 && (rc = g_doc_read(r, &more, err)) != 0) {
		if (rc > 0)
			g_err_set(err, G_EX_DATAERR, "'-': one patch at a time, not several");
		json_decref(more);
		json_decref(patch);
		patch = NULL;
	}
	g_doc_reader_free(r);
	return patch;
}

static int same_place(const json_t *record, const struct g_placement *place)
{
	const char *position = json_string_value(json_object_get(record, "position"));
	const char *role = json_string_value(json_object_get(record, "role"));

	return position && role && strcmp(position, place->position) == 0 &&
	       strcmp(role, place->role) == 0 &&
	       json_integer_value(json_object_get(record, "depth")) == place->depth;
}

/* The read-modify-write of an update, inside the caller's transaction so
 * that no other writer can slip in between the read and the write: the
 * row read is the row patched. *status: "updated" or "unchanged". */
static int patch_row(struct persona_cmd *p, const char *ref, const json_t *patch,
		     enum g_cardkind *kind, char id[G_UUID_LEN], struct g_card_edit *e,
		     const char **status, struct g_err *err)
{
	struct g_blob avatar = { 0 }, raw = { 0 };
	unsigned char hash[G_HASH_BYTES];
	json_t *record = NULL, *old = NULL;
	int rc;

	rc = load(p, ref, kind, id, &record, &avatar, &raw, err);
	if (rc == 0)
		rc = g_card_edit_update(record, patch, *kind,
				       (p->c.given & (BIT(OPT_SET) | BIT(OPT_CLEAR))) ? "arguments" : "-",
				       e, err);
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
		rc = g_card_row_hash(&p->c.ctx.key, &row, hash, err);
		if (rc == 0)
			rc = g_card_row_replace(p->c.ctx.store, &p->c.ctx.key, &row, hash, id, err);
	}
	json_decref(old);
	json_decref(record);
	free(avatar.data);
	free(raw.data);
	return rc;
}

static int run_update(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct persona_cmd *p = (struct persona_cmd *)c;
	struct g_card_edit e = { 0 };
	json_t *patch, *rec;
	const char *status = "updated";
	enum g_cardkind kind;
	char id[G_UUID_LEN];
	int rc;

	(void)n;
	/* stdin is read before the lock is taken: a slow writer holds no one up */
	if (!(patch = read_patch(p, err)))
		return -1;
	rc = g_context_begin(&p->c.ctx, err);
	if (rc == 0)
		rc = g_context_end(&p->c.ctx, patch_row(p, args[0], patch, &kind, id, &e, &status, err),
				   err);
	if (rc == 0) {
		rec = summary(kind, id, card_name(e.card));
		if (rec)
			json_object_set_new(rec, "status", json_string(status));
		rc = g_subcmd_write(&p->c, rec, err);
	}
	g_card_edit_release(&e);
	json_decref(patch);
	return rc;
}

static int delete_one(struct persona_cmd *p, const char *ref, struct g_err *err)
{
	json_t *record = NULL, *rec;
	enum g_cardkind kind;
	char id[G_UUID_LEN];
	const char *name;
	int64_t unbound = 0, deleted = 0;
	int rc;

	if (g_context_begin(&p->c.ctx, err) < 0)
		return -1;
	rc = load(p, ref, &kind, id, &record, NULL, NULL, err);
	name = json_string_value(json_object_get(record, "name"));
	if (rc == 0)
		rc = g_session_drop_card(p->c.ctx.store, &p->c.ctx.key, kind, id, name,
					 !!(p->c.given & BIT(OPT_CASCADE)), &unbound, &deleted, err);
	rc = g_context_end(&p->c.ctx, rc, err);
	/* not a warning: what the deletion did beyond the row, for -q to quiet */
	if (rc == 0 && unbound > 0 && p->c.cli.verbosity >= 0)
		g_msg("'%s' was the active persona of %lld session(s): they now have none", name,
		      (long long)unbound);
	if (rc == 0) {
		rec = summary(kind, id, name);
		if (rec) {
			json_object_set_new(rec, "status", json_string("deleted"));
			json_object_set_new(rec, "sessions",
					    json_integer(kind == G_PERSONA ? unbound : deleted));
		}
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
	rec = summary(G_PERSONA, id, sp.name);
	g_session_speaker_release(&sp);
	if (rec)
		json_object_set_new(rec, "default", json_boolean(is_default));
	return g_subcmd_write(&p->c, rec, err);
}

static int run_set_default(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct persona_cmd *p = (struct persona_cmd *)c;
	enum g_cardkind kind;
	char id[G_UUID_LEN];

	(void)n;
	if (g_ref_resolve(p->c.ctx.store, &p->c.ctx.key, G_REF_CHARACTERS | G_REF_PERSONAS,
			      args[0], &kind, id, err) < 0)
		return -1;
	if (kind != G_PERSONA)
		return g_err_set(err, G_EX_DATAERR,
				 "'%s' is a character: only a persona can be the default", args[0]);
	if (g_context_begin(&p->c.ctx, err) < 0 ||
	    g_context_end(&p->c.ctx,
			  g_user_set_default_persona(p->c.ctx.store, &p->c.ctx.user, id, err), err) < 0)
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
	/* the default read is the default cleared: both under the lock */
	if (g_context_begin(&p->c.ctx, err) < 0)
		return -1;
	had = g_user_default_persona(p->c.ctx.store, &p->c.ctx.user, id, err);
	if (had > 0 && g_user_set_default_persona(p->c.ctx.store, &p->c.ctx.user, NULL, err) < 0)
		had = -1;
	if (g_context_end(&p->c.ctx, had < 0 ? -1 : 0, err) < 0 || had == 0)
		return had < 0 ? -1 : 0;
	return write_default(p, id, 0, err);
}

#define KINDS (BIT(OPT_CHARACTER) | BIT(OPT_PERSONA))

static const struct g_subcmd_verb verbs[] = {
	{ "create", 0, 0, BIT(OPT_CHARACTER) | BIT(OPT_DEFAULT) | BIT(OPT_NAME) | BIT(OPT_DESCRIPTION) | BIT(OPT_SET), G_CONTEXT_KEY, run_create },
	{ "list", 0, 0, BIT(OPT_CHARACTERS) | BIT(OPT_ALL), G_CONTEXT_KEY, run_list },
	{ "show", 1, -1, KINDS, G_CONTEXT_KEY, run_show },
	{ "update", 1, 1, KINDS | BIT(OPT_SET) | BIT(OPT_CLEAR), G_CONTEXT_KEY, run_update },
	{ "delete", 1, -1, KINDS | BIT(OPT_CASCADE), G_CONTEXT_KEY, run_delete },
	{ "set-default", 1, 1, 0, G_CONTEXT_KEY, run_set_default },
	{ "clear-default", 0, 0, 0, G_CONTEXT_KEY, run_clear_default },
};

static int own_option(void *cmd, int opt, const char *arg)
{
	struct persona_cmd *p = cmd;
	struct g_err err;

	switch (opt) {
	case OPT_NAME:
	case OPT_DESCRIPTION:
		if (g_cli_utf8(opt == OPT_NAME ? "--name" : "--description", arg, &err) < 0)
			return g_msg_report(&err);
		*(opt == OPT_NAME ? &p->name : &p->description) = arg;
		break;
	case OPT_SET:
	case OPT_CLEAR:
		if ((opt == OPT_SET ? g_card_edit_set(p->patch, arg, &err)
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

	if ((c->given & BIT(OPT_CHARACTER)) && (c->given & BIT(OPT_DEFAULT)))
		return g_msg_usage(synopsis, "--default: only a persona can be the default");
	if ((c->given & KINDS) == KINDS)
		return g_msg_usage(synopsis, "--character and --persona: give one");
	p->kinds = (c->given & BIT(OPT_CHARACTER)) ? G_REF_CHARACTERS
		   : (c->given & BIT(OPT_PERSONA)) ? G_REF_PERSONAS
						   : G_REF_CHARACTERS | G_REF_PERSONAS;
	return -1;
}

int main(int argc, char **argv)
{
	static const struct g_subcmd_def def = { { synopsis, G_CLI_SHORTOPTS, options, own_option },
						 verbs, sizeof(verbs) / sizeof(*verbs), check };
	struct persona_cmd p;
	int status;

	memset(&p, 0, sizeof(p));
	p.patch = json_object();
	status = p.patch ? g_subcmd_main(&p.c, &def, argc, argv) : G_EX_SOFTWARE;
	json_decref(p.patch);
	return g_frame_finish(status);
}
