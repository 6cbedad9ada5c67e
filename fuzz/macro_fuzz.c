/*
 * macro_fuzz: libFuzzer target for the macro pass (lib/macro). Each input
 * is used twice.
 *
 * As a text, expanded (its first byte also picks the swap, the seed and
 * which values are NULL). Oracles: the result is NUL-terminated at its
 * length; the same seed gives the same output and leaves the generator in
 * the same state; text without "{{" and '<' comes back unchanged; text
 * that does not say random or roll leaves the generator alone and comes
 * out the same under any seed ({{pick}} is stable); the output is no
 * longer than the input plus, for each "{{" and '<', the longest value
 * (or 20 digits of a roll).
 *
 * As a program that writes a text from well-separated pieces (plain text
 * without "}", angle brackets or digits, a '{' or a stray "{{ " that hides
 * no macro after it; each macro in any case;
 * comments; unknown {{...}}; {{random}}, {{pick}}, {{roll}} over items
 * that can be told apart), the expected output alongside. Oracles: the
 * output is the pieces with each macro's value put in once and never
 * expanded again, {{char}} and {{user}} traded under swap, comments gone,
 * unknown macros kept, random and pick one of their items, roll a number
 * in 1..N; and the generator is untouched when nothing draws from it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "oracle.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* Values that look like macros, to show they are not expanded again. */
static const char *const v_char[] = {"Seraphina", "Kai {{user}}", ""};
static const char *const v_user[] = {"Wren", "<BOT> me", "{{CHAR}}"};
#define PERSONA "A quiet {{char}}, <USER>."
#define DESCRIPTION "{{random:@x@,@y@}} {{roll:d6}}"
#define PERSONALITY "{{// kept}}"
#define SCENARIO "line\n{{trim}}\n"
#define MES_EXAMPLES "<START>\n{{user}}: hi"
#define ORIGINAL "Write {{char}}'s next reply."

static int has_ci(const char *s, size_t len, const char *what)
{
	size_t w = strlen(what), i, j;

	for (i = 0; i + w <= len; i++) {
		for (j = 0; j < w && (s[i + j] | 0x20) == (what[j] | 0x20); j++)
			;
		if (j == w)
			return 1;
	}
	return 0;
}

/* The context a byte describes: which values, which are NULL. */
static void context(struct g_macro_ctx *m, unsigned b, uint64_t seed)
{
	memset(m, 0, sizeof(*m));
	m->char_name = b & 1 ? NULL : v_char[(b >> 1) % 3];
	m->user_name = b & 8 ? NULL : v_user[(b >> 4) % 3];
	m->persona = b & 16 ? NULL : PERSONA;
	m->description = DESCRIPTION;
	m->personality = PERSONALITY;
	m->scenario = b & 32 ? NULL : SCENARIO;
	m->mes_examples = MES_EXAMPLES;
	m->original = b & 64 ? NULL : ORIGINAL;
	m->pick_key = b & 128 ? NULL : "0190f0c0-aaaa-7bbb-8ccc-dddddddddddd";
	g_macro_seed(m, seed);
}

static size_t longest(const struct g_macro_ctx *m)
{
	const char *v[] = {m->char_name, m->user_name, m->persona, m->description,
			   m->personality, m->scenario, m->mes_examples, m->original};
	size_t i, n = 20; /* a roll's digits */

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (v[i] && strlen(v[i]) > n)
			n = strlen(v[i]);
	return n;
}

static char *expand(unsigned b, uint64_t seed, const char *text, size_t len, int swap,
		    size_t *out_len, uint64_t *rng)
{
	struct g_macro_ctx m;
	char *out;

	context(&m, b, seed);
	*out_len = (size_t)-1;
	if (!(out = g_macro_expand(&m, text, len, swap, out_len)) || out[*out_len] != '\0')
		abort();
	*rng = m.rng;
	return out;
}

static void as_text(const char *text, size_t len)
{
	unsigned b = len ? (unsigned char)text[0] : 0;
	int swap = (b >> 2) & 1;
	uint64_t seed = len > 1 ? (unsigned char)text[1] * 0x9e3779b97f4a7c15ULL : 0;
	struct g_macro_ctx m;
	size_t n1, n2, bound;
	uint64_t r1, r2, r0;
	char *o1, *o2;

	context(&m, b, seed);
	r0 = m.rng;
	o1 = expand(b, seed, text, len, swap, &n1, &r1);
	o2 = expand(b, seed, text, len, swap, &n2, &r2);
	if (n1 != n2 || memcmp(o1, o2, n1) || r1 != r2)
		abort();
	free(o2);
	bound = len + (oracle_count(text, len, "{{") + oracle_count(text, len, "<")) * longest(&m);
	if (n1 > bound)
		abort();
	if (!memmem(text, len, "{{", 2) && !memchr(text, '<', len) &&
	    (n1 != len || memcmp(o1, text, len) || r1 != r0))
		abort();
	if (!has_ci(text, len, "random") && !has_ci(text, len, "roll")) {
		if (r1 != r0)
			abort();
		o2 = expand(b, seed + 1, text, len, swap, &n2, &r2);
		if (n1 != n2 || memcmp(o1, o2, n1))
			abort();
		free(o2);
	}
	free(o1);
}

