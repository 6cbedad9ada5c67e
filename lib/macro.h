/*
 * macro.h: SillyTavern's macros in the texts that reach a prompt (DESIGN.md
 * §8): {{char}}, {{user}}, {{persona}}, {{description}}, {{personality}},
 * {{scenario}}, {{mesExamples}}, {{original}}, <USER>, <BOT>, <CHAR>,
 * {{random:a,b}}, {{pick:a,b}}, {{roll:dN}}, {{// comment}} and {{trim}},
 * names in any case. One pass, no recursion: what a macro puts in is never
 * expanded again, so no text can make the output grow without bound
 * beyond the values given. Unknown {{...}} stay as they are.
 *
 * {{random}} and {{roll}} draw from a generator seeded by the caller and
 * shared across texts (so two {{random}} differ, and a render is the same
 * for the same seed); {{pick}} is stable: the same text in the same place
 * under the same pick key picks the same item.
 */
#ifndef GUISE_MACRO_H
#define GUISE_MACRO_H
#include <stddef.h>
#include <stdint.h>

/* What the macros stand for; NULL strings are empty. */
struct g_macro_ctx {
	const char *char_name; /* {{char}}, <BOT>, <CHAR> */
	const char *user_name; /* {{user}}, <USER> */
	const char *persona;   /* the active persona's description */
	const char *description, *personality, *scenario, *mes_examples;
	const char *original; /* {{original}} */
	const char *pick_key; /* what {{pick}} is stable for (a session id) */
	uint64_t rng;         /* generator state, advanced by random and roll */
};

/* The generator seeded: the same seed, the same draws. */
void g_macro_seed(struct g_macro_ctx *m, uint64_t seed);

/* text[0..len) with its macros expanded: a malloc'ed NUL-terminated string
 * (*out_len its length), NULL if memory fails. swap: the text is an
 * impersonated character's own, so {{char}} and {{user}} (and <BOT>/<CHAR>
 * and <USER>) trade places. */
char *g_macro_expand(struct g_macro_ctx *m, const char *text, size_t len, int swap,
		     size_t *out_len);

/* Where the {{...}} are, for the macro pass and the template parser alike:
 * the "{{" at text[i] opens a tag if a "}}" follows and neither a third '{'
 * nor another "{{" comes before it (then its first brace is text: "Type {{
 * to open; {{char}}", "{{{char}}}"). A scan goes forward only (i grows from
 * call to call over the same text) and remembers the next "}}" and the
 * last "{{" before it, so each byte is looked at a bounded number of times
 * however many braces the text holds. Zeroed to start. */
struct g_macro_scan {
	size_t close;     /* the first "}}" at or after the last search */
	size_t last_open; /* the last "{{" before close, or SIZE_MAX */
	int searched, none_left;
};

/* The offset of the "}}" closing the "{{" at text[i], or 0: no tag there. */
size_t g_macro_tag(struct g_macro_scan *sc, const char *text, size_t len, size_t i);

#endif
