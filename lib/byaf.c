/* byaf.c: a Backyard AI archive's manifest, character, scenarios and
 * images found and checked; the card made of them by byaf_card.c. */
#include "byaf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "byaf_card.h"
#include "card_lenient.h"
#include "doc.h"
#include "png.h"

#define CHARACTERS_DIR "characters/"
#define CHARACTER_FILE "/character.json"

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && strcmp(s + n - t, tail) == 0;
}

int g_byaf_sniff(const unsigned char *buf, size_t len)
{
	zip_source_t *src;
	zip_t *za = NULL;
	zip_int64_t n, i;
	const char *entry;
	int found = 0;

	if (!g_charx_sniff(buf, len))
		return 0;
	if ((src = zip_source_buffer_create(buf, len, 0, NULL)) &&
	    !(za = zip_open_from_source(src, ZIP_RDONLY, NULL)))
		zip_source_free(src);
	if (!za)
		return 0;
	if (zip_name_locate(za, "card.json", 0) < 0) {
		found = zip_name_locate(za, G_BYAF_MANIFEST, 0) >= 0;
		n = zip_get_num_entries(za, 0);
		/* a manifest lost: the character's folder still says what it is */
		for (i = 0; !found && i < n; i++)
			found = (entry = zip_get_name(za, (zip_uint64_t)i, 0)) &&
				strncmp(entry, CHARACTERS_DIR, sizeof(CHARACTERS_DIR) - 1) == 0 &&
				ends_with(entry, CHARACTER_FILE);
	}
	zip_discard(za);
	return found;
}

struct reader {
	const char *name;
	int strict;
	g_card_warn_fn warn;
	void *warn_arg;
	struct g_byaf *out;
	struct g_err *err;
};

/* What SillyTavern passes over with a warning: a warning (what is
 * skipped says so), or an error with strict. Returns -1 when refused. */
static int skip(struct reader *r, int skipped, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int skip(struct reader *r, int skipped, const char *fmt, ...)
{
	char msg[768], told[800];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(told, sizeof(told), "%s%s", msg, skipped ? ", skipped" : "");
	return g_card_leniency(r->name, r->strict, r->warn, r->warn_arg, r->err, msg, told);
}

static const struct g_charx_entry *entry(const struct g_byaf *b, const char *path)
{
	size_t i;

	for (i = 0; i < b->zip.n_entries; i++)
		if (strcmp(b->zip.entries[i].path, path) == 0)
			return &b->zip.entries[i];
	return NULL;
}

/* A path the archive's JSON gives (at place, in file): a string, safe as
 * an entry name is. */
static const char *path_at(struct reader *r, const json_t *v, const char *file,
			   const char *place)
{
	const char *path = json_string_value(v), *why;

	if (!path) {
		g_err_set(r->err, G_EX_DATAERR, "'%s': %s: %s: expected a path", r->name, file,
			  place);
		return NULL;
	}
	if ((why = g_charx_bad_name(path, json_string_length(v))) ||
	    (why = strlen(path) != json_string_length(v) ? "NUL byte" : NULL)) {
		g_err_set(r->err, G_EX_DATAERR, "'%s': %s: %s: unsafe path '%.200s': %s", r->name,
			  file, place, path, why);
		return NULL;
	}
	return path;
}

/* The JSON object in the entry at path; NULL with err set (65 located in
 * the entry). */
static json_t *object_in(struct reader *r, const struct g_charx_entry *e)
{
	json_t *doc = g_doc_parse_json(e->data, e->len, r->name, r->err);

	if (doc && !json_is_object(doc)) {
		json_decref(doc);
		doc = NULL;
		g_err_set(r->err, G_EX_DATAERR, "'%s': expected a JSON object", r->name);
	}
	if (!doc)
		g_err_place(r->err, r->name, e->path);
	return doc;
}

/* NULL, with err set (65) to "'name': manifest.json: what" */
static json_t *bad_manifest(struct reader *r, const char *what)
{
	g_err_set(r->err, G_EX_DATAERR, "'%s': " G_BYAF_MANIFEST ": %s", r->name, what);
	return NULL;
}

/* The one character the manifest names (SillyTavern reads the first). */
static json_t *character(struct reader *r, const json_t *manifest, const char **path_out)
{
	const json_t *list = json_object_get(manifest, "characters");
	const struct g_charx_entry *e;
	const char *path;
	char what[256];

	if (!json_is_array(list))
		return bad_manifest(r, "characters: expected a list of paths");
	if (json_array_size(list) == 0)
		return bad_manifest(r, "characters: no character");
	if (!(path = path_at(r, json_array_get(list, 0), G_BYAF_MANIFEST, "characters[0]")))
		return NULL;
	if (!(e = entry(r->out, path))) {
		snprintf(what, sizeof(what), "characters[0]: no entry '%.200s'", path);
		return bad_manifest(r, what);
	}
	if (json_array_size(list) > 1 &&
	    skip(r, 0, G_BYAF_MANIFEST ": characters: %zu characters, only the first is imported",
		 json_array_size(list)) < 0)
		return NULL;
	*path_out = e->path;
	return object_in(r, e);
}

/* A message without its leading "'name': ", which skip puts back. */
static const char *unnamed(const struct reader *r, const char *msg)
{
	size_t k = strlen(r->name);

	if (msg[0] == '\'' && strncmp(msg + 1, r->name, k) == 0 && strncmp(msg + 1 + k, "': ", 3) == 0)
		return msg + k + 4;
	return msg;
}

/* The scenarios the archive holds, in the manifest's order, and their
 * paths; those missing or not JSON objects skipped. */
static int scenarios(struct reader *r, const json_t *manifest, json_t *list, json_t *paths)
{
	const json_t *names = json_object_get(manifest, "scenarios");
	const struct g_charx_entry *e;
	struct g_err why;
	const char *path;
	char place[32];
	json_t *doc;
	size_t i;

	if (!json_is_array(names) || json_array_size(names) == 0)
		return skip(r, 0, G_BYAF_MANIFEST ": scenarios: none, the card has no scenario");
	for (i = 0; i < json_array_size(names); i++) {
		snprintf(place, sizeof(place), "scenarios[%zu]", i);
		if (!(path = path_at(r, json_array_get(names, i), G_BYAF_MANIFEST, place)))
			return -1;
		if (!(e = entry(r->out, path))) {
			if (skip(r, 1, G_BYAF_MANIFEST ": %s: no entry '%.200s'", place, path) < 0)
				return -1;
			continue;
		}
		doc = object_in(&(struct reader){ r->name, 0, NULL, NULL, r->out, &why }, e);
		if (!doc && why.code != G_EX_DATAERR) {
			*r->err = why;
			return -1;
		}
		if (!doc) {
			if (skip(r, 1, "%s", unnamed(r, why.msg)) < 0)
				return -1;
			continue;
		}
		if (json_array_append_new(list, doc) < 0 ||
		    json_array_append_new(paths, json_string(e->path)) < 0)
			return g_err_oom(r->err);
	}
	return 0;
}

/* The first of the character's images the archive holds: paths are
 * relative to the character's folder. */
static int avatar(struct reader *r, const json_t *chr, const char *chr_path)
{
	const json_t *images = json_object_get(chr, "images"), *image, *v;
	const char *slash = strrchr(chr_path, '/'), *path;
	size_t i, dir = slash ? (size_t)(slash - chr_path) + 1 : 0;
	char place[48], full[1024];

	json_array_foreach (images, i, image) {
		snprintf(place, sizeof(place), "images[%zu].path", i);
		if (!json_is_object(image))
			return g_err_set(r->err, G_EX_DATAERR, "'%s': %s: images[%zu]: %s", r->name,
					 chr_path, i, "expected an object");
		v = json_object_get(image, "path");
		if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
			/* SillyTavern skips it */
			if (skip(r, 1, "%s: %s: no path", chr_path, place) < 0)
				return -1;
			continue;
		}
		if (!(path = path_at(r, v, chr_path, place)))
			return -1;
		if (dir + strlen(path) >= sizeof(full))
			return g_err_set(r->err, G_EX_DATAERR, "'%s': %s: %s: path too long",
					 r->name, chr_path, place);
		snprintf(full, sizeof(full), "%.*s%s", (int)dir, chr_path, path);
		if (r->out->avatar)
			continue; /* the others are checked, and stay in the archive */
		if (!(r->out->avatar = entry(r->out, full)) &&
		    skip(r, 1, "%s: %s: no entry '%.200s'", chr_path, place, full) < 0)
			return -1;
	}
	return 0;
}

