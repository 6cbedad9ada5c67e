/*
 * lore_index.h: a book already read (struct g_lore_book, decorators split
 * off) in a compact binary form, which a card row stores sealed beside its
 * character_book (the lore_index column, migration 0008) so that a render
 * activates the card's book without parsing its JSON again.
 *
 * The form is derived: written whenever the card is, from the book as
 * g_lore_book_read reads it (name "" when the book says none), and never
 * exported. A row without one (written before 0008, or whose book did not
 * read) is rendered from its JSON as before.
 *
 * Layout, little-endian, no padding: "GLI1"; the book (string name, i64
 * scan_depth, token_budget, max_steps, recursive, u32 entries); each entry
 * (id: u8 0 and an i64, or 1 and a string; strings comment, content, group,
 * outlet; lists keys, secondary, additional, exclude, notes; i64 fields in
 * struct g_lore_entry's order; the probability as an IEEE double). A
 * string is a u32 length and its bytes; a list a u32 count and strings.
 */
#ifndef GUISE_LORE_INDEX_H
#define GUISE_LORE_INDEX_H
#include <stddef.h>

#include "err.h"
#include "lore.h"

/* b in its binary form, malloc'ed into *out: 0, 1 when b cannot be put in
 * it (an id neither a number nor a string), -1 when memory fails. */
int g_lore_index_write(const struct g_lore_book *b, unsigned char **out, size_t *len);

/* The book from its binary form: 65 "lore index: ..." when it is truncated
 * or malformed (a value out of the range g_lore_book_read allows), 70 when
 * memory fails. */
int g_lore_index_read(struct g_lore_book *b, const unsigned char *p, size_t len,
		      struct g_err *err);

#endif
