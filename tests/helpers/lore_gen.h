/*
 * lore_gen.h: books shaped like real ones, for the lore suites and the lore
 * bench (test-tool lore-gen). Deterministic from a seed; see lore_gen.c for
 * the layout of the entries and what each one is made to do; and the
 * activation timed alone, for the bench (test-tool lore-time).
 */
#ifndef GUISE_TESTS_LORE_GEN_H
#define GUISE_TESTS_LORE_GEN_H

/* test-tool lore-gen's main, argv[0] being "lore-gen": the book (or card,
 * or activation document) on stdout; 0, else an exit status. */
int lore_gen_main(int argc, char **argv);
/* test-tool lore-time (lore_time.c): what one activation of stdin's
 * lore-activate document costs, "BEST MEAN FIRED" in microseconds. */
int lore_time_main(int argc, char **argv);
/* test-tool lore-index write|read (lore_index_tool.c): a book's lore index
 * made from its JSON, or read back. */
int lore_index_main(int argc, char **argv);

#endif
