/*
 * lore_gen.h: books shaped like real ones, for the lore suites and the lore
 * bench (test-tool lore-gen). Deterministic from a seed; see lore_gen.c for
 * the layout of the entries and what each one is made to do.
 */
#ifndef GUISE_TESTS_LORE_GEN_H
#define GUISE_TESTS_LORE_GEN_H

/* test-tool lore-gen's main, argv[0] being "lore-gen": the book (or card,
 * or activation document) on stdout; 0, else an exit status. */
int lore_gen_main(int argc, char **argv);

#endif
