/*
 * png.h: PNG (and APNG) files as a list of chunks, enough to find the
 * character card in them and to write cards into them (DESIGN.md §7).
 *
 * g_png_walk() checks what a reader of cards depends on: the signature,
 * every chunk's length and CRC, a valid IHDR first, at least one IDAT, and
 * IEND last with nothing after it. Text chunks (tEXt, zTXt, iTXt) decode
 * to a keyword and text; compressed text is inflated within
 * G_PNG_MAX_TEXT bytes. Cards are base64 JSON under the keyword "ccv3"
 * (preferred) or "chara", matched case-insensitively; base64 with line
 * breaks, spaces or no padding is read too. Buffers handed out are
 * malloc'ed and the caller frees them.
 */
#ifndef GUISE_PNG_H
#define GUISE_PNG_H

#include <stddef.h>

#include "err.h"

/* The largest file and the largest inflated text chunk read. */
#define G_PNG_MAX_FILE ((size_t)256 << 20)
#define G_PNG_MAX_TEXT ((size_t)64 << 20)

struct g_png_chunk {
	char type[5];
	const unsigned char *data;
	size_t len;
	size_t offset; /* of the chunk's length field, from the file's start */
};

/* Call fn for each chunk after checking the whole file; fn returns non-zero
 * to stop. name is how errors call the file. 65 for anything malformed. */
int g_png_walk(const unsigned char *buf, size_t len, const char *name,
	       int (*fn)(const struct g_png_chunk *, void *), void *arg,
	       struct g_err *err);

/* 1 if buf starts with the PNG signature. */
int g_png_sniff(const unsigned char *buf, size_t len);
/* 1 if buf is a PNG, or one damaged in transit (a signature mangled by a
 * text-mode transfer, say: 5 of its 8 bytes right, or the file ends in
 * IEND), so that the PNG reader, not a text reader, says what is wrong. */
int g_png_looks_like(const unsigned char *buf, size_t len);
/* Whether the chunk is a text chunk (tEXt, zTXt, iTXt). */
int g_png_is_text(const struct g_png_chunk *c);

/* A text chunk's keyword (NUL-terminated) and text (with its length). */
int g_png_text(const struct g_png_chunk *c, const char *name, char **keyword,
	       char **text, size_t *text_len, struct g_err *err);

/* The card in a PNG: the decoded bytes of its "ccv3" chunk, else its
 * "chara" chunk. 65 "no character data" when it has neither; *keyword says
 * which was used ("ccv3" or "chara"). */
int g_png_card(const unsigned char *buf, size_t len, const char *name,
	       char **card, size_t *card_len, const char **keyword,
	       struct g_err *err);

/* The file without its card chunks (text chunks keyed ccv3, chara or
 * chara-ext-asset_*): the image to keep as an avatar, or to write new
 * card chunks into. */
int g_png_without_cards(const unsigned char *buf, size_t len, const char *name,
			unsigned char **out, size_t *out_len, struct g_err *err);
/* The same, but legacy chara-ext-asset_ chunks stay: the image as guise
 * stores it, so that a card's old embedded assets survive export. */
int g_png_without_card_text(const unsigned char *buf, size_t len, const char *name,
			    unsigned char **out, size_t *out_len, struct g_err *err);

/* Insert a text chunk just before IEND of a valid PNG: type "tEXt",
 * "zTXt" (compressed) or "iTXt" (compressed when compress is 1). */
int g_png_add_text(const unsigned char *buf, size_t len, const char *type,
		   const char *keyword, const char *text, size_t text_len,
		   int compress, unsigned char **out, size_t *out_len,
		   struct g_err *err);

/* A small image (1x1, transparent) for a card that has none. */
int g_png_default_image(unsigned char **out, size_t *out_len, struct g_err *err);

#endif
