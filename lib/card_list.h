/*
 * card_list.h: a user's characters and personas as persona list shows
 * them, one record each, {kind, id, name, source[, default]}: the whole
 * name (a NUL in it too, from before they were refused), source the file
 * an imported card came from (null for one made by hand), and for a
 * persona whether it is the user's default.
 */
#ifndef GUISE_CARD_LIST_H
#define GUISE_CARD_LIST_H
#include <jansson.h>

#include "context.h"

/* Gets each record (borrowed); non-zero with err set stops the list. */
typedef int (*g_card_list_fn)(const json_t *rec, void *arg, struct g_err *err);

/* The personas, then the characters, of kinds (ref.h's G_REF_*), each in
 * the order they were stored. */
int g_card_list(struct g_context *ctx, int kinds, g_card_list_fn fn, void *arg,
		struct g_err *err);

#endif
