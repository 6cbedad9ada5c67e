/*
 * card_export.h: a stored card back out as a file (DESIGN.md §7).
 *
 * V3 is the canonical card itself. V2 is the V3 card under the V2 labels,
 * with lorebook decorators (content lines starting "@@") stripped and the
 * spec's backfill note appended to creator_notes; the V3-only fields stay,
 * as V2 allows extra fields. PNG carries the V3 card in a ccv3 chunk and
 * the V2 backfill in a chara chunk (tEXt, base64, as readers expect), in the
 * stored avatar with its old card chunks removed, or in a small default
 * image. CHARX is card.json plus the assets of the CHARX the card came in,
 * or the avatar as its icon.
 */
#ifndef GUISE_CARDEXPORT_H
#define GUISE_CARDEXPORT_H
#include <jansson.h>
#include <stddef.h>
#include "err.h"

/* The note V3 asks a V2 backfill to carry in creator_notes. */
extern const char g_card_backfill_note[];

/* The V2 form of a canonical V3 card (new reference; NULL: no memory). */
json_t *g_card_export_v2(const json_t *v3);

/* Card JSON as written into PNG chunks and card.json: compact, UTF-8. */
char *g_card_export_json_text(const json_t *card);

/* A PNG of the card: avatar (may be NULL) with ccv3 and chara chunks. */
int g_card_export_png(const json_t *v3, const unsigned char *avatar,
		      size_t avatar_len, unsigned char **out, size_t *out_len,
		      struct g_err *err);

/* A CHARX of the card. raw is the card as imported: a CHARX's own assets
 * are carried over from it (origin_format "charx"); else the avatar, if
 * any, becomes assets/icon/images/main.png and the card's icon. */
int g_card_export_charx(const json_t *v3, const char *origin_format,
			const unsigned char *raw, size_t raw_len,
			const unsigned char *avatar, size_t avatar_len,
			unsigned char **out, size_t *out_len, struct g_err *err);

#endif
