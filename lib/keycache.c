/* keycache.c: the kernel keyring and the session-token fallback. */
#include "keycache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <keyutils.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base64.h"
#include "crypt.h"
#include "timestamp.h"

#define PAYLOAD_BYTES (8 + G_CACHE_KEY_ID_BYTES + G_KEY_BYTES)
#define TOKEN_ID_BYTES 16

static void key_name(const struct g_cache_id *id, char *buf, size_t size)
{
	snprintf(buf, size, "guise:%s:%s", id->db_id, id->user_id);
}

static void put_u64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

int g_keycache_keyring_put(const struct g_cache_id *id, const unsigned char *dek,
		  unsigned int timeout_s, struct g_err *err)
{
	unsigned char *payload = sodium_malloc(PAYLOAD_BYTES);
	char name[160];
	key_serial_t key;
	int saved;

	if (!payload)
		return g_err_oom(err);
	key_name(id, name, sizeof(name));
	put_u64(payload, (uint64_t)id->dek_version);
	memcpy(payload + 8, id->key_id, G_CACHE_KEY_ID_BYTES);
	memcpy(payload + 8 + G_CACHE_KEY_ID_BYTES, dek, G_KEY_BYTES);
	key = add_key("user", name, payload, PAYLOAD_BYTES, KEY_SPEC_USER_KEYRING);
	saved = errno;
	sodium_free(payload);
	if (key < 0)
		return g_err_set(err, G_EX_UNAVAILABLE,
				 "the kernel keyring refused the key (%s): "
				 "use 'persona-encrypt unlock --token'",
				 strerror(saved));
	if (keyctl_setperm(key, KEY_POS_VIEW | KEY_POS_READ | KEY_POS_WRITE |
					KEY_POS_SEARCH | KEY_POS_SETATTR |
					KEY_USR_VIEW | KEY_USR_READ | KEY_USR_WRITE |
					KEY_USR_SEARCH | KEY_USR_SETATTR) < 0 ||
	    keyctl_set_timeout(key, timeout_s) < 0) {
		saved = errno;
		keyctl_revoke(key);
		return g_err_set(err, G_EX_UNAVAILABLE,
				 "cannot set up the keyring key: %s", strerror(saved));
	}
	return 0;
}

int g_keycache_keyring_get(const struct g_cache_id *id, unsigned char *dek)
{
	unsigned char *payload = sodium_malloc(PAYLOAD_BYTES);
	char name[160];
	key_serial_t key;
	long n;
	int found = 0;

	if (!payload)
		return 0;
	key_name(id, name, sizeof(name));
	key = keyctl_search(KEY_SPEC_USER_KEYRING, "user", name, 0);
	if (key >= 0) {
		n = keyctl_read(key, (char *)payload, PAYLOAD_BYTES);
		if (n == PAYLOAD_BYTES &&
		    get_u64(payload) == (uint64_t)id->dek_version &&
		    sodium_memcmp(payload + 8, id->key_id, G_CACHE_KEY_ID_BYTES) == 0) {
			memcpy(dek, payload + 8 + G_CACHE_KEY_ID_BYTES, G_KEY_BYTES);
			found = 1;
		}
	}
	sodium_free(payload);
	return found;
}

int g_keycache_keyring_drop(const struct g_cache_id *id)
{
	char name[160];
	key_serial_t key;

	key_name(id, name, sizeof(name));
	key = keyctl_search(KEY_SPEC_USER_KEYRING, "user", name, 0);
	if (key < 0)
		return 0;
	keyctl_revoke(key);
	keyctl_unlink(key, KEY_SPEC_USER_KEYRING);
	return 1;
}

void g_keycache_drop(const struct g_cache_id *id, int *keyring, int *sessions)
{
	int k = g_keycache_keyring_drop(id);
	int n = g_keycache_token_drop(id);

	if (keyring)
		*keyring = k;
	if (sessions)
		*sessions = n;
}

int g_keycache_unlock(const struct g_cache_id *id, const unsigned char *dek,
		      struct g_keycache_unlock *u, struct g_err *err)
{
	unsigned int timeout = u->timeout_s ? u->timeout_s : G_KEYCACHE_TIMEOUT_DEFAULT;

	u->token_value = NULL;
	g_timestamp_format(g_timestamp_ms() + (int64_t)timeout * 1000, u->expires_at);
	if (u->dry_run)
		return 0;
	if (u->token)
		return g_keycache_token_create(id, dek, timeout, &u->token_value, err);
	return g_keycache_keyring_put(id, dek, timeout, err);
}

json_t *g_keycache_unlock_record(const struct g_keycache_unlock *u, const char *username)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b}", "kind", "unlock", "user", username, "via",
			 u->token ? "session-token" : "keyring", "expires_at", u->expires_at,
			 "dry_run", u->dry_run);
}

