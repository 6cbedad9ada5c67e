/* user.c: reading and writing user rows. */
#include "user.h"

#include <stdlib.h>
#include <string.h>

#define USER_COLUMNS                                                       \
	"id, username, email, role, account_status, created_at, updated_at, " \
	"kdf_alg, kdf_opslimit, kdf_memlimit, kek_salt, dek_wrapped, "        \
	"dek_nonce, dek_version, recovery_dek_wrapped, recovery_nonce"
/* What is read of a user: the columns written, and the mark a migration
 * sets (legacy_rows), which a new user never has. */
#define USER_READ_COLUMNS USER_COLUMNS ", legacy_rows"

static void blob_release(struct g_blob *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

int g_user_blob_set(struct g_blob *b, const unsigned char *p, size_t n,
	       struct g_err *err)
{
	unsigned char *copy = malloc(n ? n : 1);

	if (!copy)
		return g_err_oom(err);
	if (n)
		memcpy(copy, p, n);
	free(b->data);
	b->data = copy;
	b->len = n;
	return 0;
}

void g_user_release(struct g_user *u)
{
	free(u->email);
	blob_release(&u->salt);
	blob_release(&u->dek_wrapped);
	blob_release(&u->dek_nonce);
	blob_release(&u->recovery_wrapped);
	blob_release(&u->recovery_nonce);
	memset(u, 0, sizeof(*u));
}

int g_user_name_valid(const char *name)
{
	size_t n = strlen(name);

	return n >= 1 && n <= G_USERNAME_MAX &&
	       strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			    "0123456789._-") == n;
}

/* A statement of its own, not the store's cache (these run once or twice
 * a process); -1 with err saying what was being done if it does not
 * prepare. */
static int prepare(struct g_store *s, const char *sql, struct g_db_stmt **st, const char *what,
		   struct g_err *err)
{
	int rc = g_db_prepare(s->db, sql, st);

	return rc == G_DB_OK ? 0 : g_store_error(s, rc, what, err);
}

