/* card_lore_parts.c: a card's lore index parts read and opened from their
 * sealed field, each once (opening decrypts it in place). */
#include "card_lore_parts.h"

#include <stdlib.h>
#include <string.h>

struct sealed_parts {
	struct g_crypt_parts p;
	struct g_field_ad ad;
	char id[G_UUID_LEN];
	unsigned char *whole;  /* the field's bytes, or NULL: read from blob */
	struct g_db_blob *blob;
	unsigned char **plain; /* per part: where it is opened, once it is */
};

/* Part i's sealed bytes: where they lie in whole, or read into a buffer
 * of their own. */
static unsigned char *sealed_part(struct sealed_parts *s, size_t i, struct g_err *err)
{
	size_t n = s->p.at[i + 1] - s->p.at[i];
	unsigned char *c;

	if (s->whole)
		return s->whole + s->p.at[i];
	if (!(c = malloc(n + 1))) {
		g_err_oom(err);
		return NULL;
	}
	if (g_db_blob_read_at(s->blob, s->p.at[i], c, n) != G_DB_OK) {
		free(c);
		g_err_set(err, G_EX_DATAERR, "a part cannot be read");
		return NULL;
	}
	return c;
}

static int open_sealed(void *ctx, size_t i, char **out, size_t *len, struct g_err *err)
{
	struct sealed_parts *s = ctx;
	unsigned char *c;

	if (i < 1 || i > s->p.n)
		return g_err_set(err, G_EX_DATAERR, "no part %zu in the field", i);
	if (!s->plain[i]) {
		if (!(c = sealed_part(s, i, err)))
			return g_err_prefix(err, "%s '%s' %s", s->ad.table, s->id, s->ad.column), -1;
		if (g_crypt_open_part(&s->p, &s->ad, i, c, &s->plain[i], len, err) < 0) {
			if (!s->whole)
				free(c);
			return g_err_prefix(err, "%s '%s' %s", s->ad.table, s->id, s->ad.column), -1;
		}
	}
	*out = (char *)s->plain[i];
	*len = s->p.at[i + 1] - s->p.at[i] - G_TAG_BYTES;
	return 0;
}

static void release_sealed(void *ctx)
{
	struct sealed_parts *s = ctx;
	size_t i;

	for (i = 1; !s->whole && i <= s->p.n; i++)
		free(s->plain[i]);
	g_db_blob_close(s->blob);
	g_crypt_parts_release(&s->p);
	free(s->plain);
	free(s);
}

int g_card_lore_parts(struct g_lore_parts *out, struct g_crypt_parts *p, unsigned char *whole,
		      struct g_db_blob *blob, const struct g_userkey *k, const char *table,
		      const char *column, const char *id, struct g_err *err)
{
	struct sealed_parts *s;
	size_t idlen = strlen(id);

	if (idlen >= sizeof(s->id)) {
		g_crypt_parts_release(p);
		g_db_blob_close(blob);
		return g_err_set(err, G_EX_DATAERR, "a row id too long");
	}
	if (!(s = calloc(1, sizeof(*s))) || !(s->plain = calloc(p->n + 2, sizeof(*s->plain)))) {
		free(s);
		g_crypt_parts_release(p);
		g_db_blob_close(blob);
		return g_err_oom(err);
	}
	memcpy(s->id, id, idlen + 1);
	s->p = *p;
	s->whole = whole;
	s->blob = blob;
	s->ad = (struct g_field_ad){ table, column, s->id, k->user_id, k->dek_version };
	out->open = open_sealed;
	out->release = release_sealed;
	out->ctx = s;
	out->n = p->n;
	out->bytes = p->at[p->n + 1] - p->at[1] - p->n * G_TAG_BYTES;
	return 0;
}
