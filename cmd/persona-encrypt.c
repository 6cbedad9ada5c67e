/*
 * persona-encrypt: users and their keys (DESIGN.md §6). Option parsing,
 * the verbs, and their output; the work is in lib/account, lib/keys,
 * lib/keycache, lib/vault and lib/portable.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "account.h"
#include "cli.h"
#include "doc.h"
#include "duration.h"
#include "keycache.h"
#include "userkey.h"
#include "portable.h"
#include "store.h"
#include "user.h"
#include "vault.h"

static const char synopsis[] =
	"usage: persona-encrypt init [-u USER] [--kdf interactive|moderate|sensitive] [--email ADDR]\n"
	"       persona-encrypt users\n"
	"       persona-encrypt unlock [--timeout D] [--token]\n"
	"       persona-encrypt lock\n"
	"       persona-encrypt passwd [--kdf PRESET]\n"
	"       persona-encrypt recover [--kdf PRESET]\n"
	"       persona-encrypt rekey\n"
	"       persona-encrypt verify [--fix]\n"
	"       persona-encrypt delete-user\n"
	"       persona-encrypt seal | open [FILE...]\n"
	"options: -d DB  -u USER  -y  --pretty  --input json|yaml  -q  -v  -n  -h  -V\n"
	"         --passphrase-fd N  --new-passphrase-fd N  --new-passphrase-file F\n"
	"         --recovery-key-fd N  --recovery-key-file F\n";

enum {
	OPT_EMAIL = G_OPT_COMMAND,
	OPT_FIX,
	OPT_KDF,
	OPT_NEW_PASSPHRASE_FD,
	OPT_NEW_PASSPHRASE_FILE,
	OPT_PASSPHRASE_FD,
	OPT_RECOVERY_KEY_FD,
	OPT_RECOVERY_KEY_FILE,
	OPT_TIMEOUT,
	OPT_TOKEN,
};

static const struct option options[] = {
	{ "email", required_argument, NULL, OPT_EMAIL },
	{ "fix", no_argument, NULL, OPT_FIX },
	{ "kdf", required_argument, NULL, OPT_KDF },
	{ "new-passphrase-fd", required_argument, NULL, OPT_NEW_PASSPHRASE_FD },
	{ "new-passphrase-file", required_argument, NULL, OPT_NEW_PASSPHRASE_FILE },
	{ "passphrase-fd", required_argument, NULL, OPT_PASSPHRASE_FD },
	{ "recovery-key-fd", required_argument, NULL, OPT_RECOVERY_KEY_FD },
	{ "recovery-key-file", required_argument, NULL, OPT_RECOVERY_KEY_FILE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "token", no_argument, NULL, OPT_TOKEN },
	G_CLI_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

struct run {
	struct g_cli cli;
	struct g_secret_opts secrets;
	const char *kdf_name;
	const char *email;
	unsigned int timeout_s;
	int token;
	int fix;
	struct g_store *store;
	struct g_doc_writer *out;
	int argc;
	char **argv;
	int reported; /* an exit status whose messages are out already */
};

/* A verb's return: 0, -1 with err to report, or REPORTED (r->reported). */
#define REPORTED (-2)

static int parse_fd(const char *flag, const char *arg, int *fd)
{
	long v;

	if (g_cli_parse_long(arg, 0, 1 << 20, &v) < 0)
		/* not echoed: a passphrase typed in the wrong place may be it */
		return g_usage_error(synopsis, "%s: not a file descriptor", flag);
	*fd = (int)v;
	return 0;
}