static void copy_text(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

static int copy_blob(struct g_db_stmt *st, int col, struct g_blob *b)
{
	const void *p = g_db_column_blob(st, col);
	size_t n = g_db_column_bytes(st, col);

	b->len = 0;
	b->data = NULL;
	if (!p || n == 0)
		return 0;
	b->data = malloc(n);
	if (!b->data)
		return -1;
	memcpy(b->data, p, n);
	b->len = n;
	return 0;
}

/* One row of USER_READ_COLUMNS into u. */
static int read_row(struct g_db_stmt *st, struct g_user *u, struct g_err *err)
{
	const char *email;

	memset(u, 0, sizeof(*u));
	copy_text(u->id, sizeof(u->id), g_db_column_text(st, 0));
	copy_text(u->username, sizeof(u->username), g_db_column_text(st, 1));
	email = g_db_column_text(st, 2);
	copy_text(u->role, sizeof(u->role), g_db_column_text(st, 3));
	copy_text(u->account_status, sizeof(u->account_status),
		  g_db_column_text(st, 4));
	copy_text(u->created_at, sizeof(u->created_at), g_db_column_text(st, 5));
	copy_text(u->updated_at, sizeof(u->updated_at), g_db_column_text(st, 6));
	copy_text(u->kdf_alg, sizeof(u->kdf_alg), g_db_column_text(st, 7));
	u->kdf.name = NULL;
	u->kdf.opslimit = (unsigned long long)g_db_column_int64(st, 8);
	u->kdf.memlimit = (size_t)g_db_column_int64(st, 9);
	u->dek_version = g_db_column_int64(st, 13);
	u->legacy_rows = g_db_column_int(st, 16) != 0;
	if ((email && !(u->email = strdup(email))) ||
	    copy_blob(st, 10, &u->salt) < 0 || copy_blob(st, 11, &u->dek_wrapped) < 0 ||
	    copy_blob(st, 12, &u->dek_nonce) < 0 ||
	    copy_blob(st, 14, &u->recovery_wrapped) < 0 ||
	    copy_blob(st, 15, &u->recovery_nonce) < 0) {
		g_user_release(u);
		return g_err_oom(err);
	}
	return 0;
}

int g_user_find(struct g_store *s, const char *name, struct g_user *u,
		struct g_err *err)
{
	static const char sql[] = "SELECT " USER_READ_COLUMNS " FROM users WHERE username = ?";
	struct g_db_stmt *st;
	int rc;

	if (prepare(s, sql, &st, "reading users", err) < 0)
		return -1;
	g_db_bind_str(st, 1, name);
	rc = g_db_step(st);
	if (rc == G_DB_ROW)
		rc = read_row(st, u, err) < 0 ? -1 : 0;
	else if (rc == G_DB_DONE)
		rc = g_err_set(err, G_EX_NOINPUT, "no such user '%s'", name);
	else
		rc = g_store_error(s, rc, "reading users", err);
	g_db_finalize(st);
	return rc;
}

int g_user_resolve(struct g_store *s, const char *name, struct g_user *u,
		   struct g_err *err)
{
	static const char sql[] = "SELECT username FROM users ORDER BY username LIMIT 2";
	char only[G_USERNAME_MAX + 1] = "";
	struct g_db_stmt *st;
	int rc, rows = 0;

	if (name)
		return g_user_find(s, name, u, err);
	if (prepare(s, sql, &st, "reading users", err) < 0)
		return -1;
	while ((rc = g_db_step(st)) == G_DB_ROW)
		if (rows++ == 0)
			copy_text(only, sizeof(only), g_db_column_text(st, 0));
	g_db_finalize(st);
	if (rc != G_DB_DONE)
		return g_store_error(s, rc, "reading users", err);
	if (rows == 0)
		return g_err_set(err, G_EX_NOINPUT,
				 "no users yet: run 'persona-encrypt init -u NAME'");
	if (rows > 1)
		return g_err_set(err, G_EX_USAGE,
				 "several users: name one with -u or GUISE_USER");
	return g_user_find(s, only, u, err);
}

static void bind_blob(struct g_db_stmt *st, int i, const struct g_blob *b)
{
	if (b->data)
		g_db_bind_blob(st, i, b->data, b->len);
	else
		g_db_bind_null(st, i);
}

/* The key's wrapping, in the users table's order from column i on:
 * kdf_alg, kdf_opslimit, kdf_memlimit, kek_salt, dek_wrapped, dek_nonce
 * (as a new user is added, and as a rewrap stores it). */
static void bind_wrap(struct g_db_stmt *st, int i, const struct g_user *u)
{
	g_db_bind_str(st, i, u->kdf_alg);
	g_db_bind_int64(st, i + 1, (int64_t)u->kdf.opslimit);
	g_db_bind_int64(st, i + 2, (int64_t)u->kdf.memlimit);
	bind_blob(st, i + 3, &u->salt);
	bind_blob(st, i + 4, &u->dek_wrapped);
	bind_blob(st, i + 5, &u->dek_nonce);
}

int g_user_guard_init(struct g_user_guard *g, const struct g_user *u,
		      struct g_err *err)
{
	g->dek_version = u->dek_version;
	g->dek_wrapped.data = NULL;
	g->dek_wrapped.len = 0;
	return g_user_blob_set(&g->dek_wrapped, u->dek_wrapped.data, u->dek_wrapped.len, err);
}

void g_user_guard_release(struct g_user_guard *g)
{
	blob_release(&g->dek_wrapped);
}

/* Run a guarded write of one user row: no row changed means the row is
 * gone or was changed by another process since it was read. */
static int step_guarded(struct g_store *s, struct g_db_stmt *st, const struct g_user *u,
			const char *what, struct g_err *err)
{
	int rc = g_db_step(st);

	g_db_finalize(st);
	if (rc != G_DB_DONE)
		return g_store_error(s, rc, what, err);
	if (g_db_changes(s->db) != 1)
		return g_err_set(err, G_EX_TEMPFAIL,
				 "user '%s' changed while this ran: try again",
				 u->username);
	return 0;
}

int g_user_insert(struct g_store *s, const struct g_user *u, struct g_err *err)
{
	static const char sql[] = "INSERT INTO users (" USER_COLUMNS ") VALUES "
				  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
	struct g_db_stmt *st;
	int rc;

	if (prepare(s, sql, &st, "adding the user", err) < 0)
		return -1;
	g_db_bind_str(st, 1, u->id);
	g_db_bind_str(st, 2, u->username);
	if (u->email)
		g_db_bind_str(st, 3, u->email);
	else
		g_db_bind_null(st, 3);
	g_db_bind_str(st, 4, u->role);
	g_db_bind_str(st, 5, u->account_status);
	g_db_bind_str(st, 6, u->created_at);
	g_db_bind_str(st, 7, u->updated_at);
	bind_wrap(st, 8, u);
	g_db_bind_int64(st, 14, u->dek_version);
	bind_blob(st, 15, &u->recovery_wrapped);
	bind_blob(st, 16, &u->recovery_nonce);
	rc = g_db_step(st);
	g_db_finalize(st);
	if (rc == G_DB_CONSTRAINT)
		return g_err_set(err, G_EX_DATAERR, "user '%s' exists", u->username);
	if (rc != G_DB_DONE)
		return g_store_error(s, rc, "adding the user", err);
	return 0;
}

int g_user_set_wrap(struct g_store *s, const struct g_user *u,
		    const struct g_user_guard *g, struct g_err *err)
{
	static const char sql[] =
		"UPDATE users SET kdf_alg = ?, kdf_opslimit = ?, kdf_memlimit = ?,"
		" kek_salt = ?, dek_wrapped = ?, dek_nonce = ?, updated_at = ?"
		" WHERE id = ? AND dek_version = ? AND dek_wrapped = ?";
	struct g_db_stmt *st;

	if (prepare(s, sql, &st, "storing the wrapped key", err) < 0)
		return -1;
	bind_wrap(st, 1, u);
	g_db_bind_str(st, 7, u->updated_at);
	g_db_bind_str(st, 8, u->id);
	g_db_bind_int64(st, 9, g->dek_version);
	bind_blob(st, 10, &g->dek_wrapped);
	return step_guarded(s, st, u, "storing the wrapped key", err);
}

int g_user_set_recovery(struct g_store *s, const struct g_user *u,
			const struct g_user_guard *g, struct g_err *err)
{
	static const char sql[] =
		"UPDATE users SET recovery_dek_wrapped = ?, recovery_nonce = ?,"
		" dek_version = ?, updated_at = ? WHERE id = ? AND dek_version = ?";
	struct g_db_stmt *st;

	if (prepare(s, sql, &st, "storing the recovery key", err) < 0)
		return -1;
	bind_blob(st, 1, &u->recovery_wrapped);
	bind_blob(st, 2, &u->recovery_nonce);
	g_db_bind_int64(st, 3, u->dek_version);
	g_db_bind_str(st, 4, u->updated_at);
	g_db_bind_str(st, 5, u->id);
	g_db_bind_int64(st, 6, g->dek_version);
	return step_guarded(s, st, u, "storing the recovery key", err);
}

int g_user_each(struct g_store *s, int (*fn)(const struct g_user *, void *),
		void *arg, struct g_err *err)
{
	static const char sql[] = "SELECT " USER_READ_COLUMNS " FROM users ORDER BY username";
	struct g_user u;
	struct g_db_stmt *st;
	int rc;

	if (prepare(s, sql, &st, "reading users", err) < 0)
		return -1;
	while ((rc = g_db_step(st)) == G_DB_ROW) {
		if (read_row(st, &u, err) < 0) {
			g_db_finalize(st);
			return -1;
		}
		rc = fn(&u, arg);
		g_user_release(&u);
		if (rc) {
			g_db_finalize(st);
			return rc;
		}
	}
	g_db_finalize(st);
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, "reading users", err);
}

