/*
 * heap_tool.c: test-tool heap, what g_heap_shape (lib/heap.c, run by
 * g_cli_init before any subcommand) made of this process's heap:
 *
 *   test-tool heap
 *
 * takes 512 blocks of 1 KiB and writes each (what a render's first
 * allocations look like: the first may reuse blocks freed before main),
 * then prints, from /proc/self/smaps, the mapping the last of them is in: {"advised":A,"aligned":B,"huge_kib":N}, A
 * whether it is advised huge (VmFlags hg), B whether it starts on a 2 MiB
 * boundary, N its AnonHugePages. 1 when no mapping holds it.
 */
#include "heap_tool.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

enum { BLOCKS = 512, BLOCK = 1024 };

/* Whether line starts a mapping ("LO-HI perms ..."): its bounds. */
static int mapping(const char *line, uintptr_t *lo, uintptr_t *hi)
{
	char *end;

	*lo = (uintptr_t)strtoull(line, &end, 16);
	if (end == line || *end != '-')
		return 0;
	*hi = (uintptr_t)strtoull(end + 1, &end, 16);
	return *end == ' ';
}

int heap_tool_main(void)
{
	static char *blocks[BLOCKS];
	char line[512];
	uintptr_t lo, hi, at, start = 0;
	FILE *f;
	int in = 0, found = 0, advised = 0, i;
	long huge_kib = 0;

	for (i = 0; i < BLOCKS; i++)
		if ((blocks[i] = malloc(BLOCK)))
			memset(blocks[i], i & 0xff, BLOCK);
	at = (uintptr_t)blocks[BLOCKS - 1];
	if (!at || !(f = fopen("/proc/self/smaps", "r"))) {
		g_msg("heap: no last block, or no /proc/self/smaps");
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (mapping(line, &lo, &hi)) {
			if (found)
				break; /* the mapping after it */
			in = found = at >= lo && at < hi;
			start = lo;
		} else if (in && strncmp(line, "AnonHugePages:", 14) == 0) {
			huge_kib = strtol(line + 14, NULL, 10);
		} else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			advised = strstr(line, " hg") != NULL;
		}
	}
	fclose(f);
	for (i = 0; i < BLOCKS; i++)
		free(blocks[i]);
	if (!found) {
		g_msg("heap: no mapping holds the last block");
		return 1;
	}
	printf("{\"advised\":%s,\"aligned\":%s,\"huge_kib\":%ld}\n", advised ? "true" : "false",
	       start % (2u << 20) == 0 ? "true" : "false", huge_kib);
	return 0;
}
