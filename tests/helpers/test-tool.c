/*
 * test-tool: drives library code from the bats suites (after git's
 * t/helper/test-tool), so lib/ is tested through the same conventions a
 * command has: shared options, messages, exit statuses.
 *
 *   test-tool doc [--any] [FILE...]     read records (or whole documents)
 *                                       and write them in the output format
 *   test-tool store-open                open -d DB, say what happened
 *   test-tool db STEP...                lib/db.h's calls on -d's connection,
 *                                       step by step (db_tool.c)
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
 *   test-tool charx FILE                the card and entries of a CHARX
 *   test-tool charx-write OUT [PATH FILE]...
 *                                       a CHARX of stdin's card and files
 *   test-tool charx-roundtrip IN OUT    read a CHARX and write it again
 *   test-tool sse CHUNK                 stdin through the event-stream
 *                                       reader in pieces of CHUNK bytes (0:
 *                                       whole), each event as a record
 *   test-tool keys kdf-choose [NAME]    the KDF a new wrap takes (account.h)
 *   test-tool keys unlock-plan keyring|token [SECONDS]
 *                                       an unlock's record and length, -n
 *   test-tool keys drop                 the user's cached key, both places
 *   test-tool keys verdict FIELDS FAILED UNBOUND [fix]
 *                                       verify's record and verdict
 *   test-tool keys recovery-record [FIELDS]
 *                                       the user's record with a recovery key
 *   test-tool greeting INDEX [asked]    a new session's greeting from the
 *                                       character record on stdin
 *   test-tool card-fields               card_fields.h's lines: name, type,
 *                                       required, column (- for none)
 *   test-tool vault-columns TABLE       the vault's encrypted columns of
 *                                       TABLE, in the order it walks them
 *   test-tool charx-make OUT KIND [ARG]
 *                                       CHARX fixtures, good and bad, made
 *                                       with libzip and patched by hand
 *                                       (kinds: see charx_make below)
 *   test-tool zip-make OUT [NAME SOURCE]...
 *                                       a zip of these entries, deflated
 *                                       (for .byaf fixtures; SOURCE: see
 *                                       cmd_zip_make below)
 *   test-tool card-store POLICY BATCH [persona]
 *                                       the cards of stdin (a file as
 *                                       persona-import reads it) through
 *                                       lib/card_store: each card's record
 *                                       and each commit as it happens; a
 *                                       card named FAIL fails its group
 *                                       once stored (see card_store_tell)
 *   test-tool redact KEY SIZE TEXT      TEXT in a buffer of SIZE bytes with
 *                                       KEY redacted
 *   test-tool doc-one WHAT [FILE]       the one record of FILE (or stdin)
 *   test-tool message-record [ROLE]     each record as a message (ROLE: a
 *                                       record's without one)
 *   test-tool llm-target P URL M KEYFILE where stdin's request goes, given
 *                                       these flags ("": not given)
 *   test-tool turn                      a {request, reply, model, provider,
 *                                       recorded} record: the turn's speaker
 *                                       and its reply record
 *   test-tool lore-activate [--seed N]  the {books, messages, state,
 *                                       settings} document on stdin through
 *                                       lib/lore's activation: what fired,
 *                                       what was skipped, notes, timed state
 *   test-tool lore-gen [--entries N]...  a book shaped like real ones, from
 *                                       a seed (tests/helpers/lore_gen.c)
 *   test-tool time-runs [--small-pages] N CMD... [-- CMD...]...
 *                                       whole processes timed, taking turns
 *                                       (tests/helpers/time_runs.c)
 *   test-tool heap                      what g_heap_shape made of the heap
 *                                       (tests/helpers/heap_tool.c)
 *   test-tool lore-time [--repeat N]    one activation of stdin's document
 *                                       timed (tests/helpers/lore_time.c)
 *   test-tool lore-index write|read     a book's lore index from its JSON,
 *                                       or read back (lore_index_tool.c)
 *   test-tool lore-attached session|persona|character|global [ID]
 *                                       the user's books attached there, as
 *                                       lib/lore_store gives them to a render
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "account_verify.h"
#include "card.h"
#include "card_store.h"
#include "chat_log.h"
#include "charx.h"
#include "cli.h"
#include "png.h"
#include "secret.h"
#include "sse.h"
#include "crypt.h"
#include "db_tool.h"
#include "doc.h"
#include "fileio.h"
#include "llm_target.h"
#include "lore.h"
#include "lore_gen.h"
#include "heap_tool.h"
#include "time_runs.h"
#include "lore_store.h"
#include "exit.h"
#include "frame.h"
#include "input.h"
#include "keycache.h"
#include "msg.h"
#include "portable.h"
#include "session_edit.h"
#include "store.h"
#include "timestamp.h"
#include "turn.h"
#include "uuid.h"
#include "vault.h"

#include <sodium.h>
#include <zip.h>

static const char synopsis[] =
	"usage: test-tool doc [--any] [FILE...]\n"
	"       test-tool store-open\n"
	"       test-tool db STEP... (see db_tool.c)\n"
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
	"       test-tool charx FILE\n"
	"       test-tool charx-write OUT [PATH FILE]...\n"
	"       test-tool charx-roundtrip IN OUT\n"
	"       test-tool charx-make OUT KIND [ARG]\n"
	"       test-tool zip-make OUT [NAME FILE|zeros:BYTES|crypt:FILE]...\n"
	"       test-tool sse CHUNK\n"
	"       test-tool card-store new|replace|skip BATCH [persona]\n"
	"       test-tool redact KEY SIZE TEXT\n"
	"       test-tool doc-one WHAT [FILE]\n"
	"       test-tool message-record [ROLE]\n"
	"       test-tool llm-target PROVIDER URL MODEL KEYFILE\n"
	"       test-tool turn\n"
	"       test-tool keys kdf-choose [NAME] | unlock-plan keyring|token [SECONDS] | drop\n"
	"                 | verdict FIELDS FAILED UNBOUND [fix] | recovery-record [FIELDS]\n"
	"                 | passwd-asked [RECOVERY_FILE] (TOOL_KDF: --kdf) | filter seal|open [FILE...]\n"
	"       test-tool greeting INDEX [asked]\n"
	"       test-tool card-fields\n"
	"       test-tool vault-columns TABLE\n"
	"       test-tool lore-activate [--seed N]\n"
	"       test-tool lore-gen [--entries N] [--seed S] ... (see lore_gen.c)\n"
	"       test-tool time-runs [--small-pages] N CMD [ARG...] [-- CMD [ARG...]]...\n"
	"       test-tool heap\n"
	"       test-tool lore-time [--repeat N] [--seed S]\n"
	"       test-tool lore-index write|read\n"
	"       test-tool lore-attached session|persona|character|global [ID]\n"
	"shared options: -d DB -u USER -y --pretty --input json|yaml -q -v -n\n";

/* its own long options (cmd/common/opt.h) */
static const enum g_opt own[] = {
	G_OPT_ANY, G_OPT_SEED, G_OPT_STRICT
};

struct tool {
	struct g_cli cli;
	int any;
	int strict;
	int card; /* doc: normalise each record as a card */
	long seed; /* lore-activate */
};

static int own_option(void *cmd, int opt, const char *arg)
{
	struct tool *t = cmd;

	(void)arg;
	if (opt == G_OPT_ANY)
		t->any = 1;
	else if (opt == G_OPT_STRICT)
		t->strict = 1;
	else if (opt == G_OPT_SEED && g_cli_parse_long(arg, 0, LONG_MAX, &t->seed) < 0)
		return g_msg_usage(synopsis, "--seed: '%s' is not a number from 0", arg);
	return -1;
}

