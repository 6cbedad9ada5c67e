/* context.c: a command's store, user and key, and its transactions. */
#include "context.h"

#include <stdlib.h>
#include <string.h>

int g_context_open(struct g_context *c, const struct g_cli *cli, struct g_err *err)
{
	return g_context_open_for(c, cli, G_CONTEXT_KEY, err);
}

int g_context_open_for(struct g_context *c, const struct g_cli *cli,
		       enum g_context_needs needs, struct g_err *err)
{
	struct g_secret_opts secrets;

	memset(c, 0, sizeof(*c));
	c->dry_run = cli->dry_run;
	g_secret_opts_init(&secrets);
	if (g_cli_check(cli, err) < 0)
		return -1;
	if (needs == G_CONTEXT_NOTHING)
		return 0;
	if (g_crypt_init(err) < 0 || !(c->path = g_cli_db_path(cli, err)) ||
	    !(c->store = g_store_open(c->path, err)))
		return -1;
	if (needs == G_CONTEXT_STORE)
		return 0;
	if (g_user_resolve(c->store, cli->user, &c->user, err) < 0 ||
	    g_userkey_get(c->store->db_id, &c->user, &secrets, 0, &c->key, err) < 0)
		return -1;
	return 0;
}

void g_context_release(struct g_context *c)
{
	g_userkey_release(&c->key);
	g_user_release(&c->user);
	g_store_close(c->store);
	free(c->path);
	memset(c, 0, sizeof(*c));
}

int g_context_begin(struct g_context *c, struct g_err *err)
{
	/* the key was read before the lock: a rekey may have retired it */
	return g_user_begin_write(c->store, c->key.user_id, c->key.username, c->key.dek_version,
				  err);
}

int g_context_end(struct g_context *c, int rc, struct g_err *err)
{
	if (rc < 0 || c->dry_run) {
		g_store_rollback(c->store);
		return rc < 0 ? -1 : 0;
	}
	return g_store_commit(c->store, err);
}