/* The preset a user's parameters match, if any. */
static const char *kdf_preset_name(const struct g_kdf *kdf)
{
	static const char *const names[] = { "interactive", "moderate", "sensitive", "min" };
	struct g_kdf p;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (g_crypt_kdf_preset(names[i], &p) == 0 && p.opslimit == kdf->opslimit &&
		    p.memlimit == kdf->memlimit)
			return names[i];
	return NULL;
}

json_t *g_user_record(const struct g_user *u)
{
	return json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s, s:{s:s, s:s?, s:I, s:I},"
			 " s:I, s:b, s:s, s:s}",
			 "kind", "user", "id", u->id, "username", u->username,
			 "email", u->email, "role", u->role, "account_status",
			 u->account_status, "kdf", "alg", u->kdf_alg, "preset",
			 kdf_preset_name(&u->kdf), "opslimit",
			 (json_int_t)u->kdf.opslimit, "memlimit",
			 (json_int_t)u->kdf.memlimit, "dek_version",
			 (json_int_t)u->dek_version, "recovery",
			 u->recovery_wrapped.data != NULL, "created_at",
			 u->created_at, "updated_at", u->updated_at);
}

int g_user_set_default_persona(struct g_store *s, const struct g_user *u,
			       const char *persona_id, struct g_err *err)
{
	char now[G_TIMESTAMP_LEN];
	struct g_db_stmt *st;
	int rc;

	if (g_store_prepare(s,
			    "UPDATE users SET default_persona_id = ?1, updated_at = ?2 WHERE id = ?3",
			    &st, err) < 0)
		return -1;
	g_timestamp_now(now);
	g_db_bind_str(st, 1, persona_id);
	g_db_bind_str(st, 2, now);
	g_db_bind_str(st, 3, u->id);
	rc = g_db_step(st);
	g_db_reset(st);
	return rc == G_DB_DONE ? 0 : g_store_error(s, rc, "setting the default persona", err);
}

