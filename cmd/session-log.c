/*
 * session-log: a session's messages (DESIGN.md §4): show them (records or
 * a transcript), append, edit and delete them, list a message's versions
 * (swipes) and choose the current one, and carry a whole chat out
 * and in as SillyTavern chat JSONL. Messages are lib/chat_log's, the chat
 * file's shape lib/st_chat's; this is naming, transactions and output.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chat_edit.h"
#include "chat_log.h"
#include "chat_swipe.h"
#include "cli.h"
#include "doc.h"
#include "fileio.h"
#include "msg.h"
#include "session.h"
#include "subcmd.h"
#include "st_chat.h"

static const char synopsis[] =
	"usage: session-log show S [--last N] [--format records|text]\n"
	"       session-log append S [--role user|assistant|system] [--status complete|partial]\n"
	"                          [--model M] [--records]\n"
	"       session-log edit S SEQ\n"
	"       session-log swipes S SEQ\n"
	"       session-log swipe S SEQ N\n"
	"       session-log delete S (SEQ... | --last N)\n"
	"       session-log export S [--format records|st]\n"
	"       session-log import [--character C] [--persona P | --impersonate C2 | --no-persona]\n"
	"                          [--title TEXT] [FILE]\n"
	"options: -d DB  -u USER  -y  --pretty  --input json|yaml  -n  -q  -v  -h  -V\n";

/* its own long options (cmd/common/opt.h) */
static const enum g_opt own[] = {
	G_OPT_CHARACTER, G_OPT_FORMAT, G_OPT_IMPERSONATE, G_OPT_LAST, G_OPT_MODEL,
	G_OPT_NO_PERSONA, G_OPT_PERSONA, G_OPT_RECORDS, G_OPT_ROLE, G_OPT_STATUS, G_OPT_TITLE
};

#define BIT(code) G_OPT_BIT(G_OPT_##code)
/* Appended records are committed, then printed, this many at a time. */
#define APPEND_BATCH 500

struct log_cmd {
	struct g_subcmd c; /* first: the verbs get it back by a cast */
	const char *character, *persona, *impersonate, *title;
	const char *format, *role, *status_opt, *model;
	long last;
	struct g_session session; /* the session named, loaded */
};

/* Name and load the session every verb but import acts on. */
static int open_session(struct log_cmd *l, const char *ref, struct g_err *err)
{
	return g_session_load_ref(l->c.ctx.store, &l->c.ctx.key, ref, &l->session, err);
}

static int write_record(json_t *rec, void *arg)
{
	void **a = arg;
	struct log_cmd *l = a[0];

	return g_doc_write(l->c.out, rec, a[1]) < 0;
}

/* "Name: content", a blank line between messages. */
static int write_text(json_t *rec, void *arg)
{
	void **a = arg;
	struct log_cmd *l = a[0];
	int *count = a[2];
	size_t len;
	char *text = g_chat_log_text(rec, l->session.character_name, &len);
	int bad;

	if (!text)
		return g_err_oom(a[1]), 1;
	bad = ((*count)++ && fputs("\n", stdout) == EOF) || fwrite(text, 1, len, stdout) != len;
	free(text);
	return bad ? g_err_set(a[1], G_EX_IOERR, "cannot write to stdout"), 1 : 0;
}

static int run_show(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct log_cmd *l = (struct log_cmd *)c;
	int count = 0;
	void *arg[3] = { l, err, &count };

	(void)n;
	if (l->format && strcmp(l->format, "text") != 0 && strcmp(l->format, "records") != 0)
		return g_err_set(err, G_EX_USAGE, "--format: '%s' is not records or text",
				 l->format);
	g_err_clear(err);
	if (open_session(l, args[0], err) < 0 ||
	    g_chat_log_each(l->c.ctx.store, &l->c.ctx.key, l->session.id, l->last,
			   l->format && strcmp(l->format, "text") == 0 ? write_text : write_record,
			   arg, err) < 0)
		return -1;
	if (err->code)
		return -1;
	return fflush(stdout) == 0 ? 0 : g_err_set(err, G_EX_IOERR, "cannot write to stdout");
}

static int write_out(json_t *rec, void *arg, struct g_err *err)
{
	return g_doc_write(((struct log_cmd *)arg)->c.out, rec, err);
}

static void told(const struct g_err *err, void *arg)
{
	g_subcmd_failed(&((struct log_cmd *)arg)->c, err);
}

static int append_records(struct log_cmd *l, struct g_err *err)
{
	struct g_doc_reader *r = g_doc_reader_new(stdin, "-", l->c.cli.input, G_DOC_RECORDS);
	int rc;

	if (!r)
		return g_err_oom(err);
	rc = g_chat_edit_append_records(&l->c.ctx, l->session.id, &l->session.persona, r,
					APPEND_BATCH, told, write_out, l, err);
	g_doc_reader_free(r);
	return rc;
}

