/* frame.c: the one option loop of every command, and the close of stdout. */
#include "frame.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "exit.h"
#include "msg.h"

/* One shared option: 0 if it is the command's own, else 1 with *status -1
 * to go on, or the exit status to return now (after -h, -V, a bad one). */
static int shared_option(struct g_cli *cli, int opt, const char *arg, const char *synopsis,
			 int *status)
{
	struct g_err err;

	*status = -1;
	switch (g_cli_option(cli, opt, arg, &err)) {
	case G_CLI_NOT_SHARED:
		return 0;
	case G_CLI_TAKEN:
		break;
	case G_CLI_HELP:
		fputs(synopsis, stdout);
		*status = G_EX_OK;
		break;
	case G_CLI_VERSION:
		printf("%s (guise) %s\n", g_cli_prog, GUISE_VERSION);
		*status = G_EX_OK;
		break;
	case G_CLI_BAD:
		*status = g_msg_usage(synopsis, "%s", err.msg);
		break;
	}
	return 1;
}

int g_frame_options(const struct g_frame *f, void *cmd, struct g_cli *cli,
                    g_opt_set *given, int argc, char **argv)
{
	struct option table[G_OPT_TABLE_SIZE];
	enum g_opt code;
	int opt, status;

	g_opt_table(f->own, f->nown, table);
	while ((opt = g_cli_getopt(argc, argv, f->shortopts, table)) != -1) {
		if (shared_option(cli, opt, optarg, f->synopsis, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		/* cannot happen: g_cli_getopt gives only the table's codes and
		 * letters */
		if (!(code = g_opt_code(f->own, f->nown, opt)))
			return g_msg_usage(f->synopsis, "unknown option");
		if (given)
			*given |= G_OPT_BIT(code);
		if ((status = f->option(cmd, code, optarg)) >= 0)
			return status;
	}
	return -1;
}

int g_frame_finish(int status)
{
	int failed = fflush(stdout) != 0 || ferror(stdout);
	int saved = errno;

	if (fclose(stdout) != 0 && !failed) {
		failed = 1;
		saved = errno;
	}
	/* A write failure the command already reported (74): one message. */
	if (!failed || status == G_EX_IOERR)
		return status;
	g_msg("error writing stdout: %s", strerror(saved));
	return status ? status : G_EX_IOERR;
}