/* Shared option parsing for every subcommand; returns -1 to go on, else
 * the exit status. */
static int parse(struct tool *t, int argc, char **argv)
{
	static const struct g_frame frame = {
		synopsis, G_CLI_SHORTOPTS, G_OPT_OWN(own), own_option
	};

	return g_frame_options(&frame, t, &t->cli, NULL, argc, argv);
}

struct doc_run {
	struct tool *t;
	struct g_doc_writer *w;
};

static void say_warning(const char *msg, void *arg)
{
	struct tool *t = arg;

	g_msg_warn(&t->cli, "%s", msg);
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
		g_msg(G_ERR_OOM);
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
			g_msg_verbose(&d->t->cli, 1, "'%s': %s", name, g_card_shape_name(shape));
			v = card;
		}
		rc = g_doc_write(d->w, v, &err);
		json_decref(v);
		if (rc < 0)
			break;
	}
	if (rc < 0)
		status = g_msg_report(&err);
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
	status = g_input_each(argv + optind, argc - optind, doc_one, &d);
	if (g_doc_writer_close(d.w, &err) < 0 && !status)
		status = g_msg_report(&err);
	return status;
}

/* The value of a PRAGMA on the store's own connection, as text. */
static json_t *pragma(struct g_store *s, const char *name)
{
	char sql[64];
	struct g_db_stmt *st;
	json_t *v = NULL;

	snprintf(sql, sizeof(sql), "PRAGMA %s", name);
	if (g_db_prepare(s->db, sql, &st) == G_DB_OK && g_db_step(st) == G_DB_ROW)
		v = json_string(g_db_column_text(st, 0));
	g_db_finalize(st);
	return v ? v : json_null();
}

/* Open the store and say what happened: the schema, whether this process
 * migrated, and the connection's settings. */
static int cmd_store_open(struct tool *t)
{
	static const char *const pragmas[] = {
		"journal_mode", "foreign_keys", "trusted_schema", "secure_delete",
		"busy_timeout", "mmap_size", "application_id", "user_version",
	};
	struct g_store *s;
	struct g_err err;
	char *path = g_cli_db_path(&t->cli, &err);
	json_t *rec;
	size_t i;
	int rc;

	if (!path)
		return g_msg_report(&err);
	s = g_store_open_new(path, &err);
	free(path);
	if (!s)
		return g_msg_report(&err);
	rec = json_pack("{s:i, s:b, s:s}", "schema", s->schema_version,
			"migrated", s->migrated, "db_id", s->db_id);
	for (i = 0; i < sizeof(pragmas) / sizeof(*pragmas); i++)
		json_object_set_new(rec, pragmas[i], pragma(s, pragmas[i]));
	g_store_close(s);
	rc = rec ? g_doc_write_one(stdout, t->cli.output, rec, &err) : g_err_oom(&err);
	json_decref(rec);
	return rc < 0 ? g_msg_report(&err) : 0;
}

static int cmd_uuid(int argc, char **argv)
{
	char id[G_UUID_LEN];
	struct g_err err;
	long n = 1, i;

	if (optind < argc && g_cli_parse_long(argv[optind], 1, 1000000, &n) < 0)
		return g_msg_usage(synopsis, "uuid: '%s' is not a count", argv[optind]);
	for (i = 0; i < n; i++) {
		if (g_uuid7(id, &err) < 0)
			return g_msg_report(&err);
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
		return g_msg_usage(synopsis, "timestamp %s: missing argument", verb);
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
	return g_msg_usage(synopsis, "timestamp: bad arguments");
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
		return g_msg_report(&err);
	}
	rec = json_pack("{s:s, s:s?, s:s, s:s, s:i, s:b}", "db", path, "user",
			t->cli.user, "input", format_name(t->cli.input), "output",
			style_name(t->cli.output), "verbosity", t->cli.verbosity,
			"dry_run", t->cli.dry_run);
	free(path);
	rc = g_doc_write(w, rec, &err);
	json_decref(rec);
	g_msg_verbose(&t->cli, 1, "verbose chatter goes to stderr");
	g_msg_warn(&t->cli, "a warning is silenced by -q");
	if (g_doc_writer_close(w, &err) < 0 || rc < 0)
		return g_msg_report(&err);
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
		return g_msg_usage(synopsis, "kdf: SALT (16 characters) OPS MEM_KIB");
	n = fread(pass, 1, sizeof(pass), stdin);
	kdf.opslimit = (unsigned long long)ops;
	kdf.memlimit = (size_t)mem * 1024;
	if (g_crypt_init(&err) < 0 ||
	    g_crypt_kdf_derive(pass, n, (const unsigned char *)argv[optind], &kdf, key, &err) < 0)
		return g_msg_report(&err);
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
		return g_msg_usage(synopsis, "vault: TABLE COLUMN ROW");
	if (open_user_key(t, &s, &k, &err) < 0)
		return g_msg_report(&err);
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
	return rc < 0 ? g_msg_report(&err) : 0;
}

static int cmd_dek(struct tool *t)
{
	char hex[2 * G_KEY_BYTES + 1];
	struct g_store *s;
	struct g_userkey k = { .dek = NULL };
	struct g_err err;

	if (open_user_key(t, &s, &k, &err) < 0)
		return g_msg_report(&err);
	sodium_bin2hex(hex, sizeof(hex), k.dek, G_KEY_BYTES);
	puts(hex);
	g_userkey_release(&k);
	g_store_close(s);
	return 0;
}

/* A whole file into memory (tests only: PNGs are small). */
static unsigned char *slurp(const char *path, size_t *len)
{
	struct g_file f;
	struct g_err err;

	*len = 0;
	if (g_fileio_read(path, (size_t)1 << 40, &f, &err) < 0)
		return NULL;
	*len = f.len;
	return f.data; /* malloc'ed: the caller frees it */
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
		return g_msg_usage(synopsis, "%s: missing file", sub);
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
		return g_msg_report(&err);
	rc = out ? spill(argv[optind + 1], out, n) : 0;
	free(out);
	return rc;
}

/* The CHARX at path read (charx, charx-roundtrip): 0, else the exit status
 * with the reason said. */
static int read_charx(const char *path, struct g_charx *x)
{
	unsigned char *buf;
	struct g_err err;
	size_t len;
	int rc;

	if (!(buf = slurp(path, &len))) {
		g_msg("cannot read '%s': %s", path, strerror(errno));
		return G_EX_NOINPUT;
	}
	rc = g_charx_read(buf, len, path, x, &err);
	free(buf);
	return rc < 0 ? g_msg_report(&err) : 0;
}

/* A CHARX's card and entries as one record; each entry with its length and
 * SHA-256, so that tests compare bytes. */
static int cmd_charx(struct tool *t, int argc, char **argv)
{
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	unsigned char hash[crypto_hash_sha256_BYTES];
	struct g_charx x;
	struct g_err err;
	json_t *rec, *list, *card;
	size_t i;
	int rc;

	if (optind + 1 != argc)
		return g_msg_usage(synopsis, "charx: FILE");
	if ((rc = read_charx(argv[optind], &x)) != 0)
		return rc;
	if (sodium_init() < 0) {
		g_charx_release(&x);
		return G_EX_SOFTWARE;
	}
	card = json_stringn(x.card, x.card_len);
	list = json_array();
	for (i = 0; i < x.n_entries; i++) {
		crypto_hash_sha256(hash, x.entries[i].data, x.entries[i].len);
		sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
		json_array_append_new(list, json_pack("{s:s, s:I, s:s}", "path",
						      x.entries[i].path, "len",
						      (json_int_t)x.entries[i].len, "sha256", hex));
	}
	rec = json_pack("{s:o, s:o}", "card", card ? card : json_null(), "entries", list);
	g_charx_release(&x);
	rc = rec ? g_doc_write_one(stdout, t->cli.output, rec, &err) : g_err_oom(&err);
	json_decref(rec);
	return rc < 0 ? g_msg_report(&err) : 0;
}

