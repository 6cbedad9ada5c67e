/*
 * persona-encrypt: users and their keys (DESIGN.md §6). Option parsing,
 * the verbs, and their output; the work is in lib/account,
 * lib/account_move, lib/account_verify, lib/userkey, lib/keycache and
 * lib/portable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account.h"
#include "account_move.h"
#include "account_verify.h"
#include "cli.h"
#include "doc.h"
#include "duration.h"
#include "frame.h"
#include "input.h"
#include "keycache.h"
#include "msg.h"
#include "userkey.h"
#include "portable.h"
#include "store.h"
#include "user.h"

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
	"       persona-encrypt move --to DB [--keep]\n"
	"       persona-encrypt seal | open [FILE...]\n"
	"options: -d DB  -u USER  -y  --pretty  --input json|yaml  -q  -v  -n  -h  -V\n"
	"         --passphrase-fd N  --new-passphrase-fd N  --new-passphrase-file F\n"
	"         --recovery-key-fd N  --recovery-key-file F\n";

/* its own long options (cmd/common/opt.h) */
static const enum g_opt own[] = {
	G_OPT_EMAIL, G_OPT_FIX, G_OPT_KDF, G_OPT_KEEP, G_OPT_NEW_PASSPHRASE_FD,
	G_OPT_NEW_PASSPHRASE_FILE, G_OPT_PASSPHRASE_FD, G_OPT_RECOVERY_KEY_FD,
	G_OPT_RECOVERY_KEY_FILE, G_OPT_TIMEOUT, G_OPT_TO, G_OPT_TOKEN
};

