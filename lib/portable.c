/* portable.c: records with their text fields sealed, and back. */
#include "portable.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MARK "guise_sealed"
#define POINTER_MAX 1024

static const char *const plain_keys[] = {
	"kind", "id", "spec", "spec_version", "created_at", "updated_at", NULL,
};

static int stays_plain(const char *key)
{
	const char *const *k;

	for (k = plain_keys; *k; k++)
		if (strcmp(*k, key) == 0)
			return 1;
	return 0;
}

struct walk {
	const struct g_userkey *k;
	const char *record_id;
	int sealing;
	long count;
	struct g_err *err;
	char pointer[POINTER_MAX];
};

/* Append "/token" to the pointer (RFC 6901: ~ as ~0, / as ~1). Returns the
 * old length, to cut back to. */
static size_t push(struct walk *w, const char *token)
{
	size_t old = strlen(w->pointer), n = old;
	const char *p;

	if (n + 1 < sizeof(w->pointer))
		w->pointer[n++] = '/';
	for (p = token; *p && n + 2 < sizeof(w->pointer); p++) {
		if (*p == '~' || *p == '/') {
			w->pointer[n++] = '~';
			w->pointer[n++] = *p == '~' ? '0' : '1';
		} else {
			w->pointer[n++] = *p;
		}
	}
	w->pointer[n] = '\0';
	return old;
}

static void field_ad(const struct walk *w, struct g_field_ad *ad)
{
	ad->table = "portable";
	ad->column = w->pointer;
	ad->row_id = w->record_id;
	ad->owner_id = w->k->user_id;
	ad->dek_version = w->k->dek_version;
}

static json_t *seal_value(struct walk *w, const json_t *str)
{
	unsigned char nonce[G_NONCE_BYTES];
	unsigned char *sealed;
	struct g_field_ad ad;
	size_t len;
	char *n64, *c64;
	json_t *out = NULL;

	field_ad(w, &ad);
	if (g_seal(w->k->dek, &ad, json_string_value(str), json_string_length(str),
		   &sealed, &len, nonce, w->err) < 0)
		return NULL;
	n64 = g_b64_encode(nonce, sizeof(nonce));
	c64 = g_b64_encode(sealed, len);
	if (n64 && c64)
		out = json_pack("{s:i, s:s, s:I, s:s, s:s}", MARK, 1, "user",
				w->k->user_id, "dek_version", (json_int_t)w->k->dek_version,
				"nonce", n64, "ciphertext", c64);
	free(n64);
	free(c64);
	free(sealed);
	if (!out)
		g_err_set(w->err, G_EX_SOFTWARE, "out of memory");
	return out;
}

static json_t *open_value(struct walk *w, const json_t *obj)
{
	const char *user, *n64, *c64;
	unsigned char *nonce = NULL, *sealed = NULL;
	size_t nonce_len = 0, sealed_len = 0, len;
	json_int_t mark, version;
	struct g_field_ad ad;
	char *plain;
	json_t *out = NULL;

	if (json_unpack((json_t *)obj, "{s:I, s:s, s:I, s:s, s:s !}", MARK, &mark,
			"user", &user, "dek_version", &version, "nonce", &n64,
			"ciphertext", &c64) < 0 || mark != 1) {
		g_err_set(w->err, G_EX_DATAERR, "%s: malformed sealed value", w->pointer);
		return NULL;
	}
	if (strcmp(user, w->k->user_id) != 0) {
		g_err_set(w->err, G_EX_DATAERR, "%s: sealed for another user", w->pointer);
		return NULL;
	}
	if (version != w->k->dek_version) {
		g_err_set(w->err, G_EX_DATAERR,
			  "%s: sealed under key version %lld, the user's is %lld",
			  w->pointer, (long long)version, (long long)w->k->dek_version);
		return NULL;
	}
	nonce = g_b64_decode(n64, &nonce_len);
	sealed = g_b64_decode(c64, &sealed_len);
	field_ad(w, &ad);
	if (!nonce || !sealed)
		g_err_set(w->err, G_EX_DATAERR, "%s: malformed base64", w->pointer);
	else if (g_open(w->k->dek, &ad, sealed, sealed_len, nonce, nonce_len, &plain,
			&len, w->err) < 0)
		g_err_prefix(w->err, "%s", w->pointer);
	else {
		out = json_stringn(plain, len);
		sodium_memzero(plain, len);
		free(plain);
	}
	free(nonce);
	free(sealed);
	return out;
}

static int is_sealed(const json_t *v)
{
	return json_is_object(v) && json_object_get(v, MARK);
}

/* Replace *slot's strings (sealing) or sealed objects (opening), below. */
static int walk_value(struct walk *w, json_t *v, json_t **replacement)
{
	const char *key;
	json_t *child, *with;
	size_t i, mark;

	*replacement = NULL;
	if (w->sealing && is_sealed(v))
		return g_err_set(w->err, G_EX_DATAERR, "%s: sealed already", w->pointer);
	if (w->sealing && json_is_string(v)) {
		*replacement = seal_value(w, v);
		return *replacement ? 1 : -1;
	}
	if (!w->sealing && is_sealed(v)) {
		*replacement = open_value(w, v);
		return *replacement ? 1 : -1;
	}
	if (json_is_object(v)) {
		json_object_foreach (v, key, child) {
			mark = push(w, key);
			if (walk_value(w, child, &with) < 0)
				return -1;
			if (with) {
				json_object_set_new(v, key, with);
				w->count++;
			}
			w->pointer[mark] = '\0';
		}
	} else if (json_is_array(v)) {
		json_array_foreach (v, i, child) {
			char index[32];

			snprintf(index, sizeof(index), "%zu", i);
			mark = push(w, index);
			if (walk_value(w, child, &with) < 0)
				return -1;
			if (with) {
				json_array_set_new(v, i, with);
				w->count++;
			}
			w->pointer[mark] = '\0';
		}
	}
	return 0;
}

static long walk_record(const struct g_userkey *k, json_t *record, int sealing,
			struct g_err *err)
{
	struct walk w = { k, "", sealing, 0, err, "" };
	const char *key;
	json_t *child, *with;
	json_t *id = json_object_get(record, "id");
	size_t mark;

	if (!json_is_object(record))
		return g_err_set(err, G_EX_DATAERR, "not a record");
	if (json_is_string(id))
		w.record_id = json_string_value(id);
	json_object_foreach (record, key, child) {
		if (stays_plain(key))
			continue;
		mark = push(&w, key);
		if (walk_value(&w, child, &with) < 0)
			return -1;
		if (with) {
			json_object_set_new(record, key, with);
			w.count++;
		}
		w.pointer[mark] = '\0';
	}
	return w.count;
}

long g_portable_seal(const struct g_userkey *k, json_t *record, struct g_err *err)
{
	return walk_record(k, record, 1, err);
}

long g_portable_open(const struct g_userkey *k, json_t *record, struct g_err *err)
{
	return walk_record(k, record, 0, err);
}
