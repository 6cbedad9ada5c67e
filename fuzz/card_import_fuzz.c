/*
 * card_import_fuzz: libFuzzer target for reading cards out of any file
 * (lib/card_import: format detection, PNG and CHARX paths, text records,
 * SillyTavern persona backups in lib/st_persona). Oracles: every card handed
 * out is canonical (it normalises to itself), a persona's placement is
 * valid, and the card exported as a PNG (lib/card_export) as it came (its
 * values as written put back, lib/card_lenient) reads back the same.
 */
#include <stdlib.h>

#include "card_export.h"
#include "card_import.h"
#include "card_lenient.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static int same_card(const struct g_card_item *items, size_t n, const struct g_err *failure,
		     void *arg)
{
	const json_t *want = arg;

	if (failure || n != 1)
		abort(); /* one card in, one card out */
	if (!json_equal(items[0].card, want))
		abort();
	return 0;
}

static int check_one(const struct g_card_item *item)
{
	struct g_card_import_opts o = { G_DOC_AUTO, 0, 1, NULL, NULL, NULL, NULL };
	enum g_card_shape shape;
	unsigned char *png = NULL;
	size_t png_len;
	struct g_err err;
	json_t *again, *as_came;

	again = g_card_normalize(item->card, "fuzz", 0, &shape, NULL, NULL, &err);
	if (!again || !json_equal(again, item->card))
		abort();
	json_decref(again);
	if (item->from_backup && !g_placement_valid(&item->place))
		abort();
	as_came = json_deep_copy(item->card);
	if (!as_came)
		abort();
	g_card_lenient_restore(as_came);
	if (g_card_export_png(as_came, item->avatar, item->avatar_len, &png, &png_len, &err) < 0)
		abort();
	json_decref(as_came);
	if (g_card_import_read(png, png_len, "exported", &o, same_card, item->card, &err) < 0)
		abort();
	free(png);
	return 0;
}

static int check(const struct g_card_item *items, size_t n, const struct g_err *failure,
		 void *arg)
{
	size_t i;

	(void)arg;
	if (failure) {
		if (items || n)
			abort(); /* a failure carries no cards */
		return 0;
	}
	for (i = 0; i < n; i++)
		check_one(&items[i]);
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct g_card_import_opts o = { G_DOC_AUTO, (int)(size & 1), 1, NULL, NULL, NULL, NULL };
	struct g_err err;

	g_card_import_read(data, size, "fuzz", &o, check, NULL, &err);
	return 0;
}
