/* err.c: filling a struct g_err (see err.h). */
#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void g_err_clear(struct g_err *err)
{
	if (!err)
		return;
	err->code = G_EX_OK;
	err->msg[0] = '\0';
}

int g_err_set(struct g_err *err, enum g_exit code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int g_err_oom(struct g_err *err)
{
	return g_err_set(err, G_EX_SOFTWARE, "%s", G_ERR_OOM);
}

int g_err_prefix(struct g_err *err, const char *fmt, ...)
{
	char msg[G_ERR_MSG_MAX];
	size_t n, rest;
	va_list ap;
	int len;

	if (!err)
		return -1;
	va_start(ap, fmt);
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = len < 0 ? 0 : (size_t)len;
	if (n > sizeof(msg) - 3)
		n = sizeof(msg) - 3;
	memcpy(msg + n, ": ", 2);
	n += 2;
	/* the old message, cut to fit */
	rest = strnlen(err->msg, sizeof(err->msg) - 1);
	if (rest > sizeof(msg) - 1 - n)
		rest = sizeof(msg) - 1 - n;
	memcpy(msg + n, err->msg, rest);
	msg[n + rest] = '\0';
	memcpy(err->msg, msg, n + rest + 1);
	return -1;
}

void g_err_place_text(char *msg, size_t size, const char *name, const char *place)
{
	size_t n = strlen(name), p = strlen(place), len = strnlen(msg, size);

	if (len + 2 + p + 1 > size || len < n + 3 || msg[0] != '\'' ||
	    strncmp(msg + 1, name, n) != 0 || msg[n + 1] != '\'' || msg[n + 2] != ':')
		return;
	/* "'name'" stays; ": place" goes in before the rest */
	memmove(msg + n + 2 + 2 + p, msg + n + 2, len - (n + 2) + 1);
	memcpy(msg + n + 2, ": ", 2);
	memcpy(msg + n + 4, place, p);
}

void g_err_place(struct g_err *err, const char *name, const char *place)
{
	if (err)
		g_err_place_text(err->msg, sizeof(err->msg), name, place);
}
