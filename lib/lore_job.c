/* lore_job.c: a lore index opened and read on its own thread (lore_job.h).
 * The thread touches only what the job owns: copies of the key, the
 * associated data and the nonce, and the sealed bytes. */
#include "lore_job.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "lore_index.h"
#include "uuid.h"

struct g_lore_job {
	pthread_t thread;
	unsigned char dek[G_KEY_BYTES];
	unsigned char nonce[G_NONCE_BYTES];
	size_t nonce_len;
	char table[64], column[64], row_id[G_UUID_LEN], owner_id[G_UUID_LEN];
	int64_t dek_version;
	unsigned char *sealed;
	size_t sealed_len;
	/* what the thread leaves */
	int rc; /* as g_lore_job_finish returns */
	struct g_lore_book book;
	struct g_err err;
};

static void *run(void *arg)
{
	struct g_lore_job *j = arg;
	struct g_field_ad ad = { j->table, j->column, j->row_id, j->owner_id, j->dek_version };
	size_t len;
	char *p;

	j->rc = -1;
	if (g_crypt_open_in_place(j->dek, &ad, j->sealed, j->sealed_len, j->nonce, j->nonce_len,
				  &len, &j->err) < 0) {
		g_err_prefix(&j->err, "%s '%s' %s", j->table, j->row_id, j->column);
		return NULL;
	}
	p = (char *)j->sealed + 1;
	if (g_lore_index_stale(p, len)) {
		j->rc = 2;
		return NULL;
	}
	/* the book takes the buffer, read or not */
	if (g_lore_index_take_at(&j->book, j->sealed, p, len, &j->err) < 0)
		g_err_prefix(&j->err, "%s '%s' %s", j->table, j->row_id, j->column);
	else
		j->rc = 1;
	j->sealed = NULL;
	return NULL;
}

/* s into a fixed field of the job: 0, or -1 when it does not fit. */
static int copy(char *to, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n >= size)
		return -1;
	memcpy(to, s, n + 1);
	return 0;
}

int g_lore_job_start(struct g_lore_job **job, const unsigned char *dek,
		     const struct g_field_ad *ad, unsigned char *sealed, size_t sealed_len,
		     const unsigned char *nonce, size_t nonce_len, struct g_err *err)
{
	struct g_lore_job *j = calloc(1, sizeof(*j));
	int rc;

	*job = NULL;
	if (!j) {
		free(sealed);
		return g_err_oom(err);
	}
	j->sealed = sealed;
	j->sealed_len = sealed_len;
	if (copy(j->table, sizeof(j->table), ad->table) < 0 ||
	    copy(j->column, sizeof(j->column), ad->column) < 0 ||
	    copy(j->row_id, sizeof(j->row_id), ad->row_id) < 0 ||
	    copy(j->owner_id, sizeof(j->owner_id), ad->owner_id) < 0) {
		free(j->sealed);
		free(j);
		return g_err_set(err, G_EX_SOFTWARE, "lore index: a name too long for its job");
	}
	memcpy(j->dek, dek, G_KEY_BYTES);
	/* a nonce of another length is the opening's to refuse (65), unread */
	j->nonce_len = nonce_len;
	memcpy(j->nonce, nonce, nonce_len <= sizeof(j->nonce) ? nonce_len : 0);
	j->dek_version = ad->dek_version;
	g_err_clear(&j->err);
	if ((rc = pthread_create(&j->thread, NULL, run, j)) != 0) {
		sodium_memzero(j->dek, sizeof(j->dek));
		free(j->sealed);
		free(j);
		return g_err_set(err, G_EX_SOFTWARE, "lore index: no thread to read it on (%s)",
				 strerror(rc));
	}
	*job = j;
	return 0;
}

int g_lore_job_finish(struct g_lore_job *job, struct g_lore_book *book, struct g_err *err)
{
	int rc;

	if (!job)
		return 0;
	pthread_join(job->thread, NULL);
	sodium_memzero(job->dek, sizeof(job->dek));
	rc = job->rc;
	if (rc == 1 && book)
		*book = job->book;
	else if (rc == 1)
		g_lore_book_release(&job->book);
	else if (rc < 0 && err)
		*err = job->err;
	free(job->sealed);
	free(job);
	return rc;
}
