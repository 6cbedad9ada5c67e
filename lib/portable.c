/* portable.c: records with their text fields sealed, and back. */
#include "portable.h"

#include "base64.h"
#include "uuid.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define MARK "guise_sealed"
#define POINTER_MAX 2048
/* Records without an "id" get this one while sealed, so their values are
 * bound to their record all the same; open takes it away again. */
#define SEAL_ID "guise_seal_id"

static const char *const plain_keys[] = {
	"kind", "id", "spec", "spec_version", "created_at", "updated_at", SEAL_ID,
	NULL,
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
	char pointer[POINTER_MAX]; /* where the walk is, as a JSON Pointer */
	/* "portable:" and a letter a level, o for object and a for array, so
	 * that key "0" and index 0 (both "/0") are told apart */
	char shape[POINTER_MAX];
};

/* Where a push went from, to pop back to. */
struct mark {
	size_t pointer, shape;
};

/* Step into token of a container (kind 'o' or 'a'): "/token" onto the
 * pointer (RFC 6901: ~ as ~0, / as ~1) and kind onto the shape. -1 with
 * err set (65) when the place is too long to bind. */
static int push(struct walk *w, const char *token, char kind, struct mark *m)
{
	size_t n = strlen(w->pointer), d = strlen(w->shape);
	const char *p;

	m->pointer = n;
	m->shape = d;
	if (d + 1 >= sizeof(w->shape) || n + 1 >= sizeof(w->pointer))
		goto too_long;
	w->shape[d] = kind;
	w->shape[d + 1] = '\0';
	w->pointer[n++] = '/';
	for (p = token; *p; p++) {
		if (n + 3 >= sizeof(w->pointer))
			goto too_long;
		if (*p == '~' || *p == '/') {
			w->pointer[n++] = '~';
			w->pointer[n++] = *p == '~' ? '0' : '1';
		} else {
			w->pointer[n++] = *p;
		}
	}
	w->pointer[n] = '\0';
	return 0;
too_long:
	w->pointer[m->pointer] = '\0';
	return g_err_set(w->err, G_EX_DATAERR, "%s: nested too deep or named too long to seal",
			 w->pointer[0] ? w->pointer : "/");
}

static void pop(struct walk *w, const struct mark *m)
{
	w->pointer[m->pointer] = '\0';
	w->shape[m->shape] = '\0';
}

