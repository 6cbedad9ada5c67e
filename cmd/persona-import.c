/*
 * persona-import: cards of every format into the store (DESIGN.md §7).
 * Files are read whole and judged by content (lib/card_import); each card is
 * stored by the conflict policy (lib/card_store) inside a batch
 * transaction, and its summary line is written only once that batch
 * committed, so what was reported is what is stored, even after a kill.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "card_import.h"
#include "card_row.h"
#include "card_store.h"
#include "cli.h"
#include "context.h"
#include "doc.h"
#include "fileio.h"
#include "frame.h"
#include "msg.h"
#include "png.h"
#include "timestamp.h"

static const char synopsis[] =
	"usage: persona-import [--as character|persona] [--swap-macros] [--strict]\n"
	"                      [--on-conflict new|replace|skip] [--batch N] [--full]\n"
	"                      [--fail-fast] [--progress] [FILE...]\n"
	"options: -d DB  -u USER  -y  --pretty  --input json|yaml  -q  -v  -n  -h  -V\n";

/* The largest input file read. */
#define MAX_INPUT G_PNG_MAX_FILE

/* its own long options (cmd/common/opt.h) */
static const enum g_opt own[] = {
	G_OPT_AS, G_OPT_BATCH, G_OPT_FAIL_FAST, G_OPT_FULL, G_OPT_ON_CONFLICT, G_OPT_PROGRESS,
	G_OPT_STRICT, G_OPT_SWAP_MACROS
};

struct import {
	struct g_cli cli;
	int as_persona;
	int swap_macros;
	int strict;
	enum g_card_store_conflict on_conflict;
	long batch;
	int full;
	int fail_fast;
	int progress;

	struct g_context ctx;
	struct g_card_store cs; /* cs.in_tx: a batch is open */
	struct g_doc_writer *out;
	json_t *pending; /* the open batch's records, written once it commits */

	int status; /* the first failure's exit status */
	int stop;   /* --fail-fast tripped, or nowhere left to write */
	long files_done, files_total;
	int64_t last_progress_ms;
	int progress_shown; /* a progress line waits for its end */
};

static int own_option(void *cmd, int opt, const char *arg)
{
	struct import *im = cmd;

	switch (opt) {
	case G_OPT_AS:
		if (strcmp(arg, "persona") == 0)
			im->as_persona = 1;
		else if (strcmp(arg, "character") != 0)
			return g_msg_usage(synopsis, "--as: '%s' is not character or persona", arg);
		break;
	case G_OPT_BATCH:
		if (g_cli_parse_long(arg, 1, 100000, &im->batch) < 0)
			return g_msg_usage(synopsis, "--batch: '%s' is not a number from 1 to 100000",
					     arg);
		break;
	case G_OPT_FAIL_FAST: im->fail_fast = 1; break;
	case G_OPT_FULL: im->full = 1; break;
	case G_OPT_ON_CONFLICT:
		if (strcmp(arg, "new") == 0)
			im->on_conflict = G_CARD_STORE_NEW;
		else if (strcmp(arg, "replace") == 0)
			im->on_conflict = G_CARD_STORE_REPLACE;
		else if (strcmp(arg, "skip") == 0)
			im->on_conflict = G_CARD_STORE_SKIP;
		else
			return g_msg_usage(synopsis, "--on-conflict: '%s' is not new, replace or skip",
					     arg);
		break;
	case G_OPT_PROGRESS: im->progress = 1; break;
	case G_OPT_STRICT: im->strict = 1; break;
	case G_OPT_SWAP_MACROS: im->swap_macros = 1; break;
	}
	return -1;
}

static int parse(struct import *im, int argc, char **argv)
{
	static const struct g_frame frame = {
		synopsis, G_CLI_SHORTOPTS, G_OPT_OWN(own), own_option
	};
	int status = g_frame_options(&frame, im, &im->cli, NULL, argc, argv);

	if (status >= 0)
		return status;
	if (im->swap_macros && !im->as_persona)
		return g_msg_usage(synopsis, "--swap-macros goes with --as persona");
	return -1;
}

