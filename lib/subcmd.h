/*
 * subcmd.h: the frame every command with subcommands over one user's data
 * shares (persona, session-bind, session-log): the shared options and the
 * command's own, then the verb (git style: `persona show Wren`), then the
 * store, the user and their key (context.h), then the verb's run, with
 * records written as they are made and the first failure of a batch kept
 * for the exit status. A command's own struct begins with a struct
 * g_subcmd, so the verb functions get it back with a cast.
 *
 * This prints (usage errors, failures): it is the command layer, kept in
 * one place rather than written three times.
 */
#ifndef GUISE_SUBCMD_H
#define GUISE_SUBCMD_H
#include <getopt.h>
#include <jansson.h>

#include "cli.h"
#include "context.h"
#include "doc.h"

struct g_subcmd {
	struct g_cli cli;
	struct g_context ctx;
	struct g_doc_writer *out;
	unsigned given; /* G_CLI_BIT of each own option given */
	int verb;       /* its index in the verb table */
	int status;     /* the first failure of a batch, or 0 */
};

/* A verb's work on args[0..n): 0, or -1 with err set. */
typedef int g_subcmd_run(struct g_subcmd *c, char **args, int n, struct g_err *err);

struct g_subcmd_def {
	const char *synopsis;
	const struct option *options; /* the shared ones and the command's own */
	const struct g_cli_verb *verbs;
	g_subcmd_run *const *runs; /* in the order of verbs */
	size_t nverbs;
	/* one of the command's own options: -1 to go on, else an exit status */
	int (*option)(struct g_subcmd *c, int opt, const char *arg);
	/* after the verb is known (may be NULL): -1 to go on, else a status */
	int (*check)(struct g_subcmd *c);
};

/* Parse, open, run: the exit status (not yet through g_cli_finish, so the
 * caller can free its own things first). c must be zeroed. */
int g_subcmd_main(struct g_subcmd *c, const struct g_subcmd_def *d, int argc, char **argv);

/* Report err and keep its status if it is the batch's first failure. */
void g_subcmd_failed(struct g_subcmd *c, const struct g_err *err);

/* Write rec (taken; NULL is out of memory) to stdout. */
int g_subcmd_write(struct g_subcmd *c, json_t *rec, struct g_err *err);

#endif