/* charx-write OUT [PATH FILE]...: stdin's card and the files, as entries
 * called PATH; charx-roundtrip IN OUT: what a CHARX reads as, written
 * again. */
static int cmd_charx_write(const char *sub, int argc, char **argv)
{
	struct g_charx x = { .card = NULL };
	struct g_err err;
	unsigned char *out = NULL;
	const char *path;
	size_t len = 0, n, i;
	int rc = 0;

	if (strcmp(sub, "charx-roundtrip") == 0) {
		if (optind + 2 != argc)
			return g_msg_usage(synopsis, "charx-roundtrip: IN OUT");
		if ((rc = read_charx(argv[optind], &x)) != 0)
			return rc;
		path = argv[optind + 1];
	} else {
		if (optind >= argc || (argc - optind - 1) % 2 != 0)
			return g_msg_usage(synopsis, "charx-write: OUT [PATH FILE]...");
		path = argv[optind];
		n = (size_t)(argc - optind - 1) / 2;
		x.card = (char *)slurp("-", &x.card_len);
		if (!x.card || !(x.entries = calloc(n + 1, sizeof(*x.entries)))) {
			free(x.card);
			g_msg(G_ERR_OOM);
			return G_EX_SOFTWARE;
		}
		for (i = 0; i < n; i++, x.n_entries++) {
			const char *file = argv[optind + 2 + 2 * (int)i];

			x.entries[i].path = strdup(argv[optind + 1 + 2 * (int)i]);
			if (!(x.entries[i].data = slurp(file, &x.entries[i].len))) {
				g_msg("cannot read '%s': %s", file, strerror(errno));
				g_charx_release(&x);
				return G_EX_NOINPUT;
			}
		}
	}
	if (rc == 0)
		rc = g_charx_write(x.card, x.card_len, x.entries, x.n_entries, &out, &len, &err);
	g_charx_release(&x);
	if (rc < 0)
		return g_msg_report(&err);
	rc = spill(path, out, len);
	free(out);
	return rc;
}

static unsigned le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* Where entry k's local and central headers start in a zip as libzip
 * writes it: no archive comment, sizes in the local header (no data
 * descriptor), no zip64. Each patch below changes both headers alike, as
 * libzip's ZIP_CHECKCONS (which the reader uses) compares them. */
static int zip_headers(const unsigned char *b, size_t len, unsigned k, size_t *local,
		       size_t *central)
{
	size_t off, eocd = len - 22;
	unsigned i;

	if (len < 22 || le32(b + eocd) != 0x06054b50)
		return -1;
	off = le32(b + eocd + 16);
	for (i = 0;; i++) {
		if (off > eocd || eocd - off < 46 || le32(b + off) != 0x02014b50)
			return -1;
		if (i == k)
			break;
		off += 46 + (size_t)le16(b + off + 28) + le16(b + off + 30) + le16(b + off + 32);
	}
	*central = off;
	*local = le32(b + off + 42);
	return *local <= len - 30 && le32(b + *local) == 0x04034b50 ? 0 : -1;
}

enum patch { PATCH_SIZE, PATCH_NAME, PATCH_UTF8 };

/* Entry k's uncompressed size (offsets 22 local, 24 central), its name
 * (after the fixed parts, 30 and 46 bytes), or the general purpose flag
 * bit 11, "the name is UTF-8" (offsets 6 and 8). */
static int zip_patch(const char *path, unsigned k, enum patch what, uint32_t size,
		     const char *name, size_t name_len)
{
	size_t len, local, central;
	unsigned char *b = slurp(path, &len);
	int rc;

	if (!b || zip_headers(b, len, k, &local, &central) < 0) {
		free(b);
		g_msg("'%s': cannot find entry %u to patch", path, k);
		return G_EX_SOFTWARE;
	}
	if (what == PATCH_SIZE) {
		put_le32(b + local + 22, size);
		put_le32(b + central + 24, size);
	} else if (what == PATCH_NAME && le16(b + local + 26) == name_len) {
		memcpy(b + local + 30, name, name_len);
		memcpy(b + central + 46, name, name_len);
	} else if (what == PATCH_UTF8) {
		b[local + 7] |= 0x08;
		b[central + 9] |= 0x08;
	} else {
		free(b);
		g_msg("'%s': entry %u: the new name must be as long as the old", path, k);
		return G_EX_SOFTWARE;
	}
	rc = spill(path, b, len);
	free(b);
	return rc;
}

static const char fixture_card[] =
	"{\"spec\":\"chara_card_v3\",\"spec_version\":\"3.0\",\"data\":{\"name\":\"Wren\"}}";
static const unsigned char fixture_icon[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
					      'n', 'o', 't', ' ', 'r', 'e', 'a', 'l' };

/* Add an entry of len bytes at data (not copied: it must outlive
 * zip_close) with the given method; the name's encoding guessed. */
static int zip_put(zip_t *za, const char *name, const void *data, size_t len,
		   zip_int32_t method)
{
	zip_source_t *s = zip_source_buffer(za, data, len, 0);
	zip_int64_t i = s ? zip_file_add(za, name, s, ZIP_FL_ENC_GUESS) : -1;

	if (i < 0) {
		zip_source_free(s);
		return -1;
	}
	return zip_set_file_compression(za, (zip_uint64_t)i, method, 0) < 0 ? -1 : (int)i;
}

/*
 * charx-make OUT KIND [ARG]: CHARX fixtures. valid reads its card from
 * stdin; the other kinds use a small built-in card.
 *   valid          card.json, the directory assets/ and
 *                  assets/icon/images/main.png
 *   name NAME      valid plus an entry called NAME (encoding guessed)
 *   slip absolute  valid plus ../../evil.txt or /etc/evil
 *   notutf8        an entry named by the byte 0xff, flagged UTF-8 (patched)
 *   nul            an entry "assets/a b" whose space is made NUL (patched)
 *   dup            card.json twice: the second added as card.jsoX and
 *                  renamed in both headers (patched)
 *   encrypted      card.json encrypted: AES-256 where libzip can, else
 *                  traditional PKWARE
 *   symlink        valid plus a Unix symbolic link, assets/link
 *   bzip2          valid plus an entry compressed with bzip2
 *   no-card        only an asset; empty: the end record alone
 *   many [N]       card.json and N entries of one byte (by default
 *                  G_CHARX_MAX_ENTRIES: one too many)
 *   bomb-declared  assets/bomb-declared.bin, 1000 zeros, declared as
 *                  4294967294 bytes in both headers (patched; 0xffffffff
 *                  would mean zip64)
 *   bomb-lying     assets/bomb-lying.bin, 4 MiB of zeros declared as 1000
 *   short          assets/short.bin, 1000 bytes declared as 2000
 *   bomb-size      assets/bomb-size.bin, 100 MiB of zeros deflated
 *   bomb-ratio     60 MiB of zeros: under the entry cap, over the ratio
 *   bomb-total     260 entries of 1 MiB of zeros: over the total
 *   bomb-spread    100 entries of 1 MiB of zeros: each fine, but not the
 *                  archive as a whole
 */
