/*
 * ref.h: naming a character or persona on the command line (DESIGN.md
 * §2): by its id, a unique id prefix of at least 4 characters, or its name
 * (exact, case-insensitive in ASCII, the whole of it). Only k's user's rows are looked at,
 * so another user's object is "not found", word for word. An ambiguous
 * prefix or name is an error that lists the candidates.
 */
#ifndef GUISE_CARDREF_H
#define GUISE_CARDREF_H
#include "card_row.h"

/* A name as a key (import's conflicts, session titles): ASCII letters
 * folded to lower case, cut to size - 1 bytes (names longer than
 * G_NAME_FOLD_MAX - 1 are keyed by that much). g_ref_resolve compares
 * a name given on the command line with each whole name instead. */
#define G_NAME_FOLD_MAX 1024
void g_ref_name_fold(const char *name, char *out, size_t size);

/* Whether ref could be an id or an id prefix: 4 or more of [0-9a-f-],
 * and no longer than an id. */
int g_ref_looks_like_id(const char *ref);

/* What a lookup of a name found: how many, the first one (its id and,
 * for callers that look among kinds, its kind), and the first few listed
 * for the message an ambiguous name gets. Shared by cards and sessions. */
struct g_ref_found {
	int n;
	int kind;
	char id[G_UUID_LEN];
	char list[512];
};

/* One more candidate, listed as "what id". */
void g_ref_found_add(struct g_ref_found *f, const char *what, int kind, const char *id);

/* The verdict on ref: 0 with id set when exactly one was found, -1 (65,
 * the candidates listed) when several were, 1 when none was. */
int g_ref_found_one(const struct g_ref_found *f, const char *ref, char id[G_UUID_LEN],
		    struct g_err *err);

/* Which kinds to look among: a mask of these. */
#define G_REF_CHARACTERS 1
#define G_REF_PERSONAS 2

/* *kind and id of the one row ref names: 66 none, 65 several. */
int g_ref_resolve(struct g_store *s, const struct g_userkey *k, int kinds,
		      const char *ref, enum g_cardkind *kind, char id[G_UUID_LEN],
		      struct g_err *err);

#endif
