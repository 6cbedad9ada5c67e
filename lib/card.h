/*
 * card.h: character cards of every shape people have, as one canonical V3
 * card (DESIGN.md §7): {"spec": "chara_card_v3", "spec_version": "3.0",
 * "data": {...}} plus any other top-level keys the card carried.
 *
 * Shapes read: V3 and V2 ("spec" says which; V2 with SillyTavern's
 * top-level copies too), V1 (the six flat fields), Pygmalion (char_name,
 * char_persona, char_greeting, world_scenario, example_dialogue) and
 * text-generation-webui (name, context, greeting). Nothing is dropped:
 * unknown keys stay where they were, at the top, in data, in extensions,
 * in the book and its entries. Missing V3 fields get their empty value.
 * Cards are read as people have them (card_lenient.h): fields missing
 * from data are taken from the top level, a field of the wrong type is
 * read as what it plainly means, each with a warning; with strict each is
 * the error that names its place ("data.tags[2]: expected a string"), as
 * is what the spec only frowns on. A lorebook or assets of the wrong shape
 * is always an error.
 */
#ifndef GUISE_CARD_H
#define GUISE_CARD_H

#include <jansson.h>
#include <stdint.h>

#include "err.h"

enum g_card_shape {
	G_CARD_V3,
	G_CARD_V2,
	G_CARD_V1,
	G_CARD_PYGMALION,
	G_CARD_TEXTGEN
};

/* The shape of a field's value (card_fields.h lists the fields). */
enum g_card_type {
	G_CARD_TEXT,    /* a string */
	G_CARD_TEXTS,   /* a list of strings */
	G_CARD_OBJECT,
	G_CARD_NUMBER,
	G_CARD_BOOK,    /* a lorebook */
	G_CARD_ASSETS,  /* a list of {type, uri, ...} */
	G_CARD_TEXT_MAP /* an object of strings */
};

/* Whether key is one of the canonical card's own top-level keys (spec,
 * spec_version, data) rather than one the card brought along. */
int g_card_own_key(const char *key);

/* Whether key is a field of V3's data (name, description, ..., the
 * creation and modification dates); 2 when it is one whose value is text,
 * 1 when it is a field of another type, 0 when it is none. */
int g_card_field(const char *key);

/* "chara_card_v3", "chara_card_v2", "v1", "pygmalion", "textgen" */
const char *g_card_shape_name(enum g_card_shape shape);

/* Called once per warning, with the place and what is wrong. */
typedef void (*g_card_warn_fn)(const char *msg, void *arg);

/* A new canonical V3 card from doc (not changed), or NULL with err set
 * (65, the message prefixed by name). */
json_t *g_card_normalize(const json_t *doc, const char *name, int strict,
			 enum g_card_shape *shape, g_card_warn_fn warn,
			 void *warn_arg, struct g_err *err);

/* How g_card_normalize_file reads a card. */
enum {
	G_CARD_STRICT = 1, /* spec warnings and leniencies are errors */
	G_CARD_TYPED = 2,  /* leniencies are errors, spec warnings warnings:
			    * what a person writes by hand is checked */
};

/* g_card_normalize with flags, for a card read from a file: stem (the
 * file's name without its extension) names a card that has no name
 * anywhere; NULL refuses it. */
json_t *g_card_normalize_file(const json_t *doc, const char *name, const char *stem,
			      int flags, enum g_card_shape *shape, g_card_warn_fn warn,
			      void *warn_arg, struct g_err *err);

/* Whose card it is: a character's, or a persona (the user's own card). */
enum g_cardkind { G_CHARACTER, G_PERSONA };

/* "characters" or "user_personas", the store's tables */
const char *g_cardkind_table(enum g_cardkind kind);
/* "character" or "persona", as records call them */
const char *g_cardkind_name(enum g_cardkind kind);

/* Where a persona's description goes in a prompt (SillyTavern's persona
 * placement): position in_prompt, at_depth or none; depth; role. */
struct g_placement {
	const char *position;
	int64_t depth;
	const char *role;
};
extern const struct g_placement g_placement_default;
/* Whether p names a valid position and role and a depth >= 0. */
int g_placement_valid(const struct g_placement *p);
/* A placement from its parts, its strings the library's own (static):
 * -1 if any part is invalid. */
int g_placement_parse(const char *position, int64_t depth, const char *role,
		      struct g_placement *out);

/* A persona's placement travels in its exported card as
 * data.extensions.guise_persona = {position, depth, role}: g_placement_put
 * writes a record's there, g_placement_take reads it back into *place (left
 * as it is when absent or invalid) and removes it from the card. */
void g_placement_put(json_t *card, const json_t *record);
void g_placement_take(json_t *card, struct g_placement *place);

#endif
