/*
 * card_edit.h: characters and personas as people write them by hand
 * (persona create, persona update), turned into the canonical V3 card of
 * card.h and a persona's placement.
 *
 * What a person writes is either flat ({name, description, tags, ...,
 * position, depth, role, default}: the keys of V3's data, plus a persona's
 * placement) or card-shaped (a V1/V2/V3 card, or a record as `persona
 * show` prints it, whose data is taken). An update is a JSON Merge Patch
 * (RFC 7386) in either shape: an absent key keeps its value, null clears
 * it (a field goes back to its empty value, a placement to its default),
 * and no key ever touches another. Every result goes through
 * g_card_normalize, so it is typed and complete exactly as an imported
 * card is. Errors are 65, located "'name': place: reason".
 *
 * Results are new references the caller owns.
 */
#ifndef GUISE_CARDEDIT_H
#define GUISE_CARDEDIT_H
#include <jansson.h>

#include "card.h"

/* What a person's input becomes. */
struct g_card_edit {
	json_t *card;             /* canonical V3 card */
	struct g_placement place; /* personas: their placement */
	int make_default;         /* 1 "default: true", 0 false, -1 not said */
};

void g_card_edit_release(struct g_card_edit *e);

/* RFC 7386 applied to the object target in place: -1 if memory fails. */
int g_card_edit_merge_patch(json_t *target, const json_t *patch);

/* A new card (persona create) from one input record named name. */
int g_card_edit_create(const json_t *in, enum g_cardkind kind, const char *name,
		      struct g_card_edit *out, struct g_err *err);

/* record (as g_card_row_load gives it) with patch applied. */
int g_card_edit_update(const json_t *record, const json_t *patch, enum g_cardkind kind,
		      const char *name, struct g_card_edit *out, struct g_err *err);

/* --set KEY=VALUE and --clear KEY as the keys of a flat patch: VALUE is
 * the text itself for a text field, position and role, and JSON for the
 * others (tags, extensions, depth, ...). 64 for a key that is no field,
 * 65 for a value that is not JSON where JSON is wanted. */
int g_card_edit_set(json_t *patch, const char *assignment, struct g_err *err);
int g_card_edit_unset(json_t *patch, const char *key, struct g_err *err);

#endif
