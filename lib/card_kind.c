/* card_kind.c: whose card it is, and where a persona goes in a prompt
 * (declared in card.h). */
#include <string.h>

#include "card.h"

const struct g_placement g_placement_default = { "in_prompt", 2, "system" };

const char *g_cardkind_table(enum g_cardkind kind)
{
	return kind == G_PERSONA ? "user_personas" : "characters";
}

const char *g_cardkind_name(enum g_cardkind kind)
{
	return kind == G_PERSONA ? "persona" : "character";
}

/* an_top, an_bottom: the top or bottom of the author's note */
static const char *const positions[] = { "in_prompt", "at_depth", "none", "an_top", "an_bottom" };
static const char *const roles[] = { "system", "user", "assistant" };

int g_placement_parse(const char *position, int64_t depth, const char *role,
		      struct g_placement *out)
{
	size_t i;

	out->position = out->role = NULL;
	out->depth = depth;
	for (i = 0; i < sizeof(positions) / sizeof(*positions); i++)
		if (position && strcmp(position, positions[i]) == 0)
			out->position = positions[i];
	for (i = 0; i < sizeof(roles) / sizeof(*roles); i++)
		if (role && strcmp(role, roles[i]) == 0)
			out->role = roles[i];
	return out->position && out->role && depth >= 0 ? 0 : -1;
}

int g_placement_valid(const struct g_placement *p)
{
	struct g_placement copy;

	return g_placement_parse(p->position, p->depth, p->role, &copy) == 0;
}

void g_placement_put(json_t *card, const json_t *record)
{
	json_t *ext = json_object_get(json_object_get(card, "data"), "extensions");

	if (json_is_object(ext))
		json_object_set_new(ext, "guise_persona",
				    json_pack("{s:O, s:O, s:O}", "position",
					      json_object_get(record, "position"), "depth",
					      json_object_get(record, "depth"), "role",
					      json_object_get(record, "role")));
}

void g_placement_take(json_t *card, struct g_placement *place)
{
	json_t *ext = json_object_get(json_object_get(card, "data"), "extensions");
	const json_t *saved = json_object_get(ext, "guise_persona");
	struct g_placement p;

	if (saved && json_is_integer(json_object_get(saved, "depth")) &&
	    g_placement_parse(json_string_value(json_object_get(saved, "position")),
			      json_integer_value(json_object_get(saved, "depth")),
			      json_string_value(json_object_get(saved, "role")), &p) == 0)
		*place = p;
	json_object_del(ext, "guise_persona");
}
