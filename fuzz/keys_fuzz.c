/*
 * keys_fuzz: libFuzzer target for the parsers of issue 3: the printed
 * recovery key, durations, sealed records (persona-encrypt open), and
 * a field sealed in parts (crypt.h format 3: its frame).
 * Oracles: a recovery key that parses formats back to text that parses to
 * the same bytes; a record sealed and opened again equals itself; a framed
 * field sealed in parts opens whole to itself, its head and each part
 * alone to their bytes, and with any byte changed not at all.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crypt.h"
#include "doc.h"
#include "duration.h"
#include "portable.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void recovery(const unsigned char *data, size_t size)
{
	unsigned char key[G_KEY_BYTES], again[G_KEY_BYTES];
	char text[G_RECOVERY_TEXT];

	if (g_crypt_recovery_parse((const char *)data, size, key) < 0)
		return;
	g_crypt_recovery_format(key, text);
	if (g_crypt_recovery_parse(text, strlen(text), again) < 0 ||
	    memcmp(key, again, sizeof(key)) != 0)
		abort();
}

static void duration(const unsigned char *data, size_t size)
{
	char text[64];
	unsigned int seconds;

	if (size >= sizeof(text))
		return;
	memcpy(text, data, size);
	text[size] = '\0';
	if (g_duration_parse(text, &seconds) == 0 && (seconds == 0 || seconds > 30u * 86400))
		abort();
}

static void sealed(const unsigned char *data, size_t size)
{
	static unsigned char dek[G_KEY_BYTES];
	struct g_userkey k = { .db_id = "db",
			       .user_id = "01234567-89ab-7def-8123-456789abcdef",
			       .username = "fuzz", .dek_version = 1,
			       .dek = dek, .source = "fuzz" };
	struct g_doc_reader *r = g_doc_reader_new_mem(data, size, "fuzz", G_DOC_JSON,
						      G_DOC_RECORDS);
	struct g_err err;
	json_t *rec, *copy;

	if (!r)
		return;
	if (g_doc_read(r, &rec, &err) > 0) {
		/* whatever the input holds, opening it must not crash */
		copy = json_deep_copy(rec);
		g_portable_open(&k, copy, &err);
		json_decref(copy);
		/* and sealing then opening gives the record back */
		copy = json_deep_copy(rec);
		if (g_portable_seal(&k, copy, &err) >= 0) {
			if (g_portable_open(&k, copy, &err) < 0 || !json_equal(copy, rec))
				abort();
		}
		json_decref(copy);
		json_decref(rec);
	}
	g_doc_reader_free(r);
}

static void parts(const unsigned char *data, size_t size)
{
	static unsigned char dek[G_KEY_BYTES];
	struct g_field_ad ad = { "characters", "lore_index", "row", "user", 1 };
	unsigned char nonce[G_NONCE_BYTES], *sealed, *plain;
	struct g_crypt_parts p;
	struct g_err err;
	size_t len, n, i, at, head;
	char *whole;

	if (!g_crypt_parts_sealed_len(data, size)) {
		if (g_crypt_seal_parts(dek, &ad, data, size, &sealed, &len, nonce, &err) == 0)
			abort(); /* not framed, yet sealed */
		return;
	}
	if (g_crypt_seal_parts(dek, &ad, data, size, &sealed, &len, nonce, &err) < 0)
		abort();
	if (len != g_crypt_parts_sealed_len(data, size) ||
	    g_crypt_open_bound(dek, &ad, NULL, sealed, len, nonce, sizeof(nonce), &whole, &n,
			       &err) < 0 ||
	    n != size || memcmp(whole, data, size) != 0)
		abort();
	free(whole);
	head = g_crypt_parts_head_len(sealed, len);
	if (!head || g_crypt_open_head(dek, &ad, sealed, len, nonce, sizeof(nonce), &p, &err) < 0)
		abort();
	at = (size_t)(p.head + p.head_len - (sealed + 5));
	for (i = 1; i <= p.n; i++, at += n) {
		if (g_crypt_open_part(&p, &ad, i, sealed + p.at[i], &plain, &n, &err) < 0 ||
		    memcmp(plain, data + at, n) != 0)
			abort();
	}
	if (at != size)
		abort();
	g_crypt_parts_release(&p);
	free(sealed);
	/* one byte changed (the last, a tag's): the field no longer opens */
	if (g_crypt_seal_parts(dek, &ad, data, size, &sealed, &len, nonce, &err) < 0)
		abort();
	sealed[len - 1] ^= 1;
	if (g_crypt_open_bound(dek, &ad, NULL, sealed, len, nonce, sizeof(nonce), &whole, &n,
			       &err) == 0)
		abort();
	free(sealed);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static int ready;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = 1;
	}
	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0: recovery(data + 1, size - 1); break;
	case 1: duration(data + 1, size - 1); break;
	case 2: sealed(data + 1, size - 1); break;
	default: parts(data + 1, size - 1); break;
	}
	return 0;
}