static void field_ad(const struct walk *w, struct g_field_ad *ad)
{
	ad->table = w->shape;
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
	if (g_crypt_seal(w->k->dek, &ad, json_string_value(str), json_string_length(str),
		   &sealed, &len, nonce, w->err) < 0)
		return NULL;
	n64 = g_base64_encode(nonce, sizeof(nonce));
	c64 = g_base64_encode(sealed, len);
	if (n64 && c64)
		out = json_pack("{s:i, s:s, s:I, s:s, s:s}", MARK, 1, "user",
				w->k->user_id, "dek_version", (json_int_t)w->k->dek_version,
				"nonce", n64, "ciphertext", c64);
	free(n64);
	free(c64);
	free(sealed);
	if (!out)
		g_err_oom(w->err);
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
	if (!w->record_id) {
		g_err_set(w->err, G_EX_DATAERR, "%s: sealed value in a record with no \"id\" nor \"%s\"",
			  w->pointer, SEAL_ID);
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
	nonce = g_base64_decode(n64, &nonce_len);
	sealed = g_base64_decode(c64, &sealed_len);
	field_ad(w, &ad);
	if (!nonce || !sealed)
		g_err_set(w->err, G_EX_DATAERR, "%s: malformed base64", w->pointer);
	else if (g_crypt_open(w->k->dek, &ad, sealed, sealed_len, nonce, nonce_len, &plain,
			&len, w->err) < 0)
		g_err_prefix(w->err, "%s", w->pointer);
	else {
		out = json_stringn(plain, len);
		if (!out) /* jansson takes only valid UTF-8 */
			g_err_set(w->err, G_EX_DATAERR, "%s: opens to text that is not UTF-8",
				  w->pointer);
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

static int walk_child(struct walk *w, const char *token, char kind, json_t *child,
		      json_t **with);

/* Replace *slot's strings (sealing) or sealed objects (opening), below. */
static int walk_value(struct walk *w, json_t *v, json_t **replacement)
{
	const char *key;
	json_t *child, *with;
	size_t i;

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
			if (walk_child(w, key, 'o', child, &with) < 0)
				return -1;
			if (with)
				json_object_set_new(v, key, with);
		}
	} else if (json_is_array(v)) {
		json_array_foreach (v, i, child) {
			char index[32];

			snprintf(index, sizeof(index), "%zu", i);
			if (walk_child(w, index, 'a', child, &with) < 0)
				return -1;
			if (with)
				json_array_set_new(v, i, with);
		}
	}
	return 0;
}

/* walk_value for a member or element, its token pushed onto the pointer
 * while it is walked; *with its replacement, counted, or NULL. */
static int walk_child(struct walk *w, const char *token, char kind, json_t *child,
		      json_t **with)
{
	struct mark m;

	if (push(w, token, kind, &m) < 0 || walk_value(w, child, with) < 0)
		return -1;
	if (*with)
		w->count++;
	pop(w, &m);
	return 0;
}

/* The id the record's values are bound to: its "id", else the seal id
 * (made now when sealing). NULL when opening a record with neither (an
 * error only if it holds a sealed value), or with err set. */
static const char *record_id(json_t *record, int sealing, struct g_err *err)
{
	json_t *id = json_object_get(record, "id");
	char fresh[G_UUID_LEN];

	if (json_is_string(id))
		return json_string_value(id);
	id = json_object_get(record, SEAL_ID);
	/* open takes the seal id away, so a record cannot bring its own */
	if (id && sealing) {
		g_err_set(err, G_EX_DATAERR, "/%s: reserved for sealed records", SEAL_ID);
		return NULL;
	}
	if (json_is_string(id))
		return json_string_value(id);
	if (!sealing)
		return NULL;
	if (g_uuid7(fresh, err) < 0 ||
	    json_object_set_new(record, SEAL_ID, json_string(fresh)) < 0)
		return NULL;
	return json_string_value(json_object_get(record, SEAL_ID));
}

static long walk_record(const struct g_userkey *k, json_t *record, int sealing,
			struct g_err *err)
{
	struct walk w = { k, "", sealing, 0, err, "", "portable:" };
	const char *key;
	json_t *child, *with;
	struct mark m;

	if (!json_is_object(record))
		return g_err_set(err, G_EX_DATAERR, "not a record");
	w.record_id = record_id(record, sealing, err);
	if (!w.record_id && sealing)
		return -1;
	json_object_foreach (record, key, child) {
		if (stays_plain(key))
			continue;
		if (push(&w, key, 'o', &m) < 0 || walk_value(&w, child, &with) < 0)
			return -1;
		if (with) {
			json_object_set_new(record, key, with);
			w.count++;
		}
		pop(&w, &m);
	}
	/* the seal id was only there to bind the values: open takes it away */
	if (!sealing && !json_is_string(json_object_get(record, "id")))
		json_object_del(record, SEAL_ID);
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

int g_portable_filter(const struct g_userkey *k, int sealing, FILE *in, const char *name,
		      enum g_doc_format format, struct g_doc_writer *out, struct g_err *err)
{
	struct g_doc_reader *rd = g_doc_reader_new(in, name, format, G_DOC_RECORDS);
	json_t *rec;
	int rc, n = 0;

	if (!rd)
		return g_err_oom(err);
	while ((rc = g_doc_read(rd, &rec, err)) > 0) {
		n++;
		if ((sealing ? g_portable_seal(k, rec, err) : g_portable_open(k, rec, err)) < 0) {
			g_err_prefix(err, "'%s': record %d", name, n);
			rc = -1;
		} else {
			rc = g_doc_write(out, rec, err);
		}
		json_decref(rec);
		if (rc < 0)
			break;
	}
	g_doc_reader_free(rd);
	return rc < 0 ? -1 : 0;
}
