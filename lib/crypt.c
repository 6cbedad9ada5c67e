/* crypt.c: KDF, key wrapping, field sealing and hashing over libsodium. */
#include "crypt.h"
#include "crypt_ad.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

int g_crypt_init(struct g_err *err)
{
	struct rlimit none = { 0, 0 };

	if (sodium_init() < 0)
		return g_err_set(err, G_EX_SOFTWARE, "cannot initialise libsodium");
	/* A core dump of a process holding a key would hold the key. */
	if (setrlimit(RLIMIT_CORE, &none) < 0 || prctl(PR_SET_DUMPABLE, 0) < 0)
		return g_err_set(err, G_EX_SOFTWARE, "cannot turn core dumps off");
	return 0;
}

int g_crypt_kdf_preset(const char *name, struct g_kdf *out)
{
	static const struct g_kdf presets[] = {
		{ "interactive", crypto_pwhash_OPSLIMIT_INTERACTIVE,
		  crypto_pwhash_MEMLIMIT_INTERACTIVE },
		{ "moderate", crypto_pwhash_OPSLIMIT_MODERATE,
		  crypto_pwhash_MEMLIMIT_MODERATE },
		{ "sensitive", crypto_pwhash_OPSLIMIT_SENSITIVE,
		  crypto_pwhash_MEMLIMIT_SENSITIVE },
		/* for tests only: cheap, and recorded like any other choice */
		{ "min", crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN },
	};
	size_t i;

	for (i = 0; i < sizeof(presets) / sizeof(*presets); i++)
		if (strcmp(presets[i].name, name) == 0) {
			*out = presets[i];
			return 0;
		}
	return -1;
}

int g_crypt_kdf_check(const struct g_kdf *kdf, struct g_err *err)
{
	if (kdf->memlimit > G_KDF_MAX_MEMLIMIT || kdf->opslimit > G_KDF_MAX_OPSLIMIT)
		return g_err_set(err, G_EX_DATAERR,
				 "key derivation parameters over the caps "
				 "(opslimit %llu, memlimit %zu; at most %llu and %zu)",
				 kdf->opslimit, kdf->memlimit, G_KDF_MAX_OPSLIMIT,
				 G_KDF_MAX_MEMLIMIT);
	if (kdf->memlimit < crypto_pwhash_MEMLIMIT_MIN ||
	    kdf->opslimit < crypto_pwhash_OPSLIMIT_MIN)
		return g_err_set(err, G_EX_DATAERR,
				 "key derivation parameters under the minimum "
				 "(opslimit %llu, memlimit %zu)",
				 kdf->opslimit, kdf->memlimit);
	return 0;
}

unsigned char *g_crypt_key_new(void)
{
	return sodium_malloc(G_KEY_BYTES);
}

void g_crypt_key_free(unsigned char *key)
{
	if (key)
		sodium_free(key); /* zeroes before it frees */
}

unsigned char *g_crypt_key_random(void)
{
	unsigned char *key = g_crypt_key_new();

	if (key)
		randombytes_buf(key, G_KEY_BYTES);
	return key;
}

