/*
 * prefault.h: a big block about to be written whole, given its pages at
 * once rather than one fault at each first write.
 */
#ifndef GUISE_PREFAULT_H
#define GUISE_PREFAULT_H
#include <stddef.h>

/* Blocks under this are left to fault page by page. */
#define G_PREFAULT_MIN ((size_t)64 * 1024)

/* Ask the kernel to back p[0..n) with pages now, in one call
 * (MADV_POPULATE_WRITE, Linux 5.14). Nothing changes but the time: on a
 * kernel without it, or for a small block, the pages fault in as written,
 * as before. p is what malloc or calloc gave. */
void g_prefault(void *p, size_t n);

#endif
