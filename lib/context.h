/*
 * context.h: what a command that works on a user's data holds for its whole
 * run: the store, the user it acts for, and that user's key (from the
 * unlock cache or a passphrase source; never the terminal, so a pipeline
 * never stops to ask). g_context_open fills it in DESIGN.md §3's order;
 * g_context_release empties it (the key zeroed). Writes go through
 * g_context_begin and g_context_end, which commits, or with dry_run rolls
 * back, so that -n does everything but keep it.
 */
#ifndef GUISE_CONTEXT_H
#define GUISE_CONTEXT_H

#include "cli.h"
#include "userkey.h"
#include "store.h"
#include "user.h"

struct g_context {
	char *path;
	struct g_store *store;
	struct g_user user;
	struct g_userkey key;
	int dry_run;
};

/* Check the environment, initialise crypto, open the database, resolve
 * the user and get their key. On failure err is set (64, 66, 74, 75, 77,
 * 78 ...) and what was opened stays for g_context_release. */
int g_context_open(struct g_context *c, const struct g_cli *cli, struct g_err *err);

/* How far g_context_open_for goes: the environment checked only; crypto
 * and the store too; or all of g_context_open (the user and their key). */
enum g_context_needs { G_CONTEXT_NOTHING, G_CONTEXT_STORE, G_CONTEXT_KEY };
int g_context_open_for(struct g_context *c, const struct g_cli *cli,
		       enum g_context_needs needs, struct g_err *err);
void g_context_release(struct g_context *c);

int g_context_begin(struct g_context *c, struct g_err *err);
/* rc < 0: roll back and return -1; else commit (roll back under dry run). */
int g_context_end(struct g_context *c, int rc, struct g_err *err);

#endif
