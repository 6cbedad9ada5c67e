/*
 * crypt_ad.h: the associated data a sealed field is bound by (crypt.c),
 * for the files of crypt that seal in other forms (crypt_parts.c). Not for
 * use outside crypt*.c.
 */
#ifndef GUISE_CRYPT_AD_H
#define GUISE_CRYPT_AD_H
#include <stddef.h>
#include <stdint.h>

#include "crypt.h"

/* Each value as an 8-byte little-endian length and its bytes, so no two
 * different lists of values make the same bytes. */
struct g_crypt_ad {
	unsigned char buf[4096];
	size_t len;
	int overflow;
};

/* a made anew: the format byte `version`, the place f, and bind's values
 * when bind is not NULL (format 2). */
void g_crypt_ad_field(struct g_crypt_ad *a, const struct g_field_ad *f, const struct g_bind *bind,
		      unsigned char version);
/* A number added to a. */
void g_crypt_ad_int(struct g_crypt_ad *a, int64_t v);

/* g_crypt_seal_parts under nonce, which the caller drew fresh for this
 * field alone (g_crypt_seal_row). */
int g_crypt_seal_parts_under(const unsigned char *dek, const struct g_field_ad *f,
			     const void *framed, size_t len, unsigned char **out, size_t *outlen,
			     const unsigned char nonce[G_NONCE_BYTES], struct g_err *err);
/* g_crypt_open_bound's format 3 (crypt_parts.c): every part opened, and
 * the plaintext framed again. */
int g_crypt_open_parts_whole(const unsigned char *dek, const struct g_field_ad *f,
			     const unsigned char *sealed, size_t sealed_len,
			     const unsigned char *nonce, size_t nonce_len, char **plain,
			     size_t *len, struct g_err *err);

#endif
