/*
 * heap.h: the heap of a guise command, shaped for a process that lives for
 * milliseconds (g_cli_init calls g_heap_shape first thing).
 */
#ifndef GUISE_HEAP_H
#define GUISE_HEAP_H

/* Blocks below this come from the heap (glibc maps blocks of 128 KiB and
 * more on their own by default): a big block (a card's lore index, an
 * avatar) taken from the heap is reused by what comes after it once
 * freed, where one mapped on its own is given back and every later page
 * is a fresh one to fault in (a render with a 500-entry book faulted 53
 * pages fewer). */
#define G_HEAP_MMAP_THRESHOLD (4 * 1024 * 1024)

/* Shape the heap: big blocks from it (G_HEAP_MMAP_THRESHOLD), and the
 * next 2 MiB it hands out in one huge page where the kernel
 * gives one (glibc on Linux, no sanitizer; elsewhere only the first). */
void g_heap_shape(void);

#endif
