/*
 * lore_index.h: a book already read (struct g_lore_book, decorators split
 * off) in a compact binary form, which a card row stores sealed beside its
 * character_book (the lore_index column, migration 0008) so that a render
 * activates the card's book without parsing its JSON again.
 *
 * The form is derived: written whenever the card is, from the book as
 * g_lore_book_read reads it (name "" when the book says none), and never
 * exported. A row without one (written before 0008, or before 0009 dropped
 * the first form, or whose book did not read) is rendered from its JSON as
 * before.
 *
 * Layout, no padding: a frame (g_crypt_seal_parts's, crypt.h: u32
 * little-endian the count of parts, u32 each part's length), then the
 * head, then the parts, one per quiet entry in the book's order: its
 * rest. The head: "GLI5"; u32 the number of list strings in the book; the
 * book (string name; numbers scan_depth, token_budget, max_steps,
 * recursive; count of entries); each entry: a byte, 1 when it is quiet
 * (g_lore_entry_quiet, and every key of its other lists prepped:
 * g_lore_entry_prepped) else 0; its scan_depth; its keys (each key
 * followed by its prep: a byte 0, made ready at the render, or 1, a byte
 * of flags (caseless, words, never, regex, text the key's own), the
 * trimmed text unless it is the key as written, a caseless plain key's
 * folded text, a regex's pattern start, length, flags and required
 * text, and up to 8 runs of 4 bytes (lore_match.h), a count byte and 4
 * bytes each: struct g_lore_prep); for a quiet entry, the count of list
 * strings and of bytes in its rest (its part), and for any other the rest
 * itself: id (byte 0 and a number, or 1 and a string); strings comment,
 * content, group, outlet; lists secondary, additional, exclude (each key
 * with its prep), notes; numbers in struct g_lore_entry's order,
 * scan_depth left out; the probability as an IEEE double, 8 bytes
 * little-endian. A count or length is an unsigned LEB128 varint; a number
 * a zigzag one, so most take a byte; each in its shortest form. A string
 * is its length, its bytes and a NUL; a list its count and strings. The
 * reader keeps one copy of the bytes and points the strings into it
 * (struct g_lore_book's arena): a render reads a book of hundreds of
 * entries without an allocation per string, and leaves each quiet entry's
 * part sealed and unread until activation asks for it
 * (g_lore_book_entry): in a big book most never are.
 */
#ifndef GUISE_LORE_INDEX_H
#define GUISE_LORE_INDEX_H
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "lore.h"

/* The form's mark, "GLI" and a version: bumped whenever what an index
 * holds changes meaning (this layout, or what lore_book.c, lore_decor.c,
 * lore_key.c or lore_literal.c make of a book or a key). An index of
 * another version is stale: the card is read from its JSON instead, until
 * it is next written. Forms 3 (GLI3: each entry whole, its keys after its
 * strings and its scan depth among its numbers) and 4 (GLI4: form 5 with
 * each quiet entry's rest in the head, after its length; no frame) are
 * still read, in a field sealed whole (format 1): a card keeps the index
 * an earlier build wrote until its row is next written (an unchanged
 * import or update does not write it). */
#define G_LORE_INDEX_MAGIC 'G', 'L', 'I', G_LORE_INDEX_VERSION
#define G_LORE_INDEX_VERSION '5'

/* b (every entry read: not a book g_lore_index_take_at read) in its
 * binary form, malloc'ed into *out: 0, 1 when b cannot be put in
 * it (an id neither a number nor a string), -1 when memory fails. */
int g_lore_index_write(const struct g_lore_book *b, unsigned char **out, size_t *len);

/* The book from its binary form (framed, or a form 3 or 4 index, which
 * starts with its mark): 0; 1 when the index is of another version
 * (stale: nothing read); 65 "lore index: ..." when it is truncated or
 * malformed (a value out of the range g_lore_book_read allows), 70 when
 * memory fails. */
int g_lore_index_read(struct g_lore_book *b, const unsigned char *p, size_t len,
		      struct g_err *err);
/* The same, reading p where it lies, inside arena (malloc'ed), which is
 * the book's to free, read or not: no copy. The rest of each quiet entry
 * is read when g_lore_book_entry asks for it, and checked then. */
int g_lore_index_take_at(struct g_lore_book *b, void *arena, char *p, size_t len,
			 struct g_err *err);

/* Where the parts of an index are when its head is read apart from them
 * (a field sealed in parts: the frame's count and lengths are the
 * caller's): part i (1..n) opened on first ask, *p and *len (its bytes
 * the caller's until release), -1 with err (65) when it does not open. */
struct g_lore_parts {
	int (*open)(void *ctx, size_t i, char **p, size_t *len, struct g_err *err);
	void (*release)(void *ctx);
	void *ctx;
	size_t n;
	size_t bytes; /* all n together (what the list strings may take) */
};
/* g_lore_index_take_at for the head alone, the bytes after the frame's
 * count and lengths (form 5 only: 1, stale, for another), and parts,
 * which the book takes, read or not (release called once). */
int g_lore_index_take_head(struct g_lore_book *b, void *arena, char *head, size_t len,
			   const struct g_lore_parts *parts, struct g_err *err);

/* For a quiet entry i of a book g_lore_index_take_at read, not read yet:
 * its keys' runs, all g_lore_scan_asleep needs to pass it over: the count
 * of its keys that can match, then for each of those its count of runs
 * and the runs (a key that never matches is left out), with *maybe 1 when
 * a key of it may be in any text (not prepped, or with no runs). NULL
 * when the entry is read (its keys say) or is not such a one. */
const uint32_t *g_lore_index_runs(const struct g_lore_book *b, size_t i, int *maybe);
/* Free what g_lore_index_take_at made beside the arena (b->lazy). */
void g_lore_index_release(struct g_lore_book *b);

#endif
