/* crypt_parts.c: a field sealed in parts (format 3, crypt.h), so that a
 * reader decrypts only the parts it needs. */
#include "crypt.h"
#include "crypt_ad.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static uint32_t get_u32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_u32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16), p[3] = (unsigned char)(v >> 24);
}

/* Part i's nonce: the field's with i in its last 8 bytes (the head's is
 * the field's own). */
static void part_nonce(unsigned char out[G_NONCE_BYTES], const unsigned char *nonce, size_t i)
{
	size_t b;

	memcpy(out, nonce, G_NONCE_BYTES);
	for (b = 0; b < 8; b++)
		out[G_NONCE_BYTES - 8 + b] ^= (unsigned char)((uint64_t)i >> (8 * b));
}

/* Part i's associated data (0: the head's). */
static void part_ad(struct g_crypt_ad *a, const struct g_field_ad *f, size_t i)
{
	g_crypt_ad_field(a, f, NULL, G_SEAL_FORMAT_PARTS);
	if (i)
		g_crypt_ad_int(a, (int64_t)i);
}

int g_crypt_parts_frame(const void *framed, size_t len, size_t *n, size_t *head_end)
{
	const unsigned char *in = framed;
	size_t i, parts = 0;

	if (len < 4 || len > UINT32_MAX / 8)
		return -1;
	*n = get_u32(in);
	if (*n > (len - 4) / 4)
		return -1;
	for (i = 0; i < *n; i++)
		parts += get_u32(in + 4 + 4 * i);
	if (parts > len - 4 - 4 * *n)
		return -2;
	*head_end = len - parts;
	return 0;
}

size_t g_crypt_parts_len(const void *framed, size_t i)
{
	return get_u32((const unsigned char *)framed + 4 * i);
}

size_t g_crypt_parts_sealed_len(const void *framed, size_t len)
{
	size_t n, head;

	if (g_crypt_parts_frame(framed, len, &n, &head) < 0)
		return 0;
	return 1 + 4 + len + (n + 1) * G_TAG_BYTES;
}

int g_crypt_seal_parts(const unsigned char *dek, const struct g_field_ad *f,
		       const void *framed, size_t len, unsigned char **out, size_t *outlen,
		       unsigned char nonce[G_NONCE_BYTES], struct g_err *err)
{
	randombytes_buf(nonce, G_NONCE_BYTES);
	return g_crypt_seal_parts_under(dek, f, framed, len, out, outlen, nonce, err);
}

int g_crypt_seal_parts_under(const unsigned char *dek, const struct g_field_ad *f,
			     const void *framed, size_t len, unsigned char **out, size_t *outlen,
			     const unsigned char nonce[G_NONCE_BYTES], struct g_err *err)
{
	const unsigned char *in = framed;
	unsigned char *buf, *o, pn[G_NONCE_BYTES];
	struct g_crypt_ad a;
	size_t n, head, i, at, plen, total = g_crypt_parts_sealed_len(framed, len);

	if (!total || g_crypt_parts_frame(in, len, &n, &head) < 0)
		return g_err_set(err, G_EX_DATAERR, "a field to seal in parts is not framed");
	part_ad(&a, f, 0);
	if (a.overflow)
		return g_err_set(err, G_EX_DATAERR, "the field's place is too long to seal");
	if (!(buf = malloc(total)))
		return g_err_oom(err);
	buf[0] = G_SEAL_FORMAT_PARTS;
	put_u32(buf + 1, (uint32_t)(head + G_TAG_BYTES));
	o = buf + 5;
	crypto_aead_xchacha20poly1305_ietf_encrypt(o, NULL, in, head, a.buf, a.len, NULL, nonce,
						   dek);
	o += head + G_TAG_BYTES;
	for (i = 1, at = head; i <= n; i++, at += plen) {
		plen = get_u32(in + 4 * i);
		part_ad(&a, f, i);
		part_nonce(pn, nonce, i);
		crypto_aead_xchacha20poly1305_ietf_encrypt(o, NULL, in + at, plen, a.buf, a.len,
							   NULL, pn, dek);
		o += plen + G_TAG_BYTES;
	}
	*out = buf;
	*outlen = total;
	return 0;
}

/* Decrypt n bytes at c (tag after them) into out, which may be c. */
static int open_at(const unsigned char *dek, const struct g_crypt_ad *a, unsigned char *out,
		   const unsigned char *c, size_t n, const unsigned char *nonce, struct g_err *err)
{
	if (a->overflow ||
	    crypto_aead_xchacha20poly1305_ietf_decrypt_detached(out, NULL, c, n, c + n, a->buf,
								a->len, nonce, dek) != 0)
		return g_err_set(err, G_EX_DATAERR, "ciphertext fails its integrity check");
	return 0;
}

