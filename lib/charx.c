/* charx.c: CHARX zips read from and written to memory with libzip, within
 * the limits of charx.h. */
#include "charx.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <zip.h>

#define CARD_NAME "card.json"
#define SHOWN_MAX 700 /* an entry name as messages show it */
#define SHOWN_CUT 160

/* 1980-01-01 12:00 UTC: the first day a zip timestamp can hold, in any
 * time zone libzip's local-time conversion may apply */
#define FIXED_MTIME ((time_t)315576000)

int g_charx_sniff(const unsigned char *buf, size_t len)
{
	return len >= 4 && buf[0] == 'P' && buf[1] == 'K' &&
	       ((buf[2] == 3 && buf[3] == 4) || (buf[2] == 5 && buf[3] == 6));
}

/* The code point at s (n bytes left) and its length in bytes, or 0 when
 * the bytes are not UTF-8 (overlong forms and surrogates included). */
static size_t utf8_char(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		len = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		len = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

static int is_dotdot(const unsigned char *s, size_t n)
{
	return n == 2 && s[0] == '.' && s[1] == '.';
}

const char *g_charx_bad_name(const char *path, size_t len)
{
	const unsigned char *s = (const unsigned char *)path;
	size_t i, step, comp = 0; /* where the current component starts */
	uint32_t cp;

	if (len == 0)
		return "empty name";
	if (s[0] == '/')
		return "absolute path";
	if (len >= 2 && s[1] == ':' && ((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
		return "drive letter";
	for (i = 0; i < len; i += step) {
		if (!(step = utf8_char(s + i, len - i, &cp)))
			return "not UTF-8";
		/* C0, DEL and C1: a name is shown in messages and listings */
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			return "control character";
		if (cp == '\\')
			return "backslash";
		if (cp == '/') {
			if (is_dotdot(s + comp, i - comp))
				return "a '..' component";
			comp = i + 1;
		}
	}
	if (is_dotdot(s + comp, len - comp))
		return "a '..' component";
	return NULL;
}

/* Whether a name as stored holds a C0 control or DEL (whatever encoding
 * libzip then reads it in). */
static int raw_control(const char *raw)
{
	const unsigned char *s = (const unsigned char *)raw;

	for (; *s; s++)
		if (*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* An entry name fit for a message and a terminal: control characters (C0,
 * DEL, and C1 as UTF-8) as \xNN bytes, cut short. */
static const char *shown(const char *name, char *buf)
{
	const unsigned char *s = (const unsigned char *)name;
	size_t i, o = 0, n = strlen(name), cut = n;
	int c1 = 0;

	if (cut > SHOWN_CUT) {
		cut = SHOWN_CUT;
		while (cut > 0 && (s[cut] & 0xc0) == 0x80)
			cut--; /* not inside a UTF-8 sequence */
	}
	for (i = 0; i < cut; i++) {
		if (s[i] == 0xc2 && i + 1 < cut && s[i + 1] >= 0x80 && s[i + 1] < 0xa0)
			c1 = 2;
		if (s[i] < 0x20 || s[i] == 0x7f || c1 > 0) {
			o += (size_t)snprintf(buf + o, SHOWN_MAX - o, "\\x%02x", s[i]);
			if (c1 > 0)
				c1--;
		} else {
			buf[o++] = (char)s[i];
		}
	}
	if (cut < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* A libzip error as ours, located at the file (if named) and the entry
 * (if known); libzip's own text, in lower case as our messages are. */
static int zip_failed(struct g_err *err, enum g_exit code, const char *name,
		      const char *entry, zip_error_t *ze)
{
	char msg[256], what[SHOWN_MAX];

	if (zip_error_code_zip(ze) == ZIP_ER_MEMORY)
		return g_err_oom(err);
	snprintf(msg, sizeof(msg), "%s", zip_error_strerror(ze));
	if (msg[0] >= 'A' && msg[0] <= 'Z')
		msg[0] = (char)(msg[0] - 'A' + 'a');
	if (name && entry)
		return g_err_set(err, code, "'%s': '%s': %s", name, shown(entry, what), msg);
	if (name || entry)
		return g_err_set(err, code, "'%s': %s", name ? name : shown(entry, what), msg);
	return g_err_set(err, code, "%s", msg);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The first name that occurs twice (sorting names in place), or NULL. */
static const char *duplicate(const char **names, size_t n)
{
	size_t i;

	if (n < 2)
		return NULL;
	qsort(names, n, sizeof(*names), by_name);
	for (i = 1; i < n; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			return names[i];
	return NULL;
}

static int is_dir(const char *path)
{
	size_t n = strlen(path);

	return n > 0 && path[n - 1] == '/';
}

static int is_symlink(zip_t *za, zip_uint64_t i)
{
	zip_uint8_t opsys;
	zip_uint32_t attr;

	return zip_file_get_external_attributes(za, i, 0, &opsys, &attr) == 0 &&
	       opsys == ZIP_OPSYS_UNIX && (attr >> 16 & 0170000) == 0120000;
}

/* Inflating size bytes from comp bytes passes the ratio cap. */
static int too_compressed(uint64_t size, uint64_t comp)
{
	if (size <= G_CHARX_RATIO_FLOOR)
		return 0;
	return comp <= UINT64_MAX / G_CHARX_MAX_RATIO && comp * G_CHARX_MAX_RATIO < size;
}

struct scan {
	int want_card;     /* card.json apart and required, or an entry */
	zip_int64_t card;  /* index of card.json, or -1 */
	size_t files;      /* regular files besides card.json */
};

/* Everything that can be judged from the central directory, before any
 * byte is inflated: names, flags, methods and declared sizes. */
static int check_entries(zip_t *za, size_t file_len, const char *name,
			 struct scan *sc, struct g_err *err)
{
	zip_int64_t n = zip_get_num_entries(za, 0);
	char what[SHOWN_MAX];
	const char **names, *why, *raw;
	uint64_t total = 0;
	zip_stat_t st;
	zip_uint64_t i;
	int rc = 0;

	sc->card = -1;
	sc->files = 0; /* want_card is the caller's */
	if (n < 0 || n > G_CHARX_MAX_ENTRIES)
		return g_err_set(err, G_EX_DATAERR, "'%s': more than %d entries", name,
				 G_CHARX_MAX_ENTRIES);
	if (!(names = malloc((size_t)n * sizeof(*names) + 1)))
		return g_err_oom(err);
	for (i = 0; i < (zip_uint64_t)n && rc == 0; i++) {
		if (zip_stat_index(za, i, 0, &st) < 0) {
			rc = zip_failed(err, G_EX_DATAERR, name, NULL, zip_get_error(za));
			break;
		}
		names[i] = st.name;
		if ((raw = zip_get_name(za, i, ZIP_FL_ENC_RAW)) && raw_control(raw))
			/* libzip reads a name without the UTF-8 flag as CP437, where
			 * ESC is an arrow: the bytes as stored are what is refused */
			rc = g_err_set(err, G_EX_DATAERR, "'%s': '%s': unsafe entry name: %s",
				       name, shown(raw, what), "control character");
		else if ((why = g_charx_bad_name(st.name, strlen(st.name))))
			rc = g_err_set(err, G_EX_DATAERR, "'%s': '%s': unsafe entry name: %s",
				       name, shown(st.name, what), why);
		else if (st.encryption_method != ZIP_EM_NONE)
			rc = g_err_set(err, G_EX_DATAERR,
				       "'%s': '%s': encrypted zip entries are not supported",
				       name, shown(st.name, what));
		else if (is_symlink(za, i))
			rc = g_err_set(err, G_EX_DATAERR,
				       "'%s': '%s': symbolic links are not supported", name,
				       shown(st.name, what));
		else if (is_dir(st.name))
			continue;
		else if (st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE)
			rc = g_err_set(err, G_EX_DATAERR,
				       "'%s': '%s': compression method %d is not supported "
				       "(only stored and deflate)",
				       name, shown(st.name, what), (int)st.comp_method);
		else if (st.size > G_CHARX_MAX_ENTRY)
			rc = g_err_set(err, G_EX_DATAERR,
				       "'%s': '%s': inflates to %" PRIu64 " bytes, more than %zu",
				       name, shown(st.name, what), (uint64_t)st.size,
				       G_CHARX_MAX_ENTRY);
		else if (too_compressed(st.size, st.comp_size))
			rc = g_err_set(err, G_EX_DATAERR,
				       "'%s': '%s': compression ratio over %d (%" PRIu64
				       " bytes from %" PRIu64 ")",
				       name, shown(st.name, what), G_CHARX_MAX_RATIO,
				       (uint64_t)st.size, (uint64_t)st.comp_size);
		else if ((total += st.size) > G_CHARX_MAX_TOTAL)
			rc = g_err_set(err, G_EX_DATAERR,
				       "'%s': entries inflate to more than %zu bytes in all", name,
				       G_CHARX_MAX_TOTAL);
		else if (sc->want_card && strcmp(st.name, CARD_NAME) == 0)
			sc->card = (zip_int64_t)i;
		else
			sc->files++;
	}
	if (rc == 0 && (why = duplicate(names, (size_t)n)))
		rc = g_err_set(err, G_EX_DATAERR, "'%s': '%s': duplicate entry name", name,
			       shown(why, what));
	free(names);
	if (rc < 0)
		return rc;
	/* many small entries, or one entry's data shared by many: the same
	 * bomb spread out, caught by the whole archive's ratio */
	if (too_compressed(total, file_len))
		return g_err_set(err, G_EX_DATAERR,
				 "'%s': entries inflate to %" PRIu64
				 " bytes from %zu: compression ratio over %d",
				 name, total, file_len, G_CHARX_MAX_RATIO);
	if (sc->want_card && sc->card < 0)
		return g_err_set(err, G_EX_DATAERR, "'%s': no card.json", name);
	return 0;
}

/* One entry, inflated into a buffer of its declared size (checked above);
 * a stream that runs past that size or stops short of it is refused. */
static int read_entry(zip_t *za, zip_uint64_t i, const char *name, const char *entry,
		      size_t size, unsigned char **out, struct g_err *err)
{
	zip_file_t *f = zip_fopen_index(za, i, 0);
	char what[SHOWN_MAX];
	unsigned char *buf, extra;
	zip_int64_t r = 0;
	size_t got = 0;
	int rc = 0;

	*out = NULL;
	if (!f)
		return zip_failed(err, G_EX_DATAERR, name, entry, zip_get_error(za));
	if (!(buf = malloc(size + 1))) {
		zip_fclose(f);
		return g_err_oom(err);
	}
	while (got < size && (r = zip_fread(f, buf + got, size - got)) > 0)
		got += (size_t)r;
	/* the end must come right after the declared size: this read also
	 * makes libzip check the CRC */
	if (r >= 0 && got == size)
		r = zip_fread(f, &extra, 1);
	if (r < 0)
		rc = zip_failed(err, G_EX_DATAERR, name, entry, zip_file_get_error(f));
	else if (r > 0)
		rc = g_err_set(err, G_EX_DATAERR,
			       "'%s': '%s': inflates past its declared %zu bytes", name,
			       shown(entry, what), size);
	else if (got < size)
		rc = g_err_set(err, G_EX_DATAERR,
			       "'%s': '%s': ends at %zu of its declared %zu bytes", name,
			       shown(entry, what), got, size);
	zip_fclose(f);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	buf[size] = '\0';
	*out = buf;
	return 0;
}

static int read_all(zip_t *za, const char *name, const struct scan *sc,
		    struct g_charx *x, struct g_err *err)
{
	zip_int64_t n = zip_get_num_entries(za, 0);
	struct g_charx_entry *e;
	unsigned char *data;
	zip_stat_t st;
	zip_uint64_t i;

	if (!(x->entries = calloc(sc->files + 1, sizeof(*x->entries))))
		return g_err_oom(err);
	for (i = 0; i < (zip_uint64_t)n; i++) {
		if (zip_stat_index(za, i, 0, &st) < 0)
			return zip_failed(err, G_EX_DATAERR, name, NULL, zip_get_error(za));
		if (is_dir(st.name))
			continue;
		if (read_entry(za, i, name, st.name, (size_t)st.size, &data, err) < 0)
			return -1;
		if ((zip_int64_t)i == sc->card) {
			x->card = (char *)data;
			x->card_len = (size_t)st.size;
			continue;
		}
		e = &x->entries[x->n_entries++];
		e->data = data;
		e->len = (size_t)st.size;
		if (!(e->path = strdup(st.name)))
			return g_err_oom(err);
	}
	return 0;
}

/* The archive in buf, opened; NULL with ze set if libzip refuses it. */
static zip_t *open_zip(const unsigned char *buf, size_t len, int flags, zip_error_t *ze)
{
	zip_source_t *src = zip_source_buffer_create(buf, len, 0, ze);
	zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY | flags, ze) : NULL;

	if (src && !za)
		zip_source_free(src);
	return za;
}

static int read_zip(const unsigned char *buf, size_t len, const char *name, int want_card,
		    struct g_charx *out, struct g_err *err)
{
	struct scan sc = { .want_card = want_card };
	zip_error_t ze;
	zip_t *za;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > G_CHARX_MAX_FILE)
		return g_err_set(err, G_EX_DATAERR, "'%s': larger than %zu bytes", name,
				 G_CHARX_MAX_FILE);
	/* shorter than an end record: libzip would take it for a new archive */
	if (len < 22)
		return g_err_set(err, G_EX_DATAERR, "'%s': not a zip archive", name);
	zip_error_init(&ze);
	/* CHECKCONS: each local header must agree with the central directory,
	 * so the sizes checked are the sizes read */
	if (!(za = open_zip(buf, len, ZIP_CHECKCONS, &ze))) {
		rc = zip_failed(err, G_EX_DATAERR, name, NULL, &ze);
		/* libzip refuses duplicate names without saying which: ours do */
		if (zip_error_code_zip(&ze) == ZIP_ER_EXISTS && (za = open_zip(buf, len, 0, NULL))) {
			check_entries(za, len, name, &sc, err);
			zip_discard(za);
		}
		zip_error_fini(&ze);
		return rc;
	}
	zip_error_fini(&ze);
	rc = check_entries(za, len, name, &sc, err);
	if (rc == 0)
		rc = read_all(za, name, &sc, out, err);
	zip_discard(za);
	if (rc < 0)
		g_charx_release(out);
	return rc;
}

int g_charx_read(const unsigned char *buf, size_t len, const char *name,
		 struct g_charx *out, struct g_err *err)
{
	return read_zip(buf, len, name, 1, out, err);
}

int g_charx_read_entries(const unsigned char *buf, size_t len, const char *name,
			 struct g_charx *out, struct g_err *err)
{
	return read_zip(buf, len, name, 0, out, err);
}

void g_charx_release(struct g_charx *x)
{
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->n_entries; i++) {
		free(x->entries[i].path);
		free(x->entries[i].data);
	}
	free(x->entries);
	free(x->card);
	memset(x, 0, sizeof(*x));
}

/* Formats that are compressed already: deflating them wastes time. */
static int is_media(const char *path)
{
	static const char *const ext[] = {
		".png", ".apng", ".jpg", ".jpeg", ".webp", ".gif", ".avif", ".mp3",
		".ogg", ".opus", ".m4a", ".mp4", ".webm", ".zip", ".charx", ".woff2",
	};
	size_t i, n = strlen(path), e;

	for (i = 0; i < sizeof(ext) / sizeof(*ext); i++) {
		e = strlen(ext[i]);
		if (n > e && strcasecmp(path + n - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

/* What the reader would refuse, refused before writing. */
static int check_output(size_t card_len, const struct g_charx_entry *entries, size_t n,
			struct g_err *err)
{
	char what[SHOWN_MAX];
	const char **names, *why;
	uint64_t total = card_len;
	size_t i;
	int rc = 0;

	if (n >= G_CHARX_MAX_ENTRIES)
		return g_err_set(err, G_EX_DATAERR, "more than %d entries",
				 G_CHARX_MAX_ENTRIES);
	if (card_len > G_CHARX_MAX_ENTRY)
		return g_err_set(err, G_EX_DATAERR, "'%s': larger than %zu bytes", CARD_NAME,
				 G_CHARX_MAX_ENTRY);
	if (!(names = malloc((n + 1) * sizeof(*names))))
		return g_err_oom(err);
	names[0] = CARD_NAME;
	for (i = 0; i < n && rc == 0; i++) {
		const char *path = entries[i].path;

		names[i + 1] = path;
		if ((why = g_charx_bad_name(path, strlen(path))))
			rc = g_err_set(err, G_EX_DATAERR, "'%s': unsafe entry name: %s",
				       shown(path, what), why);
		else if (is_dir(path))
			rc = g_err_set(err, G_EX_DATAERR, "'%s': a directory, not a file",
				       shown(path, what));
		else if (entries[i].len > G_CHARX_MAX_ENTRY)
			rc = g_err_set(err, G_EX_DATAERR, "'%s': larger than %zu bytes",
				       shown(path, what), G_CHARX_MAX_ENTRY);
		else if ((total += entries[i].len) > G_CHARX_MAX_TOTAL)
			rc = g_err_set(err, G_EX_DATAERR, "entries larger than %zu bytes in all",
				       G_CHARX_MAX_TOTAL);
	}
	if (rc == 0 && (why = duplicate(names, n + 1)))
		rc = g_err_set(err, G_EX_DATAERR, "'%s': duplicate entry name",
			       shown(why, what));
	free(names);
	return rc;
}

/* The zip libzip wrote into dst, copied out. */
static int take_output(zip_source_t *dst, unsigned char **out, size_t *out_len,
		       struct g_err *err)
{
	zip_stat_t st;
	unsigned char *buf;
	int rc = 0;

	zip_stat_init(&st);
	if (zip_source_open(dst) < 0)
		return zip_failed(err, G_EX_SOFTWARE, NULL, NULL, zip_source_error(dst));
	if (zip_source_stat(dst, &st) < 0 || !(st.valid & ZIP_STAT_SIZE))
		rc = zip_failed(err, G_EX_SOFTWARE, NULL, NULL, zip_source_error(dst));
	else if (!(buf = malloc(st.size + 1)))
		rc = g_err_oom(err);
	else if (zip_source_read(dst, buf, st.size) != (zip_int64_t)st.size) {
		free(buf);
		rc = zip_failed(err, G_EX_SOFTWARE, NULL, NULL, zip_source_error(dst));
	} else {
		*out = buf;
		*out_len = (size_t)st.size;
	}
	zip_source_close(dst);
	return rc;
}

static int write_zip(const char *card, size_t card_len, const struct g_charx_entry *entries,
		     size_t n, int store_all, unsigned char **out, size_t *out_len,
		     struct g_err *err)
{
	zip_source_t *dst, *src;
	zip_error_t ze;
	zip_t *za = NULL;
	zip_int64_t idx;
	zip_int32_t method;
	size_t i;
	int rc = 0;

	zip_error_init(&ze);
	if ((dst = zip_source_buffer_create(NULL, 0, 0, &ze)) &&
	    !(za = zip_open_from_source(dst, ZIP_TRUNCATE, &ze)))
		zip_source_free(dst);
	if (!za) {
		rc = zip_failed(err, G_EX_SOFTWARE, NULL, NULL, &ze);
		zip_error_fini(&ze);
		return rc;
	}
	zip_error_fini(&ze);
	zip_source_keep(dst); /* for the bytes, after zip_close */
	for (i = 0; i <= n && rc == 0; i++) {
		const char *path = i ? entries[i - 1].path : CARD_NAME;

		src = i ? zip_source_buffer(za, entries[i - 1].data, entries[i - 1].len, 0)
			: zip_source_buffer(za, card, card_len, 0);
		if (!src || (idx = zip_file_add(za, path, src, ZIP_FL_ENC_UTF_8)) < 0) {
			zip_source_free(src);
			rc = zip_failed(err, G_EX_SOFTWARE, NULL, path, zip_get_error(za));
			break;
		}
		method = store_all || (i && is_media(path)) ? ZIP_CM_STORE : ZIP_CM_DEFLATE;
		if (zip_set_file_compression(za, (zip_uint64_t)idx, method, 0) < 0 ||
		    zip_file_set_mtime(za, (zip_uint64_t)idx, FIXED_MTIME, 0) < 0)
			rc = zip_failed(err, G_EX_SOFTWARE, NULL, path, zip_get_error(za));
	}
	if (rc == 0 && zip_close(za) < 0)
		rc = zip_failed(err, G_EX_SOFTWARE, NULL, NULL, zip_get_error(za));
	else if (rc == 0)
		za = NULL; /* closed */
	if (za)
		zip_discard(za);
	if (rc == 0)
		rc = take_output(dst, out, out_len, err);
	zip_source_free(dst);
	return rc;
}

/* Whether the reader's checks pass on what was written: deflate can beat
 * the ratio cap on long runs, and then the entries are stored instead. */
static int reads_back(const unsigned char *buf, size_t len)
{
	zip_t *za = open_zip(buf, len, ZIP_CHECKCONS, NULL);
	struct scan sc = { .want_card = 1 };
	int ok;

	if (!za)
		return 0;
	ok = check_entries(za, len, "charx", &sc, NULL) == 0;
	zip_discard(za);
	return ok;
}

int g_charx_write(const char *card, size_t card_len,
		  const struct g_charx_entry *entries, size_t n,
		  unsigned char **out, size_t *out_len, struct g_err *err)
{
	*out = NULL;
	*out_len = 0;
	if (check_output(card_len, entries, n, err) < 0 ||
	    write_zip(card, card_len, entries, n, 0, out, out_len, err) < 0)
		return -1;
	if (reads_back(*out, *out_len))
		return 0;
	free(*out);
	*out = NULL;
	*out_len = 0;
	return write_zip(card, card_len, entries, n, 1, out, out_len, err);
}
