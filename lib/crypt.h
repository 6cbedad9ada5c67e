/*
 * crypt.h: the cryptography of DESIGN.md §6, over libsodium.
 *
 * A user's data key (DEK, 32 random bytes) encrypts every field they wrote,
 * with XChaCha20-Poly1305-IETF, a fresh 24-byte nonce per write, and
 * associated data that binds the ciphertext to its place: format version,
 * table, column, row id, owner id and dek_version, each length-prefixed
 * (format 2 adds the plain values that give the row its meaning). A
 * ciphertext moved anywhere else fails to open; it never decrypts to
 * something else. The DEK is stored only wrapped: under a key derived from
 * the passphrase with Argon2id (the KEK), and again under the recovery key.
 *
 * Keys live in sodium_malloc'ed memory (guard pages, no swap) and are
 * zeroed when freed; g_crypt_init() also turns core dumps off, so every
 * process that holds a key must call it first.
 */
#ifndef GUISE_CRYPT_H
#define GUISE_CRYPT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define G_KEY_BYTES 32
#define G_SALT_BYTES 16
#define G_NONCE_BYTES 24
#define G_TAG_BYTES 16
/* What g_crypt_seal adds to a plaintext's length: the format byte and the tag. */
#define G_SEAL_OVERHEAD (1 + G_TAG_BYTES)
/* The first byte of every sealed field: its format version. Format 1 is
 * bound to its place (table, column, row id, owner id, dek_version);
 * format 2 is bound to that and to the plain values that give its row its
 * meaning (struct g_bind), so that a row moved, reordered or re-roled with
 * the sqlite3 command fails too. The byte is in the associated data: a
 * format 2 ciphertext relabelled 1 fails. */
#define G_SEAL_FORMAT 1
#define G_SEAL_FORMAT_BOUND 2
/* Caps on KDF parameters read from a database, checked before anything is
 * allocated (a forged row must not make us allocate 4 TiB). */
#define G_KDF_MAX_MEMLIMIT ((size_t)1 << 30)
#define G_KDF_MAX_OPSLIMIT 10ULL
#define G_KDF_ALG "argon2id13"

/* Initialise libsodium and turn core dumps off; -1 (70) if it cannot. */
int g_crypt_init(struct g_err *err);

struct g_kdf {
	const char *name;        /* the preset's name, as recorded per user */
	unsigned long long opslimit;
	size_t memlimit;         /* bytes */
};

/* A preset by name: interactive, moderate, sensitive, or min (tests). */
int g_crypt_kdf_preset(const char *name, struct g_kdf *out);

/* Refuse parameters over the caps or under libsodium's minimum (65). */
int g_crypt_kdf_check(const struct g_kdf *kdf, struct g_err *err);

/* A secret of G_KEY_BYTES in sodium_malloc'ed memory. */
unsigned char *g_crypt_key_new(void);
/* Zero and free; NULL is fine. */
void g_crypt_key_free(unsigned char *key);
/* A new random key. */
unsigned char *g_crypt_key_random(void);

/* Argon2id: passphrase and salt to a KEK (out: G_KEY_BYTES). Checks the
 * caps first. 65 if the parameters are refused, 70 if memory fails. */
int g_crypt_kdf_derive(const char *pass, size_t passlen,
		 const unsigned char salt[G_SALT_BYTES],
		 const struct g_kdf *kdf, unsigned char *out, struct g_err *err);

/* What a wrapped DEK is bound to: which database, user, version, and which
 * of the two wraps ("passphrase" or "recovery"). */
struct g_wrap_ad {
	const char *db_id;
	const char *user_id;
	int64_t dek_version;
	const char *kind;
};

/* Wrap a DEK under kek: out gets G_KEY_BYTES + G_TAG_BYTES bytes and a new
 * nonce. */
void g_crypt_wrap(const unsigned char *kek, const unsigned char *dek,
	    const struct g_wrap_ad *ad, unsigned char *out,
	    unsigned char nonce[G_NONCE_BYTES]);
/* Unwrap into dek; -1 if it does not open (a wrong key, or tampering). */
int g_crypt_unwrap(const unsigned char *kek, const unsigned char *wrapped,
	     size_t wrapped_len, const unsigned char *nonce, size_t nonce_len,
	     const struct g_wrap_ad *ad, unsigned char *dek);