static int run_append(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct log_cmd *l = (struct log_cmd *)c;
	struct g_message m = { l->role ? l->role : "user", NULL, 0, l->status_opt, l->model,
			       -1, -1, NULL, NULL };
	struct g_file f = { 0 };
	json_t *pending;
	int rc;

	(void)n;
	if (!g_chat_log_message_role_valid(m.role))
		return g_err_set(err, G_EX_USAGE, "--role: '%s' is not user, assistant or system",
				 m.role);
	if (!g_chat_log_message_status_valid(m.status))
		return g_err_set(err, G_EX_USAGE, "--status: '%s' is not complete or partial",
				 m.status);
	if (open_session(l, args[0], err) < 0)
		return -1;
	m.speaker = &l->session.persona;
	if (l->c.given & BIT(RECORDS))
		return append_records(l, err);
	if (g_chat_log_message_read_stdin(&f, err) < 0) {
		g_fileio_release(&f);
		return -1;
	}
	m.content = (const char *)f.data;
	m.len = f.len;
	pending = json_array();
	rc = pending ? g_context_begin(&l->c.ctx, err) : g_err_oom(err);
	if (rc == 0 && (rc = g_chat_edit_append(&l->c.ctx, l->session.id, &m, pending, err)) < 0)
		g_context_end(&l->c.ctx, rc, err);
	else if (rc == 0)
		rc = g_chat_edit_commit(&l->c.ctx, pending, write_out, l, err);
	json_decref(pending);
	g_fileio_release(&f);
	return rc;
}

static int parse_seq(const char *arg, int64_t *seq, struct g_err *err)
{
	long v;

	if (g_cli_parse_long(arg, 1, 0x7fffffffL, &v) < 0)
		return g_err_set(err, G_EX_USAGE, "'%s' is not a message number", arg);
	*seq = v;
	return 0;
}

static int run_edit(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct log_cmd *l = (struct log_cmd *)c;
	struct g_file f = { 0 };
	json_t *rec = NULL;
	int64_t seq = 0;
	int rc;

	(void)n;
	rc = parse_seq(args[1], &seq, err) < 0 || open_session(l, args[0], err) < 0 ||
	     g_chat_log_message_read_stdin(&f, err) < 0 ||
	     g_chat_edit_text(&l->c.ctx, l->session.id, seq, (const char *)f.data, f.len, &rec,
			      err) < 0;
	g_fileio_release(&f);
	return rc ? -1 : g_subcmd_write(&l->c, rec, err);
}

static int run_swipes(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct log_cmd *l = (struct log_cmd *)c;
	void *arg[3] = { l, err, NULL };
	int64_t seq = 0;

	(void)n;
	g_err_clear(err);
	if (parse_seq(args[1], &seq, err) < 0 || open_session(l, args[0], err) < 0 ||
	    g_chat_swipe_each(l->c.ctx.store, &l->c.ctx.key, l->session.id, seq, write_record,
			      arg, err) < 0)
		return -1;
	return err->code ? -1 : 0;
}

static int run_swipe(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct log_cmd *l = (struct log_cmd *)c;
	json_t *rec = NULL;
	int64_t seq = 0;
	long index;

	(void)n;
	if (parse_seq(args[1], &seq, err) < 0)
		return -1;
	if (g_cli_parse_long(args[2], 0, 0x7fffffffL, &index) < 0)
		return g_err_set(err, G_EX_USAGE, "'%s' is not a swipe number, 0 or more", args[2]);
	if (open_session(l, args[0], err) < 0 ||
	    g_chat_edit_swipe(&l->c.ctx, l->session.id, seq, index, &rec, err) < 0)
		return -1;
	return g_subcmd_write(&l->c, rec, err);
}

static int run_delete(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct log_cmd *l = (struct log_cmd *)c;
	json_t *seqs = json_array(), *records = NULL, *rec;
	int64_t seq = 0;
	size_t i;
	int rc = 0, a;

	if (!seqs)
		return g_err_oom(err);
	if (!!(l->c.given & BIT(LAST)) == (n > 1))
		rc = g_err_set(err, G_EX_USAGE, "delete: name messages by number or by --last N");
	for (a = 1; a < n && rc == 0; a++)
		if ((rc = parse_seq(args[a], &seq, err)) == 0)
			json_array_append_new(seqs, json_integer(seq));
	if (rc == 0)
		rc = open_session(l, args[0], err);
	if (rc == 0)
		rc = g_chat_edit_delete(&l->c.ctx, l->session.id, seqs,
					(l->c.given & BIT(LAST)) ? l->last : 0, &records, err);
	json_array_foreach (records, i, rec)
		if (rc == 0)
			rc = g_subcmd_write(&l->c, json_incref(rec), err);
	json_decref(records);
	json_decref(seqs);
	return rc;
}

static const char *user_name(const struct log_cmd *l)
{
	return l->session.persona.name && *l->session.persona.name ? l->session.persona.name
								      : "User";
}

