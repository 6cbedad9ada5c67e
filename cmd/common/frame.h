/*
 * frame.h: the frame every guise command runs in (DESIGN.md §3): the one
 * option loop, which takes the shared options itself (-h prints the
 * synopsis, -V the version, a bad option is a usage error) and hands each
 * of the command's own to its handler; and the close of stdout at the end,
 * which turns a failed write into 74. Between the two, a command with
 * subcommands runs through subcmd.h; the others do their own work.
 *
 * This prints and chooses exit statuses: it is the command layer, and
 * lives with the commands, not in lib/.
 */
#ifndef GUISE_FRAME_H
#define GUISE_FRAME_H

#include <getopt.h>

#include <stddef.h>

#include "cli.h"
#include "opt.h"

struct g_frame {
	const char *synopsis;         /* -h prints it; usage errors end with it */
	const char *shortopts;        /* G_CLI_SHORTOPTS and the command's own */
	const enum g_opt *own;        /* the command's own long options (opt.h) */
	size_t nown;
	/* one of the command's own options, by its code, for cmd: -1 to go
	 * on, else the exit status to return now */
	int (*option)(void *cmd, int code, const char *arg);
};

/* The options of argv, up to the first operand (optind then points at it):
 * the shared ones into cli (set up by g_cli_init), the command's own to
 * f->option, and G_OPT_BIT of each own long-only option given into *given
 * (given may be NULL). -1 to go on, else the exit status to return now. */
int g_frame_options(const struct g_frame *f, void *cmd, struct g_cli *cli,
                    g_opt_set *given, int argc, char **argv);

/* Flush and close stdout; a failed write turns a success into 74 (with a
 * message). Call last, with the status main is about to return. */
int g_frame_finish(int status);

#endif
