/* input.c: a filter's inputs, one after another, a bad one reported. */
#include "input.h"

#include <errno.h>
#include <string.h>

#include "exit.h"
#include "msg.h"

int g_input_each(char *const *names, int n,
		     int (*fn)(FILE *in, const char *name, void *arg), void *arg)
{
	int i, rc, status = 0;
	FILE *in;

	if (n == 0)
		return fn(stdin, "<stdin>", arg);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], "-") == 0) {
			rc = fn(stdin, "<stdin>", arg);
		} else if (!(in = fopen(names[i], "rb"))) {
			g_msg("cannot open '%s': %s", names[i], strerror(errno));
			rc = G_EX_NOINPUT;
		} else {
			rc = fn(in, names[i], arg);
			fclose(in);
		}
		if (rc && !status)
			status = rc; /* go on past a bad input; the first failure tells */
		if (ferror(stdout))
			break; /* nowhere to write the rest to */
	}
	return status;
}