/* --- the text as a program ------------------------------------------------ */

static const char *const texts[] = {"Hello ", "\n", "x", " ", "a < b", "'s ", "char", "user",
				    "ü", "\t", "//", "random:", "trim", "\r\n", "{"};
#define NTEXTS (sizeof(texts) / sizeof(texts[0]))
/* not macros: kept as they are; a stray "{{ " hides no macro after it */
static const char *const unknowns[] = {"{{zz}}",   "{{charx}}", "{{randomly}}", "<USERS>",
				       "<BOT",     "{{pickle}}", "{{}}",        "{{persona_}}",
				       "<CHARS>", "{{usr}}",    "{{ "};
#define NUNKNOWNS (sizeof(unknowns) / sizeof(unknowns[0]))
static const char *const comments[] = {"{{// note}}", "{{//note}}", "{{// <BOT> a < b}}",
				       "{{//}}", "{{// two\nlines}}"};
#define NCOMMENTS (sizeof(comments) / sizeof(comments[0]))

enum { CHAR_NAME, USER_NAME, PERSONA_V, DESCRIPTION_V, PERSONALITY_V, SCENARIO_V, EXAMPLES_V,
       ORIGINAL_V };
static const struct {
	const char *name;
	int value;
} macros[] = {{"{{char}}", CHAR_NAME},
	      {"{{user}}", USER_NAME},
	      {"{{persona}}", PERSONA_V},
	      {"{{description}}", DESCRIPTION_V},
	      {"{{personality}}", PERSONALITY_V},
	      {"{{scenario}}", SCENARIO_V},
	      {"{{mesExamples}}", EXAMPLES_V},
	      {"{{original}}", ORIGINAL_V},
	      {"<USER>", USER_NAME},
	      {"<BOT>", CHAR_NAME},
	      {"<CHAR>", CHAR_NAME}};
#define NMACROS (sizeof(macros) / sizeof(macros[0]))

/* What one piece of the output must be. */
struct part {
	enum { FIXED, ONE_OF, NUMBER } kind;
	const char *text; /* FIXED; ONE_OF: items "@x@" in a row, 3 bytes each */
	size_t len;
	unsigned long max; /* NUMBER: 1..max */
};

#define MAX_PARTS 512

struct prog {
	char src[MAX_PARTS * 40];
	size_t len;
	struct part parts[MAX_PARTS];
	size_t n;
	int draws, picks;
	char items[MAX_PARTS][16];
};

static void put(struct prog *p, const char *s, size_t n)
{
	memcpy(p->src + p->len, s, n);
	p->len += n;
}

static void fixed(struct prog *p, const char *s)
{
	if (s && *s)
		p->parts[p->n++] = (struct part){FIXED, s, strlen(s), 0};
}

static const char *value_of(const struct g_macro_ctx *m, int v, int swap)
{
	switch (v) {
	case CHAR_NAME:
		return swap ? m->user_name : m->char_name;
	case USER_NAME:
		return swap ? m->char_name : m->user_name;
	case PERSONA_V:
		return m->persona;
	case DESCRIPTION_V:
		return m->description;
	case PERSONALITY_V:
		return m->personality;
	case SCENARIO_V:
		return m->scenario;
	case EXAMPLES_V:
		return m->mes_examples;
	default:
		return m->original;
	}
}

