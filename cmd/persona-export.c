/*
 * persona-export: a stored character or persona back out as a card
 * (DESIGN.md §7): V3 or V2 JSON, YAML, PNG or CHARX. The formats are in
 * lib/card_export; this is naming, loading and writing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "card_export.h"
#include "card_lenient.h"
#include "card_row.h"
#include "cli.h"
#include "context.h"
#include "doc.h"
#include "fileio.h"
#include "frame.h"
#include "msg.h"
#include "ref.h"

static const char synopsis[] =
	"usage: persona-export [--format v3|v2|yaml|png|charx] [-o FILE]\n"
	"                      [--character | --persona] NAME...\n"
	"options: -d DB  -u USER  -y  --pretty  -q  -v  -h  -V\n";

enum format { FORMAT_V3, FORMAT_V2, FORMAT_YAML, FORMAT_PNG, FORMAT_CHARX };

/* its own long options (cmd/common/opt.h) */
static const enum g_opt own[] = {
	G_OPT_KIND_CHARACTER, G_OPT_FORMAT, G_OPT_OUTPUT, G_OPT_KIND_PERSONA
};

struct export {
	struct g_cli cli;
	enum format format;
	int kinds;
	const char *output;
	struct g_context ctx;
};

static int own_option(void *cmd, int opt, const char *arg)
{
	static const char *const names[] = { "v3", "v2", "yaml", "png", "charx" };
	struct export *ex = cmd;
	int i;

	switch (opt) {
	case G_OPT_OUTPUT: ex->output = arg; break;
	case G_OPT_KIND_CHARACTER: ex->kinds = G_REF_CHARACTERS; break;
	case G_OPT_KIND_PERSONA: ex->kinds = G_REF_PERSONAS; break;
	case G_OPT_FORMAT:
		for (i = 0; i < 5 && strcmp(arg, names[i]) != 0; i++)
			;
		if (i == 5)
			return g_msg_usage(synopsis,
					     "--format: '%s' is not v3, v2, yaml, png or charx", arg);
		ex->format = (enum format)i;
		break;
	}
	return -1;
}

static int parse(struct export *ex, int argc, char **argv)
{
	static const struct g_frame frame = {
		synopsis, G_CLI_SHORTOPTS "o:", G_OPT_OWN(own), own_option
	};
	int status = g_frame_options(&frame, ex, &ex->cli, NULL, argc, argv);

	if (status >= 0)
		return status;
	if (optind >= argc)
		return g_msg_usage(synopsis, "name a character or persona");
	if ((ex->format == FORMAT_PNG || ex->format == FORMAT_CHARX) && argc - optind > 1)
		return g_msg_usage(synopsis, "a PNG or CHARX holds one card: name one");
	if ((ex->format == FORMAT_PNG || ex->format == FORMAT_CHARX) && !ex->output &&
	    isatty(1))
		return g_msg_usage(synopsis, "not writing an image to a terminal: use -o FILE");
	return -1;
}

/* One card as the bytes of a PNG or CHARX. */
static int binary(struct export *ex, const json_t *record, const json_t *card,
		  const struct g_blob *avatar, const struct g_blob *raw, unsigned char **out,
		  size_t *out_len, struct g_err *err)
{
	const char *format = json_string_value(json_object_get(json_object_get(record, "origin"),
							       "format"));

	if (ex->format == FORMAT_PNG)
		return g_card_export_png(card, avatar->data, avatar->len, out, out_len, err);
	return g_card_export_charx(card, format, raw->data, raw->len, avatar->data, avatar->len,
				   out, out_len, err);
}

/* -o: never over the database or the files SQLite keeps beside it. */
static int write_file(struct export *ex, const void *buf, size_t len, struct g_err *err)
{
	const char *db = ex->ctx.store->path;
	size_t n = strlen(db) + sizeof("-journal");
	char *wal = malloc(n), *shm = malloc(n), *journal = malloc(n);
	const char *keep[] = { db, wal, shm, journal, NULL };
	int rc;

	if (!wal || !shm || !journal) {
		rc = g_err_oom(err);
	} else {
		snprintf(wal, n, "%s-wal", db);
		snprintf(shm, n, "%s-shm", db);
		snprintf(journal, n, "%s-journal", db);
		rc = g_fileio_write(ex->output, buf, len, keep, err);
	}
	free(wal);
	free(shm);
	free(journal);
	return rc;
}