int g_user_default_persona(struct g_store *s, const struct g_user *u, char id[G_UUID_LEN],
			   struct g_err *err)
{
	struct g_db_stmt *st;
	int rc, found = 0;

	if (g_store_prepare(s, "SELECT default_persona_id FROM users WHERE id = ?1", &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, u->id);
	rc = g_db_step(st);
	if (rc == G_DB_ROW && !g_db_column_is_null(st, 0)) {
		snprintf(id, G_UUID_LEN, "%s", g_db_column_text(st, 0));
		found = 1;
	}
	g_db_reset(st);
	if (rc != G_DB_ROW && rc != G_DB_DONE)
		return g_store_error(s, rc, "reading the default persona", err);
	return found;
}

int g_user_lock(struct g_store *s, const char *user_id, struct g_err *err)
{
	int rc = g_db_lock(s->db, "users", user_id);

	return rc == G_DB_OK ? 0 : g_store_error(s, rc, "locking the user", err);
}

/* Whether dek_version is still user_id's key version (see
 * g_user_begin_write). */
static int check_key(struct g_store *s, const char *user_id, const char *username,
		     int64_t dek_version, struct g_err *err)
{
	struct g_db_stmt *st;
	int64_t current = 0;
	int rc;

	if (g_store_prepare(s, "SELECT dek_version FROM users WHERE id = ?1", &st, err) < 0)
		return -1;
	g_db_bind_str(st, 1, user_id);
	rc = g_db_step(st);
	if (rc == G_DB_ROW)
		current = g_db_column_int64(st, 0);
	g_db_reset(st);
	if (rc == G_DB_DONE)
		return g_err_set(err, G_EX_NOINPUT, "user '%s' was deleted while this ran", username);
	if (rc != G_DB_ROW)
		return g_store_error(s, rc, "reading the user's key version", err);
	if (current != dek_version)
		return g_err_set(err, G_EX_TEMPFAIL,
				 "the key of user '%s' changed while this ran (persona-encrypt rekey): "
				 "run again",
				 username);
	return 0;
}

int g_user_begin_write(struct g_store *s, const char *user_id, const char *username,
		       int64_t dek_version, struct g_err *err)
{
	if (g_store_begin(s, err) < 0)
		return -1;
	/* the row a rekey updates: with it held, none commits before us */
	if (g_user_lock(s, user_id, err) < 0 ||
	    check_key(s, user_id, username, dek_version, err) < 0) {
		g_store_rollback(s);
		return -1;
	}
	return 0;
}