static int cmd_charx_make(int argc, char **argv)
{
	static const char *const simple[] = { "valid", "name", "slip", "absolute",
					      "symlink", "bzip2", NULL };
	const char *out, *kind, *card = fixture_card;
	unsigned char *stdin_card = NULL, *zeros = NULL;
	size_t card_len = sizeof(fixture_card) - 1, i, mib = (size_t)1 << 20;
	char name[32];
	zip_t *za;
	int ok = 1, rc, first = -1, err_code;

	if (optind + 2 > argc)
		return g_msg_usage(synopsis, "charx-make: OUT KIND [NAME]");
	out = argv[optind];
	kind = argv[optind + 1];
	if (strcmp(kind, "empty") == 0) {
		static const unsigned char eocd[22] = { 'P', 'K', 5, 6 };

		return spill(out, eocd, sizeof(eocd));
	}
	if (strcmp(kind, "valid") == 0) {
		if (!(stdin_card = slurp("-", &card_len)))
			return G_EX_IOERR;
		card = (const char *)stdin_card;
	}
	if (!(za = zip_open(out, ZIP_CREATE | ZIP_TRUNCATE, &err_code))) {
		free(stdin_card);
		g_msg("'%s': cannot create (libzip error %d)", out, err_code);
		return G_EX_IOERR;
	}
	for (i = 0; simple[i]; i++)
		if (strcmp(kind, simple[i]) == 0)
			break;
	if (simple[i]) {
		ok = zip_put(za, "card.json", card, card_len, ZIP_CM_DEFLATE) >= 0 &&
		     zip_dir_add(za, "assets/", ZIP_FL_ENC_GUESS) >= 0 &&
		     zip_put(za, "assets/icon/images/main.png", fixture_icon,
			     sizeof(fixture_icon), ZIP_CM_STORE) >= 0;
		if (ok && strcmp(kind, "name") == 0)
			ok = optind + 2 < argc &&
			     zip_put(za, argv[optind + 2], "x", 1, ZIP_CM_STORE) >= 0;
		else if (ok && strcmp(kind, "slip") == 0)
			ok = zip_put(za, "../../evil.txt", "x", 1, ZIP_CM_STORE) >= 0;
		else if (ok && strcmp(kind, "absolute") == 0)
			ok = zip_put(za, "/etc/evil", "x", 1, ZIP_CM_STORE) >= 0;
		else if (ok && strcmp(kind, "symlink") == 0)
			ok = (rc = zip_put(za, "assets/link", "/etc/passwd", 11, ZIP_CM_STORE)) >= 0 &&
			     zip_file_set_external_attributes(za, (zip_uint64_t)rc, 0,
							      ZIP_OPSYS_UNIX,
							      (zip_uint32_t)0120777 << 16) == 0;
		else if (ok && strcmp(kind, "bzip2") == 0)
			ok = zip_put(za, "assets/notes.txt", fixture_card, card_len,
				     ZIP_CM_BZIP2) >= 0;
	} else if (strcmp(kind, "notutf8") == 0 || strcmp(kind, "nul") == 0) {
		ok = zip_put(za, "card.json", card, card_len, ZIP_CM_DEFLATE) >= 0 &&
		     (first = zip_put(za, kind[0] == 'n' && kind[1] == 'u' ? "assets/a b"
									  : "\xff", "x", 1,
				      ZIP_CM_STORE)) >= 0;
	} else if (strcmp(kind, "dup") == 0) {
		ok = zip_put(za, "card.json", card, card_len, ZIP_CM_STORE) >= 0 &&
		     (first = zip_put(za, "card.jsoX", "{}", 2, ZIP_CM_STORE)) >= 0;
	} else if (strcmp(kind, "encrypted") == 0) {
		zip_uint16_t em = zip_encryption_method_supported(ZIP_EM_AES_256, 1)
					  ? ZIP_EM_AES_256 : ZIP_EM_TRAD_PKWARE;

		ok = (rc = zip_put(za, "card.json", card, card_len, ZIP_CM_DEFLATE)) >= 0 &&
		     zip_file_set_encryption(za, (zip_uint64_t)rc, em, "x") == 0;
	} else if (strcmp(kind, "no-card") == 0) {
		ok = zip_put(za, "assets/icon/images/main.png", fixture_icon,
			     sizeof(fixture_icon), ZIP_CM_STORE) >= 0;
	} else if (strcmp(kind, "many") == 0) {
		long count = G_CHARX_MAX_ENTRIES;

		if (optind + 2 < argc &&
		    g_cli_parse_long(argv[optind + 2], 0, 100000, &count) < 0) {
			zip_discard(za);
			return g_msg_usage(synopsis, "charx-make: '%s' is not a count",
					     argv[optind + 2]);
		}
		ok = zip_put(za, "card.json", card, card_len, ZIP_CM_DEFLATE) >= 0;
		for (i = 0; ok && i < (size_t)count; i++) {
			snprintf(name, sizeof(name), "assets/%zu", i);
			ok = zip_put(za, name, "x", 1, ZIP_CM_STORE) >= 0;
		}
	} else if (strncmp(kind, "bomb-", 5) == 0 || strcmp(kind, "short") == 0) {
		/* zeros from calloc: untouched pages cost no memory */
		size_t size = strcmp(kind, "bomb-size") == 0 ? 100 * mib
			      : strcmp(kind, "bomb-ratio") == 0 ? 60 * mib
			      : strcmp(kind, "bomb-lying") == 0 ? 4 * mib
			      : strcmp(kind, "bomb-declared") == 0 || strcmp(kind, "short") == 0 ? 1000
			      : mib;
		size_t copies = strcmp(kind, "bomb-total") == 0 ? 260
				: strcmp(kind, "bomb-spread") == 0 ? 100 : 1;

		ok = (zeros = calloc(1, size)) != NULL;
		if (ok && strcmp(kind, "short") == 0)
			for (i = 0; i < size; i++)
				zeros[i] = (unsigned char)(i * 7 % 251);
		for (i = 0; ok && i < copies; i++) {
			if (copies > 1)
				snprintf(name, sizeof(name), "assets/zeros-%zu.bin", i);
			else
				snprintf(name, sizeof(name), "assets/%s.bin", kind);
			ok = zip_put(za, name, zeros, size, ZIP_CM_DEFLATE) >= 0;
		}
		first = 0;
		ok = ok && zip_put(za, "card.json", card, card_len, ZIP_CM_DEFLATE) >= 0;
	} else {
		zip_discard(za);
		return g_msg_usage(synopsis, "charx-make: unknown kind '%s'", kind);
	}
	if (!ok || zip_close(za) < 0) {
		g_msg("'%s': %s", out, zip_strerror(za));
		zip_discard(za);
		free(stdin_card);
		free(zeros);
		return G_EX_SOFTWARE;
	}
	free(stdin_card);
	free(zeros);
	if (strcmp(kind, "bomb-declared") == 0)
		return zip_patch(out, 0, PATCH_SIZE, 0xfffffffeu, NULL, 0);
	if (strcmp(kind, "bomb-lying") == 0)
		return zip_patch(out, 0, PATCH_SIZE, 1000, NULL, 0);
	if (strcmp(kind, "short") == 0)
		return zip_patch(out, 0, PATCH_SIZE, 2000, NULL, 0);
	if (strcmp(kind, "dup") == 0)
		return zip_patch(out, (unsigned)first, PATCH_NAME, 0, "card.json", 9);
	if (strcmp(kind, "nul") == 0)
		return zip_patch(out, (unsigned)first, PATCH_NAME, 0, "assets/a\0b", 10);
	if (strcmp(kind, "notutf8") == 0)
		return zip_patch(out, (unsigned)first, PATCH_UTF8, 0, NULL, 0);
	return 0;
}