static void write_prog(struct prog *p, const struct g_macro_ctx *m, int swap,
		       const unsigned char *data, size_t size)
{
	char buf[64];
	size_t i, j, n;

	for (i = 0; i < size && p->n < MAX_PARTS - 2 && p->len < sizeof(p->src) - 64; i++) {
		unsigned b = data[i], op = b & 7, k = b >> 3;

		switch (op) {
		case 0:
		case 1:
			put(p, texts[k % NTEXTS], strlen(texts[k % NTEXTS]));
			fixed(p, texts[k % NTEXTS]);
			break;
		case 2: /* a macro, its letters in any case */
			n = strlen(macros[k % NMACROS].name);
			memcpy(buf, macros[k % NMACROS].name, n);
			for (j = 0; j < n; j++)
				if (((b ^ (unsigned)j * 7) & 1) && buf[j] >= 'a' && buf[j] <= 'z')
					buf[j] = (char)(buf[j] - 'a' + 'A');
				else if (((b ^ (unsigned)j * 5) & 2) && buf[j] >= 'A' &&
					 buf[j] <= 'Z')
					buf[j] = (char)(buf[j] - 'A' + 'a');
			put(p, buf, n);
			fixed(p, value_of(m, macros[k % NMACROS].value, swap));
			break;
		case 3:
			put(p, comments[k % NCOMMENTS], strlen(comments[k % NCOMMENTS]));
			break;
		case 4:
			put(p, unknowns[k % NUNKNOWNS], strlen(unknowns[k % NUNKNOWNS]));
			fixed(p, unknowns[k % NUNKNOWNS]);
			break;
		case 5: /* random or pick over 1..4 items */
		case 6: {
			char *items = p->items[p->n];
			unsigned nitems = 1 + (k & 3), it;
			int pick = op == 6;

			n = (size_t)snprintf(buf, sizeof(buf), "{{%s:",
					     pick ? (k & 4 ? "PICK" : "pick")
						  : (k & 4 ? "Random" : "random"));
			for (it = 0; it < nitems; it++) {
				items[it * 3] = '@';
				items[it * 3 + 1] = (char)((pick ? 'p' : 'a') + it);
				items[it * 3 + 2] = '@';
				if (it)
					buf[n++] = ',';
				memcpy(buf + n, items + it * 3, 3);
				n += 3;
			}
			memcpy(buf + n, "}}", 2);
			put(p, buf, n + 2);
			p->parts[p->n++] = (struct part){ONE_OF, items, nitems * 3, 0};
			if (pick)
				p->picks++;
			else
				p->draws++;
			break;
		}
		case 7: { /* a roll, then a bar so that its digits end */
			unsigned long max = 1 + (k % 8) * (k % 8) * (k % 8) * 3;

			n = (size_t)snprintf(buf, sizeof(buf), k & 16 ? "{{roll:d%lu}}|" : "{{ROLL:%lu}}|",
					     max);
			put(p, buf, n);
			p->parts[p->n++] = (struct part){NUMBER, NULL, 0, max};
			fixed(p, "|");
			p->draws++;
			break;
		}
		}
	}
}

/* Whether out[0..len) is what the parts say. */
static int matches(const struct prog *p, const char *out, size_t len)
{
	size_t pos = 0, i, j;

	for (i = 0; i < p->n; i++) {
		const struct part *t = &p->parts[i];

		switch (t->kind) {
		case FIXED:
			if (len - pos < t->len || memcmp(out + pos, t->text, t->len))
				return 0;
			pos += t->len;
			break;
		case ONE_OF:
			for (j = 0; j < t->len; j += 3)
				if (len - pos >= 3 && !memcmp(out + pos, t->text + j, 3))
					break;
			if (j >= t->len)
				return 0;
			pos += 3;
			break;
		case NUMBER: {
			unsigned long v = 0;
			size_t start = pos;

			while (pos < len && out[pos] >= '0' && out[pos] <= '9' && pos - start < 12)
				v = v * 10 + (unsigned long)(out[pos++] - '0');
			if (pos == start || out[start] == '0' || v < 1 || v > t->max)
				return 0;
			break;
		}
		}
	}
	return pos == len;
}

static void as_program(const unsigned char *data, size_t size)
{
	static struct prog p;
	unsigned b = size ? data[0] : 0;
	int swap = (b >> 2) & 1;
	uint64_t seed = size > 1 ? data[1] : 7, r0, r1, r2;
	struct g_macro_ctx m;
	size_t n1, n2;
	char *o1, *o2;

	memset(&p, 0, sizeof(p));
	context(&m, b, seed);
	r0 = m.rng;
	write_prog(&p, &m, swap, size > 2 ? data + 2 : data, size > 2 ? size - 2 : 0);
	o1 = expand(b, seed, p.src, p.len, swap, &n1, &r1);
	if (!matches(&p, o1, n1)) {
		fprintf(stderr, "macro_fuzz: swap %d, text:\n%.*s\noutput:\n%.*s\n", swap,
			(int)p.len, p.src, (int)n1, o1);
		abort();
	}
	if (!p.draws && r1 != r0)
		abort();
	o2 = expand(b, seed, p.src, p.len, swap, &n2, &r2);
	if (n1 != n2 || memcmp(o1, o2, n1) || r1 != r2)
		abort();
	free(o2);
	if (!p.draws) { /* pick does not draw: the same under another seed */
		o2 = expand(b, seed ^ 0x5555, p.src, p.len, swap, &n2, &r2);
		if (n1 != n2 || memcmp(o1, o2, n1))
			abort();
		free(o2);
	}
	free(o1);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	oracle_on_copy(data, size, as_text);
	as_program(data, size);
	return 0;
}
