/*
 * lore_convert.h: a lorebook between the two shapes people have it in
 * (DESIGN.md §8 "Lore"): SillyTavern's World Info file ({entries: {"0":
 * {uid, key, keysecondary, ...}}}) and the V3 character_book (entries a
 * list, keys, secondary_keys, insertion_order, ...), which is how guise
 * stores a book. What V3 has no place for stays under each entry's
 * extensions with the names SillyTavern's convertCharacterBook reads
 * (position, depth, group_override, ...; a field it does not know, under
 * its own name), so that a World Info file comes back as it went in.
 * Results are new references; errors 65, located "'name': entries.K: ...".
 */
#ifndef GUISE_LORE_CONVERT_H
#define GUISE_LORE_CONVERT_H
#include <jansson.h>

#include "err.h"

/* The book in doc: a V3 or World Info book itself, or a card's
 * data.character_book (borrowed), or NULL (65) when doc holds none. */
const json_t *g_lore_convert_find(const json_t *doc, const char *name, struct g_err *err);

/* A book (V3: a copy; World Info: converted) as a V3 character_book. */
json_t *g_lore_convert_to_v3(const json_t *book, const char *name, struct g_err *err);

/* A V3 character_book as a SillyTavern World Info file. */
json_t *g_lore_convert_to_st(const json_t *v3, struct g_err *err);

#endif
