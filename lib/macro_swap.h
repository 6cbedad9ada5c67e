/*
 * macro_swap.h: {{char}} and {{user}} trade places (DESIGN.md §7, §8).
 *
 * A character card speaks of itself as {{char}} and of the user as
 * {{user}}; once the card plays the user's side (imported as a persona, or
 * impersonated) the two must swap. Matching is case-insensitive, as the
 * macros are; the swapped macro is written in lower case.
 */
#ifndef GUISE_MACROSWAP_H
#define GUISE_MACROSWAP_H
#include <jansson.h>
#include <stddef.h>

/* s[0..len) with the two macros swapped: malloc'ed, NUL-terminated, its
 * length in *out_len; NULL if memory fails. */
char *g_macro_swap(const char *s, size_t len, size_t *out_len);

/* Swap in every string inside v (object values and array items, at any
 * depth; keys are left alone). -1 if memory fails. */
int g_macro_swap_json(json_t *v);

#endif