static int print_event(const struct g_sse_event *ev, void *arg, struct g_err *err)
{
	json_t *rec = json_pack("{s:s, s:s%, s:s}", "event", ev->event, "data", ev->data,
				ev->data_len, "id", ev->id);
	char *text;

	(void)arg;
	if (!rec) /* bytes that are not UTF-8 */
		return g_err_set(err, G_EX_DATAERR, "event data is not UTF-8"), 1;
	text = json_dumps(rec, JSON_COMPACT);
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(rec);
	return 0;
}

static int cmd_sse(int argc, char **argv)
{
	struct g_sse *p = g_sse_new(print_event, NULL);
	struct g_file f = { 0 };
	struct g_err err;
	size_t at = 0, n;
	long chunk;
	int rc = 0;

	if (optind >= argc || g_cli_parse_long(argv[optind], 0, 1 << 30, &chunk) < 0)
		return g_msg_usage(synopsis, "sse: give a chunk size");
	if (!p || g_fileio_read("-", (size_t)64 << 20, &f, &err) < 0)
		return p ? g_msg_report(&err) : G_EX_SOFTWARE;
	while (rc == 0 && at < f.len) {
		n = chunk == 0 || f.len - at < (size_t)chunk ? f.len - at : (size_t)chunk;
		rc = g_sse_feed(p, (const char *)f.data + at, n, &err);
		at += n;
	}
	if (rc == 0)
		rc = g_sse_end(p, &err);
	g_sse_free(p);
	g_fileio_release(&f);
	return rc < 0 ? g_msg_report(&err) : 0;
}

struct card_store_run {
	struct g_card_store cs;
	struct g_doc_writer *w;
	int as_persona;
	int status;
};

/* Each card as it is stored, before its group is released: {status, id,
 * name, where, default}. A card named FAIL fails its group here, after
 * the cards before it were stored, to show that none of them stays. */
static int card_store_tell(const struct g_card_store_card *c, void *arg, struct g_err *err)
{
	struct card_store_run *r = arg;
	const char *name = g_card_store_name(c->card);
	json_t *rec;

	if (strcmp(name, "FAIL") == 0)
		return g_err_set(err, G_EX_DATAERR, "'%s': FAIL: failed on purpose", c->where);
	rec = json_pack("{s:s, s:s, s:s, s:s, s:b}", "status", c->status, "id", c->id, "name",
			name, "where", c->where, "default", c->make_default);
	return g_doc_write(r->w, rec, err) < 0 ? (json_decref(rec), -1) : (json_decref(rec), 0);
}

static void card_store_commit(struct card_store_run *r)
{
	long n = r->cs.in_batch;
	struct g_err err;

	if (!r->cs.in_tx)
		return;
	if (g_card_store_commit(&r->cs, &err) < 0) {
		r->status = g_msg_report(&err);
		return;
	}
	printf("commit %ld\n", n);
}

static int card_store_items(const struct g_card_item *items, size_t n,
			    const struct g_err *failure, void *arg)
{
	struct card_store_run *r = arg;
	struct g_card_store_card *cards;
	struct g_err err;

	if (failure) {
		r->status = g_msg_report(failure);
		return 0;
	}
	if (g_card_store_due(&r->cs, n))
		card_store_commit(r);
	cards = g_card_store_cards_new(items, n, r->as_persona, 0, &err);
	if (!cards || g_card_store_group(&r->cs, cards, n, card_store_tell, r, &err) < 0) {
		r->status = g_msg_report(&err);
		fflush(stdout);
	} else if (g_card_store_due(&r->cs, 0)) {
		card_store_commit(r);
	}
	g_card_store_cards_free(cards, n);
	return 0;
}

static int cmd_card_store(struct tool *t, int argc, char **argv)
{
	static const char *const policies[] = { "new", "replace", "skip" };
	struct card_store_run r = { .status = 0 };
	struct g_card_import_opts o = { G_DOC_AUTO, 0, 1, NULL, NULL, NULL, NULL };
	struct g_context ctx;
	struct g_file f = { 0 };
	struct g_err err;
	long batch;
	int p;

	if (optind + 2 > argc || g_cli_parse_long(argv[optind + 1], 1, 1000, &batch) < 0)
		return g_msg_usage(synopsis, "card-store: POLICY BATCH [persona]");
	for (p = 0; p < 3 && strcmp(argv[optind], policies[p]) != 0; p++)
		;
	if (p == 3)
		return g_msg_usage(synopsis, "card-store: no policy '%s'", argv[optind]);
	r.as_persona = optind + 2 < argc && strcmp(argv[optind + 2], "persona") == 0;
	r.w = g_doc_writer_new(stdout, t->cli.output);
	if (g_context_open(&ctx, &t->cli, &err) < 0 ||
	    g_card_store_init(&r.cs, &ctx, (enum g_card_store_conflict)p, batch, &err) < 0 ||
	    g_fileio_read("-", (size_t)1 << 24, &f, &err) < 0 ||
	    g_card_import_read(f.data, f.len, "-", &o, card_store_items, &r, &err) < 0)
		r.status = g_msg_report(&err);
	else
		card_store_commit(&r);
	g_doc_writer_close(r.w, NULL);
	g_fileio_release(&f);
	g_card_store_release(&r.cs);
	g_context_release(&ctx);
	return r.status;
}

/* --- llm-send's turn, and what it shares ------------------------------- */

static int cmd_redact(int argc, char **argv)
{
	struct g_secret key;
	char buf[256];
	long size;

	if (argc - optind != 3 || g_cli_parse_long(argv[optind + 1], 1, sizeof(buf), &size) < 0)
		return g_msg_usage(synopsis, "redact: give a key, a size up to 256 and a text");
	key.buf = argv[optind];
	key.len = strlen(key.buf);
	snprintf(buf, (size_t)size, "%s", argv[optind + 2]);
	g_secret_redact(buf, (size_t)size, &key);
	printf("%s\n", buf);
	return 0;
}

static int cmd_doc_one(struct tool *t, int argc, char **argv)
{
	const char *name = optind + 1 < argc ? argv[optind + 1] : "-";
	FILE *in = strcmp(name, "-") == 0 ? stdin : fopen(name, "rb");
	struct g_err err;
	json_t *doc = NULL;
	int rc;

	if (optind >= argc)
		return g_msg_usage(synopsis, "doc-one: say what the record is");
	if (!in)
		return g_err_set(&err, G_EX_NOINPUT, "cannot open '%s'", name), g_msg_report(&err);
	rc = g_doc_read_one(in, name, t->cli.input, argv[optind], &doc, &err);
	if (in != stdin)
		fclose(in);
	if (rc == 0)
		printf("none\n");
	else if (rc > 0 && g_doc_write_one(stdout, t->cli.output, doc, &err) < 0)
		rc = -1;
	json_decref(doc);
	return rc < 0 ? g_msg_report(&err) : 0;
}

