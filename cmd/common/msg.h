/*
 * msg.h: what a command says on stderr (DESIGN.md §3). Messages follow
 * git: "prog: message", "prog: warning: message", lower case, no full stop,
 * each one written whole in one write. lib/ never prints: it fills a
 * struct g_err, and the command reports it through here.
 */
#ifndef GUISE_MSG_H
#define GUISE_MSG_H

#include "cli.h"
#include "err.h"

/* "prog: message" on stderr. */
void g_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "prog: warning: message" on stderr, unless -q. */
void g_msg_warn(const struct g_cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Chatter for -v (level 1) and -vv (level 2). */
void g_msg_verbose(const struct g_cli *cli, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print err's message and return its exit status. */
int g_msg_report(const struct g_err *err);

/* A usage error: the message, then the synopsis, on stderr; returns 64. */
int g_msg_usage(const char *synopsis, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