json_t *g_keycache_lock(const struct g_cache_id *id, const char *username, int dry_run)
{
	int keyring = 0, sessions = 0;

	if (!dry_run)
		g_keycache_drop(id, &keyring, &sessions);
	return json_pack("{s:s, s:s, s:b, s:i}", "kind", "lock", "user", username, "keyring",
			 keyring, "session_files", sessions);
}

void g_keycache_unlock_release(struct g_keycache_unlock *u)
{
	if (u->token_value) {
		sodium_memzero(u->token_value, strlen(u->token_value));
		free(u->token_value);
	}
	u->token_value = NULL;
}

/* $XDG_RUNTIME_DIR/guise, made 0700 if need be (create), opened: the fd
 * every session file is reached through, or -1 with err set. It must be a
 * directory of this user's own that no one else may write to, never
 * reached through a symlink: else another user could read a token file
 * or plant one. 78 when it is not. */
static int token_dir(char *buf, size_t size, int create, struct g_err *err)
{
	const char *base = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	int fd;

	if (!base || !*base)
		return g_err_set(err, G_EX_CONFIG,
				 "XDG_RUNTIME_DIR is not set: no place for a session token");
	snprintf(buf, size, "%s/guise", base);
	if (create && mkdir(buf, 0700) < 0 && errno != EEXIST)
		return g_err_set(err, G_EX_IOERR, "cannot create '%s': %s", buf,
				 strerror(errno));
	fd = open(buf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return g_err_set(err, errno == ELOOP || errno == ENOTDIR ? G_EX_CONFIG : G_EX_IOERR,
				 errno == ELOOP || errno == ENOTDIR
					 ? "'%s' is not a directory of its own (a symlink?): not keeping a session token there"
					 : "cannot open '%s': %s",
				 buf, strerror(errno));
	if (fstat(fd, &st) < 0) {
		g_err_set(err, G_EX_IOERR, "'%s': %s", buf, strerror(errno));
		close(fd);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		g_err_set(err, G_EX_CONFIG,
			  st.st_uid != geteuid()
				  ? "'%s' belongs to another user: not keeping a session token there"
				  : "'%s' is writable by others: not keeping a session token there",
			  buf);
		close(fd);
		return -1;
	}
	return fd;
}

static void token_ad(const struct g_cache_id *id, int64_t expires,
		     struct g_wrap_ad *ad, char *kind, size_t size)
{
	char hex[2 * G_CACHE_KEY_ID_BYTES + 1];

	sodium_bin2hex(hex, sizeof(hex), id->key_id, G_CACHE_KEY_ID_BYTES);
	snprintf(kind, size, "session-token:%lld:%s", (long long)expires, hex);
	ad->db_id = id->db_id;
	ad->user_id = id->user_id;
	ad->dek_version = id->dek_version;
	ad->kind = kind;
}

/* Exactly size bytes from base64 text into out. */
static int unb64(const char *s, unsigned char *out, size_t size)
{
	size_t n = 0;
	unsigned char *bytes = g_base64_decode(s, &n);
	int ok = bytes && n == size;

	if (ok)
		memcpy(out, bytes, size);
	if (bytes) {
		sodium_memzero(bytes, n);
		free(bytes);
	}
	return ok ? 0 : -1;
}

/* Write rec to a new 0600 file name in dir; on any failure no file is
 * left. */
static int write_session_file(int dir, const char *name, const char *path, const json_t *rec,
			      struct g_err *err)
{
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	FILE *f;
	int bad;

	if (fd < 0)
		return g_err_set(err, G_EX_IOERR, "cannot write session file '%s': %s",
				 path, strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlinkat(dir, name, 0);
		return g_err_set(err, G_EX_IOERR, "cannot write session file '%s'", path);
	}
	bad = json_dumpf(rec, f, JSON_COMPACT) < 0;
	bad |= fclose(f) != 0;
	if (bad) {
		unlinkat(dir, name, 0);
		return g_err_set(err, G_EX_IOERR, "cannot write session file '%s'", path);
	}
	return 0;
}

/* The record of session file name in dir, or NULL. */
static json_t *read_session_file(int dir, const char *name, size_t flags)
{
	int fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	json_t *rec;

	if (fd < 0)
		return NULL;
	rec = json_loadfd(fd, flags, NULL);
	close(fd);
	return rec;
}

int g_keycache_token_create(const struct g_cache_id *id, const unsigned char *dek,
		   unsigned int timeout_s, char **token, struct g_err *err)
{
	unsigned char *secret = sodium_malloc(TOKEN_ID_BYTES + G_KEY_BYTES);
	unsigned char wrapped[G_KEY_BYTES + G_TAG_BYTES], nonce[G_NONCE_BYTES];
	char dir[4096], path[4200], kind[96], idhex[2 * TOKEN_ID_BYTES + 1];
	char name[16 + 2 * TOKEN_ID_BYTES];
	int64_t expires = g_timestamp_ms() + (int64_t)timeout_s * 1000;
	struct g_wrap_ad ad;
	char *nonce64 = NULL, *wrapped64 = NULL;
	json_t *rec = NULL;
	int rc = -1, dirfd = -1;

	*token = NULL;
	if (!secret)
		return g_err_oom(err);
	if ((dirfd = token_dir(dir, sizeof(dir), 1, err)) < 0)
		goto out;
	randombytes_buf(secret, TOKEN_ID_BYTES + G_KEY_BYTES);
	sodium_bin2hex(idhex, sizeof(idhex), secret, TOKEN_ID_BYTES);
	token_ad(id, expires, &ad, kind, sizeof(kind));
	g_crypt_wrap(secret + TOKEN_ID_BYTES, dek, &ad, wrapped, nonce);
	nonce64 = g_base64_encode(nonce, sizeof(nonce));
	wrapped64 = g_base64_encode(wrapped, sizeof(wrapped));
	if (nonce64 && wrapped64)
		rec = json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "db_id", id->db_id,
				"user_id", id->user_id, "dek_version",
				(json_int_t)id->dek_version, "expires_ms",
				(json_int_t)expires, "nonce", nonce64, "wrapped", wrapped64);
	*token = g_base64_encode(secret, TOKEN_ID_BYTES + G_KEY_BYTES);
	if (!rec || !*token) {
		g_err_oom(err);
		goto out;
	}
	snprintf(name, sizeof(name), "session-%s", idhex);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = write_session_file(dirfd, name, path, rec, err);
out:
	if (dirfd >= 0)
		close(dirfd);
	if (rc < 0 && *token) {
		sodium_memzero(*token, strlen(*token));
		free(*token);
		*token = NULL;
	}
	json_decref(rec);
	free(nonce64);
	free(wrapped64);
	sodium_free(secret);
	return rc;
}

