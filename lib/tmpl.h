/*
 * tmpl.h: story-string templates, SillyTavern's subset of Handlebars
 * (DESIGN.md §8): {{var}}, {{#if var}}...{{else}}...{{/if}} and
 * {{#unless var}}...{{else}}...{{/unless}}, nested.
 *
 * A template is parsed once (g_tmpl_parse; errors located
 * 'name':line:col, 65) and rendered as a sequence of pieces handed to the
 * caller: the template's own text, and each variable's value. A {{...}}
 * that names no variable (the var callback says NULL) is not the
 * template's business: it is handed on as the template's own text, for the
 * macro pass (macro.h) to expand. #if is true for a variable whose value is
 * not empty. The caller frees the template with g_tmpl_free.
 */
#ifndef GUISE_TMPL_H
#define GUISE_TMPL_H
#include <stddef.h>

#include "err.h"

#define G_TMPL_MAX_DEPTH 32
#define G_TMPL_MAX_BYTES ((size_t)1 << 20)

struct g_tmpl;

/* Parse text[0..len) (NUL bytes refused) named name in messages. */
struct g_tmpl *g_tmpl_parse(const char *text, size_t len, const char *name,
			    struct g_err *err);
void g_tmpl_free(struct g_tmpl *t);

/* The value of variable name (len bytes), or NULL: not a variable. */
typedef const char *(*g_tmpl_var_fn)(const char *name, size_t len, void *arg);
/* One piece of output: literal is 1 for the template's own text, 0 for a
 * variable's value. Non-zero stops the render (its value returned). */
typedef int (*g_tmpl_out_fn)(const char *text, size_t len, int literal, void *arg);

int g_tmpl_render(const struct g_tmpl *t, g_tmpl_var_fn var, g_tmpl_out_fn out,
		  void *arg);

#endif