static int write_bytes(struct export *ex, const void *buf, size_t len, struct g_err *err)
{
	if (ex->output)
		return write_file(ex, buf, len, err);
	if (fwrite(buf, 1, len, stdout) != len)
		return g_err_set(err, G_EX_IOERR, "cannot write to stdout");
	return 0;
}

/* The cards of text formats, one document each, in the output style
 * (-y or --format yaml: YAML; --pretty: indented JSON). */
static int text_out(struct export *ex, json_t *const *cards, int n, struct g_err *err)
{
	enum g_doc_style style = ex->format == FORMAT_YAML ? G_DOC_OUT_YAML : ex->cli.output;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = ex->output ? open_memstream(&buf, &len) : stdout;
	struct g_doc_writer *w;
	int i, rc = 0;

	if (!f)
		return g_err_oom(err);
	w = g_doc_writer_new(f, style);
	for (i = 0; i < n && rc == 0; i++)
		rc = g_doc_write(w, cards[i], err);
	if (g_doc_writer_close(w, rc ? NULL : err) < 0)
		rc = -1;
	if (ex->output) {
		if (fclose(f) != 0 && rc == 0)
			rc = g_err_oom(err);
		if (rc == 0)
			rc = write_file(ex, buf, len, err);
		free(buf);
	}
	return rc;
}

static int export_all(struct export *ex, char **names, int n, struct g_err *err)
{
	json_t **cards = calloc((size_t)n, sizeof(json_t *));
	int i, rc = 0;

	if (!cards)
		return g_err_oom(err);
	for (i = 0; i < n && rc == 0; i++) {
		struct g_blob avatar = { 0 }, raw = { 0 };
		int want_blobs = ex->format == FORMAT_PNG || ex->format == FORMAT_CHARX;
		enum g_cardkind kind;
		char id[G_UUID_LEN];
		json_t *record = NULL;

		rc = g_ref_resolve(ex->ctx.store, &ex->ctx.key, ex->kinds, names[i], &kind, id, err);
		if (rc == 0)
			rc = g_card_row_load(ex->ctx.store, &ex->ctx.key, kind, id, &record,
					    want_blobs ? &avatar : NULL, want_blobs ? &raw : NULL, err);
		if (rc == 0) {
			json_t *card = g_card_row_card(record);

			if (card && kind == G_PERSONA)
				g_placement_put(card, record);
			/* the card as it came: values as written, not as read */
			if (card)
				g_card_lenient_restore(card);

			cards[i] = card && ex->format == FORMAT_V2 ? g_card_export_v2(card)
								   : json_incref(card);
			json_decref(card);
			if (!cards[i])
				rc = g_err_oom(err);
		}
		if (rc == 0 && want_blobs) {
			unsigned char *out = NULL;
			size_t out_len = 0;

			rc = binary(ex, record, cards[i], &avatar, &raw, &out, &out_len, err);
			if (rc == 0)
				rc = write_bytes(ex, out, out_len, err);
			free(out);
		}
		json_decref(record);
		free(avatar.data);
		free(raw.data);
	}
	/* text goes out only when every card was found: all or nothing */
	if (rc == 0 && ex->format != FORMAT_PNG && ex->format != FORMAT_CHARX)
		rc = text_out(ex, cards, n, err);
	for (i = 0; i < n; i++)
		json_decref(cards[i]);
	free(cards);
	return rc;
}

int main(int argc, char **argv)
{
	struct export ex;
	struct g_err err;
	int status;

	memset(&ex, 0, sizeof(ex));
	ex.kinds = G_REF_CHARACTERS | G_REF_PERSONAS;
	g_cli_init(&ex.cli, argv[0]);
	status = parse(&ex, argc, argv);
	if (status >= 0)
		return g_frame_finish(status);
	if (g_context_open(&ex.ctx, &ex.cli, &err) < 0 ||
	    export_all(&ex, argv + optind, argc - optind, &err) < 0)
		status = g_msg_report(&err);
	else
		status = 0;
	g_context_release(&ex.ctx);
	return g_frame_finish(status);
}
