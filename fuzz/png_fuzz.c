/*
 * png_fuzz: libFuzzer target for the PNG chunk walker, text chunks and
 * lenient base64 (lib/png, lib/base64). Oracles: a file whose card was found, once its
 * card chunks are stripped, has no card; the card written back as a tEXt
 * chunk reads back the same.
 */
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "png.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	unsigned char *stripped = NULL, *again = NULL, *b64 = NULL;
	size_t card_len = 0, stripped_len = 0, again_len = 0, b64_len = 0, n;
	char *card = NULL, *card2 = NULL;
	const char *keyword;
	struct g_err err;

	/* the lenient base64 reader, on the raw input */
	if (g_base64_decode_lenient((const char *)data, size, &b64, &b64_len) == 0)
		free(b64);
	if (g_png_card(data, size, "fuzz", &card, &card_len, &keyword, &err) < 0)
		return 0;
	if (g_png_without_cards(data, size, "fuzz", &stripped, &stripped_len, &err) < 0)
		abort(); /* a file that walked once must walk again */
	if (g_png_card(stripped, stripped_len, "fuzz", &card2, &n, &keyword, &err) == 0)
		abort(); /* stripped, yet a card is left */
	/* the card written back, as base64 in a tEXt chunk, reads back the same */
	{
		char *text = g_base64_encode((const unsigned char *)card, card_len);

		if (text && g_png_add_text(stripped, stripped_len, "tEXt", "chara", text,
					   strlen(text), 0, &again, &again_len, &err) < 0)
			abort();
		if (text && (g_png_card(again, again_len, "fuzz", &card2, &n, &keyword, &err) < 0 ||
			     n != card_len || memcmp(card2, card, n) != 0))
			abort();
		free(card2);
		free(text);
		free(again);
	}
	free(card);
	free(stripped);
	return 0;
}
