/*
 * input.h: the inputs of a filter (persona-encrypt seal and open, and
 * test-tool's readers): each file named, "-" for stdin, or stdin when none
 * is named. A file that cannot be opened is reported here and the batch
 * goes on, so this belongs with the commands, not in lib/.
 */
#ifndef GUISE_INPUT_H
#define GUISE_INPUT_H

#include <stdio.h>

/* Each of names[0..n) ("-" is stdin), or stdin when n is 0. fn reads one
 * and returns an exit status, its messages out already. A file that cannot
 * be opened or read is reported and the batch goes on; only a failed stdout
 * stops it. Returns the first failure's status, or 0. */
int g_input_each(char *const *names, int n,
		     int (*fn)(FILE *in, const char *name, void *arg), void *arg);

#endif
