/*
 * st_persona.h: SillyTavern persona backups (DESIGN.md §7).
 *
 * A backup is {"personas": {avatar: name}, "persona_descriptions": {avatar:
 * {description, position, depth, role, ...}}, "default_persona": avatar}.
 * Each persona becomes a V3 card (name, description, and everything else
 * of its entry kept under data.extensions.sillytavern_persona) with its
 * placement. SillyTavern's codes: position 0 in prompt, 1 after the
 * character (deprecated, the same place), 2 and 3 the top and bottom of
 * the author's note (an_top, an_bottom), 4 at depth, 9 none; role 0
 * system, 1 user, 2 assistant.
 */
#ifndef GUISE_STPERSONA_H
#define GUISE_STPERSONA_H
#include <jansson.h>
#include "card.h"
#include "err.h"

/* Whether doc has the shape of a persona backup. */
int g_st_persona_is_backup(const json_t *doc);

/* One persona of a backup. */
struct g_st_persona {
	json_t *card; /* a V3 card, not yet normalised */
	struct g_placement place;
	int is_default;
	const char *avatar; /* its key in the backup */
};

/* Call fn for each persona, in the backup's order; fn returns non-zero to
 * stop. A field of the wrong type is 65, located ("personas.x.png: expected
 * a string"). fn gets arg. */
int g_st_persona_each(const json_t *doc, const char *name,
		     int (*fn)(struct g_st_persona *p, void *arg), void *arg, struct g_err *err);

#endif
