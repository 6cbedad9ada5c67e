/* opt.c: getopt's table of a command's own options, from opt.h's list. */
#include "opt.h"

#include <stddef.h>

static const struct option every[] = {
#define G_OPT_ENTRY_(code, name, has_arg, letter) \
	{ name, has_arg, NULL, (letter) ? (letter) : G_OPT_##code },
	G_OPT_LIST(G_OPT_ENTRY_)
#undef G_OPT_ENTRY_
};

static const struct option shared[] = { G_CLI_LONGOPTS };

_Static_assert(sizeof every / sizeof every[0] == G_OPT_COUNT, "one entry a code");
_Static_assert(G_OPT_COUNT + sizeof shared / sizeof shared[0] < G_OPT_TABLE_SIZE,
	       "G_OPT_TABLE_SIZE holds every option and the end");

void g_opt_table(const enum g_opt *own, size_t n, struct option *table)
{
	size_t i, k = 0;

	for (i = 0; i < n && k < G_OPT_COUNT; i++)
		table[k++] = every[own[i] - G_OPT_COMMAND];
	for (i = 0; i < sizeof shared / sizeof shared[0]; i++)
		table[k++] = shared[i];
	table[k] = (struct option){ NULL, 0, NULL, 0 };
}

enum g_opt g_opt_code(const enum g_opt *own, size_t n, int opt)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (opt == (int)own[i] || opt == every[own[i] - G_OPT_COMMAND].val)
			return own[i];
	return 0;
}

const char *g_opt_name(enum g_opt code)
{
	return every[code - G_OPT_COMMAND].name;
}
