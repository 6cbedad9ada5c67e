/* subcmd.c: options, verb, context and run of a command with subcommands. */
#include "subcmd.h"

#include <string.h>

void g_subcmd_failed(struct g_subcmd *c, const struct g_err *err)
{
	int status = g_report(err);

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

static int parse(struct g_subcmd *c, const struct g_subcmd_def *d, int argc, char **argv)
{
	int opt, status;

	while ((opt = g_getopt(argc, argv, G_CLI_SHORTOPTS, d->options)) != -1) {
		if (g_cli_handle(&c->cli, opt, optarg, d->synopsis, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		/* cannot happen: g_cli_handle took '?'; a code out of range */
		if (opt < G_OPT_COMMAND || opt >= G_OPT_COMMAND + 32)
			return g_usage_error(d->synopsis, "unknown option");
		c->given |= G_CLI_BIT(opt);
		if ((status = d->option(c, opt, optarg)) >= 0)
			return status;
	}
	c->verb = g_cli_verb(d->verbs, d->nverbs, d->options, c->given, argc, argv, d->synopsis);
	if (c->verb < 0)
		return G_EX_USAGE;
	return d->check ? d->check(c) : -1;
}

int g_subcmd_main(struct g_subcmd *c, const struct g_subcmd_def *d, int argc, char **argv)
{
	struct g_err err;
	int status;

	g_cli_init(&c->cli, argv[0]);
	status = parse(c, d, argc, argv);
	if (status >= 0)
		return status;
	g_err_clear(&err);
	c->out = g_doc_writer_new(stdout, c->cli.output);
	if (!c->out) {
		g_msg(G_ERR_OOM);
		status = G_EX_SOFTWARE;
	} else if (g_context_open(&c->ctx, &c->cli, &err) < 0 ||
		 d->runs[c->verb](c, argv + optind, argc - optind, &err) < 0)
		status = err.code == G_EX_USAGE ? g_usage_error(d->synopsis, "%s", err.msg)
						: g_report(&err);
	else
		status = c->status;
	if (c->out && g_doc_writer_close(c->out, status ? NULL : &err) < 0 && !status)
		status = g_report(&err);
	g_context_release(&c->ctx);
	return status;
}
