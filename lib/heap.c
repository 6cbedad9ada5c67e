/* heap.c: the heap of a command shaped for its short life (heap.h).
 *
 * Why: a command lives for milliseconds, and on the machines guise is
 * measured on most of that is the kernel handing it fresh pages. A page
 * of heap touched for the first time costs a fault, about 8 us on a
 * paravirtualized guest (2 us on another), and a render touches about
 * 200 of them: a fifth of its time. A huge page costs one fault, about
 * 50 us, for 2 MiB, which holds all the heap a render uses. So the heap
 * that comes next is put on a 2 MiB boundary and advised huge
 * (MADV_HUGEPAGE: taken where transparent huge pages are "always" or
 * "madvise", a no-op where "never"), and the small blocks after it come
 * from there.
 *
 * How, with glibc's allocator as it is (no hook places its heap): one
 * block of two huge pages is taken from the top of the heap and given
 * back, which leaves the top starting where the block did and reaching
 * past the first 2 MiB boundary after it plus 2 MiB; a block from there
 * up to that boundary is then taken and kept (its pages never touched:
 * address space, not memory), so that the next blocks start on it. If
 * any step lands elsewhere than glibc puts it today, the cost is only
 * that the advice covers memory used later or not at all. */
#include "heap.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#define HEAP_OWN_ALLOCATOR 1 /* the sanitizer's, not glibc's: nothing to shape */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_OWN_ALLOCATOR 1
#endif
#endif

/* glibc's heap, on a system that takes the advice: shaped huge */
#if defined(__GLIBC__) && defined(MADV_HUGEPAGE) && !defined(HEAP_OWN_ALLOCATOR)
#define HEAP_HUGE 1
#endif

#ifdef HEAP_HUGE
/* The size of a huge page (x86-64, and arm64 with 4 KiB pages). */
#define HUGE_PAGE ((size_t)2 * 1024 * 1024)

/* Kept, never freed: the heap below the boundary. Volatile: a block
 * nothing reads is one a compiler may leave untaken. */
static void *volatile below;
static int shaped;

static void huge_next(void)
{
	size_t gap;
	char *block;

	/* the block given back must stay the top's, not be trimmed off, and
	 * must come from the heap, not be mapped on its own */
	mallopt(M_TRIM_THRESHOLD, (int)(4 * HUGE_PAGE));
	mallopt(M_MMAP_THRESHOLD, (int)(4 * HUGE_PAGE));
	block = malloc(2 * HUGE_PAGE);
	if (block) {
		gap = (size_t)(-(uintptr_t)block & (HUGE_PAGE - 1)); /* to the boundary */
		/* advised while the block is ours, before the block below
		 * writes the top's header on the boundary: a page faulted in
		 * there first would keep the range in small pages */
		(void)madvise(block + gap, HUGE_PAGE, MADV_HUGEPAGE);
		free(block);
		/* from the top's start to the boundary (a block's size is what
		 * is asked and its header: asking the gap ends it there) */
		if (gap >= 64)
			below = malloc(gap);
	}
	mallopt(M_MMAP_THRESHOLD, G_HEAP_MMAP_THRESHOLD);
}
#endif

void g_heap_shape(void)
{
	mallopt(M_MMAP_THRESHOLD, G_HEAP_MMAP_THRESHOLD);
#ifdef HEAP_HUGE
	if (!shaped++)
		huge_next();
#endif
}
