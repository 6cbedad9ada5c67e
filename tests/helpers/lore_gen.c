/*
 * lore_gen.c: test-tool lore-gen, books shaped like the ones SillyTavern
 * writes (World Info files, and the character_book it exports into cards),
 * made from a seed so a suite or a bench can ask for the same book again.
 *
 *   test-tool lore-gen [--entries N] [--seed S] [--constant C] [--chain L]
 *       [--regex R] [--mention M] [--messages K] [--kib X]
 *       [--format st|v3|card|doc|doc-st]
 *
 * Entries by index i, in this order (all counts fixed by the options, so a
 * test can count what fires by hand):
 *   [0, C)        constant, keyed by their name;
 *   [C, C+L)      a recursion chain: each one's content names the next
 *                 one's key, so the first key fires all L;
 *   [C+L, C+L+R)  one regex key each, /\bName(?:'s)?\b/i or /Name(?:ian|s)?/i;
 *   the rest, by r = i - (C+L+R): r%4==1 keyed in CJK, else by name (with
 *   0..2 more multi-word keys no text names); r%5==2 selective on secondary
 *   keys [dusk, frost] with logic (r/5)%4; r%7==3 in group faction-a or -b
 *   by (r/7)%2; r%11==5 probability 50; r%13==6 sticky 2; r%17==8
 *   cooldown 3; r%19==9 disabled; r%6==4 content starts "@@depth 3";
 *   r%50==20 content starts "@@dont_activate".
 * Names are three syllables (four past 4096 entries) of a table the seed
 * shuffles, one name per index: no key is inside another. Contents are
 * prose of the seed from words no key is made of.
 *
 * --format st: a World Info file; v3: a character_book (use_regex true on
 * every entry, as SillyTavern exports them); card: a V2 card carrying it
 * as data.character_book; doc, doc-st: a test-tool lore-activate document,
 * the book (v3 or st) and K messages (default 4) of about X KiB in all
 * (default 2), every message scanned, which name the first key of each
 * entry whose index is a multiple of M (default 10; 0: none), the chain's
 * first key, and the word "dusk" (the secondary keys' first).
 */
#include "lore_gen.h"

#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exit.h"
#include "msg.h"

static const char usage[] =
	"usage: test-tool lore-gen [--entries N] [--seed S] [--constant C] [--chain L]\n"
	"           [--regex R] [--mention M] [--messages K] [--kib X]\n"
	"           [--format st|v3|card|doc|doc-st]\n";

static const char *const syllables[16] = {
	"kal", "dor", "eth", "vyn", "mar", "sil", "tho", "rin",
	"bel", "ash", "quo", "zen", "lum", "gar", "fen", "ori",
};
static const char *const cjk_chars[16] = {
	"龍", "城", "月", "風", "雪", "花", "影", "剣", "森", "海", "星", "炎", "氷", "雷", "石", "鏡",
};
/* prose: none of these is, or holds as a word, a key */
static const char *const prose[] = {
	"the", "old", "road", "winds", "past", "a", "river", "where", "travellers", "rest",
	"under", "grey", "stone", "arches", "and", "speak", "of", "ancient", "wars", "its",
	"people", "keep", "lanterns", "burning", "through", "long", "winter", "nights", "while",
	"merchants", "trade", "salt", "for", "iron", "in", "quiet", "markets", "near", "hills",
};
#define NPROSE (sizeof(prose) / sizeof(prose[0]))

struct gen {
	long entries, seed, constant, chain, regex, mention, messages, kib;
	const char *format;
	uint64_t rng;
	int order[16]; /* syllables, shuffled by the seed */
	int digits;
	uint64_t mul, add; /* index to name, see name() */
};

