/*
 * card_columns.h: the encrypted columns of a card row, in the order every
 * statement of card_row.c (writes) and card_row_read.c (reads) lists them,
 * and opening one of them (card_columns.c).
 */
#ifndef GUISE_CARD_COLUMNS_H
#define GUISE_CARD_COLUMNS_H
#include <stddef.h>
#include "card.h"
#include "db.h"
#include "err.h"
#include "userkey.h"

/* How a data field is kept: a text field as its text, the rest as JSON. */
enum g_card_column_type { G_COL_TEXT, G_COL_JSON };

struct g_card_column {
	const char *name;
	enum g_card_column_type type;
};

/* The data fields with a column of their own (card_fields.h), in the
 * spec's order: the order records list them in. */
enum {
	G_CARD_DATA_COLUMNS = 0
#define G_CARD_FIELD(name, type, required, column) + 1
#include "card_fields.h"
};
extern const struct g_card_column g_card_columns_data[G_CARD_DATA_COLUMNS];

/* Every encrypted column: the data columns, then these. */
enum {
	G_COL_ORIGIN = G_CARD_DATA_COLUMNS,
	G_COL_RAW,
	G_COL_AVATAR,
	G_COL_EXTRA,
	G_COL_LORE, /* the card's book in lore_index.h's form: derived, never exported */
	G_CARD_COLUMNS
};

/* Column i's name. */
const char *g_card_columns_name(size_t i);

/* Open column i of the row at st, whose encrypted columns start at
 * column first (each followed by its nonce): 1 with the plaintext
 * (malloc'ed), 0 unset, -1 with err set (65 if it fails to open). */
int g_card_columns_open(const struct g_userkey *k, const char *table, const char *id,
		       struct g_db_stmt *st, int first, size_t i, char **plain, size_t *len,
		       struct g_err *err);

#endif
