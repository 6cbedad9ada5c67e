/*
 * persona-import: cards of every format into the store (DESIGN.md §7).
 * Files are read whole and judged by content (lib/cardsource); each card is
 * stored encrypted (lib/cardrow) inside a batch transaction, and its
 * summary line is written only once that batch committed, so what was
 * reported is what is stored, even after a kill.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "card.h"
#include "card_names.h"
#include "card_row.h"
#include "card_import.h"
#include "cli.h"
#include "doc.h"
#include "fileio.h"
#include "frame.h"
#include "msg.h"
#include "userkey.h"
#include "macro_swap.h"
#include "png.h"
#include "store.h"
#include "timestamp.h"
#include "user.h"

static const char synopsis[] =
	"usage: persona-import [--as character|persona] [--swap-macros] [--strict]\n"
	"                      [--on-conflict new|replace|skip] [--batch N] [--full]\n"
	"                      [--fail-fast] [--progress] [FILE...]\n"
	"options: -d DB  -u USER  -y  --pretty  --input json|yaml  -q  -v  -n  -h  -V\n";

/* The largest input file read. */
#define MAX_INPUT G_PNG_MAX_FILE
/* A batch commits after this long too, so that a slow input never keeps
 * other writers waiting on the lock for long. */
#define BATCH_MAX_MS 1000

enum conflict { CONFLICT_NEW, CONFLICT_REPLACE, CONFLICT_SKIP };

enum {
	OPT_AS = G_OPT_COMMAND,
	OPT_BATCH,
	OPT_FAIL_FAST,
	OPT_FULL,
	OPT_ON_CONFLICT,
	OPT_PROGRESS,
	OPT_STRICT,
	OPT_SWAP_MACROS,
};

static const struct option options[] = {
	{ "as", required_argument, NULL, OPT_AS },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "fail-fast", no_argument, NULL, OPT_FAIL_FAST },
	{ "full", no_argument, NULL, OPT_FULL },
	{ "on-conflict", required_argument, NULL, OPT_ON_CONFLICT },
	{ "progress", no_argument, NULL, OPT_PROGRESS },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "swap-macros", no_argument, NULL, OPT_SWAP_MACROS },
	G_CLI_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

struct import {
	struct g_cli cli;
	int as_persona;
	int swap_macros;
	int strict;
	enum conflict on_conflict;
	long batch;
	int full;
	int fail_fast;
	int progress;

	struct g_store *store;
	struct g_user user;
	struct g_userkey key;
	struct g_doc_writer *out;

	int in_tx;
	long in_batch;       /* cards written in the open transaction */
	int64_t tx_began_ms; /* when it opened */
	json_t *pending;     /* their records, written once it commits */
	struct g_card_names *names; /* for --on-conflict replace and skip */

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
	case OPT_AS:
		if (strcmp(arg, "persona") == 0)
			im->as_persona = 1;
		else if (strcmp(arg, "character") != 0)
			return g_msg_usage(synopsis, "--as: '%s' is not character or persona", arg);
		break;
	case OPT_BATCH:
		if (g_cli_parse_long(arg, 1, 100000, &im->batch) < 0)
			return g_msg_usage(synopsis, "--batch: '%s' is not a number from 1 to 100000",
					     arg);
		break;
	case OPT_FAIL_FAST: im->fail_fast = 1; break;
	case OPT_FULL: im->full = 1; break;
	case OPT_ON_CONFLICT:
		if (strcmp(arg, "new") == 0)
			im->on_conflict = CONFLICT_NEW;
		else if (strcmp(arg, "replace") == 0)
			im->on_conflict = CONFLICT_REPLACE;
		else if (strcmp(arg, "skip") == 0)
			im->on_conflict = CONFLICT_SKIP;
		else
			return g_msg_usage(synopsis, "--on-conflict: '%s' is not new, replace or skip",
					     arg);
		break;
	case OPT_PROGRESS: im->progress = 1; break;
	case OPT_STRICT: im->strict = 1; break;
	case OPT_SWAP_MACROS: im->swap_macros = 1; break;
	}
	return -1;
}

