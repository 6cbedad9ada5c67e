/*
 * card_fuzz: libFuzzer target for the card normaliser (lib/card), fed by
 * the document reader. Oracles: a canonical card is a fixed point, it
 * normalises to itself, as V3; its name holds no NUL byte; and the card
 * as it came (lib/card_lenient: the values as written put back, as an
 * export does) reads back as the same canonical card.
 */
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "card_lenient.h"
#include "doc.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct g_doc_reader *r = g_doc_reader_new_mem(data, size, "fuzz", G_DOC_AUTO,
						      G_DOC_RECORDS);
	enum g_card_shape shape, again_shape;
	struct g_err err;
	json_t *doc, *card, *again, *back;
	int n = 0;

	if (!r)
		return 0;
	while (n++ < 16 && g_doc_read(r, &doc, &err) > 0) {
		card = g_card_normalize(doc, "fuzz", n & 1, &shape, NULL, NULL, &err);
		if (card) {
			const json_t *name = json_object_get(json_object_get(card, "data"), "name");

			if (memchr(json_string_value(name), '\0', json_string_length(name)))
				abort();
			again = g_card_normalize(card, "fuzz", 0, &again_shape, NULL, NULL, &err);
			if (!again || again_shape != G_CARD_V3 || !json_equal(again, card))
				abort();
			json_decref(again);
			again = json_deep_copy(card);
			g_card_lenient_restore(again);
			back = g_card_normalize(again, "fuzz", 0, &again_shape, NULL, NULL, &err);
			if (!back || !json_equal(back, card))
				abort();
			json_decref(back);
			json_decref(again);
			json_decref(card);
		}
		json_decref(doc);
	}
	g_doc_reader_free(r);
	return 0;
}
