/*
 * lore_fuzz: libFuzzer target for lore activation (lib/lore). The first
 * byte picks how the rest is used:
 *
 * even: as a JSON document {books, messages, state, settings}, read as
 * test-tool lore-activate reads it (bad ones must fail with 65, nothing
 * else);
 * odd: as a program that writes books and texts from pieces that meet:
 * keys from a small vocabulary (words, CJK, {{char}}, regexes, a hostile
 * one), content that names other keys (recursion) and carries decorators,
 * every flag, groups, timed effects, probability, a timed state (with
 * sources, or without as older builds stored it; two books of one name).
 *
 * Oracles, whatever the input: the same inputs and seed give the same
 * report byte for byte; every fired entry has a reason; nothing fires
 * twice, nor is skipped twice, nor both fired and skipped; every hit names
 * a real entry; the books read back from their index (lore_index.h, as a
 * render reads a card's book: quiet entries asleep until their keys may
 * be in the texts, and read only then) give the same report. In program
 * mode also: a key that lore_match searches by
 * hand (plain, or use_regex without a metacharacter; ASCII folded, CJK
 * left as is) matches a text exactly when PCRE2 finds it quoted (\Q..\E)
 * under the same caselessness.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lore.h"
#include "lore_index.h"
#include "lore_match.h"
#include "oracle.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char *const words[] = {
	"Azkar", "dragon", "tower", "bell", "moon", "東京", "ÉTÉ", "{{char}}", "<USER>",
	"/az+kar/i", "/(a+)+$/", "/(unclosed/", "/b$/m", "cat", "con cat", "",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))
static const char *const decors[] = {
	"@@activate", "@@dont_activate", "@@depth 2", "@@role user", "@@scan_depth 1",
	"@@additional_keys moon, bell", "@@exclude_keys cat", "@@activate_only_after 3",
	"@@activate_only_every 2", "@@keep_activate_after_match", "@@dont_activate_after_match",
	"@@position x", "@@@depth 1", "@@depth q",
};
#define NDECORS (sizeof(decors) / sizeof(decors[0]))
static const char *const texts[] = {
	"Tell me of Azkar", "the dragon sleeps", "concatenate", "私は東京に", "été",
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "Seraphina", "Wren", "a tower with a bell", "",
};
#define NTEXTS (sizeof(texts) / sizeof(texts[0]))

struct bytes {
	const unsigned char *p;
	size_t n;
};

static unsigned next(struct bytes *b)
{
	if (!b->n)
		return 0;
	b->n--;
	return *b->p++;
}

static json_t *strings(struct bytes *b, unsigned count)
{
	json_t *a = json_array();
	unsigned i;

	for (i = 0; i < count; i++)
		json_array_append_new(a, json_string(words[next(b) % NWORDS]));
	return a;
}

static json_t *entry(struct bytes *b, unsigned id)
{
	unsigned f = next(b), g = next(b), h = next(b), i, n;
	char content[512];
	size_t len = 0;
	json_t *e, *ext;

	for (n = next(b) % 3, i = 0; i < n; i++)
		len += (size_t)snprintf(content + len, sizeof(content) - len, "%s\n",
					decors[next(b) % NDECORS]);
	snprintf(content + len, sizeof(content) - len, "%s %s", words[next(b) % NWORDS],
		 texts[next(b) % NTEXTS]);
	ext = json_pack("{s:i, s:b, s:i, s:b, s:b, s:b, s:i, s:i, s:i, s:i, s:s, s:b, s:i, s:b}",
			"selectiveLogic", g & 3, "prevent_recursion", (g >> 2) & 1, "position",
			(g >> 3) % 8, "exclude_recursion", (g >> 6) & 1, "match_whole_words",
			!((h >> 0) & 1), "useProbability", (h >> 1) & 1, "probability", h % 101,
			"sticky", (h >> 2) & 3, "cooldown", (h >> 4) & 3, "delay", (f >> 6) * 2,
			"group", (f & 8) ? ((f & 16) ? "weather" : "weather, time") : "",
			"group_override", (f >> 5) & 1, "group_weight", (int)(next(b) % 4) * 50,
			"use_group_scoring", (g >> 7) & 1);
	if ((f & 3) == 3)
		json_object_set_new(ext, "delay_until_recursion", json_integer(1 + (h & 1)));
	if (f & 4)
		json_object_set_new(ext, "scan_depth", json_integer(next(b) % 4));
	e = json_pack("{s:i, s:o, s:o, s:s, s:b, s:b, s:b, s:b, s:i, s:o}", "id", (int)id, "keys",
		      strings(b, next(b) % 4), "secondary_keys", strings(b, next(b) % 3), "content",
		      content, "constant", (f & 1) && !(f & 2), "selective", (f >> 1) & 1,
		      "enabled", (next(b) % 8) != 0, "use_regex", (f & 7) == 6, "insertion_order",
		      (int)(next(b) % 5), "extensions", ext);
	return e;
}

/* pieces of keys and texts for the hand-search differential: ASCII of
 * both cases, CJK (no case), and characters that have one (é, fullwidth
 * Ａ) or are metacharacters, which must send the key to PCRE2 */