static uint64_t draw(struct gen *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* entry i's name ("Kaldoreth") or CJK key ("龍城月") into buf */
static const char *name(const struct gen *g, long i, int cjk, char *buf, size_t size)
{
	/* an odd multiplier modulo a power of two: one name per index */
	uint64_t x = ((uint64_t)i * g->mul + g->add) & ((1ULL << (4 * g->digits)) - 1);
	size_t n = 0;
	int d;

	for (d = g->digits - 1; d >= 0; d--) {
		int s = g->order[(x >> (4 * d)) & 15];

		n += (size_t)snprintf(buf + n, size - n, "%s", cjk ? cjk_chars[s] : syllables[s]);
	}
	if (!cjk && n)
		buf[0] = (char)(buf[0] - 'a' + 'A');
	return buf;
}

/* words of prose, about `bytes` long, appended to *s (grown) */
static void words(struct gen *g, char **s, size_t *len, size_t bytes)
{
	size_t end = *len + bytes, w;
	char *p;

	while (*len < end) {
		const char *word = prose[draw(g) % NPROSE];
		int stop = draw(g) % 9 == 0;

		w = strlen(word);
		if (!(p = realloc(*s, *len + w + 3)))
			abort();
		*s = p;
		memcpy(p + *len, word, w);
		*len += w;
		if (stop || *len + 1 >= end)
			p[(*len)++] = '.';
		p[(*len)++] = ' ';
		p[*len] = '\0';
	}
}

static void append(char **s, size_t *len, const char *text)
{
	size_t n = strlen(text);
	char *p = realloc(*s, *len + n + 1);

	if (!p)
		abort();
	memcpy(p + *len, text, n + 1);
	*s = p;
	*len += n;
}

/* What the generator decides for one entry, written either way. */
struct entry {
	long i, r; /* r: index among the rest, -1 for the first three kinds */
	json_t *keys, *secondary;
	char comment[256];
	char *content;
	json_t *text; /* content, as the emitters take it */
	int constant, selective, logic, disabled, use_probability, probability;
	long order, sticky, cooldown, depth;
	const char *group;
};

static void make_entry(struct gen *g, long i, struct entry *e)
{
	long first = g->constant + g->chain + g->regex;
	char nm[64], next[64], key[128];
	size_t len = 0;
	long extra;

	memset(e, 0, sizeof(*e));
	e->i = i;
	e->r = i >= first ? i - first : -1;
	e->keys = json_array();
	e->secondary = json_array();
	e->group = "";
	e->probability = 100;
	e->use_probability = 1;
	e->depth = 4;
	e->order = draw(g) % 4 ? 100 : 50 + (long)(draw(g) % 200);
	name(g, i, 0, nm, sizeof(nm));
	if (e->r % 6 == 4) {
		append(&e->content, &len, "@@depth 3\n");
		e->depth = 3;
	} else if (e->r % 50 == 20) {
		append(&e->content, &len, "@@dont_activate\n");
	}
	if (i < g->constant) {
		e->constant = 1;
		snprintf(e->comment, sizeof(e->comment), "Constant: %s", nm);
	} else if (i < g->constant + g->chain) {
		snprintf(e->comment, sizeof(e->comment), "Chain %ld: %s", i - g->constant, nm);
	} else if (i < first) {
		snprintf(key, sizeof(key), i % 2 ? "/%s(?:ian|s)?/i" : "/\\b%s(?:'s)?\\b/i", nm);
		snprintf(e->comment, sizeof(e->comment), "%s (regex)", nm);
	} else if (e->r % 4 == 1) {
		name(g, i, 1, key, sizeof(key));
		snprintf(e->comment, sizeof(e->comment), "【%s】", key);
	} else {
		snprintf(e->comment, sizeof(e->comment), "%s", nm);
	}
	json_array_append_new(e->keys, json_string(i >= g->constant + g->chain &&
						   (i < first || e->r % 4 == 1) ? key : nm));
	for (extra = e->r < 0 || e->r % 4 == 1 ? 0 : (long)(draw(g) % 3); extra > 0; extra--) {
		snprintf(key, sizeof(key), extra == 1 ? "the %s Order" : "%s of the hills", nm);
		json_array_append_new(e->keys, json_string(key));
	}
	append(&e->content, &len, e->comment);
	append(&e->content, &len, ": ");
	words(g, &e->content, &len, 40 + draw(g) % 400);
	if (i >= g->constant && i + 1 < g->constant + g->chain) {
		append(&e->content, &len, "It leads to ");
		append(&e->content, &len, name(g, i + 1, 0, next, sizeof(next)));
		append(&e->content, &len, ".");
	}
	if (e->r < 0)
		return;
	if (e->r % 5 == 2) {
		e->selective = 1;
		e->logic = (int)(e->r / 5 % 4);
		json_array_append_new(e->secondary, json_string("dusk"));
		json_array_append_new(e->secondary, json_string("frost"));
	}
	if (e->r % 7 == 3)
		e->group = e->r / 7 % 2 ? "faction-b" : "faction-a";
	if (e->r % 11 == 5)
		e->probability = 50;
	e->sticky = e->r % 13 == 6 ? 2 : 0;
	e->cooldown = e->r % 17 == 8 ? 3 : 0;
	e->disabled = e->r % 19 == 9;
}

static json_t *st_entry(const struct entry *e)
{
	return json_pack("{s:I, s:O, s:O, s:s, s:O, s:b, s:b, s:b, s:i, s:b, s:I, s:i, s:b, s:b,"
			 " s:b, s:b, s:i, s:b, s:I, s:s, s:b, s:i, s:n, s:n, s:n, s:n, s:s, s:n,"
			 " s:I, s:I, s:i, s:I}",
			 "uid", (json_int_t)e->i, "key", e->keys, "keysecondary", e->secondary,
			 "comment", e->comment, "content", e->text, "constant", e->constant,
			 "vectorized", 0, "selective", e->selective || !e->constant, "selectiveLogic",
			 e->logic, "addMemo", 1, "order", (json_int_t)e->order, "position", 0,
			 "disable", e->disabled, "excludeRecursion", 0, "preventRecursion", 0,
			 "delayUntilRecursion", 0, "probability", e->probability, "useProbability",
			 e->use_probability, "depth", (json_int_t)e->depth, "group", e->group,
			 "groupOverride", 0, "groupWeight", 100, "scanDepth", "caseSensitive",
			 "matchWholeWords", "useGroupScoring", "automationId", "", "role", "sticky",
			 (json_int_t)e->sticky, "cooldown", (json_int_t)e->cooldown, "delay", 0,
			 "displayIndex", (json_int_t)e->i);
}

static json_t *v3_entry(const struct entry *e)
{
	json_t *ext = json_pack("{s:i, s:b, s:I, s:i, s:b, s:I, s:i, s:s, s:b, s:i, s:b, s:b,"
				" s:n, s:n, s:n, s:n, s:s, s:i, s:b, s:I, s:I, s:i}",
				"position", 0, "exclude_recursion", 0, "display_index",
				(json_int_t)e->i, "probability", e->probability, "useProbability",
				e->use_probability, "depth", (json_int_t)e->depth, "selectiveLogic",
				e->logic, "group", e->group, "group_override", 0, "group_weight",
				100, "prevent_recursion", 0, "delay_until_recursion", 0,
				"scan_depth", "match_whole_words", "use_group_scoring",
				"case_sensitive", "automation_id", "", "role", 0, "vectorized", 0,
				"sticky", (json_int_t)e->sticky, "cooldown", (json_int_t)e->cooldown,
				"delay", 0);

	json_t *v3 = json_pack("{s:I, s:O, s:O, s:s, s:O, s:b, s:b, s:I, s:b, s:s, s:b}", "id",
			       (json_int_t)e->i, "keys", e->keys, "secondary_keys", e->secondary,
			       "comment", e->comment, "content", e->text, "constant", e->constant,
			       "selective", e->selective || !e->constant, "insertion_order",
			       (json_int_t)e->order, "enabled", !e->disabled, "position",
			       "before_char", "use_regex", 1);

	if (!v3 || !ext) {
		json_decref(v3);
		json_decref(ext);
		return NULL;
	}
	json_object_set_new(v3, "extensions", ext);
	return v3;
}

static json_t *book(struct gen *g, int st)
{
	json_t *entries = st ? json_object() : json_array();
	struct entry e;
	char uid[32];
	long i;

	for (i = 0; i < g->entries; i++) {
		make_entry(g, i, &e);
		e.text = json_string(e.content);
		free(e.content);
		if (st) {
			snprintf(uid, sizeof(uid), "%ld", i);
			json_object_set_new(entries, uid, st_entry(&e));
		} else {
			json_array_append_new(entries, v3_entry(&e));
		}
		json_decref(e.keys);
		json_decref(e.secondary);
		json_decref(e.text);
	}
	if (st)
		return json_pack("{s:o}", "entries", entries);
	return json_pack("{s:s+, s:s, s:n, s:i, s:b, s:{}, s:o}", "name", "Generated ",
			 g->format, "description", "", "scan_depth", "token_budget", 2048,
			 "recursive_scanning", 1, "extensions", "entries", entries);
}

/* The messages of a doc: mentions spread over them, then prose to size. */
static json_t *messages(struct gen *g)
{
	long k, i, n = g->messages, first = g->constant + g->chain + g->regex;
	char **text = calloc((size_t)n, sizeof(*text)), nm[64], line[160];
	size_t *len = calloc((size_t)n, sizeof(*len)), at = 0;
	json_t *list = json_array();

	if (!text || !len)
		abort();
	append(&text[0], &len[0], "At dusk we rest. ");
	for (i = 0; i < g->entries; i++) {
		int chain_tail = i > g->constant && i < g->constant + g->chain;
		int head = g->chain && i == g->constant;

		if (!head && (chain_tail || !g->mention || i % g->mention))
			continue;
		if (i >= first && (i - first) % 4 == 1)
			snprintf(line, sizeof(line), "私たちは%sへ行く。 ", name(g, i, 1, nm, sizeof(nm)));
		else
			snprintf(line, sizeof(line), "We speak of %s. ", name(g, i, 0, nm, sizeof(nm)));
		k = (long)(at++ % (size_t)n);
		append(&text[k], &len[k], line);
	}
	for (k = 0; k < n; k++) {
		if ((size_t)(g->kib * 1024 / n) > len[k])
			words(g, &text[k], &len[k], (size_t)(g->kib * 1024 / n) - len[k]);
		json_array_append_new(list, json_pack("{s:s, s:s}", "name", k % 2 ? "Kai" : "Wren",
						      "content", text[k]));
		free(text[k]);
	}
	free(text);
	free(len);
	return list;
}

static const struct option longopts[] = {
	{ "chain", required_argument, NULL, 'L' },   { "constant", required_argument, NULL, 'C' },
	{ "entries", required_argument, NULL, 'n' }, { "format", required_argument, NULL, 'f' },
	{ "kib", required_argument, NULL, 'x' },     { "mention", required_argument, NULL, 'M' },
	{ "messages", required_argument, NULL, 'K' }, { "regex", required_argument, NULL, 'R' },
	{ "seed", required_argument, NULL, 's' },    { NULL, 0, NULL, 0 },
};

static int options(struct gen *g, int argc, char **argv)
{
	static const char *const formats[] = { "st", "v3", "card", "doc", "doc-st", NULL };
	const char *const *f;
	long *slot;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		if (c == 'f') {
			g->format = optarg;
			continue;
		}
		slot = c == 'L' ? &g->chain : c == 'C' ? &g->constant : c == 'n' ? &g->entries :
		       c == 'x' ? &g->kib : c == 'M' ? &g->mention : c == 'K' ? &g->messages :
		       c == 'R' ? &g->regex : c == 's' ? &g->seed : NULL;
		if (!slot)
			return g_msg_usage(usage, "lore-gen: unknown option");
		if (g_cli_parse_long(optarg, 0, c == 'n' ? 65536 : LONG_MAX / 1024, slot) < 0)
			return g_msg_usage(usage, "lore-gen: '%s' is not a number in range", optarg);
	}
	if (optind != argc)
		return g_msg_usage(usage, "lore-gen: unexpected argument '%s'", argv[optind]);
	if (g->constant + g->chain + g->regex > g->entries)
		return g_msg_usage(usage, "lore-gen: --constant, --chain and --regex pass --entries");
	if (g->messages < 1)
		return g_msg_usage(usage, "lore-gen: --messages must be 1 or more");
	for (f = formats; *f; f++)
		if (strcmp(g->format, *f) == 0)
			return -1;
	return g_msg_usage(usage, "lore-gen: --format: '%s' is not st, v3, card, doc or doc-st",
			   g->format);
}

