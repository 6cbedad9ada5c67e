/*
 * base64_fuzz: libFuzzer target for the lenient base64 reader cards use
 * (g_base64_decode_lenient, lib/base64). Oracle: whatever it decodes, encoded
 * again (URL-safe and unpadded, g_base64_encode) decodes to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "base64.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	unsigned char *bytes, *again;
	size_t n, m;
	char *text;

	if (g_base64_decode_lenient((const char *)data, size, &bytes, &n) < 0)
		return 0;
	if (n > size) /* four characters make at most three bytes */
		abort();
	if (!(text = g_base64_encode(bytes, n)))
		abort();
	if (g_base64_decode_lenient(text, strlen(text), &again, &m) < 0 || m != n ||
	    memcmp(again, bytes, n) != 0)
		abort();
	free(again);
	free(text);
	free(bytes);
	return 0;
}
