/*
 * fileio.h: whole files in and out, for commands whose inputs are files
 * (cards) rather than record streams.
 *
 * g_fileio_read() reads a file (or stdin for "-") whole, up to a cap, so a
 * card is judged by its content. g_fileio_write() replaces a regular file
 * atomically: it writes a temporary file beside it, syncs it and renames it
 * over, so a reader never sees half a card and a failed write leaves the
 * old file; a FIFO or device it writes into, and the files it is told to
 * keep (the database) it refuses.
 */
#ifndef GUISE_FILEIO_H
#define GUISE_FILEIO_H
#include <stddef.h>
#include "err.h"

/* A file's bytes (malloc'ed), NUL-terminated past len. */
struct g_file {
	unsigned char *data;
	size_t len;
};

/* The whole of name ("-": stdin) into *f, in one allocation when its size
 * is known. 66 if it does not exist, 74 if it cannot be opened or read,
 * 65 past max. */
int g_fileio_read(const char *name, size_t max, struct g_file *f, struct g_err *err);

/* Free what g_fileio_read gave; f is emptied. */
void g_fileio_release(struct g_file *f);

/* Write buf to path: a regular file (or a new path) is replaced
 * atomically, keeping the mode of the file it replaces (a new file: 0666
 * less the umask); a FIFO or a device is written into in place, never
 * replaced. keep (NULL-terminated paths, may be NULL) are files never
 * written: 64 when path is one of them, by any name. 74 on failure, and
 * then a regular file is as it was. */
int g_fileio_write(const char *path, const void *buf, size_t len, const char *const *keep,
		 struct g_err *err);

#endif
