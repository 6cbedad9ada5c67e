/*
 * subcmd.h: the frame of a command with subcommands over one user's data
 * (persona, session-bind, session-log): the shared options and the
 * command's own (frame.h), then the verb (git style: `persona show Wren`)
 * looked up in the command's one table, then what the verb needs opened
 * (context.h), then the verb's run, with records written as they are made
 * and the first failure of a batch kept for the exit status. A command's
 * own struct begins with a struct g_subcmd, so the verb functions get it
 * back with a cast.
 *
 * This prints (usage errors, failures): it is the command layer, kept in
 * one place rather than written three times.
 */
#ifndef GUISE_SUBCMD_H
#define GUISE_SUBCMD_H
#include <jansson.h>

#include "cli.h"
#include "context.h"
#include "doc.h"
#include "frame.h"

struct g_subcmd {
	struct g_cli cli;
	struct g_context ctx;
	struct g_doc_writer *out;
	g_opt_set given; /* G_OPT_BIT of each own option given */
	int verb;       /* its index in the verb table */
	int status;     /* the first failure of a batch, or 0 */
};

/* A verb's work on args[0..n): 0, or -1 with err set. */
typedef int g_subcmd_run(struct g_subcmd *c, char **args, int n, struct g_err *err);

/* One subcommand, a row of its command's table: the own options it takes
 * (G_OPT_BIT), how many operands (max_args -1: any number), what it needs
 * opened before it runs, and its run. */
struct g_subcmd_verb {
	const char *name;
	int min_args, max_args;
	g_opt_set takes;
	enum g_context_needs needs;
	g_subcmd_run *run;
};

struct g_subcmd_def {
	/* the synopsis, the options, and the own-option handler, whose cmd
	 * is the struct g_subcmd */
	struct g_frame frame;
	const struct g_subcmd_verb *verbs;
	size_t nverbs;
	/* after the verb is known (may be NULL): -1 to go on, else a status */
	int (*check)(struct g_subcmd *c);
};

/* Parse, open, run: the exit status (not yet through g_frame_finish, so the
 * caller can free its own things first). c must be zeroed. */
int g_subcmd_main(struct g_subcmd *c, const struct g_subcmd_def *d, int argc, char **argv);

/* Report err and keep its status if it is the batch's first failure. */
void g_subcmd_failed(struct g_subcmd *c, const struct g_err *err);

/* Write rec (taken; NULL is out of memory) to stdout. */
int g_subcmd_write(struct g_subcmd *c, json_t *rec, struct g_err *err);

#endif
