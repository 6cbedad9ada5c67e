/* base64.c: base64 through libsodium for keys and tokens, and a lenient
 * reader of its own for cards. */
#include "base64.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static char *b64_encode(const unsigned char *p, size_t n, int variant)
{
	size_t size = sodium_base64_ENCODED_LEN(n, variant);
	char *s = malloc(size);

	if (s)
		sodium_bin2base64(s, size, p, n, variant);
	return s;
}

char *g_base64_encode(const unsigned char *p, size_t n)
{
	return b64_encode(p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

char *g_base64_encode_std(const unsigned char *p, size_t n)
{
	return b64_encode(p, n, sodium_base64_VARIANT_ORIGINAL);
}

unsigned char *g_base64_decode(const char *s, size_t *n)
{
	size_t len = strlen(s);
	unsigned char *out = malloc(len + 1);

	if (out && sodium_base642bin(out, len + 1, s, len, NULL, n, NULL,
				     sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
		sodium_memzero(out, len + 1); /* it may have held part of a token */
		free(out);
		out = NULL;
	}
	return out;
}

/* Base64 digits by byte: the value, the alphabet a digit belongs only to
 * (B64_STD for + and /, B64_URL for - and _), white space and '=' to skip,
 * anything else refused. Card text is not secret, so a plain table does:
 * libsodium's constant-time decoder cost a sixth of reading a PNG card. */
enum { B64_STD = 0x40, B64_URL = 0x80, B64_SKIP = 0x100, B64_BAD = 0x200 };

static const unsigned short *b64_table(void)
{
	static unsigned short t[256];
	static int ready;
	int i;

	if (ready)
		return t;
	for (i = 0; i < 256; i++)
		t[i] = B64_BAD;
	for (i = 0; i < 26; i++) {
		t['A' + i] = (unsigned short)i;
		t['a' + i] = (unsigned short)(26 + i);
	}
	for (i = 0; i < 10; i++)
		t['0' + i] = (unsigned short)(52 + i);
	t['+'] = 62 | B64_STD;
	t['/'] = 63 | B64_STD;
	t['-'] = 62 | B64_URL;
	t['_'] = 63 | B64_URL;
	/* padding is optional, and only at the end counts */
	t[' '] = t['\t'] = t['\r'] = t['\n'] = t['='] = B64_SKIP;
	ready = 1;
	return t;
}

int g_base64_decode_lenient(const char *s, size_t len, unsigned char **out,
			    size_t *out_len)
{
	const unsigned short *t = b64_table();
	unsigned char *o = malloc(len / 4 * 3 + 3);
	unsigned int acc = 0, seen = 0;
	size_t i, n = 0, digits = 0;
	int bits = 0;

	*out = NULL;
	if (!o)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned int v = t[(unsigned char)s[i]];

		if (v & B64_SKIP)
			continue;
		seen |= v;
		acc = (acc << 6) | (v & 63);
		bits += 6;
		digits++;
		if (bits >= 8) {
			bits -= 8;
			o[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* a byte that is no digit, both alphabets at once, one digit left over
	 * (no byte at all), or leftover bits an encoder would not write */
	if ((seen & B64_BAD) || (seen & (B64_STD | B64_URL)) == (B64_STD | B64_URL) ||
	    digits % 4 == 1 || acc != 0) {
		free(o);
		return -1;
	}
	*out = o;
	*out_len = n;
	return 0;
}
