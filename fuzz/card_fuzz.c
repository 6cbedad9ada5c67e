/*
 * card_fuzz: libFuzzer target for the card normaliser (lib/card), fed by
 * the document reader. Oracles: a canonical card is a fixed point, it
 * normalises to itself, as V3; its name holds no NUL byte.
 */
#include <stdlib.h>
#include <string.h>

#include "card.h"
#include "doc.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct g_doc_reader *r = g_doc_reader_new_mem(data, size, "fuzz", G_DOC_AUTO,
						      G_DOC_RECORDS);
	enum g_card_shape shape, again_shape;
	struct g_err err;
	json_t *doc, *card, *again;
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
			json_decref(card);
		}
		json_decref(doc);
	}
	g_doc_reader_free(r);
	return 0;
}
