/*
 * byaf.h: Backyard AI archives (.byaf), as SillyTavern 1.13 imports them
 * (DESIGN.md §7). A zip with manifest.json at its root, which names the
 * character's JSON (characters/ID/character.json) and the scenarios
 * (scenarios/NAME.json); the character names its images relative to its
 * own folder (images/NAME.png).
 *
 * The zip is read as a CHARX is (charx.h): from memory only, nothing
 * written to disk, within the same caps, encrypted and unsafe entries
 * refused. The paths the manifest and the character give are checked as
 * entry names are (no '..', nothing absolute) and refused when unsafe.
 * Errors are 65 and name the archive and the JSON file and field at fault:
 * "'x.byaf': manifest.json: characters[0]: no entry 'characters/a/character.json'".
 *
 * The character becomes a V3 card the way SillyTavern maps it (byaf_card.c
 * says field by field); what V3 has no place for is kept in
 * data.extensions.backyard. struct g_byaf and everything in it belongs to
 * it: g_byaf_release frees it.
 */
#ifndef GUISE_BYAF_H
#define GUISE_BYAF_H

#include <jansson.h>
#include <stddef.h>

#include "card.h"
#include "charx.h"
#include "err.h"

#define G_BYAF_MANIFEST "manifest.json"

struct g_byaf {
	json_t *card; /* the V3 card the archive makes, not yet normalised */
	const char *character; /* the character's path in the archive */
	/* the first of the character's images the archive holds (an entry
	 * of zip), or NULL: the avatar */
	const struct g_charx_entry *avatar;
	struct g_charx zip; /* every entry of the archive */
};

/* 1 if buf is a zip whose entries look like a Backyard archive rather
 * than a CHARX: no card.json, and manifest.json or a characters/ folder.
 * Only the zip's directory is read; 0 when libzip cannot open it (the
 * CHARX reader then says why). */
int g_byaf_sniff(const unsigned char *buf, size_t len);

/* Read the archive in buf (name: how messages call it) into *out. What
 * SillyTavern skips with a warning (a scenario or image the archive lacks,
 * a scenario that is not JSON, a second character) goes to warn as a
 * located message, or is an error with strict. On failure *out is empty. */
int g_byaf_read(const unsigned char *buf, size_t len, const char *name, int strict,
		g_card_warn_fn warn, void *warn_arg, struct g_byaf *out, struct g_err *err);

/* The avatar as guise keeps it (into *out, malloc'ed; NULL when the
 * archive has none): a PNG without its card text chunks, another image as
 * it is. With want 0 a PNG is only checked, and *out stays NULL. A PNG
 * that is broken is 65, named as its entry. */
int g_byaf_avatar(const struct g_byaf *b, const char *name, int want, unsigned char **out,
		  size_t *out_len, struct g_err *err);

/* Free what g_byaf_read filled in and empty *b. */
void g_byaf_release(struct g_byaf *b);

#endif
