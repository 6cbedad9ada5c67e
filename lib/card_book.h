/*
 * card_book.h: a card's lorebook (character_book), the one part of a card
 * whose shape is checked as the spec has it rather than read leniently:
 * entries a list of objects, each entry's keys a list of strings and its
 * content a string; entry ids strings or numbers; unknown keys kept.
 */
#ifndef GUISE_CARD_BOOK_H
#define GUISE_CARD_BOOK_H

#include <jansson.h>

#include "card_lenient.h"

/* 0 if book (null: no book) has its shape; else -1, the error (65) naming
 * the place, "data.character_book.entries[2].keys[0]: expected a string". */
int g_card_book_check(struct g_card_lenient *c, const json_t *book);

/* data's book (checked already) made whole as V3 requires: the book's
 * extensions and entries, each entry's keys, content, extensions, enabled,
 * insertion_order and use_regex, with V3's defaults where missing. A copy
 * replaces the book in data, so the input is never changed. */
int g_card_book_complete(struct g_card_lenient *c, json_t *data);

#endif