static const char *const pieces[] = {
	"a", "Z", "az", "AZ", "_", " ", "-", "東", "京", "ア", "한", "é", "É", "Ａ", "ａ", ".", "(",
};
#define NPIECES (sizeof(pieces) / sizeof(pieces[0]))

/* n pieces into a new string */
static char *pieced(struct bytes *b, unsigned n)
{
	size_t len = 0, cap = 0;
	char *s = NULL;
	const char *p;

	oracle_append(&s, &len, &cap, "", 0);
	while (n--) {
		p = pieces[next(b) % NPIECES];
		oracle_append(&s, &len, &cap, p, strlen(p));
	}
	s[len] = '\0';
	return s;
}

static void differential(struct bytes *b)
{
	struct g_lore_entry e;
	struct g_lore_matcher m;
	struct g_lore_key k;
	struct g_lore_filter filter;
	unsigned f = next(b);
	char *key = pieced(b, 1 + next(b) % 3), *text = pieced(b, next(b) % 12), *fold, *quoted;
	char *note;
	size_t len = strlen(text), i;
	pcre2_code *re;
	int code, want;
	PCRE2_SIZE off;

	memset(&e, 0, sizeof(e));
	e.use_regex = f & 1;
	e.case_sensitive = f & 2 ? 1 : -1;
	if (g_lore_match_key(&k, key, &e, NULL, NULL, &note) < 0 || g_lore_match_init(&m) < 0 ||
	    !(fold = strdup(text)) || !(quoted = malloc(k.len + 5)))
		abort();
	free(note);
	for (i = 0; i < len; i++)
		fold[i] = (char)(text[i] >= 'A' && text[i] <= 'Z' ? text[i] - 'A' + 'a' : text[i]);
	if (!k.pattern && !k.never) {
		memcpy(quoted, "\\Q", 2);
		memcpy(quoted + 2, k.text, k.len);
		memcpy(quoted + 2 + k.len, "\\E", 2);
		re = pcre2_compile((PCRE2_SPTR)quoted, k.len + 4,
				   (k.caseless ? PCRE2_CASELESS : 0) | PCRE2_UTF, &code, &off, NULL);
		if (!re)
			abort();
		want = pcre2_match(re, (PCRE2_SPTR)text, len, 0, 0, m.md, NULL) >= 0;
		/* the same with the text's filter as without */
		if (g_lore_match(&m, &k, text, fold, len, NULL) != want ||
		    g_lore_filter_make(&filter, NULL, fold, len) < 0 ||
		    g_lore_match(&m, &k, text, fold, len, &filter) != want)
			abort();
		g_lore_filter_release(&filter);
		pcre2_code_free(re);
	} else if (k.pattern) {
		/* a regex's required text (lore_literal.c), through the filter
		 * and the search before compiling, only ever saves work: the
		 * same as the pattern matched by PCRE2 itself */
		re = pcre2_compile((PCRE2_SPTR)k.pattern, k.plen,
				   k.flags | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ALT_BSUX |
					   PCRE2_NEVER_BACKSLASH_C,
				   &code, &off, NULL);
		want = re ? pcre2_match(re, (PCRE2_SPTR)text, len, 0, 0, m.md, m.mc) : -1;
		want = want >= 0 ? 1 : want == PCRE2_ERROR_NOMATCH || !re ? 0 : -1;
		if (g_lore_filter_make(&filter, NULL, fold, len) < 0)
			abort();
		/* one that gives up may be passed over for what it lacks */
		if ((g_lore_match(&m, &k, text, fold, len, &filter) != want && want != -1) ||
		    (g_lore_match(&m, &k, text, fold, len, NULL) != want && want != -1))
			abort();
		g_lore_filter_release(&filter);
		pcre2_code_free(re);
	}
	g_lore_match_key_release(&k);
	g_lore_match_release(&m);
	free(key);
	free(text);
	free(fold);
	free(quoted);
}

static const char *const sources[] = { "card:a", "lore:b", "lore:c" };

