/* fileio.c: reading files whole, replacing them atomically. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int g_fileio_read(const char *name, size_t max, struct g_file *f, struct g_err *err)
{
	int is_stdin = strcmp(name, "-") == 0;
	int fd = is_stdin ? 0 : open(name, O_RDONLY | O_CLOEXEC);
	size_t size = 0, cap = 65536;
	unsigned char *b = NULL, *nb;
	struct stat st;
	ssize_t got = 0;

	memset(f, 0, sizeof(*f));
	if (fd < 0)
		return g_err_set(err, errno == ENOENT ? G_EX_NOINPUT : G_EX_IOERR,
				 "cannot open '%s': %s", name, strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if ((size_t)st.st_size > max) {
			if (!is_stdin)
				close(fd);
			return g_err_set(err, G_EX_DATAERR, "'%s': larger than %zu MiB", name,
					 max >> 20);
		}
		/* +1 for the NUL, +1 to see the end */
		cap = (size_t)st.st_size + 2;
	}
	for (;;) {
		if (!b || size + 1 >= cap) {
			if (b)
				cap *= 2;
			if (cap > max + 2)
				cap = max + 2;
			if (!(nb = realloc(b, cap))) {
				free(b);
				if (!is_stdin)
					close(fd);
				return g_err_oom(err);
			}
			b = nb;
		}
		got = read(fd, b + size, cap - 1 - size);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		size += (size_t)got;
		if (size > max)
			break;
	}
	if (!is_stdin)
		close(fd);
	if (got < 0) {
		free(b);
		return g_err_set(err, G_EX_IOERR, "cannot read '%s': %s", name, strerror(errno));
	}
	if (size > max) {
		free(b);
		return g_err_set(err, G_EX_DATAERR, "'%s': larger than %zu MiB", name, max >> 20);
	}
	b[size] = 0;
	f->data = b;
	f->len = size;
	return 0;
}

void g_fileio_release(struct g_file *f)
{
	free(f->data);
	memset(f, 0, sizeof(*f));
}

/* Whether st is one of the files of keep (NULL-terminated paths; those
 * that do not exist are skipped): by device and inode, so no spelling of
 * the path, symlink or hard link gets past. */
static int is_kept(const struct stat *st, const char *const *keep)
{
	struct stat k;

	for (; keep && *keep; keep++)
		if (stat(*keep, &k) == 0 && k.st_dev == st->st_dev && k.st_ino == st->st_ino)
			return 1;
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	size_t done = 0;
	ssize_t w;

	while (done < len) {
		w = write(fd, (const char *)buf + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? errno : EIO;
		done += (size_t)w;
	}
	return 0;
}

/* A FIFO, a terminal, /dev/null: written into as they are, as a shell's
 * redirection would; renaming a regular file over them would replace the
 * device or pipe with a file holding the card. */
static int write_in_place(const char *path, const void *buf, size_t len, struct g_err *err)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	int saved;

	if (fd < 0)
		return g_err_set(err, G_EX_IOERR, "cannot write '%s': %s", path, strerror(errno));
	saved = write_all(fd, buf, len);
	if (close(fd) < 0 && !saved && errno != EINTR)
		saved = errno;
	if (saved)
		return g_err_set(err, G_EX_IOERR, "cannot write '%s': %s", path, strerror(saved));
	return 0;
}

int g_fileio_write(const char *path, const void *buf, size_t len, const char *const *keep,
		 struct g_err *err)
{
	size_t n = strlen(path) + 16;
	struct stat st;
	int exists = stat(path, &st) == 0;
	char *tmp;
	int fd, saved;

	if (exists && is_kept(&st, keep))
		return g_err_set(err, G_EX_USAGE, "'%s' is the database: not writing a card over it",
				 path);
	if (exists && S_ISDIR(st.st_mode))
		return g_err_set(err, G_EX_IOERR, "cannot write '%s': %s", path, strerror(EISDIR));
	if (exists && !S_ISREG(st.st_mode))
		return write_in_place(path, buf, len, err);
	if (!(tmp = malloc(n)))
		return g_err_oom(err);
	snprintf(tmp, n, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		g_err_set(err, G_EX_IOERR, "cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	/* the mode a file being replaced had (a private one stays private),
	 * else what a new file gets under the umask, as with a redirection */
	{
		mode_t mask = umask(0);

		umask(mask);
		(void)fchmod(fd, exists ? st.st_mode & 07777 : 0666 & ~mask);
	}
	saved = write_all(fd, buf, len);
	if (!saved && fsync(fd) < 0)
		saved = errno;
	if (close(fd) < 0 && !saved)
		saved = errno;
	if (!saved && rename(tmp, path) < 0)
		saved = errno;
	if (saved) {
		unlink(tmp);
		free(tmp);
		return g_err_set(err, G_EX_IOERR, "cannot write '%s': %s", path, strerror(saved));
	}
	free(tmp);
	return 0;
}
