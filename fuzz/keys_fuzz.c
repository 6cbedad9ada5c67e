/*
 * keys_fuzz: libFuzzer target for the parsers of issue 3: the printed
 * recovery key, durations, and sealed records (persona-encrypt open).
 * Oracles: a recovery key that parses formats back to text that parses to
 * the same bytes; a record sealed and opened again equals itself.
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
	switch (data[0] % 3) {
	case 0: recovery(data + 1, size - 1); break;
	case 1: duration(data + 1, size - 1); break;
	default: sealed(data + 1, size - 1); break;
	}
	return 0;
}
