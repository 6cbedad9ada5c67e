/*
 * heap_tool.h: test-tool heap, what g_heap_shape made of the heap
 * (heap_tool.c).
 */
#ifndef GUISE_TESTS_HEAP_TOOL_H
#define GUISE_TESTS_HEAP_TOOL_H

/* Print {"advised":A,"aligned":B,"huge_kib":N}: 0, 1 when it cannot tell. */
int heap_tool_main(void);

#endif
