/* st_persona.c: SillyTavern persona backups into persona cards. */
#include "st_persona.h"

#include <stdio.h>
#include <string.h>

int g_st_persona_is_backup(const json_t *doc)
{
	return json_is_object(json_object_get(doc, "personas")) &&
	       !json_object_get(doc, "spec") && !json_object_get(doc, "data");
}

static int bad(struct g_err *err, const char *name, const char *place, const char *avatar,
	       const char *what)
{
	return g_err_set(err, G_EX_DATAERR, "'%s': %s.%s: %s", name, place, avatar, what);
}

/* position and role codes, as SillyTavern numbers them */
static int placement(const json_t *desc, const char *name, const char *avatar,
		     struct g_placement *p, struct g_err *err)
{
	const json_t *pos = json_object_get(desc, "position");
	const json_t *depth = json_object_get(desc, "depth");
	const json_t *role = json_object_get(desc, "role");

	*p = g_placement_default;
	if (pos && !json_is_null(pos)) {
		if (!json_is_integer(pos))
			return bad(err, name, "persona_descriptions", avatar, "position: expected a number");
		switch (json_integer_value(pos)) {
		case 0: case 1: p->position = "in_prompt"; break;
		case 2: p->position = "an_top"; break;
		case 3: p->position = "an_bottom"; break;
		case 4: p->position = "at_depth"; break;
		case 9: p->position = "none"; break;
		default:
			return bad(err, name, "persona_descriptions", avatar, "position: unknown code");
		}
	}
	if (depth && !json_is_null(depth)) {
		if (!json_is_integer(depth) || json_integer_value(depth) < 0)
			return bad(err, name, "persona_descriptions", avatar,
				   "depth: expected a number >= 0");
		p->depth = json_integer_value(depth);
	}
	if (role && !json_is_null(role)) {
		static const char *const roles[] = { "system", "user", "assistant" };

		if (!json_is_integer(role) || json_integer_value(role) < 0 ||
		    json_integer_value(role) > 2)
			return bad(err, name, "persona_descriptions", avatar,
				   "role: expected 0, 1 or 2");
		p->role = roles[json_integer_value(role)];
	}
	return 0;
}

/* The card of one persona: name, description, and the rest of its entry
 * (title, lorebook, connections, anything unknown) with its avatar key. */
static json_t *persona_card(const char *avatar, const json_t *name, const json_t *desc)
{
	json_t *card = json_object(), *data = json_object(), *ext = json_object();
	json_t *st = json_object();
	const json_t *text = json_object_get(desc, "description");
	const char *key;
	json_t *v;

	json_object_set_new(card, "spec", json_string("chara_card_v3"));
	json_object_set_new(card, "spec_version", json_string("3.0"));
	json_object_set(data, "name", (json_t *)name);
	json_object_set_new(data, "description", text ? json_incref((json_t *)text) : json_string(""));
	json_object_set_new(st, "avatar", json_string(avatar));
	json_object_foreach((json_t *)desc, key, v)
		if (strcmp(key, "description") != 0 && strcmp(key, "position") != 0 &&
		    strcmp(key, "depth") != 0 && strcmp(key, "role") != 0)
			json_object_set(st, key, v);
	json_object_set_new(ext, "sillytavern_persona", st);
	json_object_set_new(data, "extensions", ext);
	json_object_set_new(card, "data", data);
	return card;
}

/* Check one entry and, with fn, hand it on; -1 with err set if it is bad. */
static int one_persona(const char *name, const char *avatar, const json_t *pname,
		       const json_t *desc, const json_t *def,
		       int (*fn)(struct g_st_persona *p, void *arg), void *arg, struct g_err *err)
{
	struct g_st_persona p = { 0 };
	int stop;

	if (!json_is_string(pname))
		return bad(err, name, "personas", avatar, "expected a string");
	if (desc && !json_is_object(desc))
		return bad(err, name, "persona_descriptions", avatar, "expected an object");
	if (desc && json_object_get(desc, "description") &&
	    !json_is_string(json_object_get(desc, "description")))
		return bad(err, name, "persona_descriptions", avatar,
			   "description: expected a string");
	if (placement(desc, name, avatar, &p.place, err) < 0)
		return -1;
	if (!fn)
		return 0;
	p.card = persona_card(avatar, pname, desc);
	p.is_default = json_is_string(def) && strcmp(json_string_value(def), avatar) == 0;
	p.avatar = avatar;
	stop = fn(&p, arg);
	json_decref(p.card);
	return stop;
}

int g_st_persona_each(const json_t *doc, const char *name,
		     int (*fn)(struct g_st_persona *p, void *arg), void *arg, struct g_err *err)
{
	const json_t *personas = json_object_get(doc, "personas");
	const json_t *descs = json_object_get(doc, "persona_descriptions");
	const json_t *def = json_object_get(doc, "default_persona");
	const char *avatar;
	json_t *pname;
	int pass, rc;

	if (descs && !json_is_null(descs) && !json_is_object(descs))
		return g_err_set(err, G_EX_DATAERR, "'%s': persona_descriptions: expected an object",
				 name);
	if (def && !json_is_null(def) && !json_is_string(def))
		return g_err_set(err, G_EX_DATAERR, "'%s': default_persona: expected a string",
				 name);
	/* the whole backup is checked before any persona is handed on: a bad
	 * entry refuses the backup, it never leaves half of it stored */
	for (pass = 0; pass < 2; pass++)
		json_object_foreach((json_t *)personas, avatar, pname) {
			rc = one_persona(name, avatar, pname, json_object_get(descs, avatar), def,
					 pass ? fn : NULL, arg, err);
			if (rc < 0)
				return -1;
			if (rc > 0)
				return 0;
		}
	return 0;
}
