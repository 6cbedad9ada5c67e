/*
 * card_lore_parts.h: the parts of a card's lore index (lore_index.h) where
 * its row holds them, sealed in parts (crypt.h, format 3), each read and
 * opened when activation first asks for it.
 */
#ifndef GUISE_CARD_LORE_PARTS_H
#define GUISE_CARD_LORE_PARTS_H
#include "crypt.h"
#include "db.h"
#include "err.h"
#include "lore_index.h"
#include "userkey.h"

/* *out over p (its head opened: g_crypt_open_head), the field of column
 * of row id of table under k, whose bytes are whole (all of them, the
 * caller's) or, whole NULL, are read from blob a part at a time. It takes
 * p and blob (closed with it), and needs k, whole and the connection for
 * as long as it is used. -1 (70) if memory fails. */
int g_card_lore_parts(struct g_lore_parts *out, struct g_crypt_parts *p, unsigned char *whole,
		      struct g_db_blob *blob, const struct g_userkey *k, const char *table,
		      const char *column, const char *id, struct g_err *err);

#endif