int lore_gen_main(int argc, char **argv)
{
	struct gen g = { .entries = 100, .mention = 10, .messages = 4, .kib = 2, .format = "v3" };
	json_t *out;
	int rc, i, j, t;

	if ((rc = options(&g, argc, argv)) >= 0)
		return rc;
	g.rng = (uint64_t)g.seed;
	for (i = 0; i < 16; i++)
		g.order[i] = i;
	for (i = 15; i > 0; i--) {
		j = (int)(draw(&g) % (uint64_t)(i + 1));
		t = g.order[i];
		g.order[i] = g.order[j];
		g.order[j] = t;
	}
	g.digits = g.entries > 4096 ? 4 : 3;
	g.mul = draw(&g) | 1;
	g.add = draw(&g);
	if (strcmp(g.format, "st") == 0 || strcmp(g.format, "v3") == 0)
		out = book(&g, g.format[0] == 's');
	else if (strcmp(g.format, "card") == 0)
		out = json_pack("{s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:o}}", "spec",
				"chara_card_v2", "spec_version", "2.0", "data", "name", "Loremaster",
				"description", "{{char}} knows every road of the realm.", "personality",
				"patient", "scenario", "{{user}} asks about the realm.", "first_mes",
				"Ask, and I will tell.", "mes_example", "", "character_book",
				book(&g, 0));
	else
		out = json_pack("{s:[o], s:o, s:{s:I, s:I}}", "books", book(&g, g.format[3] == '-'),
				"messages", messages(&g), "settings", "scan_depth",
				(json_int_t)g.messages, "chat_length", (json_int_t)g.messages);
	if (!out || json_dumpf(out, stdout, JSON_COMPACT) < 0 || putchar('\n') == EOF) {
		json_decref(out);
		g_msg("lore-gen: cannot write the book");
		return G_EX_SOFTWARE;
	}
	json_decref(out);
	return 0;
}