struct run {
	struct g_cli cli;
	struct g_secret_opts secrets;
	const char *kdf_name;
	const char *email;
	unsigned int timeout_s;
	int token;
	int fix;
	const char *to;             /* move: the target store */
	struct g_account_move move; /* move: what went across */
	int moved_out;              /* move: its record went out with the recovery key */
	struct g_store *store;
	struct g_doc_writer *out;
	struct g_account_ask ask; /* the secrets and options above, and the callbacks */
	int how;                  /* the verb's variant (its row): recover, seal */
	const struct g_userkey *key; /* seal and open */
	struct g_err *err;           /* users */
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
	case G_OPT_EMAIL:
		if (g_cli_utf8("--email", arg, &err) < 0)
			return g_msg_report(&err);
		r->email = arg;
		break;
	case G_OPT_FIX: r->fix = 1; break;
	case G_OPT_KEEP: r->move.keep = 1; break;
	case G_OPT_TO: r->to = arg; break;
	case G_OPT_KDF: r->kdf_name = arg; break;
	case G_OPT_TOKEN: r->token = 1; break;
	case G_OPT_NEW_PASSPHRASE_FILE: r->secrets.new_passphrase_file = arg; break;
	case G_OPT_RECOVERY_KEY_FILE: r->secrets.recovery_key_file = arg; break;
	case G_OPT_PASSPHRASE_FD:
		return parse_fd("--passphrase-fd", arg, &r->secrets.passphrase_fd);
	case G_OPT_NEW_PASSPHRASE_FD:
		return parse_fd("--new-passphrase-fd", arg, &r->secrets.new_passphrase_fd);
	case G_OPT_RECOVERY_KEY_FD:
		return parse_fd("--recovery-key-fd", arg, &r->secrets.recovery_key_fd);
	case G_OPT_TIMEOUT:
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

/* -v: where a key came from (g_account_ask's key_read). */
static void say_key_source(const struct g_user *u, const struct g_userkey *k, void *arg)
{
	const struct run *r = arg;

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
	say_key_source(u, k, r);
	return 0;
}

/* The user record with its new recovery key, out on stdout before the
 * account commits (g_account_deliver_fn). */
static int deliver_recovery(const struct g_user *u, const long *fields,
			    char recovery[G_RECOVERY_TEXT], void *arg, struct g_err *err)
{
	const struct run *r = arg;

	return g_account_write_key_record(
		r->out, g_account_recovery_record(u, fields, recovery, r->cli.dry_run), "changed",
		err);
}

/* Every verb's shape: u is NULL for init and users (the table's needs);
 * passwd, recover and rekey change the user's row. */
static int verb_init(struct run *r, struct g_user *u, struct g_err *err)
{
	(void)u;
	if (!r->cli.user)
		return g_err_set(err, G_EX_USAGE, "init: name the new user with -u or GUISE_USER");
	/* a dry run stores nothing */
	return g_account_create_asked(r->store, r->cli.user, r->email, &r->ask, err);
}

static int list_one(const struct g_user *u, void *arg)
{
	struct run *r = arg;

	return emit(r, g_user_record(u), r->err) < 0;
}

static int verb_users(struct run *r, struct g_user *u, struct g_err *err)
{
	(void)u;
	r->err = err;
	return g_user_each(r->store, list_one, r, err) == 0 ? 0 : -1;
}

static int verb_unlock(struct run *r, struct g_user *u, struct g_err *err)
{
	struct g_keycache_unlock un = { r->timeout_s, r->token, r->cli.dry_run, "", NULL };

	if (g_account_unlock_asked(r->store, u, &un, &r->ask, err) < 0)
		return -1;
	if (!un.token_value)
		return emit(r, g_keycache_unlock_record(&un, u->username), err);
	/* shell, for eval "$(persona-encrypt unlock --token)" */
	printf("GUISE_SESSION=%s; export GUISE_SESSION\n", un.token_value);
	g_keycache_unlock_release(&un);
	g_msg_verbose(&r->cli, 1, "'%s' unlocked until %s", u->username, un.expires_at);
	return 0;
}

static int verb_lock(struct run *r, struct g_user *u, struct g_err *err)
{
	struct g_cache_id id;

	g_userkey_cache_id(r->store->db_id, u, &id);
	return emit(r, g_keycache_lock(&id, u->username, r->cli.dry_run), err);
}

/* passwd and recover (r->how 1): a key one way, then a new passphrase. */
static int verb_passwd(struct run *r, struct g_user *u, struct g_err *err)
{
	if (g_account_passwd_asked(r->store, u, r->how, &r->ask, err) < 0)
		return -1;
	return emit(r, g_user_record(u), err);
}

static int verb_rekey(struct run *r, struct g_user *u, struct g_err *err)
{
	long fields;

	return g_account_rekey_asked(r->store, u, &fields, &r->ask, err);
}

static void say_failed(const char *table, const char *column, const char *row_id,
		       const struct g_err *failure, void *arg)
{
	(void)arg;
	g_msg("%s '%s' %s: %s", table, row_id, column, failure->msg);
}

static int verb_verify(struct run *r, struct g_user *u, struct g_err *err)
{
	struct g_account_verify v = { 0 };
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

static int verb_delete_user(struct run *r, struct g_user *u, struct g_err *err)
{
	if (g_account_delete_asked(r->store, u, &r->ask, err) < 0)
		return -1;
	return emit(r, g_account_delete_record(u, r->cli.dry_run), err);
}

/* The record with the target's new recovery key, out before the target
 * commits (g_account_deliver_fn). */
static int deliver_moved(const struct g_user *u, const long *fields,
			 char recovery[G_RECOVERY_TEXT], void *arg, struct g_err *err)
{
	struct run *r = arg;
	int rc;

	(void)fields;
	rc = g_account_write_key_record(
		r->out, g_account_move_record(u, &r->move, recovery, r->cli.dry_run), "moved", err);
	r->moved_out = 1;
	return rc;
}

/* -v: each table as it went across */
static void say_table(const struct g_user_rows_table *t, void *arg)
{
	const struct run *r = arg;

	g_msg_verbose(&r->cli, 1, "%s: %ld rows of %d columns", t->table, t->rows, t->columns);
}

static int verb_move(struct run *r, struct g_user *u, struct g_err *err)
{
	struct g_account_ask ask = r->ask;
	struct g_store *to;
	char none[G_RECOVERY_TEXT] = "";
	int rc;

	if (!r->to)
		return g_err_set(err, G_EX_USAGE, "move: name the target store with --to");
	if (!*r->to)
		return g_err_set(err, G_EX_USAGE, "--to: empty");
	if (!(to = g_store_open_new(r->to, err)))
		return g_err_prefix(err, "--to");
	ask.deliver = deliver_moved;
	r->move.told = say_table;
	r->moved_out = 0;
	rc = g_account_move_asked(r->store, to, u, &r->move, &ask, err);
	g_store_close(to);
	if (rc < 0 || r->moved_out) /* a new recovery key went out with the record */
		return rc;
	return emit(r, g_account_move_record(u, &r->move, none, r->cli.dry_run), err);
}

/* seal and open: one input's records (g_input_each). */
static int filter_input(FILE *in, const char *name, void *arg)
{
	struct run *r = arg;
	struct g_err err;

	if (g_portable_filter(r->key, r->how, in, name, r->cli.input, r->out, &err) < 0)
		return g_msg_report(&err);
	return 0;
}

/* seal (r->how 1) and open */
static int verb_filter(struct run *r, struct g_user *u, struct g_err *err)
{
	struct g_userkey k;

	if (get_key(r, u, 0, &k, err) < 0)
		return -1;
	/* cppcheck-suppress autoVariables ; the key is dropped again below */
	r->key = &k;
	r->reported = g_input_each(r->argv + optind, r->argc - optind, filter_input, r);
	r->key = NULL;
	g_userkey_release(&k);
	return r->reported ? REPORTED : 0;
}

static const struct verb {
	const char *name;
	int (*run)(struct run *r, struct g_user *u, struct g_err *err);
	enum {
		NEW_STORE, /* only init makes a database; elsewhere a missing one is a typo */
		STORE,
		USER, /* the store and the user; the verb gets the key its own way */
	} needs;
	int how; /* r->how: recover, seal */
} verbs[] = {
    {"init", verb_init, NEW_STORE, 0},
    {"users", verb_users, STORE, 0},
    {"unlock", verb_unlock, USER, 0},
    {"lock", verb_lock, USER, 0},
    {"passwd", verb_passwd, USER, 0},
    {"recover", verb_passwd, USER, 1},
    {"rekey", verb_rekey, USER, 0},
    {"verify", verb_verify, USER, 0},
    {"delete-user", verb_delete_user, USER, 0},
    {"move", verb_move, USER, 0},
    {"seal", verb_filter, USER, 1},
    {"open", verb_filter, USER, 0},
};

int main(int argc, char **argv)
{
	static const struct g_frame frame = {
		synopsis, G_CLI_SHORTOPTS, G_OPT_OWN(own), own_option
	};
	const struct verb *v = NULL;
	struct g_user u;
	struct run r;
	struct g_err err;
	const char *verb = NULL;
	char *path;
	size_t i;
	int status;

	memset(&r, 0, sizeof(r));
	g_secret_opts_init(&r.secrets);
	g_cli_init(&r.cli, argv[0]);
	if (argc >= 2 && argv[1][0] != '-') {
		verb = argv[1];
		argc--;
		argv++;
	}
	status = g_frame_options(&frame, &r, &r.cli, NULL, argc, argv);
	if (status >= 0)
		return g_frame_finish(status);
	if (g_cli_check(&r.cli, &err) < 0)
		return g_frame_finish(g_msg_report(&err));
	if (!verb)
		return g_frame_finish(g_msg_usage(synopsis, "missing verb"));
	for (i = 0; i < sizeof(verbs) / sizeof(*verbs) && !v; i++)
		if (strcmp(verbs[i].name, verb) == 0)
			v = &verbs[i];
	if (!v)
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
	r.ask = (struct g_account_ask){ &r.secrets, r.kdf_name, r.cli.dry_run, say_key_source,
					deliver_recovery, &r };
	r.how = v->how;
	if (v->needs != USER)
		status = v->run(&r, NULL, &err);
	else if (g_user_resolve(r.store, r.cli.user, &u, &err) < 0)
		status = -1;
	else {
		status = v->run(&r, &u, &err);
		g_user_release(&u);
	}
	if (status == -1)
		status = g_msg_report(&err);
	else if (status == REPORTED)
		status = r.reported;
	if (g_doc_writer_close(r.out, &err) < 0 && status == 0)
		status = g_msg_report(&err);
	g_store_close(r.store);
	return g_frame_finish(status);
}
