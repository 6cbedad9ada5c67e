/*
 * card_import.h: the cards in a file, whatever it is (DESIGN.md §7).
 *
 * The content decides, never the name: a PNG signature is a PNG (its card
 * in a ccv3 or chara text chunk), a zip signature is CHARX, or a Backyard
 * AI archive when its entries say so (byaf.h), anything else is read as
 * JSON or YAML records, each a card of any shape card.h knows or a
 * SillyTavern persona backup (st_persona.h). Each card comes out as an item:
 * the canonical V3 card, where it came from, the card as imported and the
 * image to keep as the avatar.
 */
#ifndef GUISE_CARDSOURCE_H
#define GUISE_CARDSOURCE_H
#include <jansson.h>
#include <stddef.h>
#include "card.h"
#include "doc.h"
#include "err.h"
#include "fileio.h"

struct g_card_item {
	json_t *card;   /* canonical V3 card */
	json_t *origin; /* {file, format, card[, chunk]} */
	const unsigned char *raw; /* the card as imported: text, or the zip;
				   * NULL for a backup's persona */
	size_t raw_len;
	const unsigned char *avatar; /* NULL when the file has no image */
	size_t avatar_len;
	int from_backup; /* a persona of a SillyTavern persona backup */
	struct g_placement place; /* with from_backup */
	int is_default;           /* with from_backup: the backup's default */
	const char *where;        /* how messages name it: the file, or file[N] */
};

struct g_card_import_opts {
	enum g_doc_format input; /* for text: G_DOC_AUTO detects */
	int strict;              /* spec warnings are errors */
	int want_avatar;         /* 0: skip making the avatar (validation only) */
	g_card_warn_fn warn;
	void *warn_arg;
	/* the file buf is, or NULL: released (g_fileio_release) as soon as
	 * nothing more is read of it, when that is before the cards are
	 * handed on (a PNG, once its card text and avatar are out of it) */
	struct g_file *file;
	/* a card with no name anywhere takes this one; NULL: the file's name
	 * without its extension */
	const char *nameless;
};

/* Called once per card, or once for the n cards that stand or fall
 * together (the personas of a backup); or with the failure of one record
 * of a stream (items NULL; the stream goes on). Returns non-zero to stop. */
typedef int (*g_card_item_fn)(const struct g_card_item *items, size_t n,
			      const struct g_err *failure, void *arg);

/* Read the cards in buf (the whole file; name is how messages call it).
 * -1 with err set when the file as a whole is refused: 65 malformed or
 * "no character data", 70 out of memory. */
int g_card_import_read(const unsigned char *buf, size_t len, const char *name,
		      const struct g_card_import_opts *o, g_card_item_fn fn,
		      void *arg, struct g_err *err);

#endif