static int cmd_message_record(struct tool *t, int argc, char **argv)
{
	struct g_doc_reader *r = g_doc_reader_new(stdin, "-", t->cli.input, G_DOC_RECORDS);
	const char *role = optind < argc ? argv[optind] : NULL;
	struct g_message m;
	struct g_err err;
	json_t *in, *out;
	long n = 0;
	int got, status = 0;

	while (r && (got = g_doc_read(r, &in, &err)) != 0) {
		if (got < 0 || g_chat_log_message_from_record(in, "-", ++n, role, &m, &err) < 0) {
			status = g_msg_report(&err);
		} else {
			out = json_pack("{s:s, s:s%, s:s?, s:s?}", "role", m.role, "content", m.content,
					m.len, "status", m.status, "model", m.model);
			if (g_doc_write_one(stdout, t->cli.output, out, &err) < 0)
				status = g_msg_report(&err);
			json_decref(out);
		}
		json_decref(in);
		if (got < 0)
			break;
	}
	g_doc_reader_free(r);
	return r ? status : G_EX_SOFTWARE;
}

static const char *given(const char *arg)
{
	return *arg ? arg : NULL;
}

static int cmd_llm_target(struct tool *t, int argc, char **argv)
{
	struct g_llm_target to = { .provider = G_PROVIDER_OPENAI };
	json_t *req = NULL, *out = NULL;
	struct g_err err;
	int rc;

	if (argc - optind != 4)
		return g_msg_usage(synopsis, "llm-target: give a provider, url, model and key file");
	to.provider_flag = given(argv[optind]);
	to.url = given(argv[optind + 1]);
	to.model = given(argv[optind + 2]);
	to.key_file = given(argv[optind + 3]);
	rc = g_crypt_init(&err) < 0 ? -1
				      : g_doc_read_one(stdin, "-", t->cli.input, "request", &req, &err);
	if (rc >= 0)
		rc = g_llm_target_resolve(&to, req, &err);
	if (rc == 0) {
		/* whether there is a key, never the key */
		out = json_pack("{s:s, s:s, s:s, s:b}", "provider", g_llm_provider_name(to.provider),
				"url", to.url, "model", to.model, "key", to.key.buf != NULL);
		rc = out ? g_doc_write_one(stdout, t->cli.output, out, &err) : g_err_oom(&err);
	}
	json_decref(out);
	json_decref(req);
	g_secret_release(&to.key);
	return rc < 0 ? g_msg_report(&err) : 0;
}

/* The one WHAT document on stdin: 1 and *out set, else -1 with err set
 * (65 "'-': no WHAT" when there is none). */
static int read_stdin_one(struct tool *t, const char *what, json_t **out, struct g_err *err)
{
	int rc = g_doc_read_one(stdin, "-", t->cli.input, what, out, err);

	return rc == 0 ? g_err_set(err, G_EX_DATAERR, "'-': no %s", what) : rc;
}

static int cmd_turn(struct tool *t)
{
	struct g_turn turn = { .provider = G_PROVIDER_OPENAI };
	struct g_llm_reply reply = { .input_tokens = -1, .output_tokens = -1 };
	const json_t *rp;
	json_t *c = NULL, *out = NULL;
	struct g_err err;
	int rc;

	rc = read_stdin_one(t, "turn", &c, &err);
	if (rc > 0 && json_object_get(c, "provider") &&
	    g_llm_provider_parse(json_string_value(json_object_get(c, "provider")), &turn.provider) < 0)
		rc = g_err_set(&err, G_EX_DATAERR, "provider: not one");
	if (rc > 0) {
		turn.request = json_object_get(c, "request");
		turn.model = json_string_value(json_object_get(c, "model"));
		rp = json_object_get(c, "reply");
		reply.text = (char *)json_string_value(json_object_get(rp, "text"));
		reply.text_len = json_string_length(json_object_get(rp, "text"));
		reply.model = (char *)json_string_value(json_object_get(rp, "model"));
		reply.finish_reason = (char *)json_string_value(json_object_get(rp, "finish_reason"));
		if (json_is_integer(json_object_get(rp, "input_tokens")))
			reply.input_tokens = json_integer_value(json_object_get(rp, "input_tokens"));
		if (json_is_integer(json_object_get(rp, "output_tokens")))
			reply.output_tokens = json_integer_value(json_object_get(rp, "output_tokens"));
		rc = g_turn_speaker(&turn, &err);
	}
	if (rc == 0) {
		out = json_pack("{s:o, s:o}", "speaker",
				turn.has_speaker ? g_session_speaker_record(&turn.speaker) : json_null(),
				"record", g_turn_record(&turn, &reply, json_object_get(c, "recorded")));
		rc = out ? g_doc_write_one(stdout, t->cli.output, out, &err) : g_err_oom(&err);
	}
	json_decref(out);
	json_decref(c);
	g_turn_release(&turn);
	return rc < 0 ? g_msg_report(&err) : 0;
}