int g_keycache_token_get(const struct g_cache_id *id, unsigned char *dek)
{
	unsigned char *secret = sodium_malloc(TOKEN_ID_BYTES + G_KEY_BYTES);
	unsigned char wrapped[G_KEY_BYTES + G_TAG_BYTES], nonce[G_NONCE_BYTES];
	char dir[4096], name[16 + 2 * TOKEN_ID_BYTES], kind[96], idhex[2 * TOKEN_ID_BYTES + 1];
	const char *token = getenv("GUISE_SESSION");
	const char *db_id, *user_id, *nonce64, *wrapped64;
	json_int_t version, expires;
	struct g_wrap_ad ad;
	json_t *rec = NULL;
	int found = 0, dirfd = -1;

	/* a directory another user could write to is not trusted */
	if (!secret || !token || !*token || (dirfd = token_dir(dir, sizeof(dir), 0, NULL)) < 0 ||
	    unb64(token, secret, TOKEN_ID_BYTES + G_KEY_BYTES) < 0)
		goto out;
	sodium_bin2hex(idhex, sizeof(idhex), secret, TOKEN_ID_BYTES);
	snprintf(name, sizeof(name), "session-%s", idhex);
	rec = read_session_file(dirfd, name, JSON_REJECT_DUPLICATES);
	if (!rec || json_unpack(rec, "{s:s, s:s, s:I, s:I, s:s, s:s}", "db_id", &db_id,
				"user_id", &user_id, "dek_version", &version,
				"expires_ms", &expires, "nonce", &nonce64,
				"wrapped", &wrapped64) < 0)
		goto out;
	/* A token for another user or database is not an error: not ours. */
	if (strcmp(db_id, id->db_id) != 0 || strcmp(user_id, id->user_id) != 0 ||
	    version != id->dek_version || expires < g_timestamp_ms())
		goto out;
	if (unb64(nonce64, nonce, sizeof(nonce)) < 0 ||
	    unb64(wrapped64, wrapped, sizeof(wrapped)) < 0)
		goto out;
	token_ad(id, expires, &ad, kind, sizeof(kind));
	found = g_crypt_unwrap(secret + TOKEN_ID_BYTES, wrapped, sizeof(wrapped), nonce,
			 sizeof(nonce), &ad, dek) == 0;
out:
	if (dirfd >= 0)
		close(dirfd);
	json_decref(rec);
	if (secret)
		sodium_free(secret);
	return found;
}

int g_keycache_token_drop(const struct g_cache_id *id)
{
	const char *db_id, *user_id;
	struct dirent *e;
	char dir[4096];
	json_t *rec;
	int count = 0, dirfd;
	DIR *d;

	if ((dirfd = token_dir(dir, sizeof(dir), 0, NULL)) < 0)
		return 0;
	if (!(d = fdopendir(dirfd))) {
		close(dirfd);
		return 0;
	}
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "session-", 8) != 0)
			continue;
		rec = read_session_file(dirfd, e->d_name, 0);
		if (rec && json_unpack(rec, "{s:s, s:s}", "db_id", &db_id, "user_id",
				       &user_id) == 0 &&
		    strcmp(db_id, id->db_id) == 0 && strcmp(user_id, id->user_id) == 0 &&
		    unlinkat(dirfd, e->d_name, 0) == 0)
			count++;
		json_decref(rec);
	}
	closedir(d);
	return count;
}
