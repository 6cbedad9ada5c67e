/*
 * byaf_card.h: the V3 card a Backyard AI archive's character makes, field
 * by field as SillyTavern's BYAF import maps it (byaf_card.c lists them),
 * with what V3 has no place for kept under data.extensions.backyard.
 */
#ifndef GUISE_BYAF_CARD_H
#define GUISE_BYAF_CARD_H

#include <jansson.h>

#include "err.h"

/* A new V3 card (not normalised) from the manifest, the character read
 * from chr_path, and the scenarios read (possibly none) with their paths.
 * NULL with err set: 65 for a text field of another type, located
 * "'name': PATH: field: expected a string"; 70 out of memory. */
json_t *g_byaf_card_make(const json_t *manifest, const json_t *chr, const char *chr_path,
			 const json_t *scenarios, const json_t *paths, const char *name,
			 struct g_err *err);

/* s with Backyard's macros as SillyTavern's: {user} and {character} (any
 * case, not followed by '}') become {{user}} and {{char}}, #{user}: and
 * #{character}: become {{user}}: and {{char}}:. A new string; NULL when
 * out of memory. */
json_t *g_byaf_card_macros(const char *s, size_t n);

#endif
