/* card_columns.c: the encrypted columns of a card row, shared by its
 * writer (card_row.c) and its reader (card_row_read.c). */
#include "card_columns.h"

#include "card.h"

const struct g_card_column g_card_columns_data[] = {
#define G_CARD_FIELD(name, type, required, column) \
	{ #name, G_CARD_##type == G_CARD_TEXT ? G_COL_TEXT : G_COL_JSON },
#include "card_fields.h"
};

const char *g_card_columns_name(size_t i)
{
	static const char *const other_columns[] = { "origin", "card_raw", "avatar", "extra",
							     "lore_index" };

	return i < G_CARD_DATA_COLUMNS ? g_card_columns_data[i].name
				  : other_columns[i - G_CARD_DATA_COLUMNS];
}

int g_card_columns_open(const struct g_userkey *k, const char *table, const char *id,
		    struct g_db_stmt *st, int first, size_t i, char **plain, size_t *len,
		    struct g_err *err)
{
	int col = first + 2 * (int)i;
	struct g_field_ad ad = { table, g_card_columns_name(i), id, k->user_id, k->dek_version };

	if (g_db_column_is_null(st, col) && g_db_column_is_null(st, col + 1))
		return 0;
	if (g_crypt_open(k->dek, &ad, g_db_column_blob(st, col),
		   g_db_column_bytes(st, col), g_db_column_blob(st, col + 1),
		   g_db_column_bytes(st, col + 1), plain, len, err) < 0) {
		g_err_prefix(err, "%s '%s' %s", table, id, g_card_columns_name(i));
		return -1;
	}
	return 1;
}
