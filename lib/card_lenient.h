/*
 * card_lenient.h: cards as people have them (DESIGN.md §7), read the way
 * SillyTavern reads them rather than refused.
 *
 * A field missing or null in data is taken from the top level (the V1
 * copy), field by field. A field of the wrong type is read as what it
 * most plainly means: a list of strings for a text field joined with
 * newlines, an object tag by its name, a number as its text; optional
 * metadata (source, the dates, creator_notes_multilingual) stays as it
 * was written. Each is a warning naming the field, or under strict the
 * error the strict reader always gave.
 *
 * Nothing is lost. The top level stays as it came. Where a data field's
 * value was changed, data holds what the prompt uses and the value as
 * written goes in the card's top-level G_CARD_LENIENT_KEY object, keyed by
 * the field; g_card_lenient_restore puts it back on the way out, so an
 * export gives the card back as it came.
 */
#ifndef GUISE_CARD_LENIENT_H
#define GUISE_CARD_LENIENT_H

#include <jansson.h>

#include "card.h"
#include "err.h"

/* The top-level key of the values as written (a canonical card's own). */
#define G_CARD_LENIENT_KEY "guise_as_written"

/* One card being read: how messages name it, strict or not, where its
 * warnings go; written collects the values as written (NULL until a
 * leniency changes one; the caller releases it). */
struct g_card_lenient {
	const char *name;
	int strict; /* G_CARD_STRICT: every leniency is an error */
	int typed;  /* G_CARD_TYPED: so is every leniency */
	g_card_warn_fn warn;
	void *warn_arg;
	struct g_err *err;
	const char *stem; /* a nameless card's name; NULL: a name is required */
	json_t *written;
};

/* The one rule of every leniency, for whatever reads a card: under strict
 * the error "'name': strict_msg" (65, returns -1); else the warning
 * "'name': warn_msg" to warn, if there is one. */
int g_card_leniency(const char *name, int strict, g_card_warn_fn warn, void *warn_arg,
		    struct g_err *err, const char *strict_msg, const char *warn_msg);

/* A leniency at place: the warning "'name': place: <fmt...>", or under
 * strict or typed the error "'name': place: strict_what" (65, returns -1). */
int g_card_lenient_warn(struct g_card_lenient *l, const char *place, const char *strict_what,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* What v (data's field, called place in messages) is read as: a new
 * reference, v itself when it is fine or kept as written; NULL with the
 * error set (strict, or memory). */
json_t *g_card_lenient_value(struct g_card_lenient *l, const char *place, const char *field,
			     json_t *v);

/* The V1 fields and tags missing or null in data taken from doc's top
 * level; with quiet, no warning for them (the caller said it already). */
int g_card_lenient_fallback(struct g_card_lenient *l, json_t *data, const json_t *doc,
			    int quiet);

/* Whether data has any text a prompt could use besides its name. */
int g_card_lenient_has_text(const json_t *data);

/* A copy of s fit for a one-line message: control bytes as '?', cut
 * short at a character boundary; into buf of size bytes. */
const char *g_card_lenient_quote(char *buf, size_t size, const char *s, size_t len);

/* Whether written is a value as written of card's data field that data
 * still holds as read (and not the same: there was a leniency), so that
 * card read again with it put back would read the same. */
int g_card_lenient_holds(const json_t *card, const char *field, json_t *written);

/* card as it came: each value as written back in data where data still
 * holds what it was read as (not since edited), and the key removed. */
void g_card_lenient_restore(json_t *card);

#endif
