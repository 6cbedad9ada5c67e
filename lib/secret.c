/* secret.c: passphrases from a descriptor, a file, the environment or the
 * terminal, into locked memory. */
#include "secret.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

void g_secret_opts_init(struct g_secret_opts *o)
{
	o->passphrase_fd = -1;
	o->new_passphrase_fd = -1;
	o->new_passphrase_file = NULL;
	o->recovery_key_fd = -1;
	o->recovery_key_file = NULL;
}

void g_secret_release(struct g_secret *s)
{
	if (s->buf)
		sodium_free(s->buf);
	s->buf = NULL;
	s->len = 0;
}

static int secret_alloc(struct g_secret *s, struct g_err *err)
{
	s->len = 0;
	s->buf = sodium_malloc(G_SECRET_MAX + 2);
	if (!s->buf)
		return g_err_oom(err);
	return 0;
}

static void chomp(struct g_secret *s)
{
	if (s->len && s->buf[s->len - 1] == '\n')
		s->len--;
	if (s->len && s->buf[s->len - 1] == '\r')
		s->len--;
	s->buf[s->len] = '\0';
}

/* Up to the first newline or the end, from fd; the newline is dropped. */
static int read_fd(int fd, const char *what, struct g_secret *s,
		   struct g_err *err)
{
	ssize_t n;
	char c;

	if (secret_alloc(s, err) < 0)
		return -1;
	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			g_secret_release(s);
			return g_err_set(err, G_EX_IOERR, "cannot read %s: %s", what,
					 strerror(errno));
		}
		if (n == 0 || c == '\n')
			break;
		if (s->len >= G_SECRET_MAX) {
			g_secret_release(s);
			return g_err_set(err, G_EX_DATAERR, "%s longer than %d bytes",
					 what, G_SECRET_MAX);
		}
		s->buf[s->len++] = c;
	}
	chomp(s);
	return 1;
}

static int read_file(const char *path, const char *what, struct g_secret *s,
		     struct g_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0)
		return g_err_set(err, errno == ENOENT ? G_EX_NOINPUT : G_EX_IOERR,
				 "cannot open %s file '%s': %s", what, path,
				 strerror(errno));
	rc = read_fd(fd, what, s, err);
	close(fd);
	return rc;
}

static int from_env(const char *value, struct g_secret *s, struct g_err *err)
{
	size_t n = strlen(value);

	if (n > G_SECRET_MAX)
		return g_err_set(err, G_EX_DATAERR, "GUISE_PASSPHRASE longer than %d bytes",
				 G_SECRET_MAX);
	if (secret_alloc(s, err) < 0)
		return -1;
	memcpy(s->buf, value, n);
	s->len = n;
	chomp(s);
	return 1;
}

/* Ask on the terminal with echo off. 0 if there is no terminal. */
static int ask_terminal(const char *prompt, struct g_secret *s,
			struct g_err *err)
{
	struct termios old, quiet;
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	int rc, restore;

	if (fd < 0)
		return 0;
	restore = tcgetattr(fd, &old) == 0;
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		quiet.c_lflag |= ICANON;
		tcsetattr(fd, TCSAFLUSH, &quiet);
	}
	if (write(fd, prompt, strlen(prompt)) < 0) {
		/* the prompt is a courtesy; the read decides */
	}
	rc = read_fd(fd, "the passphrase", s, err);
	if (restore)
		tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0) {
		/* as above */
	}
	close(fd);
	return rc;
}

int g_secret_passphrase(const struct g_secret_opts *o, const char *user,
			int allow_terminal, struct g_secret *out,
			struct g_err *err)
{
	char prompt[128];
	const char *v;

	if (o && o->passphrase_fd >= 0)
		return read_fd(o->passphrase_fd, "the passphrase", out, err);
	if ((v = getenv("GUISE_PASSPHRASE_FILE")) && *v)
		return read_file(v, "GUISE_PASSPHRASE_FILE", out, err);
	if ((v = getenv("GUISE_PASSPHRASE")) && *v)
		return from_env(v, out, err);
	if (!allow_terminal)
		return 0;
	snprintf(prompt, sizeof(prompt), "passphrase for '%s': ", user);
	return ask_terminal(prompt, out, err);
}