/* Where a sealed field lives; all of it goes into the associated data. */
struct g_field_ad {
	const char *table;
	const char *column;
	const char *row_id;
	const char *owner_id;
	int64_t dek_version;
};

/* The plain values a format 2 field is bound to, in an order fixed per
 * table: each is length-prefixed in the associated data, and a NULL entry
 * (SQL NULL) is marked apart from "". */
struct g_bind {
	const char *const *values;
	size_t n;
};

/* Seal plaintext: *out (malloc'ed) is the format byte, ciphertext and tag;
 * nonce is new. -1 (70) only if memory fails. Format 1. */
int g_crypt_seal(const unsigned char *dek, const struct g_field_ad *ad,
	   const void *plain, size_t len, unsigned char **out, size_t *outlen,
	   unsigned char nonce[G_NONCE_BYTES], struct g_err *err);
/* The same, bound to bind too (format 2); bind NULL: g_crypt_seal. */
int g_crypt_seal_bound(const unsigned char *dek, const struct g_field_ad *ad,
		 const struct g_bind *bind, const void *plain, size_t len,
		 unsigned char **out, size_t *outlen,
		 unsigned char nonce[G_NONCE_BYTES], struct g_err *err);

/* A row's fields sealed at once (format 1, or 3 for a field with parts
 * set), each exactly as g_crypt_seal (g_crypt_seal_parts) would seal it
 * alone: its own associated data (row's, with the field's column) and its
 * own fresh random nonce; only the nonces are drawn from the system's
 * generator a few fields' worth at a time rather than one call a field.
 * A field with plain NULL is unset (out NULL). On failure (-1, err set)
 * every out is NULL. */
struct g_seal_field {
	const char *column;
	const void *plain;
	size_t len;
	int parts; /* plain is framed: sealed in parts */
	unsigned char *out; /* malloc'ed: format byte, ciphertext, tag */
	size_t outlen;
	unsigned char nonce[G_NONCE_BYTES];
};
int g_crypt_seal_row(const unsigned char *dek, const struct g_field_ad *row,
		     struct g_seal_field *fields, size_t n, struct g_err *err);

/* Open a sealed field: *plain (malloc'ed, NUL-terminated past *len) or
 * -1 with err set (65): an unknown format version, a short nonce, or a
 * ciphertext that fails its integrity check. Format 1 only. */
int g_crypt_open(const unsigned char *dek, const struct g_field_ad *ad,
	   const unsigned char *sealed, size_t sealed_len,
	   const unsigned char *nonce, size_t nonce_len, char **plain,
	   size_t *len, struct g_err *err);
/* g_crypt_open in the sealed bytes' own place: the plaintext at sealed + 1,
 * NUL-terminated past *len (a big field read once, decrypted without a
 * second buffer as big). Format 1 only. */
int g_crypt_open_in_place(const unsigned char *dek, const struct g_field_ad *ad,
			  unsigned char *sealed, size_t sealed_len, const unsigned char *nonce,
			  size_t nonce_len, size_t *len, struct g_err *err);
/* Open format 2 with bind, or format 1 as g_crypt_open does (the caller, who
 * knows whether the column must be bound, looks at sealed[0]); bind NULL:
 * g_crypt_open, or format 3 whole, framed (g_crypt_seal_parts). */
int g_crypt_open_bound(const unsigned char *dek, const struct g_field_ad *ad,
		 const struct g_bind *bind, const unsigned char *sealed,
		 size_t sealed_len, const unsigned char *nonce, size_t nonce_len,
		 char **plain, size_t *len, struct g_err *err);

/* Format 3: a field sealed in parts, each opened alone, so that a reader
 * decrypts only the parts it needs (a card's lore index: a render reads
 * the head and a few dozen of its hundreds of entries). Its plaintext,
 * handed to g_crypt_seal_parts and back from g_crypt_open_bound, is
 * framed: u32 n (little-endian), n u32 lengths, then the head (the rest
 * of the bytes but the parts) and parts 1..n. Sealed: the format byte,
 * u32 the head's sealed length, then the head (with the count and the
 * lengths), then each part; each is ciphertext and tag under the field's
 * nonce, part i's with i in its last 8 bytes (xor, little-endian), and
 * bound as format 1 binds, with the format byte 3 and, for a part, its
 * number after the place. Only the head's length is in the clear. */