/* The progress line ends before any message, so none is written into it. */
static void end_progress_line(struct import *im)
{
	if (!im->progress_shown)
		return;
	fputs(isatty(2) ? "\r\033[K" : "\n", stderr);
	im->progress_shown = 0;
}

/* Record the first failure; with --fail-fast, stop there. */
static void failed(struct import *im, int status)
{
	if (!im->status)
		im->status = status;
	if (im->fail_fast)
		im->stop = 1;
}

static void report(struct import *im, const struct g_err *err)
{
	end_progress_line(im);
	failed(im, g_msg_report(err));
}

static void warn_card(const char *msg, void *arg)
{
	struct import *im = arg;

	end_progress_line(im);
	g_msg_warn(&im->cli, "%s", msg);
}

/* --- batches: one transaction, told only once committed --- */

static void flush_pending(struct import *im)
{
	struct g_err err;
	size_t i;
	json_t *rec;

	json_array_foreach(im->pending, i, rec)
		if (g_doc_write(im->out, rec, &err) < 0) {
			report(im, &err);
			im->stop = 1;
			break;
		}
	json_array_clear(im->pending);
}

/* Commit and only then tell; a batch that fails to commit stored nothing,
 * and nothing of it is told. */
static void end_batch(struct import *im)
{
	struct g_err err;

	if (!im->cs.in_tx)
		return;
	if (g_card_store_commit(&im->cs, &err) < 0) {
		json_array_clear(im->pending);
		report(im, &err);
		im->stop = 1;
		return;
	}
	flush_pending(im);
}

/* --- one card --- */

struct telling {
	struct import *im;
	json_t *recs;
};

/* The record of a card stored: inside its savepoint, so a card that
 * cannot be told is not stored either. */
static int tell(const struct g_card_store_card *c, void *arg, struct g_err *err)
{
	struct telling *t = arg;
	struct import *im = t->im;
	const json_t *name = json_object_get(json_object_get(c->card, "data"), "name");
	json_t *rec = NULL;

	if (im->full) {
		if (g_card_row_load(im->ctx.store, &im->ctx.key, c->row.kind, c->id, &rec, NULL, NULL,
				    err) < 0)
			return -1;
		json_object_set_new(rec, "status", json_string(c->status));
	} else {
		rec = g_card_row_summary(c->row.kind, c->id, json_string_value(name),
					 json_string_length(name), c->status);
		/* a file name is bytes, not always UTF-8: kept as it is */
		if (rec)
			json_object_set_new(rec, "source", json_string_nocheck(c->where));
	}
	if (!rec || json_array_append_new(t->recs, rec) < 0)
		return g_err_oom(err);
	return 0;
}

/* Cards that stand or fall together (one, or a backup's personas), never
 * split by a commit; their records join the batch. */
static int store_group(struct import *im, struct g_card_store_card *cards, size_t n,
		       struct g_err *err)
{
	struct telling t = { im, json_array() };
	int rc;

	if (!t.recs)
		return g_err_oom(err);
	if (g_card_store_due(&im->cs, n))
		end_batch(im);
	rc = im->stop ? 0 : g_card_store_group(&im->cs, cards, n, tell, &t, err);
	if (rc == 0 && !im->stop) {
		json_array_extend(im->pending, t.recs);
		if (g_card_store_due(&im->cs, 0))
			end_batch(im);
	}
	json_decref(t.recs);
	return rc;
}

static int on_items(const struct g_card_item *items, size_t n, const struct g_err *failure,
		    void *arg)
{
	struct import *im = arg;
	struct g_card_store_card *cards;
	struct g_err err;
	size_t i;

	if (failure) {
		report(im, failure);
		return im->stop;
	}
	cards = g_card_store_cards_new(items, n, im->as_persona, im->swap_macros, &err);
	if (!cards) {
		report(im, &err);
	} else if (im->cli.dry_run) {
		for (i = 0; i < n && !im->stop; i++) {
			json_t *rec = g_card_row_preview(&cards[i].row);

			if (g_doc_write(im->out, rec, &err) < 0) {
				report(im, &err);
				im->stop = 1;
			}
			json_decref(rec);
		}
	} else if (store_group(im, cards, n, &err) < 0) {
		report(im, &err);
		/* a busy or broken database will not get better for the next card */
		if (err.code == G_EX_TEMPFAIL || err.code == G_EX_IOERR)
			im->stop = 1;
	}
	g_card_store_cards_free(cards, n);
	return im->stop;
}