static int parse(struct import *im, int argc, char **argv)
{
	static const struct g_frame frame = { synopsis, G_CLI_SHORTOPTS, options, own_option };
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

static int begin_batch(struct import *im, struct g_err *err)
{
	if (im->in_tx)
		return 0;
	/* the key was read before the lock: a rekey may have retired it */
	if (g_user_begin_write(im->store, im->key.user_id, im->key.username, im->key.dek_version,
			       err) < 0)
		return -1;
	im->in_tx = 1;
	im->in_batch = 0;
	im->tx_began_ms = g_timestamp_ms();
	if (im->names && g_card_names_refresh(im->names, im->store, &im->key, err) < 0) {
		g_store_rollback(im->store);
		im->in_tx = 0;
		return -1;
	}
	return 0;
}

/* Commit and only then tell; a batch that fails to commit stored nothing,
 * and nothing of it is told. */
static void end_batch(struct import *im)
{
	struct g_err err;

	if (!im->in_tx)
		return;
	im->in_tx = 0;
	if (g_store_commit(im->store, &err) < 0) {
		g_store_rollback(im->store);
		json_array_clear(im->pending);
		if (im->names) /* it may have learnt rows that are not there */
			g_card_names_clear(im->names);
		report(im, &err);
		im->stop = 1;
		return;
	}
	flush_pending(im);
}

/* --- one card --- */

struct prepared {
	struct g_card_row row;
	json_t *card; /* owned: the card as it is stored */
	const struct g_card_item *item;
};

static const char *card_name(const struct prepared *p)
{
	const char *name = json_string_value(json_object_get(json_object_get(p->card, "data"),
							     "name"));

	return name ? name : "";
}

static json_t *summary(const struct prepared *p, const char *id, const char *status)
{
	const json_t *name = json_object_get(json_object_get(p->card, "data"), "name");
	json_t *rec = json_object();

	json_object_set_new(rec, "kind", json_string(g_cardkind_name(p->row.kind)));
	json_object_set_new(rec, "id", json_string(id));
	json_object_set_new(rec, "name", name ? json_incref((json_t *)name) : json_string(""));
	json_object_set_new(rec, "status", json_string(status));
	/* a file name is bytes, not always UTF-8: kept as it is */
	json_object_set_new(rec, "source", json_string_nocheck(p->item->where));
	return rec;
}

/* Store one card, or find it stored: *status and id say which. */
static int store_card(struct import *im, const struct prepared *p, char id[G_UUID_LEN],
		      const char **status, struct g_err *err)
{
	unsigned char hash[G_HASH_BYTES];
	const json_t *same = NULL;
	int found;

	if (g_card_row_hash(&im->key, &p->row, hash, err) < 0)
		return -1;
	found = g_card_row_find_hash(im->store, &im->key, &p->row, hash, id, err);
	if (found != 0) {
		*status = "unchanged";
		return found < 0 ? -1 : 0;
	}
	if (im->names)
		same = g_card_names_ids(im->names, p->row.kind, card_name(p));
	if (json_array_size(same) && im->on_conflict == CONFLICT_SKIP) {
		snprintf(id, G_UUID_LEN, "%s", json_string_value(json_array_get(same, 0)));
		*status = "skipped";
		return 0;
	}
	if (json_array_size(same) && im->on_conflict == CONFLICT_REPLACE) {
		if (json_array_size(same) > 1)
			return g_err_set(err, G_EX_DATAERR,
					 "'%s': %zu %ss are called that: cannot tell which to replace",
					 p->item->where, json_array_size(same),
					 g_cardkind_name(p->row.kind));
		snprintf(id, G_UUID_LEN, "%s", json_string_value(json_array_get(same, 0)));
		*status = "updated";
		return g_card_row_replace(im->store, &im->key, &p->row, hash, id, err);
	}
	*status = "created";
	return g_card_row_insert(im->store, &im->key, &p->row, hash, id, err);
}

/* Cards that stand or fall together (one, or a backup's personas), under
 * one savepoint, never split by a commit; their records join the batch. */
static int store_group(struct import *im, const struct prepared *ps, size_t n,
		       struct g_err *err)
{
	json_t *recs = json_array(), *rec;
	struct g_err ignored;
	char id[G_UUID_LEN];
	const char *status;
	size_t i;
	int rc = 0;

	if (!recs)
		return g_err_oom(err);
	if (im->in_tx && im->in_batch > 0 && im->in_batch + (long)n > im->batch)
		end_batch(im);
	if (im->stop || begin_batch(im, err) < 0 ||
	    g_store_exec(im->store, "SAVEPOINT card", err) < 0) {
		json_decref(recs);
		return im->stop ? 0 : -1;
	}
	for (i = 0; i < n && rc == 0; i++) {
		const struct prepared *p = &ps[i];

		id[0] = '\0';
		status = "created";
		rec = NULL;
		rc = store_card(im, p, id, &status, err);
		if (rc == 0 && p->item->is_default)
			rc = g_user_set_default_persona(im->store, &im->user, id, err);
		if (rc == 0 && im->full)
			rc = g_card_row_load(im->store, &im->key, p->row.kind, id, &rec, NULL, NULL,
					    err);
		if (rc == 0 && rec)
			json_object_set_new(rec, "status", json_string(status));
		else if (rc == 0)
			rec = summary(p, id, status);
		if (rc == 0 && json_array_append_new(recs, rec) < 0)
			rc = g_err_oom(err);
	}
	if (rc == 0)
		rc = g_store_exec(im->store, "RELEASE card", err);
	if (rc < 0) {
		g_store_exec(im->store, "ROLLBACK TO card", &ignored);
		g_store_exec(im->store, "RELEASE card", &ignored);
	} else {
		/* namesakes learnt only once the rows are there to stay in
		 * the transaction */
		for (i = 0; im->names && i < n; i++)
			if (strcmp(json_string_value(json_object_get(json_array_get(recs, i), "status")),
				   "created") == 0)
				g_card_names_add(im->names, ps[i].row.kind,
						json_string_value(json_object_get(
							json_array_get(recs, i), "id")),
						card_name(&ps[i]));
		json_array_extend(im->pending, recs);
		im->in_batch += (long)n;
		if (im->in_batch >= im->batch ||
		    g_timestamp_ms() - im->tx_began_ms >= BATCH_MAX_MS)
			end_batch(im);
	}
	json_decref(recs);
	return rc;
}

static int prepare(struct import *im, const struct g_card_item *item, struct prepared *p,
		   struct g_err *err)
{
	memset(p, 0, sizeof(*p));
	p->item = item;
	p->row.kind = (im->as_persona || item->from_backup) ? G_PERSONA : G_CHARACTER;
	/* a copy only when it is changed: a large card is not held twice */
	p->card = (im->swap_macros || (p->row.kind == G_PERSONA && !item->from_backup))
			  ? json_deep_copy(item->card)
			  : json_incref(item->card);
	if (!p->card)
		return g_err_oom(err);
	p->row.place = item->from_backup ? item->place : g_placement_default;
	if (p->row.kind == G_PERSONA && !item->from_backup)
		g_placement_take(p->card, &p->row.place);
	if (im->swap_macros &&
	    g_macro_swap_json(json_object_get(p->card, "data")) < 0) {
		json_decref(p->card);
		return g_err_oom(err);
	}
	p->row.card = p->card;
	p->row.origin = item->origin;
	p->row.raw = item->raw;
	p->row.raw_len = item->raw_len;
	p->row.avatar = item->avatar;
	p->row.avatar_len = item->avatar_len;
	return 0;
}

static int on_items(const struct g_card_item *items, size_t n, const struct g_err *failure,
		    void *arg)
{
	struct import *im = arg;
	struct prepared *ps;
	struct g_err err;
	size_t i, ready = 0;

	if (failure) {
		report(im, failure);
		return im->stop;
	}
	if (!(ps = calloc(n, sizeof(*ps)))) {
		report(im, &(struct g_err){ G_EX_SOFTWARE, G_ERR_OOM });
		return im->stop;
	}
	for (; ready < n; ready++)
		if (prepare(im, &items[ready], &ps[ready], &err) < 0)
			break;
	if (ready < n) {
		report(im, &err);
	} else if (im->cli.dry_run) {
		for (i = 0; i < n && !im->stop; i++) {
			json_t *rec = g_card_row_preview(&ps[i].row);

			if (g_doc_write(im->out, rec, &err) < 0) {
				report(im, &err);
				im->stop = 1;
			}
			json_decref(rec);
		}
	} else if (store_group(im, ps, n, &err) < 0) {
		report(im, &err);
		/* a busy or broken database will not get better for the next card */
		if (err.code == G_EX_TEMPFAIL || err.code == G_EX_IOERR)
			im->stop = 1;
	}
	for (i = 0; i < ready; i++)
		json_decref(ps[i].card);
	free(ps);
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
	fprintf(stderr, "\r%s: %ld/%ld files", g_prog, im->files_done, im->files_total);
	im->progress_shown = 1;
	if (last) {
		fputc('\n', stderr);
		im->progress_shown = 0;
	}
}

static void import_file(struct import *im, const char *name)
{
	struct g_card_import_opts o = { im->cli.input, im->strict, !im->cli.dry_run, warn_card, im,
				       NULL };
	const char *shown = strcmp(name, "-") == 0 ? "<stdin>" : name;
	struct g_file file;
	struct g_err err;
	struct stat st;

	/* a pipe may keep us waiting: not with the lock held */
	if (im->in_tx && (strcmp(name, "-") == 0 || stat(name, &st) < 0 || !S_ISREG(st.st_mode)))
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
	char *path = g_cli_db_path(&im->cli, err);
	struct g_secret_opts secrets;

	if (!path)
		return -1;
	im->store = g_store_open(path, err);
	free(path);
	if (!im->store || g_user_resolve(im->store, im->cli.user, &im->user, err) < 0)
		return -1;
	g_secret_opts_init(&secrets);
	if (g_userkey_get(im->store->db_id, &im->user, &secrets, 0, &im->key, err) < 0)
		return -1;
	g_msg_verbose(&im->cli, 1, "key for '%s': from the %s", im->user.username, im->key.source);
	/* namesakes matter only to replace and skip: decrypting every name
	 * is not worth it otherwise */
	if (im->on_conflict != CONFLICT_NEW && !(im->names = g_card_names_new()))
		return g_err_oom(err);
	return 0;
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
	if (im.in_tx)
		g_store_rollback(im.store);
	g_userkey_release(&im.key);
	g_user_release(&im.user);
	g_store_close(im.store);
	g_card_names_free(im.names);
	json_decref(im.pending);
	return g_frame_finish(status);
}
