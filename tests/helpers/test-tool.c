/*
 * test-tool: drives library code from the bats suites (after git's
 * t/helper/test-tool), so lib/ is tested through the same conventions a
 * command has: shared options, messages, exit statuses.
 *
 *   test-tool doc [--any] [FILE...]     read records (or whole documents)
 *                                       and write them in the output format
 *   test-tool store-open                open -d DB, say what happened
 *   test-tool uuid [N]                  N UUIDv7 ids
 *   test-tool timestamp [now|parse T|format MS]
 *   test-tool cli                       the resolved shared options
 *   test-tool kdf SALT OPS MEM          Argon2id of stdin, as hex (SALT: 16
 *                                       characters, MEM in KiB)
 *   test-tool vault-put TABLE COL ROW   seal stdin into an encrypted column
 *   test-tool vault-get TABLE COL ROW   print an encrypted column's text
 *   test-tool dek                       the user's data key, as hex: for
 *                                       tests that look for leaks only
 *   test-tool card [--strict] [FILE...] each record as a canonical V3 card
 *   test-tool png-card FILE             the card text in a PNG
 *   test-tool png-strip IN OUT          the PNG without its card chunks
 *   test-tool png-add IN OUT TYPE KEYWORD [z]
 *                                       stdin as a text chunk (tEXt, zTXt,
 *                                       iTXt; z: compressed iTXt)
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "cli.h"
#include "png.h"
#include "crypt.h"
#include "doc.h"
#include "exit.h"
#include "store.h"
#include "timestamp.h"
#include "uuid.h"
#include "vault.h"

#include <sodium.h>

static const char synopsis[] =
	"usage: test-tool doc [--any] [FILE...]\n"
	"       test-tool store-open\n"
	"       test-tool uuid [N]\n"
	"       test-tool timestamp [now | parse TEXT | format MS]\n"
	"       test-tool cli\n"
	"       test-tool kdf SALT OPS MEM_KIB\n"
	"       test-tool vault-put|vault-get TABLE COLUMN ROW\n"
	"       test-tool dek\n"
	"       test-tool card [--strict] [FILE...]\n"
	"       test-tool png-card FILE\n"
	"       test-tool png-strip IN OUT\n"
	"       test-tool png-add IN OUT tEXt|zTXt|iTXt KEYWORD [z]\n"
	"shared options: -d DB -u USER -y --pretty --input json|yaml -q -v -n\n";

enum { OPT_ANY = G_OPT_COMMAND, OPT_STRICT };

static const struct option options[] = {
	{ "any", no_argument, NULL, OPT_ANY },
	{ "strict", no_argument, NULL, OPT_STRICT },
	G_CLI_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

struct tool {
	struct g_cli cli;
	int any;
	int strict;
	int card; /* doc: normalise each record as a card */
};

/* Shared option parsing for every subcommand; returns -1 to go on, else
 * the exit status. */
