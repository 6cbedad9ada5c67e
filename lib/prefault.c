/* prefault.c: see prefault.h. A render of a card with a 500-entry book
 * writes some 130 fresh pages of heap (the index, its entries, their
 * keys' preps, the activation's candidates); on the machines this was
 * measured on, a fault each cost more than the writing, and one call for
 * a block took 2.5 times less than its faults (bench/lore.sh). */
#define _DEFAULT_SOURCE
#include "prefault.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older C libraries lack the name */
#endif

void g_prefault(void *p, size_t n)
{
	static size_t page;
	size_t lead, len;

	if (!p || n < G_PREFAULT_MIN)
		return;
	if (!page) {
		long size = sysconf(_SC_PAGESIZE);

		page = size > 0 ? (size_t)size : 4096;
	}
	/* the whole pages inside the block: madvise takes page bounds, and
	 * the pages the block shares with its neighbours are likely in */
	lead = (page - (uintptr_t)p % page) % page;
	if (n <= lead)
		return;
	len = (n - lead) / page * page;
	if (len)
		(void)madvise((char *)p + lead, len, MADV_POPULATE_WRITE);
}
