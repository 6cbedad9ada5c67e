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
#include <unistd.h>

#include "card.h"
#include "cardrow.h"
#include "cardsource.h"
#include "cli.h"
#include "doc.h"
#include "fileio.h"
#include "keys.h"
#include "macroswap.h"
#include "png.h"
#include "store.h"
#include "timestamp.h"
#include "users.h"

static const char synopsis[] =
	"usage: persona-import [--as character|persona] [--swap-macros] [--strict]\n"
	"                      [--on-conflict new|replace|skip] [--batch N] [--full]\n"
	"                      [--fail-fast] [--progress] [FILE...]\n"
	"options: -d DB  -u USER  -y  --pretty  --input json|yaml  -q  -v  -n  -h  -V\n";

/* The largest input file read. */
#define MAX_INPUT G_PNG_MAX_FILE

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
	long in_batch;   /* cards written in the open transaction */
	json_t *pending; /* their records, written once it commits */
	/* per kind: lower-cased name -> [ids], and the last rowid seen */
	json_t *names[2];
	int64_t last_rowid[2];

	int status; /* the first failure's exit status */
	int stop;   /* --fail-fast tripped, or nowhere left to write */
	long files_done, files_total;
	int64_t last_progress_ms;
};

static int parse(struct import *im, int argc, char **argv)
{
	int opt, status;

	while ((opt = getopt_long(argc, argv, G_CLI_SHORTOPTS, options, NULL)) != -1) {
		if (g_cli_handle(&im->cli, opt, optarg, synopsis, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		switch (opt) {
		case OPT_AS:
			if (strcmp(optarg, "persona") == 0)
				im->as_persona = 1;
			else if (strcmp(optarg, "character") != 0)
				return g_usage_error(synopsis, "--as: '%s' is not character or persona",
						     optarg);
			break;
		case OPT_BATCH:
			if (g_cli_parse_long(optarg, 1, 100000, &im->batch) < 0)
				return g_usage_error(synopsis, "--batch: '%s' is not a number from 1 to 100000",
						     optarg);
			break;
		case OPT_FAIL_FAST: im->fail_fast = 1; break;
		case OPT_FULL: im->full = 1; break;
		case OPT_ON_CONFLICT:
			if (strcmp(optarg, "new") == 0)
				im->on_conflict = CONFLICT_NEW;
			else if (strcmp(optarg, "replace") == 0)
				im->on_conflict = CONFLICT_REPLACE;
			else if (strcmp(optarg, "skip") == 0)
				im->on_conflict = CONFLICT_SKIP;
			else
				return g_usage_error(synopsis,
						     "--on-conflict: '%s' is not new, replace or skip",
						     optarg);
			break;
		case OPT_PROGRESS: im->progress = 1; break;
		case OPT_STRICT: im->strict = 1; break;
		case OPT_SWAP_MACROS: im->swap_macros = 1; break;
		default:
			return g_usage_error(synopsis, "unknown option");
		}
	}
	if (im->swap_macros && !im->as_persona)
		return g_usage_error(synopsis, "--swap-macros goes with --as persona");
	return -1;
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
	failed(im, g_report(err));
}

static void warn_card(const char *msg, void *arg)
{
	const struct import *im = arg;

	g_warn(&im->cli, "%s", msg);
}

/* --- names, to find conflicts (names are ciphertext: learnt once) --- */

static void lower(const char *s, char *out, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	out[i] = 0;
}

struct learn {
	json_t *map;
	int64_t *last;
};

static int learn_name(const char *id, const char *name, int64_t rowid, void *arg)
{
	struct learn *l = arg;
	char key[1024];
	json_t *ids;

	const json_t *known;
	size_t i;

	lower(name, key, sizeof(key));
	ids = json_object_get(l->map, key);
	if (!ids) {
		ids = json_array();
		json_object_set_new(l->map, key, ids);
	}
	*l->last = rowid;
	json_array_foreach(ids, i, known)
		if (strcmp(json_string_value(known), id) == 0)
			return 0; /* our own insert, learnt when it was made */
	json_array_append_new(ids, json_string(id));
	return 0;
}

/* Names of rows added since last time, by us or by another importer. */
static int learn_names(struct import *im, struct g_err *err)
{
	int kind;

	for (kind = 0; kind < 2; kind++) {
		struct learn l = { im->names[kind], &im->last_rowid[kind] };

		if (g_cardrow_names(im->store, &im->key, (enum g_cardkind)kind,
				    im->last_rowid[kind], learn_name, &l, err) < 0)
			return -1;
	}
	return 0;
}

static const json_t *ids_named(struct import *im, enum g_cardkind kind, const json_t *name)
{
	char key[1024];

	lower(json_string_value(name) ? json_string_value(name) : "", key, sizeof(key));
	return json_object_get(im->names[kind], key);
}

/* --- batches --- */

static int flush_pending(struct import *im)
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
	return 0;
}

static int begin_batch(struct import *im, struct g_err *err)
{
	if (im->in_tx)
		return 0;
	if (g_store_begin(im->store, err) < 0)
		return -1;
	im->in_tx = 1;
	im->in_batch = 0;
	if (learn_names(im, err) < 0) {
		g_store_rollback(im->store);
		im->in_tx = 0;
		return -1;
	}
	return 0;
}

/* Commit and only then tell; a batch that fails to commit stored nothing,
 * and nothing of it is told. */
static int end_batch(struct import *im)
{
	struct g_err err;

	if (!im->in_tx)
		return 0;
	im->in_tx = 0;
	if (g_store_commit(im->store, &err) < 0) {
		g_store_rollback(im->store);
		json_array_clear(im->pending);
		/* the names learnt in it may be of rows that are not there */
		json_object_clear(im->names[0]);
		json_object_clear(im->names[1]);
		im->last_rowid[0] = im->last_rowid[1] = 0;
		report(im, &err);
		im->stop = 1;
		return -1;
	}
	return flush_pending(im);
}

static int savepoint(struct import *im, const char *sql, struct g_err *err)
{
	return g_store_exec(im->store, sql, err);
}

/* --- one card --- */

struct prepared {
	struct g_cardrow row;
	json_t *card; /* owned: the card as it is stored */
	const struct g_card_item *item;
};

static int set_default(struct import *im, const char *id, struct g_err *err)
{
	sqlite3_stmt *st;
	char now[G_TIMESTAMP_LEN];
	int rc;

	rc = sqlite3_prepare_v2(im->store->db,
				"UPDATE users SET default_persona_id = ?1, updated_at = ?2 "
				"WHERE id = ?3",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		return g_store_error(im->store, rc, "setting the default persona", err);
	g_timestamp_now(now);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, im->user.id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : g_store_error(im->store, rc, "setting the default persona", err);
}

static json_t *summary(const struct prepared *p, const char *id, const char *status)
{
	const json_t *data = json_object_get(p->card, "data");

	return json_pack("{s:s, s:s, s:O, s:s, s:s}", "kind", g_cardkind_name(p->row.kind),
			 "id", id, "name", json_object_get(data, "name"), "status", status,
			 "source", p->item->where);
}

/* What a card's name maps to; *status and id say what became of it. */
static int store_card(struct import *im, const struct prepared *p, char id[G_UUID_LEN],
		      const char **status, struct g_err *err)
{
	unsigned char hash[G_HASH_BYTES];
	const json_t *same;
	int found;

	if (g_cardrow_hash(&im->key, &p->row, hash, err) < 0)
		return -1;
	found = g_cardrow_find_hash(im->store, &im->key, &p->row, hash, id, err);
	if (found < 0)
		return -1;
	if (found) {
		*status = "unchanged";
		return 0;
	}
	same = ids_named(im, p->row.kind, json_object_get(json_object_get(p->card, "data"), "name"));
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
		return g_cardrow_replace(im->store, &im->key, &p->row, hash, id, err);
	}
	*status = "created";
	if (g_cardrow_insert(im->store, &im->key, &p->row, hash, id, err) < 0)
		return -1;
	/* learnt now so that a second card of that name in this batch sees
	 * it; the next refresh passes over it by id */
	{
		const char *name = json_string_value(
			json_object_get(json_object_get(p->card, "data"), "name"));
		int64_t ignored;
		struct learn l = { im->names[p->row.kind], &ignored };

		learn_name(id, name ? name : "", 0, &l);
	}
	return 0;
}

static int store_one(struct import *im, const struct prepared *p, struct g_err *err)
{
	char id[G_UUID_LEN] = "";
	const char *status = "created";
	json_t *rec = NULL;

	if (begin_batch(im, err) < 0)
		return -1;
	if (savepoint(im, "SAVEPOINT card", err) < 0)
		return -1;
	if (store_card(im, p, id, &status, err) < 0 ||
	    (p->item->is_default && set_default(im, id, err) < 0) ||
	    (im->full && g_cardrow_load(im->store, &im->key, p->row.kind, id, &rec, NULL,
					NULL, err) < 0)) {
		struct g_err ignored;

		savepoint(im, "ROLLBACK TO card", &ignored);
		savepoint(im, "RELEASE card", &ignored);
		return -1;
	}
	if (savepoint(im, "RELEASE card", err) < 0) {
		json_decref(rec);
		return -1;
	}
	if (rec)
		json_object_set_new(rec, "status", json_string(status));
	else
		rec = summary(p, id, status);
	json_array_append_new(im->pending, rec);
	if (++im->in_batch >= im->batch)
		end_batch(im);
	return 0;
}

/* -n: the record as it would be stored, without id or timestamps. */
static json_t *preview(const struct prepared *p)
{
	json_t *rec = json_object(), *top = json_object();
	const char *key;
	json_t *v;

	json_object_foreach(p->card, key, v)
		if (!g_card_own_key(key))
			json_object_set(top, key, v);
	json_object_set_new(rec, "kind", json_string(g_cardkind_name(p->row.kind)));
	json_object_set(rec, "name", json_object_get(json_object_get(p->card, "data"), "name"));
	if (p->row.kind == G_PERSONA) {
		json_object_set_new(rec, "spec", json_string("user_persona_spec_v1"));
		json_object_set_new(rec, "spec_version", json_string("1.0.0"));
	} else {
		json_object_set(rec, "spec", json_object_get(p->card, "spec"));
		json_object_set(rec, "spec_version", json_object_get(p->card, "spec_version"));
	}
	json_object_set(rec, "data", json_object_get(p->card, "data"));
	if (json_object_size(top))
		json_object_set(rec, "top_level", top);
	json_decref(top);
	json_object_set(rec, "origin", (json_t *)p->row.origin);
	if (p->row.kind == G_PERSONA) {
		json_object_set_new(rec, "position", json_string(p->row.place.position));
		json_object_set_new(rec, "depth", json_integer(p->row.place.depth));
		json_object_set_new(rec, "role", json_string(p->row.place.role));
	}
	return rec;
}

static int prepare(struct import *im, const struct g_card_item *item, struct prepared *p,
		   struct g_err *err)
{
	memset(p, 0, sizeof(*p));
	p->item = item;
	p->card = json_deep_copy(item->card);
	if (!p->card)
		return g_err_set(err, G_EX_SOFTWARE, "out of memory");
	p->row.kind = (im->as_persona || item->from_backup) ? G_PERSONA : G_CHARACTER;
	if (im->swap_macros &&
	    g_macro_swap_json(json_object_get(p->card, "data")) < 0) {
		json_decref(p->card);
		return g_err_set(err, G_EX_SOFTWARE, "out of memory");
	}
	p->row.card = p->card;
	p->row.origin = item->origin;
	p->row.raw = item->raw;
	p->row.raw_len = item->raw_len;
	p->row.avatar = item->avatar;
	p->row.avatar_len = item->avatar_len;
	p->row.place = item->from_backup ? item->place : g_placement_default;
	return 0;
}

static int on_item(const struct g_card_item *item, const struct g_err *failure, void *arg)
{
	struct import *im = arg;
	struct prepared p;
	struct g_err err;

	if (failure) {
		report(im, failure);
		return im->stop;
	}
	if (prepare(im, item, &p, &err) < 0) {
		report(im, &err);
		return im->stop;
	}
	if (im->cli.dry_run) {
		json_t *rec = preview(&p);

		if (g_doc_write(im->out, rec, &err) < 0) {
			report(im, &err);
			im->stop = 1;
		}
		json_decref(rec);
	} else if (store_one(im, &p, &err) < 0) {
		report(im, &err);
		/* a busy or broken database will not get better for the next card */
		if (err.code == G_EX_TEMPFAIL || err.code == G_EX_IOERR)
			im->stop = 1;
	}
	json_decref(p.card);
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
	fprintf(stderr, "\r%s: %ld/%ld files%s", g_prog, im->files_done, im->files_total,
		last ? "\n" : "");
}

static void import_file(struct import *im, const char *name)
{
	struct g_cardsource_opts o = { im->cli.input, im->strict, !im->cli.dry_run, warn_card, im };
	const char *shown = strcmp(name, "-") == 0 ? "<stdin>" : name;
	struct g_file file;
	struct g_err err;

	if (g_file_read(name, MAX_INPUT, &file, &err) < 0) {
		report(im, &err);
		return;
	}
	if (g_cardsource_read(file.data, file.len, shown, &o, on_item, im, &err) < 0)
		report(im, &err);
	g_file_release(&file);
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
	g_verbose(&im->cli, 1, "key for '%s': from the %s", im->user.username, im->key.source);
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
		return g_cli_finish(status);
	if (g_cli_check(&im.cli, &err) < 0 || g_crypt_init(&err) < 0)
		return g_cli_finish(g_report(&err));
	files = optind < argc ? argv + optind : stdin_only;
	n = optind < argc ? argc - optind : 1;
	im.progress = im.progress || isatty(2);
	im.files_total = n;
	im.pending = json_array();
	im.names[0] = json_object();
	im.names[1] = json_object();
	if (!im.cli.dry_run && open_store(&im, &err) < 0) {
		status = g_report(&err);
		goto out;
	}
	im.out = g_doc_writer_new(stdout, im.cli.output);
	for (i = 0; i < n && !im.stop; i++) {
		import_file(&im, files[i]);
		im.files_done++;
		show_progress(&im, 0);
	}
	end_batch(&im);
	if (n > 1)
		show_progress(&im, 1);
	if (g_doc_writer_close(im.out, &err) < 0 && !im.status)
		im.status = g_report(&err);
	status = im.status;
out:
	if (im.in_tx)
		g_store_rollback(im.store);
	g_userkey_release(&im.key);
	g_user_release(&im.user);
	g_store_close(im.store);
	json_decref(im.pending);
	json_decref(im.names[0]);
	json_decref(im.names[1]);
	return g_cli_finish(status);
}
