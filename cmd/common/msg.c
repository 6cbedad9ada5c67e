/* msg.c: the messages of §3 on stderr, one write each. */
#include "msg.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

/* One message, one write: stderr is unbuffered, and processes of one
 * pipeline share it, so pieces written apart would interleave. */
static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	char line[G_ERR_MSG_MAX + 256];
	int n = snprintf(line, sizeof(line), "%s: %s", g_cli_prog, kind);

	if (n < 0)
		return;
	if ((size_t)n < sizeof(line) - 1)
		n += vsnprintf(line + n, sizeof(line) - 1 - (size_t)n, fmt, ap);
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, (size_t)n) < 0) {
		/* nowhere left to say it */
	}
}

void g_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void g_msg_warn(const struct g_cli *cli, const char *fmt, ...)
{
	va_list ap;

	if (cli && cli->verbosity < 0)
		return;
	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void g_msg_verbose(const struct g_cli *cli, int level, const char *fmt, ...)
{
	va_list ap;

	if (!cli || cli->verbosity < level)
		return;
	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

int g_msg_report(const struct g_err *err)
{
	g_msg("%s", err->msg);
	return err->code ? (int)err->code : G_EX_SOFTWARE;
}

int g_msg_usage(const char *synopsis, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s", synopsis);
	return G_EX_USAGE;
}