static void print_record(json_t *rec)
{
	char *text = rec ? json_dumps(rec, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;

	puts(text ? text : "(no record)");
	free(text);
}

/* keys unlock-plan: what an unlock would do (dry run: nothing cached). */
static int keys_unlock_plan(int argc, char **argv)
{
	struct g_cache_id id = { "db", "user", 1, { 0 } };
	struct g_keycache_unlock un = { 0, 0, 1, "", NULL };
	unsigned char dek[G_KEY_BYTES] = { 0 };
	json_t *rec;
	int64_t before = g_timestamp_ms(), at;
	struct g_err err;
	long v = 0;

	un.token = optind + 1 < argc && strcmp(argv[optind + 1], "token") == 0;
	if (optind + 2 < argc && g_cli_parse_long(argv[optind + 2], 0, 1L << 30, &v) < 0)
		return g_msg_usage(synopsis, "unlock-plan: SECONDS");
	un.timeout_s = (unsigned int)v;
	if (g_keycache_unlock(&id, dek, &un, &err) < 0)
		return g_msg_report(&err);
	rec = g_keycache_unlock_record(&un, "alice");
	print_record(rec);
	json_decref(rec);
	g_timestamp_parse(un.expires_at, &at);
	/* the seconds from the call to the expiry, the call's own time off */
	printf("lasts %" PRId64 "s\n", (at - before + 500) / 1000);
	return un.token_value ? G_EX_SOFTWARE : 0;
}

/* keys drop and recovery-record: about the user -u of -d. */
static int keys_user(struct tool *t, int argc, char **argv, const char *verb)
{
	char recovery[G_RECOVERY_TEXT] = "ABCD-EFGH";
	struct g_cache_id id;
	struct g_store *s;
	struct g_user u;
	struct g_err err;
	char *path;
	long fields = 0;
	int keyring, sessions, rc, i;
	json_t *rec;

	if (optind + 1 < argc && g_cli_parse_long(argv[optind + 1], 0, 1L << 30, &fields) < 0)
		return g_msg_usage(synopsis, "recovery-record: FIELDS");
	if (g_crypt_init(&err) < 0 || !(path = g_cli_db_path(&t->cli, &err)))
		return g_msg_report(&err);
	s = g_store_open(path, &err);
	free(path);
	if (!s)
		return g_msg_report(&err);
	rc = g_user_resolve(s, t->cli.user, &u, &err);
	if (rc == 0 && strcmp(verb, "drop") == 0) {
		g_userkey_cache_id(s->db_id, &u, &id);
		g_keycache_drop(&id, &keyring, &sessions);
		printf("keyring %d session_files %d\n", keyring, sessions);
	} else if (rc == 0) {
		rec = g_account_recovery_record(&u, optind + 1 < argc ? &fields : NULL, recovery,
						t->cli.dry_run);
		print_record(rec);
		g_account_recovery_record_free(rec);
		for (i = 0; i < G_RECOVERY_TEXT && !recovery[i]; i++)
			;
		printf("the caller's copy: %s\n", i == G_RECOVERY_TEXT ? "zeroed" : "left");
	}
	g_user_release(&u);
	g_store_close(s);
	return rc < 0 ? g_msg_report(&err) : 0;
}

static void say_key_read(const struct g_user *u, const struct g_userkey *k, void *arg)
{
	(void)arg;
	printf("key_read %s %s\n", u->username, k->source);
}

struct keys_filter {
	const struct g_userkey *k;
	struct tool *t;
	struct g_doc_writer *out;
	int sealing;
};

static int keys_filter_one(FILE *in, const char *name, void *arg)
{
	struct keys_filter *f = arg;
	struct g_err err;

	if (g_portable_filter(f->k, f->sealing, in, name, f->t->cli.input, f->out, &err) < 0)
		return g_msg_report(&err);
	return 0;
}

/* keys passwd-asked and filter: g_account_passwd_asked (the key_read
 * callback printed) and g_portable_filter, for the user -u of -d. */
static int keys_asked(struct tool *t, int argc, char **argv, const char *verb)
{
	struct g_secret_opts o;
	struct g_account_ask a = { &o, getenv("TOOL_KDF"), t->cli.dry_run, say_key_read, NULL, NULL };
	struct keys_filter f = { NULL, t, NULL, 0 };
	struct g_userkey k;
	struct g_store *s;
	struct g_user u;
	struct g_err err;
	char *path;
	int rc;

	g_secret_opts_init(&o);
	if (g_crypt_init(&err) < 0 || !(path = g_cli_db_path(&t->cli, &err)))
		return g_msg_report(&err);
	s = g_store_open(path, &err);
	free(path);
	if (!s || g_user_resolve(s, t->cli.user, &u, &err) < 0) {
		g_store_close(s);
		return g_msg_report(&err);
	}
	if (strcmp(verb, "passwd-asked") == 0) {
		o.recovery_key_file = optind + 1 < argc ? argv[optind + 1] : NULL;
		rc = g_account_passwd_asked(s, &u, o.recovery_key_file != NULL, &a, &err);
		if (rc == 0)
			printf("kdf %llu %zu\n", u.kdf.opslimit, u.kdf.memlimit);
	} else if ((rc = g_userkey_get(s->db_id, &u, &o, 0, &k, &err)) == 0) {
		f.k = &k;
		f.sealing = optind + 1 < argc && strcmp(argv[optind + 1], "seal") == 0;
		f.out = g_doc_writer_new(stdout, t->cli.output);
		rc = g_input_each(argv + optind + 2, argc > optind + 2 ? argc - optind - 2 : 0,
				  keys_filter_one, &f);
		g_doc_writer_close(f.out, NULL);
		g_userkey_release(&k);
	}
	g_user_release(&u);
	g_store_close(s);
	return rc < 0 ? g_msg_report(&err) : rc;
}

static int cmd_keys(struct tool *t, int argc, char **argv)
{
	const char *verb = optind < argc ? argv[optind] : "";
	struct g_account_verify v = { 0, 0, 0, 0 };
	struct g_kdf kdf, fallback = { "fallback", 1, 8192 };
	struct g_err err;
	json_t *rec;
	long n[3];
	int i;

	if (strcmp(verb, "kdf-choose") == 0) {
		if (g_account_kdf_choose(optind + 1 < argc ? argv[optind + 1] : NULL, &fallback,
					 &kdf, &err) < 0)
			return g_msg_report(&err);
		printf("%s %llu %zu\n", kdf.name, kdf.opslimit, kdf.memlimit);
		return 0;
	}
	if (strcmp(verb, "unlock-plan") == 0)
		return keys_unlock_plan(argc, argv);
	if (strcmp(verb, "drop") == 0 || strcmp(verb, "recovery-record") == 0)
		return keys_user(t, argc, argv, verb);
	if (strcmp(verb, "passwd-asked") == 0 || strcmp(verb, "filter") == 0)
		return keys_asked(t, argc, argv, verb);
	if (strcmp(verb, "verdict") != 0 || optind + 4 > argc)
		return g_msg_usage(synopsis, "keys: unknown verb or missing arguments");
	for (i = 0; i < 3; i++)
		if (g_cli_parse_long(argv[optind + 1 + i], 0, 1L << 30, &n[i]) < 0)
			return g_msg_usage(synopsis, "verdict: FIELDS FAILED UNBOUND");
	v.fields = n[0];
	v.failed = n[1];
	v.unbound = n[2];
	i = optind + 4 < argc && strcmp(argv[optind + 4], "fix") == 0;
	rec = g_account_verify_record(&v, "alice", i);
	print_record(rec);
	json_decref(rec);
	return g_account_verify_verdict(&v, "alice", i, &err) < 0 ? g_msg_report(&err) : 0;
}

static int cmd_greeting(int argc, char **argv)
{
	const json_t *text;
	struct g_err err;
	json_t *character;
	long index;
	int rc;

	if (optind >= argc || g_cli_parse_long(argv[optind], -1, 1000000, &index) < 0)
		return g_msg_usage(synopsis, "greeting: INDEX [asked]");
	if (!(character = json_loadf(stdin, 0, NULL)))
		return g_msg_usage(synopsis, "greeting: a character record on stdin");
	rc = g_session_edit_greeting(character, index,
				     optind + 1 < argc && strcmp(argv[optind + 1], "asked") == 0,
				     &text, &err);
	if (rc == 0)
		puts(text ? json_string_value(text) : "(none)");
	json_decref(character);
	return rc < 0 ? g_msg_report(&err) : 0;
}

static int cmd_card_fields(void)
{
#define G_CARD_FIELD(name, type, required, column) \
	printf("%s %s %d %d\n", #name, #type, required, column);
#define G_CARD_FIELD_NO_COLUMN(name, type, required) \
	printf("%s %s %d -\n", #name, #type, required);
#include "card_fields.h"
	return 0;
}

static int cmd_vault_columns(int argc, char **argv)
{
	const struct g_vault_table *t;
	const char *const *c;

	if (optind + 1 != argc)
		return g_msg_usage(synopsis, "vault-columns: give a table");
	for (t = g_vault_tables; t->name; t++)
		if (strcmp(t->name, argv[optind]) == 0) {
			for (c = t->columns; *c; c++)
				printf("%s\n", *c);
			return 0;
		}
	return g_msg_usage(synopsis, "vault-columns: no table '%s'", argv[optind]);
}

static int cmd_lore_attached(struct tool *t, int argc, char **argv)
{
	static const char *const kinds[] = { "session", "persona", "character", "global" };
	struct g_context ctx = { 0 };
	json_t *books = json_array();
	struct g_err err;
	int k, status = 0;

	for (k = 0; optind < argc && k < 4 && strcmp(argv[optind], kinds[k]) != 0; k++)
		;
	if (optind >= argc || k == 4 || argc - optind != (k == 3 ? 1 : 2)) {
		json_decref(books);
		return g_msg_usage(synopsis, "lore-attached: session|persona|character|global [ID]");
	}
	if (!books || g_context_open(&ctx, &t->cli, &err) < 0 ||
	    g_lore_store_attached(ctx.store, &ctx.key, (enum g_lore_target)k,
				  k == 3 ? NULL : argv[optind + 1], books, &err) < 0 ||
	    g_doc_write_one(stdout, t->cli.output, books, &err) < 0)
		status = g_msg_report(&err);
	json_decref(books);
	g_context_release(&ctx);
	return status;
}

static int cmd_lore_activate(struct tool *t)
{
	struct g_lore_doc d;
	struct g_lore_out out;
	json_t *doc = NULL, *res = NULL;
	struct g_err err;
	int rc;

	rc = read_stdin_one(t, "lore document", &doc, &err);
	if (rc > 0 && (rc = g_lore_doc_read(&d, doc, &err)) == 0) {
		d.in.seed = (uint64_t)t->seed;
		if ((rc = g_lore_activate(&d.in, &out, &err)) == 0) {
			res = g_lore_report_json(&d.in, &out);
			rc = res ? g_doc_write_one(stdout, t->cli.output, res, &err) : g_err_oom(&err);
			g_lore_activate_release(&out);
		}
		g_lore_doc_release(&d);
	}
	json_decref(res);
	json_decref(doc);
	return rc < 0 ? g_msg_report(&err) : 0;
}

/*
 * zip-make OUT [NAME SOURCE]...: a zip whose entries NAME (any name, its
 * encoding guessed) hold SOURCE, deflated (under 64 bytes: stored), in the
 * order given. SOURCE is a
 * FILE, zeros:BYTES (zeros made in memory: bombs) or crypt:FILE (the file,
 * encrypted with AES-256 where libzip can, else traditional PKWARE).
 */
static int cmd_zip_make(int argc, char **argv)
{
	size_t i, n = argc > optind ? (size_t)(argc - optind - 1) / 2 : 0, len;
	unsigned char **bufs;
	const char *src;
	zip_t *za;
	long zeros;
	int ok = 1, rc, err_code;

	if (optind + 1 > argc || (argc - optind - 1) % 2 != 0)
		return g_msg_usage(synopsis, "zip-make: OUT [NAME SOURCE]...");
	if (!(bufs = calloc(n + 1, sizeof(*bufs))))
		return g_msg_report(&(struct g_err){ G_EX_SOFTWARE, G_ERR_OOM });
	if (!(za = zip_open(argv[optind], ZIP_CREATE | ZIP_TRUNCATE, &err_code))) {
		free(bufs);
		g_msg("'%s': cannot create (libzip error %d)", argv[optind], err_code);
		return G_EX_IOERR;
	}
	for (i = 0; ok && i < n; i++) {
		src = argv[optind + 2 + 2 * i];
		if (strncmp(src, "zeros:", 6) == 0) {
			ok = g_cli_parse_long(src + 6, 0, 1L << 32, &zeros) == 0 &&
			     (bufs[i] = calloc(1, (size_t)zeros + 1)) != NULL;
			len = ok ? (size_t)zeros : 0;
		} else {
			ok = (bufs[i] = slurp(strncmp(src, "crypt:", 6) == 0 ? src + 6 : src,
					      &len)) != NULL;
		}
		/* a few bytes stored: zlib's state for each of ten thousand
		 * one-byte entries takes seconds */
		ok = ok && (rc = zip_put(za, argv[optind + 1 + 2 * i], bufs[i], len,
					 len < 64 ? ZIP_CM_STORE : ZIP_CM_DEFLATE)) >= 0;
		if (ok && strncmp(src, "crypt:", 6) == 0)
			ok = zip_file_set_encryption(za, (zip_uint64_t)rc,
						     zip_encryption_method_supported(ZIP_EM_AES_256, 1)
							     ? ZIP_EM_AES_256
							     : ZIP_EM_TRAD_PKWARE,
						     "x") == 0;
		if (!ok)
			g_msg("'%s': entry '%s': cannot add '%s'", argv[optind],
			      argv[optind + 1 + 2 * i], src);
	}
	if (ok && zip_close(za) < 0) {
		g_msg("'%s': %s", argv[optind], zip_strerror(za));
		ok = 0;
	}
	if (!ok)
		zip_discard(za);
	for (i = 0; i < n; i++)
		free(bufs[i]);
	free(bufs);
	return ok ? 0 : G_EX_SOFTWARE;
}

int main(int argc, char **argv)
{
	struct tool t = { .any = 0 };
	struct g_err err;
	const char *sub;
	int status;

	g_cli_init(&t.cli, "test-tool");
	if (argc < 2)
		return g_frame_finish(g_msg_usage(synopsis, "missing subcommand"));
	sub = argv[1];
	argc--;
	argv++;
	if (strcmp(sub, "lore-gen") == 0) /* their own options, none shared */
		return g_frame_finish(lore_gen_main(argc, argv));
	if (strcmp(sub, "lore-time") == 0)
		return g_frame_finish(lore_time_main(argc, argv));
	if (strcmp(sub, "lore-index") == 0)
		return g_frame_finish(lore_index_main(argc, argv));
	if (strcmp(sub, "time-runs") == 0)
		return g_frame_finish(time_runs_main(argc, argv));
	if (strcmp(sub, "heap") == 0)
		return g_frame_finish(argc == 1 ? heap_tool_main()
					       : g_msg_usage(synopsis, "heap takes no argument"));
	status = parse(&t, argc, argv);
	if (status >= 0)
		return g_frame_finish(status);
	if (g_cli_check(&t.cli, &err) < 0)
		return g_frame_finish(g_msg_report(&err));
	if (strcmp(sub, "doc") == 0)
		status = cmd_doc(&t, argc, argv);
	else if (strcmp(sub, "card") == 0) {
		t.card = 1;
		status = cmd_doc(&t, argc, argv);
	}
	else if (strcmp(sub, "store-open") == 0)
		status = cmd_store_open(&t);
	else if (strcmp(sub, "db") == 0)
		status = db_tool_main(&t.cli, argc - optind, argv + optind);
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
	else if (strcmp(sub, "charx") == 0)
		status = cmd_charx(&t, argc, argv);
	else if (strcmp(sub, "charx-write") == 0 || strcmp(sub, "charx-roundtrip") == 0)
		status = cmd_charx_write(sub, argc, argv);
	else if (strcmp(sub, "charx-make") == 0)
		status = cmd_charx_make(argc, argv);
	else if (strcmp(sub, "zip-make") == 0)
		status = cmd_zip_make(argc, argv);
	else if (strcmp(sub, "sse") == 0)
		status = cmd_sse(argc, argv);
	else if (strcmp(sub, "card-store") == 0)
		status = cmd_card_store(&t, argc, argv);
	else if (strcmp(sub, "redact") == 0)
		status = cmd_redact(argc, argv);
	else if (strcmp(sub, "doc-one") == 0)
		status = cmd_doc_one(&t, argc, argv);
	else if (strcmp(sub, "message-record") == 0)
		status = cmd_message_record(&t, argc, argv);
	else if (strcmp(sub, "llm-target") == 0)
		status = cmd_llm_target(&t, argc, argv);
	else if (strcmp(sub, "turn") == 0)
		status = cmd_turn(&t);
	else if (strcmp(sub, "keys") == 0)
		status = cmd_keys(&t, argc, argv);
	else if (strcmp(sub, "greeting") == 0)
		status = cmd_greeting(argc, argv);
	else if (strcmp(sub, "card-fields") == 0)
		status = cmd_card_fields();
	else if (strcmp(sub, "vault-columns") == 0)
		status = cmd_vault_columns(argc, argv);
	else if (strcmp(sub, "lore-activate") == 0)
		status = cmd_lore_activate(&t);
	else if (strcmp(sub, "lore-attached") == 0)
		status = cmd_lore_attached(&t, argc, argv);
	else
		status = g_msg_usage(synopsis, "unknown subcommand '%s'", sub);
	return g_frame_finish(status);
}