int g_secret_new_passphrase(const struct g_secret_opts *o, const char *user,
			    int fallback_current, struct g_secret *out,
			    struct g_err *err)
{
	struct g_secret again = { NULL, 0 };
	char prompt[128];
	const char *v;
	int rc;

	if (o->new_passphrase_fd >= 0)
		rc = read_fd(o->new_passphrase_fd, "the new passphrase", out, err);
	else if (o->new_passphrase_file)
		rc = read_file(o->new_passphrase_file, "new passphrase", out, err);
	else if ((v = getenv("GUISE_NEW_PASSPHRASE_FILE")) && *v)
		rc = read_file(v, "GUISE_NEW_PASSPHRASE_FILE", out, err);
	else if (fallback_current &&
		 (rc = g_secret_passphrase(o, user, 0, out, err)) != 0)
		; /* rc says */
	else {
		snprintf(prompt, sizeof(prompt), "new passphrase for '%s': ", user);
		rc = ask_terminal(prompt, out, err);
		if (rc > 0) {
			rc = ask_terminal("again: ", &again, err);
			if (rc > 0 && (again.len != out->len ||
				       sodium_memcmp(again.buf, out->buf, out->len) != 0))
				rc = g_err_set(err, G_EX_DATAERR, "the passphrases differ");
			g_secret_release(&again);
		}
		if (rc == 0)
			rc = g_err_set(err, G_EX_USAGE,
				       "no new passphrase: no terminal, and none of "
				       "--new-passphrase-fd, --new-passphrase-file, "
				       "GUISE_NEW_PASSPHRASE_FILE");
	}
	if (rc > 0 && out->len == 0)
		rc = g_err_set(err, G_EX_DATAERR, "empty passphrase");
	if (rc < 0)
		g_secret_release(out);
	return rc;
}

int g_secret_api_key(const char *file, const char *const *env, struct g_secret *out,
		     struct g_err *err)
{
	const char *value;
	int rc;

	if (file) {
		rc = read_file(file, "API key", out, err);
		if (rc > 0 && memchr(out->buf, '\n', out->len))
			out->len = (size_t)((char *)memchr(out->buf, '\n', out->len) - out->buf);
		if (rc > 0)
			out->buf[out->len] = '\0';
		return rc;
	}
	for (; *env; env++)
		if ((value = getenv(*env)) && *value)
			return from_env(value, out, err);
	return 0;
}

int g_secret_recovery_key(const struct g_secret_opts *o, struct g_secret *out,
			  struct g_err *err)
{
	int rc;

	if (o->recovery_key_fd >= 0)
		return read_fd(o->recovery_key_fd, "the recovery key", out, err);
	if (o->recovery_key_file)
		return read_file(o->recovery_key_file, "recovery key", out, err);
	rc = ask_terminal("recovery key: ", out, err);
	if (rc == 0)
		return g_err_set(err, G_EX_USAGE,
				 "no recovery key: no terminal, and no "
				 "--recovery-key-fd or --recovery-key-file");
	return rc;
}

void g_secret_redact(char *msg, size_t size, const struct g_secret *key)
{
	static const char mask[] = "[redacted]";
	const size_t m = sizeof(mask) - 1;
	char *at, *from = msg;

	if (!key->buf || key->len == 0)
		return;
	while ((at = strstr(from, key->buf))) {
		size_t pos = (size_t)(at - msg), tail = strlen(at + key->len) + 1;

		if (pos + m >= size) { /* the mask alone reaches the end */
			memcpy(at, mask, size - 1 - pos);
			msg[size - 1] = '\0';
			return;
		}
		if (pos + m + tail > size)
			tail = size - pos - m;
		memmove(at + m, at + key->len, tail);
		memcpy(at, mask, m);
		msg[size - 1] = '\0';
		from = at + m; /* past the mask: a key inside it is not found again */
	}
}