static void show_progress(struct import *im, int last)
{
	int64_t now = g_timestamp_ms();

	if (!im->progress || im->cli.verbosity < 0)
		return;
	if (!last && now - im->last_progress_ms < 250)
		return;
	im->last_progress_ms = now;
	fprintf(stderr, "\r%s: %ld/%ld files", g_cli_prog, im->files_done, im->files_total);
	im->progress_shown = 1;
	if (last) {
		fputc('\n', stderr);
		im->progress_shown = 0;
	}
}

static void import_file(struct import *im, const char *name)
{
	struct g_card_import_opts o = { im->cli.input, im->strict, !im->cli.dry_run, warn_card, im,
				       NULL, NULL };
	const char *shown = strcmp(name, "-") == 0 ? "<stdin>" : name;

	/* stdin has no file name to lend a nameless card */
	if (strcmp(name, "-") == 0)
		o.nameless = "unnamed";
	struct g_file file;
	struct g_err err;
	struct stat st;

	/* a pipe may keep us waiting: not with the lock held */
	if (im->cs.in_tx && (strcmp(name, "-") == 0 || stat(name, &st) < 0 || !S_ISREG(st.st_mode)))
		end_batch(im);
	if (g_fileio_read(name, MAX_INPUT, &file, &err) < 0) {
		report(im, &err);
		return;
	}
	o.file = &file;
	if (g_card_import_read(file.data, file.len, shown, &o, on_items, im, &err) < 0)
		report(im, &err);
	g_fileio_release(&file);
}

/* The store, the user and the key; nothing of it for -n. */
static int open_store(struct import *im, struct g_err *err)
{
	if (g_context_open(&im->ctx, &im->cli, err) < 0)
		return -1;
	g_msg_verbose(&im->cli, 1, "key for '%s': from the %s", im->ctx.user.username,
		  im->ctx.key.source);
	return g_card_store_init(&im->cs, &im->ctx, im->on_conflict, im->batch, err);
}

int main(int argc, char **argv)
{
	static char dash[] = "-";
	char *stdin_only[] = { dash };
	struct import im;
	struct g_err err;
	char **files;
	int status, i, n;

	memset(&im, 0, sizeof(im));
	im.batch = 200;
	g_cli_init(&im.cli, argv[0]);
	status = parse(&im, argc, argv);
	if (status >= 0)
		return g_frame_finish(status);
	if (g_cli_check(&im.cli, &err) < 0 || g_crypt_init(&err) < 0)
		return g_frame_finish(g_msg_report(&err));
	files = optind < argc ? argv + optind : stdin_only;
	n = optind < argc ? argc - optind : 1;
	/* progress for batches of files, on a terminal, or when asked */
	im.progress = im.progress || (n > 1 && isatty(2));
	im.files_total = n;
	im.pending = json_array();
	if (!im.cli.dry_run && open_store(&im, &err) < 0) {
		status = g_msg_report(&err);
		goto out;
	}
	im.out = g_doc_writer_new(stdout, im.cli.output);
	for (i = 0; i < n && !im.stop; i++) {
		import_file(&im, files[i]);
		im.files_done++;
		show_progress(&im, 0);
	}
	end_batch(&im);
	show_progress(&im, 1);
	if (g_doc_writer_close(im.out, &err) < 0 && !im.status)
		im.status = g_msg_report(&err);
	status = im.status;
out:
	g_card_store_release(&im.cs); /* a batch still open is rolled back */
	g_context_release(&im.ctx);
	json_decref(im.pending);
	return g_frame_finish(status);
}