static int write_st(json_t *rec, void *arg)
{
	void **a = arg;
	struct log_cmd *l = a[0];
	json_t *versions;
	int rc;

	if (g_chat_swipe_versions(l->c.ctx.store, &l->c.ctx.key, l->session.id, rec, &versions,
				  a[1]) < 0)
		return 1;
	/* a message written as nobody is SillyTavern's "User", whoever the
	 * session's persona is now */
	rc = g_subcmd_write(&l->c,
			    g_st_chat_message_out(rec, versions, "User", l->session.character_name),
			    a[1]) < 0;
	json_decref(versions);
	return rc;
}

static int run_export(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct log_cmd *l = (struct log_cmd *)c;
	void *arg[3] = { l, err, NULL };
	int st;

	(void)n;
	if (l->format && strcmp(l->format, "st") != 0 && strcmp(l->format, "records") != 0)
		return g_err_set(err, G_EX_USAGE, "--format: '%s' is not records or st", l->format);
	st = l->format && strcmp(l->format, "st") == 0;
	g_err_clear(err);
	if (open_session(l, args[0], err) < 0)
		return -1;
	if (st && g_subcmd_write(&l->c,
			    g_st_chat_header_out(user_name(l), l->session.character_name,
						l->session.created_at),
			    err) < 0)
		return -1;
	if (g_chat_log_each(l->c.ctx.store, &l->c.ctx.key, l->session.id, 0,
			   st ? write_st : write_record, arg, err) < 0)
		return -1;
	return err->code ? -1 : 0;
}

static int run_import(struct g_subcmd *c, char **args, int n, struct g_err *err)
{
	struct log_cmd *l = (struct log_cmd *)c;
	struct g_chat_import o = { l->character, l->persona, l->impersonate,
				  !!(l->c.given & BIT(NO_PERSONA)), l->title };
	json_t *rec;

	if (g_chat_edit_import(&l->c.ctx, n ? args[0] : "-", l->c.cli.input, &o, &rec, err) < 0)
		return -1;
	return g_subcmd_write(&l->c, rec, err);
}

static const struct g_subcmd_verb verbs[] = {
	{ "show", 1, 1, BIT(LAST) | BIT(FORMAT), G_CONTEXT_KEY, run_show },
	{ "append", 1, 1, BIT(ROLE) | BIT(STATUS) | BIT(MODEL) | BIT(RECORDS),
	  G_CONTEXT_KEY, run_append },
	{ "edit", 2, 2, 0, G_CONTEXT_KEY, run_edit },
	{ "swipes", 2, 2, 0, G_CONTEXT_KEY, run_swipes },
	{ "swipe", 3, 3, 0, G_CONTEXT_KEY, run_swipe },
	{ "delete", 1, -1, BIT(LAST), G_CONTEXT_KEY, run_delete },
	{ "export", 1, 1, BIT(FORMAT), G_CONTEXT_KEY, run_export },
	{ "import", 0, 1,
	  BIT(CHARACTER) | BIT(PERSONA) | BIT(IMPERSONATE) | BIT(NO_PERSONA) |
		  BIT(TITLE),
	  G_CONTEXT_KEY, run_import },
};

static int own_option(void *cmd, int opt, const char *arg)
{
	struct log_cmd *l = cmd;
	struct g_err err;

	switch (opt) {
	case G_OPT_CHARACTER: l->character = arg; break;
	case G_OPT_PERSONA: l->persona = arg; break;
	case G_OPT_IMPERSONATE: l->impersonate = arg; break;
	case G_OPT_TITLE:
	case G_OPT_MODEL:
		if (g_cli_utf8(opt == G_OPT_TITLE ? "--title" : "--model", arg, &err) < 0)
			return g_msg_report(&err);
		*(opt == G_OPT_TITLE ? &l->title : &l->model) = arg;
		break;
	case G_OPT_FORMAT: l->format = arg; break;
	case G_OPT_ROLE: l->role = arg; break;
	case G_OPT_STATUS: l->status_opt = arg; break;
	case G_OPT_LAST:
		if (g_cli_parse_long(arg, 1, 0x7fffffffL, &l->last) < 0)
			return g_msg_usage(synopsis, "--last: '%s' is not a number, 1 or more", arg);
		break;
	}
	return -1;
}

/* What one verb cannot tell alone: options that exclude each other. */
static int check_verb(struct g_subcmd *c)
{
	struct log_cmd *l = (struct log_cmd *)c;

	if (!!l->persona + !!l->impersonate + !!(l->c.given & BIT(NO_PERSONA)) > 1)
		return g_msg_usage(synopsis,
				     "--persona, --impersonate and --no-persona: give one");
	return -1;
}

int main(int argc, char **argv)
{
	static const struct g_subcmd_def def = {
		{ synopsis, G_CLI_SHORTOPTS, G_OPT_OWN(own), own_option },
		verbs, sizeof(verbs) / sizeof(*verbs), check_verb
	};
	struct log_cmd l;
	int status;

	memset(&l, 0, sizeof(l));
	status = g_subcmd_main(&l.c, &def, argc, argv);
	g_session_release(&l.session);
	return g_frame_finish(status);
}