static int parse(struct tool *t, int argc, char **argv)
{
	int opt, status;

	while ((opt = getopt_long(argc, argv, G_CLI_SHORTOPTS, options, NULL)) != -1) {
		if (g_cli_handle(&t->cli, opt, optarg, synopsis, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		if (opt == OPT_ANY)
			t->any = 1;
		else if (opt == OPT_STRICT)
			t->strict = 1;
		else
			return g_usage_error(synopsis, "unknown option");
	}
	return -1;
}

struct doc_run {
	struct tool *t;
	struct g_doc_writer *w;
};

static void say_warning(const char *msg, void *arg)
{
	struct tool *t = arg;

	g_warn(&t->cli, "%s", msg);
}

static int doc_one(FILE *in, const char *name, void *arg)
{
	struct doc_run *d = arg;
	struct g_doc_reader *r = g_doc_reader_new(in, name, d->t->cli.input,
						  d->t->any ? G_DOC_DOCUMENTS : G_DOC_RECORDS);
	struct g_err err;
	json_t *v;
	int rc, status = 0;

	if (!r) {
		g_msg("out of memory");
		return G_EX_SOFTWARE;
	}
	while ((rc = g_doc_read(r, &v, &err)) > 0) {
		if (d->t->card) {
			enum g_card_shape shape;
			json_t *card = g_card_normalize(v, name, d->t->strict, &shape,
							say_warning, d->t, &err);

			json_decref(v);
			if (!card) {
				rc = -1;
				break;
			}
			g_verbose(&d->t->cli, 1, "'%s': %s", name, g_card_shape_name(shape));
			v = card;
		}
		rc = g_doc_write(d->w, v, &err);
		json_decref(v);
		if (rc < 0)
			break;
	}
	if (rc < 0)
		status = g_report(&err);
	g_doc_reader_free(r);
	return status;
}

static int cmd_doc(struct tool *t, int argc, char **argv)
{
	struct doc_run d = { t, g_doc_writer_new(stdout, t->cli.output) };
	struct g_err err;
	int status;

	if (!d.w)
		return G_EX_SOFTWARE;
	status = g_cli_each_input(argv + optind, argc - optind, doc_one, &d);
	if (g_doc_writer_close(d.w, &err) < 0 && !status)
		status = g_report(&err);
	return status;
}

/* The value of a PRAGMA on the store's own connection, as text. */
static json_t *pragma(struct g_store *s, const char *name)
{
	char sql[64];
	sqlite3_stmt *st;
	json_t *v = NULL;

	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = json_string((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return v ? v : json_null();
}

/* Open the store and say what happened: the schema, whether this process
 * migrated, and the connection's settings. */
static int cmd_store_open(struct tool *t)
{
	static const char *const pragmas[] = {
		"journal_mode", "foreign_keys", "trusted_schema", "secure_delete",
		"busy_timeout", "application_id", "user_version",
	};
	struct g_doc_writer *w;
	struct g_store *s;
	struct g_err err;
	char *path = g_cli_db_path(&t->cli, &err);
	json_t *rec;
	size_t i;
	int rc;

	if (!path)
		return g_report(&err);
	s = g_store_open(path, &err);
	free(path);
	if (!s)
		return g_report(&err);
	rec = json_pack("{s:i, s:b, s:s}", "schema", s->schema_version,
			"migrated", s->migrated, "db_id", s->db_id);
	for (i = 0; i < sizeof(pragmas) / sizeof(*pragmas); i++)
		json_object_set_new(rec, pragmas[i], pragma(s, pragmas[i]));
	g_store_close(s);
	w = g_doc_writer_new(stdout, t->cli.output);
	rc = w ? g_doc_write(w, rec, &err) : g_err_set(&err, G_EX_SOFTWARE, "out of memory");
	json_decref(rec);
	if (g_doc_writer_close(w, rc < 0 ? NULL : &err) < 0 || rc < 0)
		return g_report(&err);
	return 0;
}

static int cmd_uuid(int argc, char **argv)
{
	char id[G_UUID_LEN];
	struct g_err err;
	long n = 1, i;

	if (optind < argc && g_cli_parse_long(argv[optind], 1, 1000000, &n) < 0)
		return g_usage_error(synopsis, "uuid: '%s' is not a count", argv[optind]);
	for (i = 0; i < n; i++) {
		if (g_uuid7(id, &err) < 0)
			return g_report(&err);
		puts(id);
	}
	return 0;
}

static int cmd_timestamp(int argc, char **argv)
{
	char text[G_TIMESTAMP_LEN];
	const char *verb = optind < argc ? argv[optind] : "now";
	int64_t ms;
	long v;

	if (strcmp(verb, "now") == 0) {
		g_timestamp_now(text);
		puts(text);
		return 0;
	}
	if (optind + 1 >= argc)
		return g_usage_error(synopsis, "timestamp %s: missing argument", verb);
	if (strcmp(verb, "parse") == 0) {
		if (g_timestamp_parse(argv[optind + 1], &ms) < 0) {
			g_msg("'%s' is not an RFC 3339 time", argv[optind + 1]);
			return G_EX_DATAERR;
		}
		printf("%" PRId64 "\n", ms);
		return 0;
	}
	if (strcmp(verb, "format") == 0 &&
	    g_cli_parse_long(argv[optind + 1], 0, 253402300799999L, &v) == 0) {
		g_timestamp_format(v, text);
		puts(text);
		return 0;
	}
	return g_usage_error(synopsis, "timestamp: bad arguments");
}

static const char *format_name(enum g_doc_format f)
{
	return f == G_DOC_JSON ? "json" : f == G_DOC_YAML ? "yaml" : "auto";
}

static const char *style_name(enum g_doc_style s)
{
	return s == G_DOC_OUT_YAML ? "yaml" : s == G_DOC_OUT_PRETTY ? "pretty" : "jsonl";
}

static int cmd_cli(struct tool *t)
{
	struct g_doc_writer *w = g_doc_writer_new(stdout, t->cli.output);
	struct g_err err;
	char *path = g_cli_db_path(&t->cli, &err);
	json_t *rec;
	int rc;

	if (!path || !w) {
		g_doc_writer_close(w, NULL);
		free(path);
		return g_report(&err);
	}
	rec = json_pack("{s:s, s:s?, s:s, s:s, s:i, s:b}", "db", path, "user",
			t->cli.user, "input", format_name(t->cli.input), "output",
			style_name(t->cli.output), "verbosity", t->cli.verbosity,
			"dry_run", t->cli.dry_run);
	free(path);
	rc = g_doc_write(w, rec, &err);
	json_decref(rec);
	g_verbose(&t->cli, 1, "verbose chatter goes to stderr");
	g_warn(&t->cli, "a warning is silenced by -q");
	if (g_doc_writer_close(w, &err) < 0 || rc < 0)
		return g_report(&err);
	return 0;
}

static int cmd_kdf(int argc, char **argv)
{
	char pass[1024], hex[2 * G_KEY_BYTES + 1];
	unsigned char key[G_KEY_BYTES];
	struct g_kdf kdf = { "test", 0, 0 };
	struct g_err err;
	long ops, mem;
	size_t n;

	if (optind + 3 != argc || strlen(argv[optind]) != G_SALT_BYTES ||
	    g_cli_parse_long(argv[optind + 1], 1, 100, &ops) < 0 ||
	    g_cli_parse_long(argv[optind + 2], 1, 1L << 30, &mem) < 0)
		return g_usage_error(synopsis, "kdf: SALT (16 characters) OPS MEM_KIB");
	n = fread(pass, 1, sizeof(pass), stdin);
	kdf.opslimit = (unsigned long long)ops;
	kdf.memlimit = (size_t)mem * 1024;
	if (g_crypt_init(&err) < 0 ||
	    g_kdf_derive(pass, n, (const unsigned char *)argv[optind], &kdf, key, &err) < 0)
		return g_report(&err);
	sodium_bin2hex(hex, sizeof(hex), key, sizeof(key));
	puts(hex);
	return 0;
}

/* The store, the user and their key, for the vault verbs. */
static int open_user_key(struct tool *t, struct g_store **s, struct g_userkey *k,
			 struct g_err *err)
{
	struct g_user u;
	char *path;
	int rc;

	if (g_crypt_init(err) < 0 || !(path = g_cli_db_path(&t->cli, err)))
		return -1;
	*s = g_store_open(path, err);
	free(path);
	if (!*s)
		return -1;
	rc = g_user_resolve(*s, t->cli.user, &u, err);
	if (rc == 0)
		rc = g_userkey_get((*s)->db_id, &u, NULL, 0, k, err);
	g_user_release(&u);
	if (rc < 0) {
		g_store_close(*s);
		*s = NULL;
	}
	return rc;
}

static int cmd_vault(struct tool *t, int put, int argc, char **argv)
{
	static char buf[1 << 20];
	struct g_store *s;
	struct g_userkey k = { .dek = NULL };
	struct g_err err;
	char *plain = NULL;
	size_t len = 0;
	int rc;

	if (optind + 3 != argc)
		return g_usage_error(synopsis, "vault: TABLE COLUMN ROW");
	if (open_user_key(t, &s, &k, &err) < 0)
		return g_report(&err);
	if (put) {
		len = fread(buf, 1, sizeof(buf), stdin);
		rc = g_vault_put(s, &k, argv[optind], argv[optind + 1], argv[optind + 2],
				 buf, len, &err);
	} else {
		rc = g_vault_get(s, &k, argv[optind], argv[optind + 1], argv[optind + 2],
				 &plain, &len, &err);
		if (rc > 0)
			fwrite(plain, 1, len, stdout);
		else if (rc == 0)
			g_msg("unset");
		free(plain);
	}
	g_userkey_release(&k);
	g_store_close(s);
	return rc < 0 ? g_report(&err) : 0;
}

static int cmd_dek(struct tool *t)
{
	char hex[2 * G_KEY_BYTES + 1];
	struct g_store *s;
	struct g_userkey k = { .dek = NULL };
	struct g_err err;

	if (open_user_key(t, &s, &k, &err) < 0)
		return g_report(&err);
	sodium_bin2hex(hex, sizeof(hex), k.dek, G_KEY_BYTES);
	puts(hex);
	g_userkey_release(&k);
	g_store_close(s);
	return 0;
}

/* A whole file into memory (tests only: PNGs are small). */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	unsigned char *buf = NULL, *grown;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	do {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			if (!(grown = realloc(buf, cap))) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	if (f != stdin)
		fclose(f);
	return buf;
}

static int spill(const char *path, const unsigned char *buf, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(buf, 1, len, f) == len;

	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok)
		g_msg("cannot write '%s': %s", path, strerror(errno));
	return ok ? 0 : G_EX_IOERR;
}

static int cmd_png(const char *sub, int argc, char **argv)
{
	unsigned char *buf, *out = NULL, *text;
	const char *keyword;
	struct g_err err;
	size_t len, n = 0;
	char *card;
	int rc;

	if (optind >= argc)
		return g_usage_error(synopsis, "%s: missing file", sub);
	if (!(buf = slurp(argv[optind], &len))) {
		g_msg("cannot read '%s': %s", argv[optind], strerror(errno));
		return G_EX_NOINPUT;
	}
	if (strcmp(sub, "png-card") == 0) {
		rc = g_png_card(buf, len, argv[optind], &card, &n, &keyword, &err);
		if (rc == 0) {
			fwrite(card, 1, n, stdout);
			g_msg("from '%s'", keyword);
			free(card);
		}
	} else if (optind + 1 >= argc) {
		rc = g_err_set(&err, G_EX_USAGE, "%s: missing output file", sub);
	} else if (strcmp(sub, "png-strip") == 0) {
		rc = g_png_without_cards(buf, len, argv[optind], &out, &n, &err);
	} else if (strcmp(sub, "png-add") == 0 && optind + 3 < argc) {
		size_t tlen;

		text = slurp("-", &tlen);
		rc = text ? g_png_add_text(buf, len, argv[optind + 2], argv[optind + 3],
					   (const char *)text, tlen,
					   optind + 4 < argc && strcmp(argv[optind + 4], "z") == 0,
					   &out, &n, &err)
			  : g_err_set(&err, G_EX_IOERR, "cannot read stdin");
		free(text);
	} else {
		rc = g_err_set(&err, G_EX_USAGE, "png-add IN OUT TYPE KEYWORD [z]");
	}
	free(buf);
	if (rc < 0)
		return g_report(&err);
	rc = out ? spill(argv[optind + 1], out, n) : 0;
	free(out);
	return rc;
}

int main(int argc, char **argv)
{
	struct tool t = { .any = 0 };
	struct g_err err;
	const char *sub;
	int status;

	g_cli_init(&t.cli, "test-tool");
	if (argc < 2)
		return g_cli_finish(g_usage_error(synopsis, "missing subcommand"));
	sub = argv[1];
	argc--;
	argv++;
	status = parse(&t, argc, argv);
	if (status >= 0)
		return g_cli_finish(status);
	if (g_cli_check(&t.cli, &err) < 0)
		return g_cli_finish(g_report(&err));
	if (strcmp(sub, "doc") == 0)
		status = cmd_doc(&t, argc, argv);
	else if (strcmp(sub, "card") == 0) {
		t.card = 1;
		status = cmd_doc(&t, argc, argv);
	}
	else if (strcmp(sub, "store-open") == 0)
		status = cmd_store_open(&t);
	else if (strcmp(sub, "uuid") == 0)
		status = cmd_uuid(argc, argv);
	else if (strcmp(sub, "timestamp") == 0)
		status = cmd_timestamp(argc, argv);
	else if (strcmp(sub, "cli") == 0)
		status = cmd_cli(&t);
	else if (strcmp(sub, "kdf") == 0)
		status = cmd_kdf(argc, argv);
	else if (strcmp(sub, "vault-put") == 0 || strcmp(sub, "vault-get") == 0)
		status = cmd_vault(&t, sub[6] == 'p', argc, argv);
	else if (strcmp(sub, "dek") == 0)
		status = cmd_dek(&t);
	else if (strncmp(sub, "png-", 4) == 0)
		status = cmd_png(sub, argc, argv);
	else
		status = g_usage_error(synopsis, "unknown subcommand '%s'", sub);
	return g_cli_finish(status);
}
