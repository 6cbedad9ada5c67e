/* subcmd.c: options, verb, context and run of a command with subcommands. */
#include "subcmd.h"

#include <string.h>

#include "msg.h"

void g_subcmd_failed(struct g_subcmd *c, const struct g_err *err)
{
	int status = g_msg_report(err);

	if (!c->status)
		c->status = status;
}

int g_subcmd_write(struct g_subcmd *c, json_t *rec, struct g_err *err)
{
	int rc = rec ? g_doc_write(c->out, rec, err)
		     : g_err_oom(err);

	json_decref(rec);
	return rc;
}

/* After the options: argv[optind] names the verb. Its index in the table
 * with optind moved past it, or -1 after a usage error (no verb, an unknown
 * one, an option given that it does not take, too few or too many
 * operands). */
static int find_verb(const struct g_subcmd_def *d, g_opt_set given, int argc,
                     char **argv)
{
	const struct g_subcmd_verb *v = NULL;
	const struct g_frame *f = &d->frame;
	const char *synopsis = d->frame.synopsis;
	const char *name;
	size_t i;
	int args;

	if (optind >= argc) {
		g_msg_usage(synopsis, "name a subcommand");
		return -1;
	}
	name = argv[optind++];
	for (i = 0; i < d->nverbs && !v; i++)
		if (strcmp(name, d->verbs[i].name) == 0)
			v = &d->verbs[i];
	if (!v) {
		g_msg_usage(synopsis, "'%s' is not a subcommand", name);
		return -1;
	}
	for (i = 0; i < f->nown; i++)
		if ((given & G_OPT_BIT(f->own[i])) &&
		    !(v->takes & G_OPT_BIT(f->own[i]))) {
			g_msg_usage(synopsis, "%s: --%s does not apply", name,
			            g_opt_name(f->own[i]));
			return -1;
		}
	args = argc - optind;
	if (args < v->min_args || (v->max_args >= 0 && args > v->max_args)) {
		g_msg_usage(synopsis, "%s: %s", name,
			      args < v->min_args ? "name what it acts on" : "too many arguments");
		return -1;
	}
	return (int)(v - d->verbs);
}

static int parse(struct g_subcmd *c, const struct g_subcmd_def *d, int argc, char **argv)
{
	int status = g_frame_options(&d->frame, c, &c->cli, &c->given, argc, argv);

	if (status >= 0)
		return status;
	c->verb = find_verb(d, c->given, argc, argv);
	if (c->verb < 0)
		return G_EX_USAGE;
	return d->check ? d->check(c) : -1;
}

int g_subcmd_main(struct g_subcmd *c, const struct g_subcmd_def *d, int argc, char **argv)
{
	const struct g_subcmd_verb *v;
	struct g_err err;
	int status;

	g_cli_init(&c->cli, argv[0]);
	status = parse(c, d, argc, argv);
	if (status >= 0)
		return status;
	v = &d->verbs[c->verb];
	g_err_clear(&err);
	c->out = g_doc_writer_new(stdout, c->cli.output);
	if (!c->out) {
		g_msg(G_ERR_OOM);
		status = G_EX_SOFTWARE;
	} else if (g_context_open_for(&c->ctx, &c->cli, v->needs, &err) < 0 ||
		   v->run(c, argv + optind, argc - optind, &err) < 0)
		status = err.code == G_EX_USAGE ? g_msg_usage(d->frame.synopsis, "%s", err.msg)
						: g_msg_report(&err);
	else
		status = c->status;
	if (c->out && g_doc_writer_close(c->out, status ? NULL : &err) < 0 && !status)
		status = g_msg_report(&err);
	g_context_release(&c->ctx);
	return status;
}
