/*
 * oracle.h: small helpers the fuzz targets' oracles share (header-only:
 * each target is one file linked with replay.c or libFuzzer).
 */
#ifndef GUISE_FUZZ_ORACLE_H
#define GUISE_FUZZ_ORACLE_H
#include <stdlib.h>
#include <string.h>

/* How many times what occurs in s[0..len), overlaps counted. */
static inline size_t oracle_count(const char *s, size_t len, const char *what)
{
	size_t n = 0, w = strlen(what);
	const char *p = s, *end = s + len, *q;

	while ((q = memmem(p, (size_t)(end - p), what, w))) {
		n++;
		p = q + 1;
	}
	return n;
}

/* Append p[0..n) to the growing buffer *buf (*len used, *cap allocated),
 * keeping room for a NUL; a failed allocation aborts (a fuzz run has no
 * way on). */
static inline void oracle_append(char **buf, size_t *len, size_t *cap, const char *p, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		if (!(*buf = realloc(*buf, *cap)))
			abort();
	}
	memcpy(*buf + *len, p, n);
	*len += n;
}

/* Run fn on a copy of exactly data's size, so that a read past the input is
 * seen by the sanitizers; if the copy cannot be had, fn is not run. */
static inline void oracle_on_copy(const unsigned char *data, size_t size, void (*fn)(const char *, size_t))
{
	char *copy;

	if (!(copy = malloc(size ? size : 1)))
		return;
	memcpy(copy, data, size);
	fn(copy, size);
	free(copy);
}

#endif
