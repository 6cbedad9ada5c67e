/*
 * secret.h: passphrases, recovery keys and API keys, never from argv and
 * never in a message.
 *
 * A secret lives in sodium_malloc'ed memory, at most G_SECRET_MAX bytes,
 * with one trailing newline (or CRLF) taken off; g_secret_release() zeroes
 * and frees it. Sources, first found wins (DESIGN.md §6):
 *   passphrase:      --passphrase-fd N, $GUISE_PASSPHRASE_FILE,
 *                    $GUISE_PASSPHRASE, the terminal (no echo)
 *   new passphrase:  --new-passphrase-fd N, --new-passphrase-file F,
 *                    $GUISE_NEW_PASSPHRASE_FILE, the terminal (asked twice)
 *   recovery key:    --recovery-key-fd N, --recovery-key-file F, the terminal
 */
#ifndef GUISE_SECRET_H
#define GUISE_SECRET_H

#include <stddef.h>

#include "err.h"

#define G_SECRET_MAX 1024

struct g_secret {
	char *buf;  /* sodium_malloc'ed, NUL-terminated */
	size_t len;
};

/* The flags a command was given; -1 and NULL where not given. */
struct g_secret_opts {
	int passphrase_fd;
	int new_passphrase_fd;
	const char *new_passphrase_file;
	int recovery_key_fd;
	const char *recovery_key_file;
};

void g_secret_opts_init(struct g_secret_opts *o);
void g_secret_release(struct g_secret *s);

/* The passphrase from its sources. With allow_terminal 0 a missing source
 * is "not found" (returns 0) rather than a prompt; 1 when read; -1 error. */
int g_secret_passphrase(const struct g_secret_opts *o, const char *user,
			int allow_terminal, struct g_secret *out,
			struct g_err *err);

/* A new passphrase; when none of its own sources is set and fallback_current
 * is 1, the passphrase sources are used instead (what init does). Empty
 * passphrases are refused (65). */
int g_secret_new_passphrase(const struct g_secret_opts *o, const char *user,
			    int fallback_current, struct g_secret *out,
			    struct g_err *err);

/* An API key (DESIGN.md §9): the first line of file if given, else the
 * first of the environment variables env[] (NULL-terminated) that is set
 * and not empty. 1 when found, 0 when there is none. */
int g_secret_api_key(const char *file, const char *const *env, struct g_secret *out,
		     struct g_err *err);
int g_secret_recovery_key(const struct g_secret_opts *o, struct g_secret *out,
			  struct g_err *err);

/* Every copy of key in msg (a NUL-terminated message in a buffer of size
 * bytes) replaced by "[redacted]": a provider's words may quote the key
 * ("Incorrect API key provided: sk-..."), and it never reaches a message.
 * What no longer fits after a replacement is cut; a key found inside a
 * mask is not masked again. An empty key leaves msg as it is. */
void g_secret_redact(char *msg, size_t size, const struct g_secret *key);

#endif