size_t g_crypt_parts_head_len(const unsigned char *first, size_t field_len)
{
	size_t h;

	if (field_len < 5 || field_len > UINT32_MAX || first[0] != G_SEAL_FORMAT_PARTS)
		return 0;
	h = get_u32(first + 1);
	return h < 4 + G_TAG_BYTES || h > field_len - 5 ? 0 : 5 + h;
}

int g_crypt_open_head(const unsigned char *dek, const struct g_field_ad *f,
		      unsigned char *sealed, size_t field_len, const unsigned char *nonce,
		      size_t nonce_len, struct g_crypt_parts *p, struct g_err *err)
{
	struct g_crypt_ad a;
	size_t hlen = g_crypt_parts_head_len(sealed, field_len), n, i, at;
	unsigned char *h = sealed + 5;

	memset(p, 0, sizeof(*p));
	if (nonce_len != G_NONCE_BYTES)
		return g_err_set(err, G_EX_DATAERR, "nonce of %zu bytes, not %d", nonce_len,
				 G_NONCE_BYTES);
	if (!hlen)
		return g_err_set(err, G_EX_DATAERR, "ciphertext too short");
	hlen -= 5 + G_TAG_BYTES;
	part_ad(&a, f, 0);
	if (open_at(dek, &a, h, h, hlen, nonce, err) < 0)
		return -1;
	n = get_u32(h);
	if (n > (hlen - 4) / 4)
		return g_err_set(err, G_EX_DATAERR, "a field's parts are more than its head holds");
	if (!(p->at = malloc((n + 2) * sizeof(*p->at))))
		return g_err_oom(err);
	for (i = 1, at = 5 + hlen + G_TAG_BYTES; i <= n; i++) {
		p->at[i] = (uint32_t)at;
		at += get_u32(h + 4 * i) + (size_t)G_TAG_BYTES;
		if (at > field_len)
			break;
	}
	if (i <= n || at != field_len) {
		g_crypt_parts_release(p);
		return g_err_set(err, G_EX_DATAERR, "a field's parts are not its length");
	}
	p->at[n + 1] = (uint32_t)at;
	p->dek = dek;
	memcpy(p->nonce, nonce, G_NONCE_BYTES);
	p->n = n;
	p->head = h + 4 + 4 * n;
	p->head_len = hlen - 4 - 4 * n;
	return 0;
}

int g_crypt_open_part(const struct g_crypt_parts *p, const struct g_field_ad *f, size_t i,
		      unsigned char *c, unsigned char **plain, size_t *len, struct g_err *err)
{
	unsigned char pn[G_NONCE_BYTES];
	struct g_crypt_ad a;
	size_t n;

	if (i < 1 || i > p->n)
		return g_err_set(err, G_EX_DATAERR, "no part %zu in the field", i);
	n = p->at[i + 1] - p->at[i] - G_TAG_BYTES;
	part_ad(&a, f, i);
	part_nonce(pn, p->nonce, i);
	if (open_at(p->dek, &a, c, c, n, pn, err) < 0)
		return -1;
	*plain = c;
	*len = n;
	return 0;
}

void g_crypt_parts_release(struct g_crypt_parts *p)
{
	free(p->at);
	memset(p, 0, sizeof(*p));
}

/* g_crypt_open_bound's format 3: every part opened, framed again. */
int g_crypt_open_parts_whole(const unsigned char *dek, const struct g_field_ad *f,
			     const unsigned char *sealed, size_t sealed_len,
			     const unsigned char *nonce, size_t nonce_len, char **plain,
			     size_t *len, struct g_err *err)
{
	unsigned char *copy = malloc(sealed_len + 1), *part, *o;
	struct g_crypt_parts p;
	size_t i, n, total;

	if (!copy)
		return g_err_oom(err);
	memcpy(copy, sealed, sealed_len);
	if (g_crypt_open_head(dek, f, copy, sealed_len, nonce, nonce_len, &p, err) < 0) {
		free(copy);
		return -1;
	}
	/* in place: each part moves down over the tags before it */
	o = p.head + p.head_len;
	total = (size_t)(o - (copy + 5));
	for (i = 1; i <= p.n; i++) {
		if (g_crypt_open_part(&p, f, i, copy + p.at[i], &part, &n, err) < 0) {
			g_crypt_parts_release(&p);
			free(copy);
			return -1;
		}
		memmove(o, part, n);
		o += n;
		total += n;
	}
	g_crypt_parts_release(&p);
	memmove(copy, copy + 5, total);
	copy[total] = '\0';
	*plain = (char *)copy;
	*len = total;
	return 0;
}
