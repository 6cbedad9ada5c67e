/*
 * db_tool.c: test-tool db STEP..., lib/db.h's calls on one connection
 * (g_store_connect: neither schema check nor migration), so a suite can
 * try a backend's binds, rows, errors and connection state from the
 * shell. Steps, each its words:
 *
 *   exec SQL                 g_db_exec
 *   query READS SQL BINDS    a kept statement (g_store_prepare), stepped
 *   once READS SQL BINDS     the same, prepared for once (g_db_prepare)
 *   changes | tx             "changes N" | "in_transaction 0|1"
 *   begin | commit | rollback
 *   lock TABLE ID            g_db_lock
 *   blob-write TABLE COLUMN ID HEX
 *
 * BINDS: "-" or a comma-separated list, one per parameter from 1:
 * t:TEXT, x:HEX (a blob), i:INT, n (NULL), z:LEN (zeros). READS: a letter
 * per column: t text, i int64, x blob as hex, n whether NULL. Each row
 * is one line, a JSON array. A failed step is reported as the store
 * reports it (g_store_error) with its exit status.
 */
#include "db_tool.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "store.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* HEX as bytes (the caller frees); NULL for bad hex. */
static unsigned char *unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex), i;
	unsigned char *out = malloc(n / 2 + 1);

	if (!out || n % 2) {
		free(out);
		return NULL;
	}
	for (i = 0; i < n / 2; i++) {
		int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(out);
			return NULL;
		}
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
	return out;
}

/* The binds of BINDS; what they point at (blobs) into owned[], freed by
 * the caller after the statement ran. */
