/*
 * session-bind: chat sessions and their active persona (DESIGN.md §1, §2,
 * §4): open a session with a character, switch who the user is in it
 * (a custom persona, an impersonated character, or nobody), change its
 * settings, delete it. Rows are lib/session's, the changes from names
 * lib/session_edit's; this is options and output.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"
#include "cli.h"
#include "doc.h"
#include "msg.h"
#include "session_edit.h"
#include "subcmd.h"

static const char synopsis[] =
	"usage: session-bind new --character C [--persona P | --impersonate C2 | --no-persona]\n"
	"                        [--greeting N | --no-greeting] [--title TEXT] [--set KEY=VALUE]...\n"
	"       session-bind list [--character C]\n"
	"       session-bind show S...\n"
	"       session-bind persona S\n"
	"       session-bind use-persona S P\n"
	"       session-bind impersonate S C\n"
	"       session-bind clear S\n"
	"       session-bind set S KEY=VALUE...\n"
	"       session-bind delete S...\n"
	"options: -d DB  -u USER  -y  --pretty  -n  -q  -v  -h  -V\n";

/* its own long options (cmd/common/opt.h) */
static const enum g_opt own[] = {
	G_OPT_CHARACTER, G_OPT_GREETING, G_OPT_IMPERSONATE, G_OPT_NO_GREETING, G_OPT_NO_PERSONA,
	G_OPT_PERSONA, G_OPT_SET, G_OPT_TITLE
};

#define BIT(code) G_OPT_BIT(G_OPT_##code)
#define MAX_SETS 64

struct bind_cmd {
	struct g_subcmd c; /* first: the verbs get it back by a cast */
	const char *character, *persona, *impersonate, *title;
	long greeting;
	char *sets[MAX_SETS];
	int nsets;
};

/* The session record of id (inside a transaction, before it commits). */
static json_t *session_record(struct bind_cmd *b, const char *id, struct g_err *err)
{
	json_t *rec;

	return g_session_record_of(b->c.ctx.store, &b->c.ctx.key, id, &rec, err) < 0 ? NULL : rec;
}

static int resolve_card(struct bind_cmd *b, int kinds, const char *ref, char id[G_UUID_LEN],
			struct g_err *err)
{
	enum g_cardkind kind;

	return g_ref_resolve(b->c.ctx.store, &b->c.ctx.key, kinds, ref, &kind, id, err);
}

static int run_new(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct bind_cmd *b = (struct bind_cmd *)c;
	const struct g_session_edit_spec spec = {
		b->character, b->persona, b->impersonate, !!(c->given & BIT(NO_PERSONA)),
		!!(c->given & BIT(NO_GREETING)), b->greeting, !!(c->given & BIT(GREETING)),
		b->title, b->sets, b->nsets,
	};
	json_t *rec;

	(void)args;
	(void)n;
	if (!b->character)
		return g_err_set(err, G_EX_USAGE, "new: name the character: --character C");
	if (g_session_edit_start(&c->ctx, &spec, &rec, err) < 0)
		return -1;
	return g_subcmd_write(c, rec, err);
}

struct lister {
	struct bind_cmd *b;
	struct g_err *err;
};

static int list_one(const char *id, void *arg)
{
	struct lister *l = arg;
	struct g_err err;
	json_t *rec = session_record(l->b, id, &err);

	if (!rec) {
		g_subcmd_failed(&l->b->c, &err); /* one bad row does not hide the others */
		return 0;
	}
	if (g_subcmd_write(&l->b->c, rec, l->err) < 0)
		return 1;
	return 0;
}

static int run_list(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct bind_cmd *b = (struct bind_cmd *)c;
	struct lister l = { b, err };
	char character_id[G_UUID_LEN];

	(void)args;
	(void)n;
	g_err_clear(err);
	if (b->character && resolve_card(b, G_REF_CHARACTERS, b->character, character_id, err) < 0)
		return -1;
	if (g_session_each(b->c.ctx.store, &b->c.ctx.key, b->character ? character_id : NULL, list_one,
			   &l, err) < 0)
		return -1;
	return err->code ? -1 : 0;
}

static int resolve_session(struct bind_cmd *b, const char *ref, char id[G_UUID_LEN],
			   struct g_err *err)
{
	return g_session_resolve(b->c.ctx.store, &b->c.ctx.key, ref, id, err);
}

static int run_show(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct bind_cmd *b = (struct bind_cmd *)c;
	json_t *records = json_array(), *rec;
	char id[G_UUID_LEN];
	size_t i;
	int rc = 0, a;

	if (!records)
		return g_err_oom(err);
	/* all or nothing: every session found before anything is written */
	for (a = 0; a < n && rc == 0; a++) {
		rc = resolve_session(b, args[a], id, err);
		if (rc == 0 && !(rec = session_record(b, id, err)))
			rc = -1;
		if (rc == 0)
			json_array_append_new(records, rec);
	}
	json_array_foreach (records, i, rec)
		if (rc == 0)
			rc = g_doc_write(b->c.out, rec, err);
	json_decref(records);
	return rc;
}

