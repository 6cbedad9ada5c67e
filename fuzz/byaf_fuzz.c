/*
 * byaf_fuzz: libFuzzer target for Backyard AI archives (lib/byaf,
 * lib/byaf_card). Oracles: a refusal is 65 (or 70, out of memory); strict
 * and lenient agree, strict refusing exactly when lenient warns; what
 * reads names a character and an avatar that are entries of the archive,
 * under safe names; the card is V3 with every text a string, no Backyard
 * macro left bare, no repeated greeting; the avatar is kept when it is
 * checked and checked when it is kept. The macro swap is idempotent.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "byaf.h"
#include "byaf_card.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void count(const char *msg, void *arg)
{
	(void)msg;
	(*(int *)arg)++;
}

/* Whether word occurs in s (any case) without a '}' after it. */
static int bare(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word), i;

	for (i = 0; i + w <= n; i++)
		if (strncasecmp(s + i, word, w) == 0 && (i + w == n || s[i + w] != '}'))
			return 1;
	return 0;
}

static void check_text(const json_t *v)
{
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);

	if (!s)
		abort();
	if (bare(s, n, "{user}") || bare(s, n, "{character}"))
		abort();
}

static void check_card(const struct g_byaf *b)
{
	static const char *const texts[] = { "description", "scenario", "first_mes",
					     "mes_example", "system_prompt", "personality",
					     "creator", "creator_notes", NULL };
	const json_t *data = json_object_get(b->card, "data"), *g, *h;
	size_t i, j;

	if (strcmp(json_string_value(json_object_get(b->card, "spec")), "chara_card_v3") != 0)
		abort();
	for (i = 0; texts[i]; i++)
		check_text(json_object_get(data, texts[i]));
	json_array_foreach (json_object_get(data, "alternate_greetings"), i, g) {
		check_text(g);
		for (j = 0; j < i; j++)
			if ((h = json_array_get(json_object_get(data, "alternate_greetings"), j)) &&
			    json_equal(g, h))
				abort();
	}
}

static void check_read(const struct g_byaf *b)
{
	size_t i, avatar = 0, character = 0;

	for (i = 0; i < b->zip.n_entries; i++) {
		const struct g_charx_entry *e = &b->zip.entries[i];

		if (g_charx_bad_name(e->path, strlen(e->path)))
			abort();
		avatar += e == b->avatar;
		character += e->path == b->character;
	}
	if (character != 1 || (b->avatar && avatar != 1))
		abort();
	check_card(b);
}

static void check_avatar(const struct g_byaf *b)
{
	struct g_err e1, e2;
	unsigned char *kept, *none;
	size_t kept_len, none_len;
	int r1 = g_byaf_avatar(b, "fuzz", 1, &kept, &kept_len, &e1);
	int r2 = g_byaf_avatar(b, "fuzz", 0, &none, &none_len, &e2);

	if (r1 != r2 || none || (r1 == 0 && !b->avatar != !kept))
		abort();
	if (r1 < 0 && e1.code != G_EX_DATAERR && e1.code != G_EX_SOFTWARE)
		abort();
	free(kept);
}

static void check_macros(const unsigned char *data, size_t size)
{
	json_t *once = g_byaf_card_macros((const char *)data, size), *twice;

	if (!once)
		return; /* not UTF-8: jansson takes no such string */
	twice = g_byaf_card_macros(json_string_value(once), json_string_length(once));
	if (!twice || !json_equal(once, twice))
		abort();
	json_decref(once);
	json_decref(twice);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct g_byaf lenient, strict;
	struct g_err err, serr;
	int warnings = 0, rc, src;

	check_macros(data, size);
	(void)g_byaf_sniff(data, size);
	rc = g_byaf_read(data, size, "fuzz", 0, count, &warnings, &lenient, &err);
	src = g_byaf_read(data, size, "fuzz", 1, NULL, NULL, &strict, &serr);
	if (rc < 0 && err.code != G_EX_DATAERR && err.code != G_EX_SOFTWARE)
		abort();
	/* strict refuses what lenient refuses, and what it warns about */
	if (src == 0 && (rc < 0 || warnings > 0))
		abort();
	if (rc == 0 && warnings == 0 && src < 0 && serr.code != G_EX_SOFTWARE)
		abort();
	if (rc == 0) {
		check_read(&lenient);
		check_avatar(&lenient);
	}
	if (src == 0 && !json_equal(lenient.card, strict.card))
		abort();
	g_byaf_release(&lenient);
	g_byaf_release(&strict);
	return 0;
}