static json_t *program(struct bytes *b, uint64_t *seed)
{
	json_t *books = json_array(), *entries, *msgs = json_array(), *state = json_array();
	unsigned nb = 1 + next(b) % 3, i, j, n;

	*seed = next(b);
	for (i = 0; i < nb; i++) {
		entries = json_array();
		for (n = next(b) % 12, j = 0; j < n; j++)
			json_array_append_new(entries, entry(b, j));
		/* books 1 and 2 share a name, each its own source */
		json_array_append_new(books, json_pack("{s:s, s:s, s:o, s:{s:i}}", "name",
						       i ? "B" : "A", "source", sources[i],
						       "entries", entries, "extensions",
						       "max_recursion_steps", (int)(next(b) % 4)));
	}
	for (n = next(b) % 5, i = 0; i < n; i++)
		json_array_append_new(msgs, json_pack("{s:s, s:s}", "name", i & 1 ? "Kai" : "Wren",
						      "content", texts[next(b) % NTEXTS]));
	for (n = next(b) % 4, i = 0; i < n; i++) {
		unsigned start = next(b) % 8, kind = next(b) % 3, source = next(b) % 4;

		/* source 3: none, as state from before sources */
		json_array_append_new(state, json_pack("{s:s*, s:s, s:i, s:s, s:i, s:i, s:b}",
						       "source", source < 3 ? sources[source] : NULL,
						       "book",
						       next(b) & 1 ? "B" : "A", "entry",
						       (int)(next(b) % 12), "effect",
						       kind == 0 ? "sticky" : kind == 1 ? "cooldown" : "matched",
						       "start", (int)start, "end",
						       (int)(start + next(b) % 6), "protected",
						       (int)(next(b) & 1)));
	}
	return json_pack("{s:o, s:o, s:o, s:{s:i, s:i, s:s, s:s}}", "books", books, "messages",
			 msgs, "state", state, "settings", "chat_length", (int)(next(b) % 10),
			 "scan_depth", (int)(next(b) % 4), "char", "Seraphina", "user", "Wren");
}

static char *run(struct g_lore_doc *d, uint64_t seed)
{
	struct g_lore_out out;
	struct g_err err;
	json_t *j;
	char *text;
	size_t i, k;

	d->in.seed = seed;
	if (g_lore_activate(&d->in, &out, &err) < 0)
		abort(); /* only memory fails it */
	for (i = 0; i < out.nfired; i++) {
		const struct g_lore_hit *f = &out.fired[i];

		if (f->book >= d->nbooks || f->entry >= d->books[f->book].n || !f->why || !*f->why)
			abort();
		for (k = 0; k < out.nfired; k++)
			if (k != i && out.fired[k].book == f->book && out.fired[k].entry == f->entry)
				abort();
		for (k = 0; k < out.nskipped; k++)
			if (out.skipped[k].book == f->book && out.skipped[k].entry == f->entry)
				abort();
	}
	for (i = 0; i < out.nskipped; i++) {
		const struct g_lore_hit *s = &out.skipped[i];

		if (s->book >= d->nbooks || s->entry >= d->books[s->book].n || !s->why)
			abort();
		for (k = i + 1; k < out.nskipped; k++)
			if (out.skipped[k].book == s->book && out.skipped[k].entry == s->entry)
				abort();
	}
	if (!(j = g_lore_report_json(&d->in, &out)) || !(text = json_dumps(j, JSON_COMPACT)))
		abort();
	json_decref(j);
	g_lore_activate_release(&out);
	return text;
}

/* d's report with each book read back from its index, lazily as a render
 * reads one; NULL when a book has no index (an id neither number nor
 * string). */
static char *run_indexed(struct g_lore_doc *d, uint64_t seed)
{
	struct g_lore_book *plain = d->books, *ix = calloc(d->nbooks + 1, sizeof(*ix));
	struct g_err err;
	unsigned char *bytes;
	char *text = NULL;
	size_t i, n = 0, len;
	int rc = 0;

	if (!ix)
		abort();
	for (; n < d->nbooks && rc == 0; n++) {
		if ((rc = g_lore_index_write(&plain[n], &bytes, &len)) < 0)
			abort();
		if (rc == 1)
			break;
		if (g_lore_index_take_at(&ix[n], bytes, (char *)bytes, len, &err) != 0)
			abort(); /* what was written reads */
		if (plain[n].source && !(ix[n].source = strdup(plain[n].source)))
			abort();
	}
	if (rc == 0) {
		d->in.books = d->books = ix;
		text = run(d, seed);
		d->in.books = d->books = plain;
	}
	for (i = 0; i < n; i++)
		g_lore_book_release(&ix[i]);
	free(ix);
	return text;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct bytes b = { data + (size > 0), size - (size > 0) };
	struct g_lore_doc d;
	struct g_err err;
	uint64_t seed = 0;
	json_t *doc;
	char *t1, *t2;

	if (size && (data[0] & 1)) {
		struct bytes again = b; /* program() reads the same bytes: seeds keep their sense */

		differential(&again);
		doc = program(&b, &seed);
	}
	else
		doc = json_loadb((const char *)b.p, b.n, 0, NULL);
	if (!doc)
		return 0;
	if (g_lore_doc_read(&d, doc, &err) < 0) {
		if (err.code != G_EX_DATAERR)
			abort();
		json_decref(doc);
		return 0;
	}
	t1 = run(&d, seed);
	t2 = run(&d, seed);
	if (strcmp(t1, t2) != 0)
		abort();
	free(t2);
	if ((t2 = run_indexed(&d, seed)) && strcmp(t1, t2) != 0) {
		fprintf(stderr, "from JSON:  %s\nfrom index: %s\n", t1, t2);
		abort();
	}
	free(t1);
	free(t2);
	g_lore_doc_release(&d);
	json_decref(doc);
	return 0;
}