/* Options; -1 to go on, else the exit status. */
static int parse(struct run *r, int argc, char **argv)
{
	int opt, status;

	while ((opt = g_getopt(argc, argv, G_CLI_SHORTOPTS, options)) != -1) {
		if (g_cli_handle(&r->cli, opt, optarg, synopsis, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		switch (opt) {
		case OPT_EMAIL: {
			struct g_err err;

			if (g_cli_utf8("--email", optarg, &err) < 0)
				return g_report(&err);
			r->email = optarg;
			break;
		}
		case OPT_FIX: r->fix = 1; break;
		case OPT_KDF: r->kdf_name = optarg; break;
		case OPT_TOKEN: r->token = 1; break;
		case OPT_NEW_PASSPHRASE_FILE: r->secrets.new_passphrase_file = optarg; break;
		case OPT_RECOVERY_KEY_FILE: r->secrets.recovery_key_file = optarg; break;
		case OPT_PASSPHRASE_FD:
			if (parse_fd("--passphrase-fd", optarg, &r->secrets.passphrase_fd))
				return G_EX_USAGE;
			break;
		case OPT_NEW_PASSPHRASE_FD:
			if (parse_fd("--new-passphrase-fd", optarg, &r->secrets.new_passphrase_fd))
				return G_EX_USAGE;
			break;
		case OPT_RECOVERY_KEY_FD:
			if (parse_fd("--recovery-key-fd", optarg, &r->secrets.recovery_key_fd))
				return G_EX_USAGE;
			break;
		case OPT_TIMEOUT:
			if (g_duration_parse(optarg, &r->timeout_s) < 0)
				return g_usage_error(synopsis,
						     "--timeout: '%s' is not a duration such as 90s, 15m, 2h, 1d (at most 30d)",
						     optarg);
			break;
		default:
			return g_usage_error(synopsis, "unknown option");
		}
	}
	return -1;
}

/* The KDF for a new wrap: --kdf, else $GUISE_KDF, else fallback. */
static int choose_kdf(const struct run *r, const struct g_kdf *fallback,
		      struct g_kdf *out, struct g_err *err)
{
	const char *name = r->kdf_name ? r->kdf_name : getenv("GUISE_KDF");

	if (!name || !*name) {
		*out = *fallback;
		return 0;
	}
	if (g_crypt_kdf_preset(name, out) < 0)
		return g_err_set(err, r->kdf_name ? G_EX_USAGE : G_EX_CONFIG,
				 "%s: '%s' is not interactive, moderate or sensitive",
				 r->kdf_name ? "--kdf" : "GUISE_KDF", name);
	return 0;
}

static int emit(struct run *r, json_t *rec, struct g_err *err)
{
	int rc;

	if (!rec)
		return g_err_oom(err);
	rc = g_doc_write(r->out, rec, err);
	json_decref(rec);
	return rc;
}

static void say_key_source(const struct run *r, const struct g_user *u,
			   const struct g_userkey *k)
{
	if (strcmp(k->source, "passphrase") == 0)
		g_verbose(&r->cli, 1,
			  "key for '%s': derived from the passphrase (%s, opslimit %llu, memlimit %zu)",
			  u->username, u->kdf_alg, u->kdf.opslimit, u->kdf.memlimit);
	else
		g_verbose(&r->cli, 1, "key for '%s': from the %s", u->username, k->source);
}

/* The user's key from the cache or a passphrase source; never a prompt
 * unless the verb is about the passphrase. */
static int get_key(struct run *r, const struct g_user *u, int allow_terminal,
		   struct g_userkey *k, struct g_err *err)
{
	if (g_userkey_get(r->store->db_id, u, &r->secrets, allow_terminal, k, err) < 0)
		return -1;
	say_key_source(r, u, k);
	return 0;
}

/* The passphrase itself, checked against the user, whatever the cache. */
static int check_passphrase(struct run *r, const struct g_user *u,
			    struct g_secret *pass, struct g_userkey *k,
			    struct g_err *err)
{
	int rc = g_secret_passphrase(&r->secrets, u->username, 1, pass, err);

	if (rc == 0) {
		g_err_set(err, G_EX_USAGE,
			  "no passphrase: no terminal, and none of --passphrase-fd, "
			  "GUISE_PASSPHRASE_FILE, GUISE_PASSPHRASE");
		return -1;
	}
	if (rc < 0 || g_userkey_from_passphrase(r->store->db_id, u, pass, k, err) < 0) {
		g_secret_release(pass);
		return -1;
	}
	say_key_source(r, u, k);
	return 0;
}

/* Write a user record with, this once, its recovery key; the key's copies
 * (the caller's buffer, the JSON string) are zeroed whatever happens. */
static int emit_with_recovery(struct run *r, json_t *rec, char *recovery,
			      struct g_err *err)
{
	json_t *key = NULL;
	int rc;

	if (rec && !r->cli.dry_run) {
		key = json_string(recovery);
		json_object_set(rec, "recovery_key", key);
	}
	sodium_memzero(recovery, G_RECOVERY_TEXT);
	rc = emit(r, json_incref(rec), err);
	if (key)
		sodium_memzero((char *)json_string_value(key), json_string_length(key));
	json_decref(key);
	json_decref(rec);
	return rc;
}

/* The user record with its new recovery key, out on stdout before the
 * account commits (g_account_deliver_fn). */
struct delivery {
	struct run *r;
	const struct g_user *u;
	const long *fields; /* rekey: the count re-encrypted */
};

static int deliver_recovery(char recovery[G_RECOVERY_TEXT], void *arg, struct g_err *err)
{
	struct delivery *d = arg;
	json_t *rec = g_user_record(d->u);
	int rc;

	if (rec && d->fields)
		json_object_set_new(rec, "fields_reencrypted", json_integer(*d->fields));
	errno = 0;
	rc = emit_with_recovery(d->r, rec, recovery, err);
	if (rc == 0 && fflush(stdout) != 0)
		rc = -1;
	if (ferror(stdout))
		return g_err_set(err, G_EX_IOERR,
				 "cannot write the recovery key to stdout: %s: nothing changed",
				 strerror(errno ? errno : EIO));
	return rc;
}

static int verb_init(struct run *r, struct g_err *err)
{
	struct g_secret pass = { NULL, 0 };
	char recovery[G_RECOVERY_TEXT];
	struct g_kdf kdf, moderate;
	struct g_user u;
	struct delivery d = { r, &u, NULL };
	int rc;

	if (!r->cli.user)
		return g_err_set(err, G_EX_USAGE, "init: name the new user with -u or GUISE_USER");
	g_crypt_kdf_preset("moderate", &moderate);
	if (choose_kdf(r, &moderate, &kdf, err) < 0 ||
	    g_secret_new_passphrase(&r->secrets, r->cli.user, 1, &pass, err) < 0)
		return -1;
	/* printed once, before the commit, and never stored; a dry run
	 * stores nothing */
	rc = g_account_create(r->store, r->cli.user, r->email, &kdf, &pass,
			      r->cli.dry_run, &u, recovery, deliver_recovery, &d, err);
	g_secret_release(&pass);
	sodium_memzero(recovery, sizeof(recovery));
	g_user_release(&u);
	return rc < 0 ? -1 : 0;
}

struct listing {
	struct run *r;
	struct g_err *err;
};

static int list_one(const struct g_user *u, void *arg)
{
	struct listing *l = arg;

	return emit(l->r, g_user_record(u), l->err) < 0;
}

static int verb_users(struct run *r, struct g_err *err)
{
	struct listing l = { r, err };

	return g_user_each(r->store, list_one, &l, err) == 0 ? 0 : -1;
}

static int verb_unlock(struct run *r, const struct g_user *u, struct g_err *err)
{
	struct g_secret pass = { NULL, 0 };
	unsigned int timeout = r->timeout_s ? r->timeout_s : 15 * 60;
	char expires[G_TIMESTAMP_LEN];
	struct g_cache_id id;
	struct g_userkey k;
	char *token = NULL;
	int rc;

	/* the passphrase, checked whatever the cache holds: a wrong one must
	 * not extend an unlock */
	g_userkey_cache_id(r->store->db_id, u, &id);
	if (check_passphrase(r, u, &pass, &k, err) < 0)
		return -1;
	g_secret_release(&pass);
	g_timestamp_format(g_timestamp_ms() + (int64_t)timeout * 1000, expires);
	if (r->cli.dry_run)
		rc = 0;
	else if (r->token)
		rc = g_keycache_token_create(&id, k.dek, timeout, &token, err);
	else
		rc = g_keycache_keyring_put(&id, k.dek, timeout, err);
	g_userkey_release(&k);
	if (rc < 0)
		return -1;
	if (token) {
		/* shell, for eval "$(persona-encrypt unlock --token)" */
		printf("GUISE_SESSION=%s; export GUISE_SESSION\n", token);
		sodium_memzero(token, strlen(token));
		free(token);
		g_verbose(&r->cli, 1, "'%s' unlocked until %s", u->username, expires);
		return 0;
	}
	return emit(r, json_pack("{s:s, s:s, s:s, s:s, s:b}", "kind", "unlock", "user",
				 u->username, "via", r->token ? "session-token" : "keyring",
				 "expires_at", expires, "dry_run", r->cli.dry_run),
		    err);
}

static int verb_lock(struct run *r, const struct g_user *u, struct g_err *err)
{
	struct g_cache_id id;
	int keyring = 0, sessions = 0;

	g_userkey_cache_id(r->store->db_id, u, &id);
	if (!r->cli.dry_run) {
		keyring = g_keycache_keyring_drop(&id);
		sessions = g_keycache_token_drop(&id);
	}
	return emit(r, json_pack("{s:s, s:s, s:b, s:i}", "kind", "lock", "user",
				 u->username, "keyring", keyring, "session_files", sessions),
		    err);
}

/* passwd and recover: a key one way, then a new passphrase wrap. */
static int rewrap(struct run *r, struct g_user *u, int with_recovery,
		  struct g_err *err)
{
	struct g_secret old = { NULL, 0 }, fresh = { NULL, 0 };
	struct g_userkey k;
	struct g_kdf kdf;
	int rc;

	if (with_recovery) {
		if (g_secret_recovery_key(&r->secrets, &old, err) < 0)
			return -1;
		rc = g_userkey_from_recovery(r->store->db_id, u, &old, &k, err);
	} else {
		rc = check_passphrase(r, u, &old, &k, err);
	}
	g_secret_release(&old);
	if (rc < 0)
		return -1;
	rc = choose_kdf(r, &u->kdf, &kdf, err);
	if (rc == 0)
		rc = g_secret_new_passphrase(&r->secrets, u->username, 0, &fresh, err);
	if (rc >= 0)
		rc = g_account_passwd(r->store, u, &k, &kdf, &fresh, r->cli.dry_run, err);
	g_secret_release(&fresh);
	g_userkey_release(&k);
	return rc < 0 ? -1 : emit(r, g_user_record(u), err);
}

static int verb_rekey(struct run *r, struct g_user *u, struct g_err *err)
{
	struct g_cache_id id;
	struct g_secret pass = { NULL, 0 };
	char recovery[G_RECOVERY_TEXT];
	struct g_userkey old;
	long fields = 0;
	struct delivery d = { r, u, &fields };
	int rc;

	g_userkey_cache_id(r->store->db_id, u, &id);
	if (check_passphrase(r, u, &pass, &old, err) < 0)
		return -1;
	rc = g_account_rekey(r->store, u, &old, &pass, r->cli.dry_run, recovery,
			     &fields, deliver_recovery, &d, err);
	g_secret_release(&pass);
	g_userkey_release(&old);
	sodium_memzero(recovery, sizeof(recovery));
	if (rc < 0)
		return -1;
	if (!r->cli.dry_run) {
		/* the cached key is the old one: gone with it */
		g_keycache_keyring_drop(&id);
		g_keycache_token_drop(&id);
	}
	return 0;
}

struct verify {
	long fields, failed, unbound;
};

static int verify_field(const char *table, const char *column, const char *row_id,
			const char *plain, size_t len, const struct g_err *failure,
			int unbound, void *arg)
{
	struct verify *v = arg;

	(void)plain;
	(void)len;
	v->fields++;
	if (failure) {
		v->failed++;
		g_msg("%s '%s' %s: %s", table, row_id, column, failure->msg);
	}
	v->unbound += unbound;
	return 0;
}

/* verify --fix: the unbound fields re-sealed bound, in one transaction;
 * the count re-sealed (or that would be, dry run), -1 with err. */
static long verify_fix(struct run *r, const struct g_userkey *k, struct verify *v,
		       struct g_err *err)
{
	long resealed;

	/* the key was read before the lock: a rekey may have retired it */
	if (g_user_begin_write(r->store, k->user_id, k->username, k->dek_version, err) < 0)
		return -1;
	resealed = g_vault_rebind(r->store, k, verify_field, v, err);
	if (resealed < 0 || r->cli.dry_run)
		g_store_rollback(r->store);
	else if (g_store_commit(r->store, err) < 0)
		return -1;
	return resealed;
}

static int verb_verify(struct run *r, const struct g_user *u, struct g_err *err)
{
	struct verify v = { 0, 0, 0 };
	struct g_userkey k;
	long resealed = 0;
	json_t *rec;
	int rc;

	if (get_key(r, u, 1, &k, err) < 0)
		return -1;
	if (r->fix)
		rc = (resealed = verify_fix(r, &k, &v, err)) < 0 ? -1 : 0;
	else
		rc = g_vault_each(r->store, &k, verify_field, &v, err);
	g_userkey_release(&k);
	if (rc < 0)
		return -1;
	rec = json_pack("{s:s, s:s, s:I, s:I, s:I}", "kind", "verify", "user", u->username,
			"fields", (json_int_t)v.fields, "failed", (json_int_t)v.failed, "unbound",
			(json_int_t)v.unbound);
	if (rec && r->fix)
		json_object_set_new(rec, "resealed", json_integer(resealed));
	if (emit(r, rec, err) < 0)
		return -1;
	if (v.failed)
		return g_err_set(err, G_EX_DATAERR,
				 "%ld of %ld encrypted fields of '%s' fail their integrity check",
				 v.failed, v.fields, u->username);
	if (v.unbound && !r->fix)
		return g_err_set(err, G_EX_DATAERR, "%ld encrypted field%s of '%s' %s " G_VAULT_UNBOUND,
				 v.unbound, v.unbound == 1 ? "" : "s", u->username,
				 v.unbound == 1 ? "is" : "are");
	return 0;
}

static int verb_delete_user(struct run *r, const struct g_user *u, struct g_err *err)
{
	struct g_cache_id id;
	struct g_secret pass = { NULL, 0 };
	struct g_userkey k;

	g_userkey_cache_id(r->store->db_id, u, &id);
	if (check_passphrase(r, u, &pass, &k, err) < 0)
		return -1;
	g_secret_release(&pass);
	g_userkey_release(&k);
	if (g_account_delete(r->store, u, r->cli.dry_run, err) < 0)
		return -1;
	if (!r->cli.dry_run) {
		g_keycache_keyring_drop(&id);
		g_keycache_token_drop(&id);
	}
	return emit(r, json_pack("{s:s, s:s, s:s, s:b}", "kind", "user_deleted", "id",
				 u->id, "username", u->username, "dry_run", r->cli.dry_run),
		    err);
}

struct filter {
	struct run *r;
	const struct g_userkey *k;
	int sealing;
};

/* seal and open: the records of one input, one at a time. */
static int filter_input(FILE *in, const char *name, void *arg)
{
	struct filter *f = arg;
	struct g_doc_reader *rd = g_doc_reader_new(in, name, f->r->cli.input, G_DOC_RECORDS);
	struct g_err err;
	json_t *rec;
	int rc, n = 0;

	if (!rd)
		return g_report(&(struct g_err){ G_EX_SOFTWARE, G_ERR_OOM });
	while ((rc = g_doc_read(rd, &rec, &err)) > 0) {
		n++;
		if ((f->sealing ? g_portable_seal(f->k, rec, &err)
				: g_portable_open(f->k, rec, &err)) < 0) {
			g_err_prefix(&err, "'%s': record %d", name, n);
			rc = -1;
		} else {
			rc = g_doc_write(f->r->out, rec, &err);
		}
		json_decref(rec);
		if (rc < 0)
			break;
	}
	g_doc_reader_free(rd);
	return rc < 0 ? g_report(&err) : 0;
}

static int verb_filter(struct run *r, const struct g_user *u, int sealing,
		       struct g_err *err)
{
	struct g_userkey k;
	struct filter f = { r, &k, sealing };

	if (get_key(r, u, 0, &k, err) < 0)
		return -1;
	r->reported = g_cli_each_input(r->argv + optind, r->argc - optind,
				       filter_input, &f);
	g_userkey_release(&k);
	return r->reported ? REPORTED : 0;
}

/* The verb with its user: 0, -1 with err set, or REPORTED. */
static int dispatch(struct run *r, const char *verb, struct g_err *err)
{
	struct g_user u;
	int rc;

	if (strcmp(verb, "init") == 0)
		return verb_init(r, err);
	if (strcmp(verb, "users") == 0)
		return verb_users(r, err);
	if (g_user_resolve(r->store, r->cli.user, &u, err) < 0)
		return -1;
	if (strcmp(verb, "unlock") == 0)
		rc = verb_unlock(r, &u, err);
	else if (strcmp(verb, "lock") == 0)
		rc = verb_lock(r, &u, err);
	else if (strcmp(verb, "passwd") == 0)
		rc = rewrap(r, &u, 0, err);
	else if (strcmp(verb, "recover") == 0)
		rc = rewrap(r, &u, 1, err);
	else if (strcmp(verb, "rekey") == 0)
		rc = verb_rekey(r, &u, err);
	else if (strcmp(verb, "verify") == 0)
		rc = verb_verify(r, &u, err);
	else if (strcmp(verb, "delete-user") == 0)
		rc = verb_delete_user(r, &u, err);
	else if (strcmp(verb, "seal") == 0 || strcmp(verb, "open") == 0)
		rc = verb_filter(r, &u, verb[0] == 's', err);
	else
		rc = g_err_set(err, G_EX_USAGE, "unknown verb '%s'", verb);
	g_user_release(&u);
	return rc;
}

static const char *const verbs[] = {
	"init", "users", "unlock", "lock", "passwd", "recover", "rekey",
	"verify", "delete-user", "seal", "open", NULL,
};

static int known_verb(const char *v)
{
	const char *const *p;

	for (p = verbs; *p; p++)
		if (strcmp(*p, v) == 0)
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct run r;
	struct g_err err;
	const char *verb;
	char *path;
	int status;

	memset(&r, 0, sizeof(r));
	g_secret_opts_init(&r.secrets);
	g_cli_init(&r.cli, argv[0]);
	if (argc >= 2 && argv[1][0] != '-') {
		verb = argv[1];
		argc--;
		argv++;
	} else {
		verb = NULL;
	}
	status = parse(&r, argc, argv);
	if (status >= 0)
		return g_cli_finish(status);
	if (g_cli_check(&r.cli, &err) < 0)
		return g_cli_finish(g_report(&err));
	if (!verb)
		return g_cli_finish(g_usage_error(synopsis, "missing verb"));
	if (!known_verb(verb))
		return g_cli_finish(g_usage_error(synopsis, "unknown verb '%s'", verb));
	if (g_crypt_init(&err) < 0 || !(path = g_cli_db_path(&r.cli, &err)))
		return g_cli_finish(g_report(&err));
	r.argc = argc;
	r.argv = argv;
	/* only init makes a database; elsewhere a missing one is a typo */
	r.store = strcmp(verb, "init") == 0 ? g_store_open_new(path, &err)
					     : g_store_open(path, &err);
	free(path);
	if (!r.store)
		return g_cli_finish(g_report(&err));
	r.out = g_doc_writer_new(stdout, r.cli.output);
	status = dispatch(&r, verb, &err);
	if (status == -1)
		status = g_report(&err);
	else if (status == REPORTED)
		status = r.reported;
	if (g_doc_writer_close(r.out, &err) < 0 && status == 0)
		status = g_report(&err);
	g_store_close(r.store);
	return g_cli_finish(status);
}