static int read_archive(struct reader *r, const unsigned char *buf, size_t len)
{
	const struct g_charx_entry *m;
	json_t *manifest = NULL, *chr = NULL, *list = json_array(), *paths = json_array();
	int rc = -1;

	if (!list || !paths)
		rc = g_err_oom(r->err);
	else if (g_charx_read_entries(buf, len, r->name, &r->out->zip, r->err) < 0)
		;
	else if (!(m = entry(r->out, G_BYAF_MANIFEST)))
		g_err_set(r->err, G_EX_DATAERR, "'%s': no " G_BYAF_MANIFEST, r->name);
	else if ((manifest = object_in(r, m)) &&
		 (chr = character(r, manifest, &r->out->character)) &&
		 scenarios(r, manifest, list, paths) == 0 &&
		 avatar(r, chr, r->out->character) == 0 &&
		 (r->out->card = g_byaf_card_make(manifest, chr, r->out->character, list, paths,
						  r->name, r->err)))
		rc = 0;
	json_decref(manifest);
	json_decref(chr);
	json_decref(list);
	json_decref(paths);
	return rc;
}

int g_byaf_read(const unsigned char *buf, size_t len, const char *name, int strict,
		g_card_warn_fn warn, void *warn_arg, struct g_byaf *out, struct g_err *err)
{
	struct reader r = { name, strict, warn, warn_arg, out, err };

	memset(out, 0, sizeof(*out));
	if (read_archive(&r, buf, len) == 0)
		return 0;
	g_byaf_release(out);
	return -1;
}

int g_byaf_avatar(const struct g_byaf *b, const char *name, int want, unsigned char **out,
		  size_t *out_len, struct g_err *err)
{
	const struct g_charx_entry *a = b->avatar;
	int rc = 0;

	*out = NULL;
	*out_len = 0;
	if (!a)
		return 0;
	if (g_png_sniff(a->data, a->len))
		rc = want ? g_png_without_card_text(a->data, a->len, name, out, out_len, err)
			  : g_png_walk(a->data, a->len, name, NULL, NULL, err);
	else if (want && !(*out = malloc(a->len ? a->len : 1)))
		rc = g_err_oom(err);
	else if (want) {
		memcpy(*out, a->data, a->len);
		*out_len = a->len;
	}
	if (rc < 0)
		g_err_place(err, name, a->path);
	return rc;
}

void g_byaf_release(struct g_byaf *b)
{
	if (!b)
		return;
	json_decref(b->card);
	g_charx_release(&b->zip);
	memset(b, 0, sizeof(*b));
}
