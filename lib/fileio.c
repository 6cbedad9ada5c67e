/* fileio.c: reading files whole, replacing them atomically. */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int g_file_read(const char *name, size_t max, struct g_file *f, struct g_err *err)
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
				return g_err_set(err, G_EX_SOFTWARE, "out of memory");
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

void g_file_release(struct g_file *f)
{
	free(f->data);
	memset(f, 0, sizeof(*f));
}

int g_file_write(const char *path, const void *buf, size_t len, struct g_err *err)
{
	size_t n = strlen(path) + 16, done = 0;
	char *tmp = malloc(n);
	ssize_t w;
	int fd, saved;

	if (!tmp)
		return g_err_set(err, G_EX_SOFTWARE, "out of memory");
	snprintf(tmp, n, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		g_err_set(err, G_EX_IOERR, "cannot write '%s': %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	/* the mode a file being replaced had (a private one stays private),
	 * else what a new file gets under the umask */
	{
		struct stat st;
		mode_t mask = umask(0);

		umask(mask);
		(void)fchmod(fd, stat(path, &st) == 0 ? st.st_mode & 07777 : 0666 & ~mask);
	}
	while (done < len) {
		w = write(fd, (const char *)buf + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	saved = done < len ? (errno ? errno : EIO) : fsync(fd) < 0 ? errno : 0;
	if (close(fd) < 0 && !saved)
		saved = errno;
	if (!saved && rename(tmp, path) < 0)
		saved = errno;
	if (saved) {
		unlink(tmp);
		free(tmp);
		return g_err_set(err, G_EX_IOERR, "cannot write '%s': %s", path,
				 strerror(saved ? saved : EIO));
	}
	free(tmp);
	return 0;
}