int g_crypt_kdf_derive(const char *pass, size_t passlen,
		 const unsigned char salt[G_SALT_BYTES],
		 const struct g_kdf *kdf, unsigned char *out, struct g_err *err)
{
	if (g_crypt_kdf_check(kdf, err) < 0)
		return -1;
	if (crypto_pwhash(out, G_KEY_BYTES, pass, passlen, salt, kdf->opslimit,
			  kdf->memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return g_err_set(err, G_EX_SOFTWARE,
				 "key derivation failed: out of memory");
	return 0;
}

static void ad_put(struct g_crypt_ad *a, const void *data, size_t n)
{
	size_t i;

	if (a->len + 8 + n > sizeof(a->buf)) {
		a->overflow = 1;
		return;
	}
	for (i = 0; i < 8; i++)
		a->buf[a->len++] = (unsigned char)((uint64_t)n >> (8 * i));
	memcpy(a->buf + a->len, data, n);
	a->len += n;
}

static void ad_str(struct g_crypt_ad *a, const char *s)
{
	ad_put(a, s ? s : "", s ? strlen(s) : 0);
}

/* Little-endian, as every length and number in associated data is. */
static void put_u64(unsigned char b[8], uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

void g_crypt_ad_int(struct g_crypt_ad *a, int64_t v)
{
	unsigned char b[8];

	put_u64(b, (uint64_t)v);
	ad_put(a, b, sizeof(b));
}

static void wrap_ad(struct g_crypt_ad *a, const struct g_wrap_ad *w)
{
	a->len = 0;
	a->overflow = 0;
	ad_str(a, "guise-dek-wrap-v1");
	ad_str(a, w->db_id);
	ad_str(a, w->user_id);
	g_crypt_ad_int(a, w->dek_version);
	ad_str(a, w->kind);
}

/* Format 1: the format byte and the place. Format 2 (bind given): the
 * same, then the count of bound values and each of them, an SQL NULL as
 * a length no string has. */
static void field_ad(struct g_crypt_ad *a, const struct g_field_ad *f, const struct g_bind *bind)
{
	g_crypt_ad_field(a, f, bind, bind ? G_SEAL_FORMAT_BOUND : G_SEAL_FORMAT);
}

void g_crypt_ad_field(struct g_crypt_ad *a, const struct g_field_ad *f, const struct g_bind *bind,
		      unsigned char version)
{
	unsigned char null[8];
	size_t i;

	a->len = 0;
	a->overflow = 0;
	ad_put(a, &version, 1);
	ad_str(a, f->table);
	ad_str(a, f->column);
	ad_str(a, f->row_id);
	ad_str(a, f->owner_id);
	g_crypt_ad_int(a, f->dek_version);
	if (!bind)
		return;
	g_crypt_ad_int(a, (int64_t)bind->n);
	memset(null, 0xff, sizeof(null));
	for (i = 0; i < bind->n; i++) {
		if (bind->values[i]) {
			ad_str(a, bind->values[i]);
		} else if (a->len + sizeof(null) > sizeof(a->buf)) {
			a->overflow = 1;
		} else {
			memcpy(a->buf + a->len, null, sizeof(null));
			a->len += sizeof(null);
		}
	}
}

void g_crypt_wrap(const unsigned char *kek, const unsigned char *dek,
	    const struct g_wrap_ad *w, unsigned char *out,
	    unsigned char nonce[G_NONCE_BYTES])
{
	struct g_crypt_ad a;

	wrap_ad(&a, w);
	randombytes_buf(nonce, G_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out, NULL, dek, G_KEY_BYTES,
						   a.buf, a.len, NULL, nonce, kek);
}

int g_crypt_unwrap(const unsigned char *kek, const unsigned char *wrapped,
	     size_t wrapped_len, const unsigned char *nonce, size_t nonce_len,
	     const struct g_wrap_ad *w, unsigned char *dek)
{
	struct g_crypt_ad a;

	wrap_ad(&a, w);
	if (wrapped_len != G_KEY_BYTES + G_TAG_BYTES || nonce_len != G_NONCE_BYTES ||
	    a.overflow)
		return -1;
	return crypto_aead_xchacha20poly1305_ietf_decrypt(dek, NULL, NULL, wrapped,
							  wrapped_len, a.buf, a.len,
							  nonce, kek);
}

int g_crypt_seal(const unsigned char *dek, const struct g_field_ad *f,
	   const void *plain, size_t len, unsigned char **out, size_t *outlen,
	   unsigned char nonce[G_NONCE_BYTES], struct g_err *err)
{
	return g_crypt_seal_bound(dek, f, NULL, plain, len, out, outlen, nonce, err);
}

/* Seal under nonce, which the caller drew fresh for this field alone. */
static int seal_under(const unsigned char *dek, const struct g_field_ad *f,
		      const struct g_bind *bind, const void *plain, size_t len,
		      unsigned char **out, size_t *outlen,
		      const unsigned char nonce[G_NONCE_BYTES], struct g_err *err)
{
	struct g_crypt_ad a;
	unsigned char *buf;

	field_ad(&a, f, bind);
	if (a.overflow)
		return g_err_set(err, G_EX_DATAERR, "the field's place is too long to seal");
	buf = malloc(1 + len + G_TAG_BYTES);
	if (!buf)
		return g_err_oom(err);
	buf[0] = bind ? G_SEAL_FORMAT_BOUND : G_SEAL_FORMAT;
	crypto_aead_xchacha20poly1305_ietf_encrypt(buf + 1, NULL, plain, len,
						   a.buf, a.len, NULL, nonce, dek);
	*out = buf;
	*outlen = 1 + len + G_TAG_BYTES;
	return 0;
}

int g_crypt_seal_bound(const unsigned char *dek, const struct g_field_ad *f,
		 const struct g_bind *bind, const void *plain, size_t len,
		 unsigned char **out, size_t *outlen,
		 unsigned char nonce[G_NONCE_BYTES], struct g_err *err)
{
	randombytes_buf(nonce, G_NONCE_BYTES);
	return seal_under(dek, f, bind, plain, len, out, outlen, nonce, err);
}

int g_crypt_seal_row(const unsigned char *dek, const struct g_field_ad *row,
		     struct g_seal_field *fields, size_t n, struct g_err *err)
{
	/* as many nonces as one draw of the system's generator gives (libsodium
	 * asks getrandom for 256 bytes at a time) */
	unsigned char nonces[10 * G_NONCE_BYTES];
	struct g_field_ad ad = *row;
	size_t i, left = 0, used = 0;

	for (i = 0; i < n; i++) {
		fields[i].out = NULL;
		left += fields[i].plain != NULL;
	}
	for (i = 0; i < n; i++) {
		struct g_seal_field *f = &fields[i];

		if (!f->plain)
			continue;
		if (used == 0) { /* the next draw: the fields left, ten at most */
			used = left < 10 ? left : 10;
			randombytes_buf(nonces, used * G_NONCE_BYTES);
		}
		/* each nonce handed out once, from the end of the draw */
		memcpy(f->nonce, nonces + --used * G_NONCE_BYTES, G_NONCE_BYTES);
		left--;
		ad.column = f->column;
		if ((f->parts ? g_crypt_seal_parts_under(dek, &ad, f->plain, f->len, &f->out,
							 &f->outlen, f->nonce, err)
			      : seal_under(dek, &ad, NULL, f->plain, f->len, &f->out, &f->outlen,
					   f->nonce, err)) < 0) {
			for (i = 0; i < n; i++) {
				free(fields[i].out);
				fields[i].out = NULL;
			}
			return -1;
		}
	}
	return 0;
}

int g_crypt_open(const unsigned char *dek, const struct g_field_ad *f,
	   const unsigned char *sealed, size_t sealed_len,
	   const unsigned char *nonce, size_t nonce_len, char **plain,
	   size_t *len, struct g_err *err)
{
	return g_crypt_open_bound(dek, f, NULL, sealed, sealed_len, nonce, nonce_len, plain, len,
			    err);
}

/* What opening checks before it decrypts, and the associated data into
 * *a: the plaintext's length, or -1 with err (65). */
static long long open_check(const struct g_field_ad *f, const struct g_bind *bind,
			    const unsigned char *sealed, size_t sealed_len, size_t nonce_len,
			    struct g_crypt_ad *a, struct g_err *err)
{
	if (sealed_len < 1) {
		g_err_set(err, G_EX_DATAERR, "empty ciphertext");
		return -1;
	}
	if (sealed[0] == G_SEAL_FORMAT) {
		bind = NULL; /* an older field: its place only */
	} else if (sealed[0] != G_SEAL_FORMAT_BOUND || !bind) {
		g_err_set(err, G_EX_DATAERR, "unknown ciphertext format version %d", sealed[0]);
		return -1;
	}
	if (nonce_len != G_NONCE_BYTES) {
		g_err_set(err, G_EX_DATAERR, "nonce of %zu bytes, not %d", nonce_len,
			  G_NONCE_BYTES);
		return -1;
	}
	if (sealed_len < 1 + G_TAG_BYTES) {
		g_err_set(err, G_EX_DATAERR, "ciphertext too short");
		return -1;
	}
	field_ad(a, f, bind);
	return (long long)(sealed_len - 1 - G_TAG_BYTES);
}

/* Decrypt the n bytes after sealed's format byte into out (sealed + 1
 * itself, or a buffer of n bytes): 0, or -1 with err (65). */
static int open_into(const unsigned char *dek, const struct g_crypt_ad *a, unsigned char *out,
		     const unsigned char *sealed, size_t n, const unsigned char *nonce,
		     struct g_err *err)
{
	/* detached: the tag is checked over the ciphertext before a byte of
	 * out is written, so out may be the ciphertext's own place */
	if (a->overflow ||
	    crypto_aead_xchacha20poly1305_ietf_decrypt_detached(out, NULL, sealed + 1, n,
								sealed + 1 + n, a->buf, a->len,
								nonce, dek) != 0)
		return g_err_set(err, G_EX_DATAERR, "ciphertext fails its integrity check");
	return 0;
}

int g_crypt_open_bound(const unsigned char *dek, const struct g_field_ad *f,
		 const struct g_bind *bind, const unsigned char *sealed,
		 size_t sealed_len, const unsigned char *nonce, size_t nonce_len,
		 char **plain, size_t *len, struct g_err *err)
{
	struct g_crypt_ad a;
	unsigned char *buf;
	long long n;

	if (!bind && sealed_len && sealed[0] == G_SEAL_FORMAT_PARTS)
		return g_crypt_open_parts_whole(dek, f, sealed, sealed_len, nonce, nonce_len, plain,
						len, err);
	if ((n = open_check(f, bind, sealed, sealed_len, nonce_len, &a, err)) < 0)
		return -1;
	buf = malloc((size_t)n + 1);
	if (!buf)
		return g_err_oom(err);
	if (open_into(dek, &a, buf, sealed, (size_t)n, nonce, err) < 0) {
		free(buf);
		return -1;
	}
	buf[n] = '\0';
	*plain = (char *)buf;
	*len = (size_t)n;
	return 0;
}

int g_crypt_open_in_place(const unsigned char *dek, const struct g_field_ad *f,
			  unsigned char *sealed, size_t sealed_len, const unsigned char *nonce,
			  size_t nonce_len, size_t *len, struct g_err *err)
{
	struct g_crypt_ad a;
	long long n = open_check(f, NULL, sealed, sealed_len, nonce_len, &a, err);

	if (n < 0 || open_into(dek, &a, sealed + 1, sealed, (size_t)n, nonce, err) < 0)
		return -1;
	sealed[1 + n] = '\0'; /* over the tag, read already */
	*len = (size_t)n;
	return 0;
}

void g_crypt_content_hash(const unsigned char *dek, const struct g_hash_part *parts,
		    size_t n, unsigned char out[G_HASH_BYTES])
{
	unsigned char subkey[crypto_generichash_KEYBYTES], len[8];
	crypto_generichash_state st;
	size_t i;

	crypto_kdf_derive_from_key(subkey, sizeof(subkey), 1, "guisehsh", dek);
	crypto_generichash_init(&st, subkey, sizeof(subkey), G_HASH_BYTES);
	for (i = 0; i < n; i++) {
		put_u64(len, parts[i].len);
		crypto_generichash_update(&st, len, sizeof(len));
		crypto_generichash_update(&st, parts[i].data, parts[i].len);
	}
	crypto_generichash_final(&st, out, G_HASH_BYTES);
	sodium_memzero(subkey, sizeof(subkey));
	sodium_memzero(&st, sizeof(st));
}

struct g_hasher {
	crypto_generichash_state st;
};

/* One hasher's guarded memory kept, zeroed, for the next: sodium_malloc
 * and sodium_free are an mmap, three mprotects, an mlock and an munmap
 * each, which cost an import of small cards half its time when every card
 * hashed took and gave back its own. */
static _Thread_local struct g_hasher *spare_hasher;

struct g_hasher *g_crypt_hasher_new(const unsigned char *dek)
{
	unsigned char subkey[crypto_generichash_KEYBYTES];
	struct g_hasher *h = spare_hasher;

	if (h)
		spare_hasher = NULL;
	else if (!(h = sodium_malloc(sizeof(*h))))
		return NULL;
	crypto_kdf_derive_from_key(subkey, sizeof(subkey), 1, "guisehsh", dek);
	crypto_generichash_init(&h->st, subkey, sizeof(subkey), G_HASH_BYTES);
	sodium_memzero(subkey, sizeof(subkey));
	return h;
}

void g_crypt_hasher_part(struct g_hasher *h, size_t len)
{
	unsigned char n[8];

	put_u64(n, len);
	crypto_generichash_update(&h->st, n, sizeof(n));
}

void g_crypt_hasher_add(struct g_hasher *h, const void *data, size_t len)
{
	crypto_generichash_update(&h->st, data, len);
}

void g_crypt_hasher_end(struct g_hasher *h, unsigned char out[G_HASH_BYTES])
{
	crypto_generichash_final(&h->st, out, G_HASH_BYTES);
	if (spare_hasher) {
		sodium_free(h); /* sodium_free zeroes it */
		return;
	}
	sodium_memzero(h, sizeof(*h));
	spare_hasher = h;
}

static const char base32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/* Bit k of the key read as one big-endian number, zero past its end. */
static unsigned int key_bit(const unsigned char *key, size_t k)
{
	return k < 8 * (size_t)G_KEY_BYTES ? (key[k / 8] >> (7 - k % 8)) & 1u : 0;
}

void g_crypt_recovery_format(const unsigned char *key, char text[G_RECOVERY_TEXT])
{
	size_t j, b, o = 0;
	unsigned int v;

	/* 52 groups of 5 bits cover the 256 bits and 4 zero bits */
	for (j = 0; j < 52; j++) {
		if (j && j % 4 == 0)
			text[o++] = '-';
		for (v = 0, b = 0; b < 5; b++)
			v = (v << 1) | key_bit(key, 5 * j + b);
		text[o++] = base32[v];
	}
	text[o] = '\0';
}

int g_crypt_recovery_parse(const char *text, size_t len, unsigned char *key)
{
	unsigned int acc = 0, bits = 0;
	size_t i, n = 0, chars = 0;
	const char *p;
	char c;

	for (i = 0; i < len; i++) {
		c = text[i];
		if (c == '-' || c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		p = strchr(base32, c);
		if (!p || !c)
			return -1;
		acc = (acc << 5) | (unsigned int)(p - base32);
		bits += 5;
		chars++;
		if (bits >= 8) {
			if (n >= G_KEY_BYTES)
				return -1;
			key[n++] = (unsigned char)(acc >> (bits - 8));
			bits -= 8;
			acc &= (1u << bits) - 1;
		}
	}
	/* 52 characters: 256 bits and 4 zero bits of padding */
	return chars == 52 && n == G_KEY_BYTES && acc == 0 ? 0 : -1;
}