#define G_SEAL_FORMAT_PARTS 3
/* The frame of framed[0..len): its count of parts *n, and where part 1
 * starts (*head_end: the head, past the count and lengths, ends there);
 * -1 when the count does not fit (or len is past what the sealed form's
 * 32-bit places hold), -2 when the lengths run past the bytes. */
int g_crypt_parts_frame(const void *framed, size_t len, size_t *n, size_t *head_end);
/* The length of part i (1..n) of a frame g_crypt_parts_frame took. */
size_t g_crypt_parts_len(const void *framed, size_t i);
/* The sealed length of framed[0..len), or 0 when it is not framed. */
size_t g_crypt_parts_sealed_len(const void *framed, size_t len);
/* Seal framed as format 3 (nonce new): as g_crypt_seal; 65 when it is not
 * framed. */
int g_crypt_seal_parts(const unsigned char *dek, const struct g_field_ad *ad,
		       const void *framed, size_t len, unsigned char **out, size_t *outlen,
		       unsigned char nonce[G_NONCE_BYTES], struct g_err *err);
/* A format 3 field opened a part at a time, each in its sealed bytes'
 * own place: the head's (g_crypt_parts_head_len of them first) and then
 * any part's, read where the caller likes (dek stays the caller's, for as
 * long as this is used). */
struct g_crypt_parts {
	const unsigned char *dek;
	unsigned char nonce[G_NONCE_BYTES];
	size_t n;       /* parts after the head */
	uint32_t *at;   /* part i's place in the field (i = 1..n), and its end */
	unsigned char *head; /* opened: the head's bytes past the count and lengths */
	size_t head_len;
};
/* How many of a format 3 field's first bytes hold its head, from its first
 * 5 (the format byte and the head's length): 0 when they are not such. */
size_t g_crypt_parts_head_len(const unsigned char *first, size_t field_len);
/* Open the head (in sealed, its first g_crypt_parts_head_len bytes) of a
 * format 3 field of field_len bytes into p: 65 when it does not open or
 * its lengths do not add up to field_len. */
int g_crypt_open_head(const unsigned char *dek, const struct g_field_ad *ad,
		      unsigned char *sealed, size_t field_len, const unsigned char *nonce,
		      size_t nonce_len, struct g_crypt_parts *p, struct g_err *err);
/* Open part i (1..p->n), once, in its place c (its sealed bytes: from
 * p->at[i] to p->at[i + 1] in the field): *plain, *len; 65 when it does
 * not open. */
int g_crypt_open_part(const struct g_crypt_parts *p, const struct g_field_ad *ad, size_t i,
		      unsigned char *c, unsigned char **plain, size_t *len, struct g_err *err);
void g_crypt_parts_release(struct g_crypt_parts *p);

/* The keyed content hash of §5: BLAKE2b-256 under a key derived from the
 * DEK (so the hash means nothing without it), over n parts, each preceded
 * by its length so that no two lists of parts hash alike. out: 32 bytes. */
#define G_HASH_BYTES 32
struct g_hash_part {
	const void *data;
	size_t len;
};
void g_crypt_content_hash(const unsigned char *dek, const struct g_hash_part *parts,
		    size_t n, unsigned char out[G_HASH_BYTES]);
/* The same hash with a part given in pieces (a large document written out
 * as it is hashed, never whole in memory): new (NULL if memory fails),
 * then for each part g_crypt_hasher_part with its whole length followed by its
 * bytes in any number of g_crypt_hasher_add, then g_crypt_hasher_end, which frees
 * (its guarded memory zeroed and kept for the thread's next hasher). */
struct g_hasher;
struct g_hasher *g_crypt_hasher_new(const unsigned char *dek);
void g_crypt_hasher_part(struct g_hasher *h, size_t len);
void g_crypt_hasher_add(struct g_hasher *h, const void *data, size_t len);
void g_crypt_hasher_end(struct g_hasher *h, unsigned char out[G_HASH_BYTES]);

/* The recovery key's printed form: base32 in groups of four, dash-joined
 * (52 letters and digits). text needs G_RECOVERY_TEXT bytes. */
#define G_RECOVERY_TEXT 66
void g_crypt_recovery_format(const unsigned char *key, char text[G_RECOVERY_TEXT]);
/* Parse it back (dashes, spaces and case are forgiven); -1 if malformed. */
int g_crypt_recovery_parse(const char *text, size_t len, unsigned char *key);

#endif
