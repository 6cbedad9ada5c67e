/*
 * persona-encrypt: users and their keys (DESIGN.md §6). Option parsing,
 * the verbs, and their output; the work is in lib/account, lib/userkey,
 * lib/keycache, lib/vault and lib/portable.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "account.h"
#include "account_verify.h"
#include "cli.h"
#include "doc.h"
#include "frame.h"
#include "input.h"
#include "keycache.h"
#include "msg.h"
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
		return g_msg_usage(synopsis, "%s: not a file descriptor", flag);
	*fd = (int)v;
	return -1;
}

/* One of the command's own options: -1 to go on, else the exit status. */
static int own_option(void *cmd, int opt, const char *arg)
{
	struct run *r = cmd;
	struct g_err err;

	switch (opt) {
	case OPT_EMAIL:
		if (g_cli_utf8("--email", arg, &err) < 0)
			return g_msg_report(&err);
		r->email = arg;
		break;
	case OPT_FIX: r->fix = 1; break;
	case OPT_KDF: r->kdf_name = arg; break;
	case OPT_TOKEN: r->token = 1; break;
	case OPT_NEW_PASSPHRASE_FILE: r->secrets.new_passphrase_file = arg; break;
	case OPT_RECOVERY_KEY_FILE: r->secrets.recovery_key_file = arg; break;
	case OPT_PASSPHRASE_FD:
		return parse_fd("--passphrase-fd", arg, &r->secrets.passphrase_fd);
	case OPT_NEW_PASSPHRASE_FD:
		return parse_fd("--new-passphrase-fd", arg, &r->secrets.new_passphrase_fd);
	case OPT_RECOVERY_KEY_FD:
		return parse_fd("--recovery-key-fd", arg, &r->secrets.recovery_key_fd);
	case OPT_TIMEOUT:
		if (g_duration_parse(arg, &r->timeout_s) < 0)
			return g_msg_usage(synopsis,
					     "--timeout: '%s' is not a duration such as 90s, 15m, 2h, 1d (at most 30d)",
					     arg);
		break;
	}
	return -1;
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
		g_msg_verbose(&r->cli, 1,
			  "key for '%s': derived from the passphrase (%s, opslimit %llu, memlimit %zu)",
			  u->username, u->kdf_alg, u->kdf.opslimit, u->kdf.memlimit);
	else
		g_msg_verbose(&r->cli, 1, "key for '%s': from the %s", u->username, k->source);
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
	if (g_userkey_check_passphrase(r->store->db_id, u, &r->secrets, pass, k, err) < 0)
		return -1;
	say_key_source(r, u, k);
	return 0;
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
	json_t *rec = g_account_recovery_record(d->u, d->fields, recovery, d->r->cli.dry_run);
	int rc;

	errno = 0;
	rc = rec ? g_doc_write(d->r->out, rec, err) : g_err_oom(err);
	g_account_recovery_record_free(rec);
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
	if (g_account_kdf_choose(r->kdf_name, &moderate, &kdf, err) < 0 ||
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
	struct g_keycache_unlock un = { r->timeout_s, r->token, r->cli.dry_run, "", NULL };
	struct g_secret pass = { NULL, 0 };
	struct g_cache_id id;
	struct g_userkey k;
	int rc;

	/* the passphrase, checked whatever the cache holds: a wrong one must
	 * not extend an unlock */
	g_userkey_cache_id(r->store->db_id, u, &id);
	if (check_passphrase(r, u, &pass, &k, err) < 0)
		return -1;
	g_secret_release(&pass);
	rc = g_keycache_unlock(&id, k.dek, &un, err);
	g_userkey_release(&k);
	if (rc < 0)
		return -1;
	if (!un.token_value)
		return emit(r, g_keycache_unlock_record(&un, u->username), err);
	/* shell, for eval "$(persona-encrypt unlock --token)" */
	printf("GUISE_SESSION=%s; export GUISE_SESSION\n", un.token_value);
	g_keycache_unlock_release(&un);
	g_msg_verbose(&r->cli, 1, "'%s' unlocked until %s", u->username, un.expires_at);
	return 0;
}

static int verb_lock(struct run *r, const struct g_user *u, struct g_err *err)
{
	struct g_cache_id id;
	int keyring = 0, sessions = 0;

	g_userkey_cache_id(r->store->db_id, u, &id);
	if (!r->cli.dry_run)
		g_keycache_drop(&id, &keyring, &sessions);
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
	rc = g_account_kdf_choose(r->kdf_name, &u->kdf, &kdf, err);
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
	struct g_secret pass = { NULL, 0 };
	char recovery[G_RECOVERY_TEXT];
	struct g_userkey old;
	long fields = 0;
	struct delivery d = { r, u, &fields };
	int rc;

	if (check_passphrase(r, u, &pass, &old, err) < 0)
		return -1;
	rc = g_account_rekey(r->store, u, &old, &pass, r->cli.dry_run, recovery,
			     &fields, deliver_recovery, &d, err);
	g_secret_release(&pass);
	g_userkey_release(&old);
	sodium_memzero(recovery, sizeof(recovery));
	return rc < 0 ? -1 : 0;
}

static void say_failed(const char *table, const char *column, const char *row_id,
		       const struct g_err *failure, void *arg)
{
	(void)arg;
	g_msg("%s '%s' %s: %s", table, row_id, column, failure->msg);
}

static int verb_verify(struct run *r, const struct g_user *u, struct g_err *err)
{
	struct g_account_verify v;
	struct g_userkey k;
	int rc;

	if (get_key(r, u, 1, &k, err) < 0)
		return -1;
	rc = g_account_verify_run(r->store, &k, r->fix, r->cli.dry_run, &v, say_failed, NULL, err);
	g_userkey_release(&k);
	if (rc < 0 || emit(r, g_account_verify_record(&v, u->username, r->fix), err) < 0)
		return -1;
	return g_account_verify_verdict(&v, u->username, r->fix, err);
}

static int verb_delete_user(struct run *r, const struct g_user *u, struct g_err *err)
{
	struct g_secret pass = { NULL, 0 };
	struct g_userkey k;

	if (check_passphrase(r, u, &pass, &k, err) < 0)
		return -1;
	g_secret_release(&pass);
	g_userkey_release(&k);
	if (g_account_delete(r->store, u, r->cli.dry_run, err) < 0)
		return -1;
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
		return g_msg_report(&(struct g_err){ G_EX_SOFTWARE, G_ERR_OOM });
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
	return rc < 0 ? g_msg_report(&err) : 0;
}

static int verb_filter(struct run *r, const struct g_user *u, int sealing,
		       struct g_err *err)
{
	struct g_userkey k;
	struct filter f = { r, &k, sealing };

	if (get_key(r, u, 0, &k, err) < 0)
		return -1;
	r->reported = g_input_each(r->argv + optind, r->argc - optind,
				       filter_input, &f);
	g_userkey_release(&k);
	return r->reported ? REPORTED : 0;
}

/* The table's one shape for every verb: u is NULL for init and users. */
typedef int verb_run(struct run *r, const struct g_user *u, struct g_err *err);

static int run_init(struct run *r, const struct g_user *u, struct g_err *err)
{
	(void)u;
	return verb_init(r, err);
}

static int run_users(struct run *r, const struct g_user *u, struct g_err *err)
{
	(void)u;
	return verb_users(r, err);
}

/* passwd, recover and rekey change the user's row: u is dispatch's own */
static int run_passwd(struct run *r, const struct g_user *u, struct g_err *err)
{
	return rewrap(r, (struct g_user *)u, 0, err);
}

static int run_recover(struct run *r, const struct g_user *u, struct g_err *err)
{
	return rewrap(r, (struct g_user *)u, 1, err);
}

static int run_rekey(struct run *r, const struct g_user *u, struct g_err *err)
{
	return verb_rekey(r, (struct g_user *)u, err);
}

static int run_seal(struct run *r, const struct g_user *u, struct g_err *err)
{
	return verb_filter(r, u, 1, err);
}

static int run_open(struct run *r, const struct g_user *u, struct g_err *err)
{
	return verb_filter(r, u, 0, err);
}

/* What a verb needs opened before it runs. */
enum needs {
	NEW_STORE, /* only init makes a database; elsewhere a missing one is a typo */
	STORE,
	USER, /* the store and the user; the verb gets the key its own way */
};

static const struct verb {
	const char *name;
	enum needs needs;
	verb_run *run;
} verbs[] = {
	{ "init", NEW_STORE, run_init },
	{ "users", STORE, run_users },
	{ "unlock", USER, verb_unlock },
	{ "lock", USER, verb_lock },
	{ "passwd", USER, run_passwd },
	{ "recover", USER, run_recover },
	{ "rekey", USER, run_rekey },
	{ "verify", USER, verb_verify },
	{ "delete-user", USER, verb_delete_user },
	{ "seal", USER, run_seal },
	{ "open", USER, run_open },
};

static const struct verb *find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(*verbs); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

/* The verb with its user: 0, -1 with err set, or REPORTED. */
static int dispatch(struct run *r, const struct verb *v, struct g_err *err)
{
	struct g_user u;
	int rc;

	if (v->needs != USER)
		return v->run(r, NULL, err);
	if (g_user_resolve(r->store, r->cli.user, &u, err) < 0)
		return -1;
	rc = v->run(r, &u, err);
	g_user_release(&u);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct g_frame frame = { synopsis, G_CLI_SHORTOPTS, options, own_option };
	const struct verb *v;
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
	status = g_frame_options(&frame, &r, &r.cli, NULL, argc, argv);
	if (status >= 0)
		return g_frame_finish(status);
	if (g_cli_check(&r.cli, &err) < 0)
		return g_frame_finish(g_msg_report(&err));
	if (!verb)
		return g_frame_finish(g_msg_usage(synopsis, "missing verb"));
	if (!(v = find_verb(verb)))
		return g_frame_finish(g_msg_usage(synopsis, "unknown verb '%s'", verb));
	if (g_crypt_init(&err) < 0 || !(path = g_cli_db_path(&r.cli, &err)))
		return g_frame_finish(g_msg_report(&err));
	r.argc = argc;
	r.argv = argv;
	r.store = v->needs == NEW_STORE ? g_store_open_new(path, &err) : g_store_open(path, &err);
	free(path);
	if (!r.store)
		return g_frame_finish(g_msg_report(&err));
	r.out = g_doc_writer_new(stdout, r.cli.output);
	status = dispatch(&r, v, &err);
	if (status == -1)
		status = g_msg_report(&err);
	else if (status == REPORTED)
		status = r.reported;
	if (g_doc_writer_close(r.out, &err) < 0 && status == 0)
		status = g_msg_report(&err);
	g_store_close(r.store);
	return g_frame_finish(status);
}
