/*
 * prompt_lore.h: lore in the render (DESIGN.md §8 "Lore"): the books
 * activated against the chat, the fired content put through the macros,
 * fitted to the lore budget and sorted into its places; and the author's
 * note. prompt.c puts the places into the request.
 *
 * The lore budget is the smallest token_budget a book says, else the
 * session's lore_budget percent (default 25) of the prompt budget; over
 * it, fired entries drop lowest priority first, then lowest
 * insertion_order (of equals, the later book's). An entry costs its
 * content's bytes / 3, rounded up, as every text of the prompt does.
 */
#ifndef GUISE_PROMPT_LORE_H
#define GUISE_PROMPT_LORE_H
#include <jansson.h>
#include <stdint.h>

#include "err.h"
#include "macro.h"

#define G_PROMPT_LORE_BUDGET_DEFAULT 25 /* percent of the prompt budget */
#define G_PROMPT_NOTE_DEPTH_DEFAULT 4
#define G_PROMPT_NOTE_INTERVAL_DEFAULT 1

struct g_prompt_lore_in {
	const json_t *books;   /* JSON books, in lore_sources.h's order */
	/* a book that is a number N in books is ready[N], already read (a
	 * card's, from its lore index): used as it is, not released */
	const struct g_lore_book *const *ready;
	const json_t *history; /* message records {role, content, name?}, oldest first */
	const char *pending;   /* the new message, NULL none */
	const json_t *settings;
	const json_t *state;   /* the session's timed state (a list), NULL none */
	long chat_length;      /* messages stored; the new one is the next */
	int64_t prompt_budget; /* context_tokens - max_tokens */
	struct g_macro_ctx *m; /* the render's, names and seed set */
	uint64_t seed;
};

/* What lore places: at, an object of texts by position ("0", "1", "2",
 * "3", "5", "6"); depth, a list of {depth, role, content}, one for each
 * depth and role, in order of first use; outlets, {name: text}; report,
 * guise.lore (NULL when there was no book to scan: nothing placed). */
struct g_prompt_lore {
	json_t *at, *depth, *outlets, *report;
};

/* Activate, fit and place: 65 for a book that cannot be read (located),
 * 70 when memory fails. */
int g_prompt_lore_run(const struct g_prompt_lore_in *in, struct g_prompt_lore *out,
		      struct g_err *err);
void g_prompt_lore_release(struct g_prompt_lore *out);

/* The text lore placed at position ("0".."6"), "" when none. */
const char *g_prompt_lore_at(const struct g_prompt_lore *l, int position);

/* The text of {{outlet::NAME}} when name[0..len) is "outlet::NAME" ("" for
 * an outlet nothing fired into), else NULL. */
const char *g_prompt_outlet(const struct g_prompt_lore *l, const char *name, size_t len);

/* The author's note for this turn (prompt_note.c), SillyTavern's: lore of
 * the note's top, the persona at its top, the note's text, the persona
 * at its bottom, lore of its bottom, joined by newlines, placed every
 * note_interval user messages (the new one counted; 0: never). A new
 * message at *depth in role note_role, or NULL (nothing to place; *err
 * untouched) or NULL with err set (70). */
json_t *g_prompt_note(const struct g_prompt_lore_in *in, const struct g_prompt_lore *lore,
		      const char *persona_top, const char *persona_bottom, int64_t *depth,
		      struct g_err *err);

#endif
