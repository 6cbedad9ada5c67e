/*
 * base64.h: bytes as text and back, in the three ways the project needs.
 */
#ifndef GUISE_BASE64_H
#define GUISE_BASE64_H
#include <stddef.h>

/* Base64 (URL-safe, unpadded), as sealed values and session tokens carry
 * bytes in text. g_base64_encode: a malloc'ed string or NULL. g_base64_decode:
 * a malloc'ed buffer and its length, or NULL if s is not base64. */
char *g_base64_encode(const unsigned char *p, size_t n);
/* Standard base64 with padding, as PNG card chunks carry it. */
char *g_base64_encode_std(const unsigned char *p, size_t n);
unsigned char *g_base64_decode(const char *s, size_t *n);

/* Base64 as cards carry it: standard or URL-safe alphabet, white space
 * anywhere, padding optional. -1 if it is not base64. */
int g_base64_decode_lenient(const char *s, size_t len, unsigned char **out,
			    size_t *out_len);

#endif
