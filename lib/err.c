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