static int run_persona(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	json_t *rec;

	(void)n;
	if (g_session_edit_persona_record(&c->ctx, args[0], &rec, err) < 0)
		return -1;
	return g_subcmd_write(c, rec, err);
}

/* use-persona, impersonate and clear: the active persona changed. */
static int rebind(struct g_subcmd *c, const char *ref, enum g_persona_kind kind,
		  const char *card, struct g_err *err)
{
	json_t *rec;

	if (g_session_edit_bind(&c->ctx, ref, kind, card, &rec, err) < 0)
		return -1;
	return g_subcmd_write(c, rec, err);
}

static int run_use_persona(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	(void)n;
	return rebind(c, args[0], G_PERSONA_CUSTOM, args[1], err);
}

static int run_impersonate(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	(void)n;
	return rebind(c, args[0], G_PERSONA_IMPERSONATED, args[1], err);
}

static int run_clear(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	(void)n;
	return rebind(c, args[0], G_PERSONA_NONE, NULL, err);
}

static int run_set(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	json_t *rec;

	if (g_session_edit_set(&c->ctx, args[0], args + 1, n - 1, &rec, err) < 0)
		return -1;
	return g_subcmd_write(c, rec, err);
}

static int delete_one(struct g_subcmd *c, const char *ref, struct g_err *err)
{
	json_t *rec;

	if (g_session_edit_delete(&c->ctx, ref, &rec, err) < 0)
		return -1;
	return g_subcmd_write(c, rec, err);
}

static int run_delete(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	int i;

	for (i = 0; i < n; i++)
		if (delete_one(c, args[i], err) < 0) {
			g_subcmd_failed(c, err);
			if (err->code == G_EX_IOERR)
				break;
		}
	return 0;
}

static const struct g_subcmd_verb verbs[] = {
	{ "new", 0, 0,
	  BIT(CHARACTER) | BIT(PERSONA) | BIT(IMPERSONATE) | BIT(NO_PERSONA) |
		  BIT(GREETING) | BIT(NO_GREETING) | BIT(TITLE) | BIT(SET),
	  G_CONTEXT_KEY, run_new },
	{ "list", 0, 0, BIT(CHARACTER), G_CONTEXT_KEY, run_list },
	{ "show", 1, -1, 0, G_CONTEXT_KEY, run_show },
	{ "persona", 1, 1, 0, G_CONTEXT_KEY, run_persona },
	{ "use-persona", 2, 2, 0, G_CONTEXT_KEY, run_use_persona },
	{ "impersonate", 2, 2, 0, G_CONTEXT_KEY, run_impersonate },
	{ "clear", 1, 1, 0, G_CONTEXT_KEY, run_clear },
	{ "set", 2, -1, 0, G_CONTEXT_KEY, run_set },
	{ "delete", 1, -1, 0, G_CONTEXT_KEY, run_delete },
};

static int own_option(void *cmd, int opt, const char *arg)
{
	struct bind_cmd *b = cmd;
	struct g_err err;

	switch (opt) {
	case G_OPT_CHARACTER: b->character = arg; break;
	case G_OPT_PERSONA: b->persona = arg; break;
	case G_OPT_IMPERSONATE: b->impersonate = arg; break;
	case G_OPT_TITLE:
		if (g_cli_utf8("--title", arg, &err) < 0)
			return g_msg_report(&err);
		b->title = arg;
		break;
	case G_OPT_GREETING:
		if (g_cli_parse_long(arg, 0, 1000000, &b->greeting) < 0)
			return g_msg_usage(synopsis, "--greeting: '%s' is not a number, 0 or more",
					     arg);
		break;
	case G_OPT_SET:
		if (b->nsets == MAX_SETS)
			return g_msg_usage(synopsis, "--set: at most %d", MAX_SETS);
		b->sets[b->nsets++] = (char *)arg;
		break;
	}
	return -1;
}

/* What one verb cannot tell alone: options that exclude each other. */
static int check_verb(struct g_subcmd *c)
{
	struct bind_cmd *b = (struct bind_cmd *)c;

	if (!!b->persona + !!b->impersonate + !!(b->c.given & BIT(NO_PERSONA)) > 1)
		return g_msg_usage(synopsis,
				     "--persona, --impersonate and --no-persona: give one");
	if ((b->c.given & BIT(GREETING)) && (b->c.given & BIT(NO_GREETING)))
		return g_msg_usage(synopsis, "--greeting and --no-greeting: give one");
	if (strcmp(verbs[b->c.verb].name, "new") == 0 && !b->character)
		return g_msg_usage(synopsis, "new: name the character: --character C");
	return -1;
}

int main(int argc, char **argv)
{
	static const struct g_subcmd_def def = {
		{ synopsis, G_CLI_SHORTOPTS, G_OPT_OWN(own), own_option },
		verbs, sizeof(verbs) / sizeof(*verbs), check_verb
	};
	struct bind_cmd b;
	int status;

	memset(&b, 0, sizeof(b));
	status = g_subcmd_main(&b.c, &def, argc, argv);
	return g_frame_finish(status);
}