static int bind_all(struct g_db_stmt *st, char *binds, void **owned, size_t max)
{
	char *tok, *save = NULL;
	int idx = 0, rc = 0;
	size_t n = 0, len;

	if (strcmp(binds, "-") == 0)
		return 0;
	for (tok = strtok_r(binds, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
		idx++;
		if (strncmp(tok, "t:", 2) == 0) {
			rc = g_db_bind_str(st, idx, tok + 2);
		} else if (strncmp(tok, "i:", 2) == 0) {
			rc = g_db_bind_int64(st, idx, strtoll(tok + 2, NULL, 10));
		} else if (strcmp(tok, "n") == 0) {
			rc = g_db_bind_null(st, idx);
		} else if (strncmp(tok, "z:", 2) == 0) {
			rc = g_db_bind_zeros(st, idx, strtoull(tok + 2, NULL, 10));
		} else if (strncmp(tok, "x:", 2) == 0 && n < max &&
			   (owned[n] = unhex(tok + 2, &len))) {
			rc = g_db_bind_blob(st, idx, owned[n++], len);
		} else {
			return -1;
		}
	}
	return rc;
}

static json_t *read_column(struct g_db_stmt *st, int col, char how)
{
	const unsigned char *b;
	size_t n, i;
	char *hex;
	json_t *v;

	if (how == 'n')
		return json_boolean(g_db_column_is_null(st, col));
	if (how == 'i')
		return json_integer(g_db_column_int64(st, col));
	if (how == 't') {
		const char *t = g_db_column_text(st, col);

		if (!t)
			return json_null();
		v = json_stringn(t, g_db_column_bytes(st, col));
		return v ? v : json_string("<not UTF-8>");
	}
	b = g_db_column_blob(st, col);
	n = g_db_column_bytes(st, col);
	if (!b && g_db_column_is_null(st, col))
		return json_null();
	if (!b)
		n = 0;
	if (!(hex = malloc(2 * n + 1)))
		return NULL;
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", b[i]);
	hex[2 * n] = '\0';
	v = json_string(hex);
	free(hex);
	return v;
}

/* query / once: the rows, one JSON array a line. */
static int run_query(struct g_store *s, int kept, char **args, struct g_err *err)
{
	const char *reads = args[0];
	char binds[512];
	struct g_db_stmt *st = NULL;
	void *owned[32] = { 0 };
	size_t i;
	int rc;

	snprintf(binds, sizeof(binds), "%s", args[2]); /* strtok_r writes to it */
	if (kept) {
		if (g_store_prepare(s, args[1], &st, err) < 0)
			return -1;
	} else if ((rc = g_db_prepare(s->db, args[1], &st)) != G_DB_OK) {
		return g_store_error(s, rc, "preparing a statement", err);
	}
	rc = bind_all(st, binds, owned, sizeof(owned) / sizeof(*owned));
	while (rc == 0 && (rc = g_db_step(st)) == G_DB_ROW) {
		json_t *row = json_array();
		char *line;

		for (i = 0; reads[i]; i++)
			json_array_append_new(row, read_column(st, (int)i, reads[i]));
		line = json_dumps(row, JSON_COMPACT | JSON_ENCODE_ANY);
		puts(line ? line : "<out of memory>");
		free(line);
		json_decref(row);
		rc = 0;
	}
	if (rc < 0)
		g_err_set(err, G_EX_USAGE, "db: bad binds '%s'", args[2]);
	else if (rc != G_DB_DONE)
		g_store_error(s, rc, NULL, err);
	if (kept)
		g_db_reset(st);
	else
		g_db_finalize(st);
	for (i = 0; i < sizeof(owned) / sizeof(*owned); i++)
		free(owned[i]);
	return rc == G_DB_DONE ? 0 : -1;
}

static int run_blob_write(struct g_store *s, char **args, struct g_err *err)
{
	size_t len = 0;
	unsigned char *data = unhex(args[3], &len);
	int rc;

	if (!data)
		return g_err_set(err, G_EX_USAGE, "db: bad hex '%s'", args[3]);
	rc = g_db_blob_write(s->db, args[0], args[1], args[2], data, len);
	free(data);
	return rc == G_DB_OK ? 0 : g_store_error(s, rc, "writing a blob", err);
}

/* One step at argv[0]: the words it took, or -1 with err. */
static int run_step(struct g_store *s, int argc, char **argv, struct g_err *err)
{
	static const struct {
		const char *name;
		int words;
	} steps[] = {
		{ "exec", 1 }, { "query", 3 }, { "once", 3 }, { "changes", 0 }, { "tx", 0 },
		{ "begin", 0 }, { "commit", 0 }, { "rollback", 0 }, { "lock", 2 },
		{ "blob-write", 4 },
	};
	const char *name = argv[0];
	size_t i;
	int rc = G_DB_OK;

	for (i = 0; i < sizeof(steps) / sizeof(*steps); i++)
		if (strcmp(name, steps[i].name) == 0)
			break;
	if (i == sizeof(steps) / sizeof(*steps) || argc <= steps[i].words)
		return g_err_set(err, G_EX_USAGE, "db: bad step '%s'", name);
	argv++;
	if (strcmp(name, "exec") == 0)
		rc = g_db_exec(s->db, argv[0]);
	else if (strcmp(name, "query") == 0 || strcmp(name, "once") == 0)
		return run_query(s, name[0] == 'q', argv, err) < 0 ? -1 : 3;
	else if (strcmp(name, "changes") == 0)
		printf("changes %" PRId64 "\n", g_db_changes(s->db));
	else if (strcmp(name, "tx") == 0)
		printf("in_transaction %d\n", g_db_in_transaction(s->db));
	else if (strcmp(name, "begin") == 0)
		return g_store_begin(s, err) < 0 ? -1 : 0;
	else if (strcmp(name, "commit") == 0)
		return g_store_commit(s, err) < 0 ? -1 : 0;
	else if (strcmp(name, "rollback") == 0)
		g_store_rollback(s);
	else if (strcmp(name, "lock") == 0)
		rc = g_db_lock(s->db, argv[0], argv[1]);
	else
		return run_blob_write(s, argv, err) < 0 ? -1 : 4;
	if (rc != G_DB_OK)
		return g_store_error(s, rc, NULL, err);
	return steps[i].words;
}

int db_tool_main(const struct g_cli *cli, int argc, char **argv)
{
	struct g_err err;
	struct g_store *s;
	char *path = g_cli_db_path(cli, &err);
	int i, n, status = 0;

	if (!path)
		return g_msg_report(&err);
	s = g_store_connect(path, &err);
	free(path);
	if (!s)
		return g_msg_report(&err);
	for (i = 0; i < argc; i += n + 1)
		if ((n = run_step(s, argc - i, argv + i, &err)) < 0) {
			fflush(stdout);
			status = g_msg_report(&err);
			break;
		}
	g_store_close(s);
	return status;
}
