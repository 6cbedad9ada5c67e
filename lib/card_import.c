/* card_import.c: the cards in a file, found by content. */
#include "card_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byaf.h"
#include "charx.h"
#include "png.h"
#include "st_persona.h"

struct source {
	const char *name;
	const char *file; /* the name without its directories, for origin */
	const struct g_card_import_opts *o;
	g_card_item_fn fn;
	void *arg;
	struct g_err *err;
	int stop;
	char stem[256]; /* a nameless card's name */
};


static json_t *origin(const struct source *src, const char *format, const char *card,
		      const char *chunk)
{
	json_t *o = json_object();

	json_object_set_new(o, "file", json_string(src->file));
	json_object_set_new(o, "format", json_string(format));
	json_object_set_new(o, "card", json_string(card));
	if (chunk)
		json_object_set_new(o, "chunk", json_string(chunk));
	return o;
}

/* Where in a file a card is (a PNG chunk, card.json, a backup's persona):
 * its messages name the file, then this place (err.h g_err_place). */
struct placed {
	const struct source *src;
	const char *name;
	const char *place; /* NULL: the file is the card */
	const char *stem;  /* a nameless card's name; NULL: none */
};

static void placed_warn(const char *msg, void *arg)
{
	const struct placed *at = arg;
	char placed[G_ERR_MSG_MAX];

	snprintf(placed, sizeof(placed), "%s", msg);
	if (at->place)
		g_err_place_text(placed, sizeof(placed), at->name, at->place);
	if (at->src->o->warn)
		at->src->o->warn(placed, at->src->o->warn_arg);
}

/* A card normalised, its messages placed; NULL with err set. */
static json_t *normalize_at(const struct placed *at, const json_t *doc,
			    enum g_card_shape *shape, struct g_err *err)
{
	json_t *card = g_card_normalize_file(doc, at->name, at->stem,
					     at->src->o->strict ? G_CARD_STRICT : 0,
					     shape, placed_warn, (void *)at, err);

	if (!card && at->place)
		g_err_place(err, at->name, at->place);
	return card;
}

/* Normalise doc and hand the item on; a card that fails is handed on as a
 * failure when more may follow in the same file (stream), else returned. */
static int emit_card(struct source *src, const json_t *doc, const char *where,
		     const char *place, const char *format, const char *chunk,
		     const unsigned char *raw, size_t raw_len, const unsigned char *avatar,
		     size_t avatar_len, int stream)
{
	const struct placed at = { src, where, place, src->stem };
	struct g_card_item item = { 0 };
	enum g_card_shape shape;
	struct g_err failure = { 0 };
	json_t *card;

	card = normalize_at(&at, doc, &shape, stream ? &failure : src->err);
	if (!card) {
		if (!stream)
			return -1;
		src->stop = src->fn(NULL, 0, &failure, src->arg);
		return 0;
	}
	item.card = card;
	item.origin = origin(src, format, g_card_shape_name(shape), chunk);
	item.raw = raw;
	item.raw_len = raw_len;
	item.avatar = avatar;
	item.avatar_len = avatar_len;
	item.where = where;
	src->stop = src->fn(&item, 1, NULL, src->arg);
	json_decref(item.origin);
	json_decref(card);
	return 0;
}

/* A persona backup's personas, all normalised before any is handed on:
 * a backup stands or falls whole. */
struct backup {
	struct source *src;
	const char *where;
	struct g_card_item *items;
	char (*wheres)[512]; /* "file: personas.AVATAR", each persona's source */
	size_t n, cap;
	int failed;
	struct g_err failure;
};

static int collect_persona(struct g_st_persona *p, void *arg)
{
	struct backup *b = arg;
	struct source *src = b->src;
	struct g_card_item *item;
	enum g_card_shape shape;
	json_t *card;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 8;
		struct g_card_item *items = realloc(b->items, cap * sizeof(*items));
		char(*wheres)[512] = items ? realloc(b->wheres, cap * sizeof(*wheres)) : NULL;

		if (items)
			b->items = items;
		if (!wheres) {
			b->failed = 1;
			g_err_oom(&b->failure);
			return 1;
		}
		b->wheres = wheres;
		b->cap = cap;
	}
	snprintf(b->wheres[b->n], sizeof(b->wheres[b->n]), "%s: personas.%s", b->where,
		 p->avatar);
	{
		char place[320];
		/* a persona's name is the backup's, never its file's */
		const struct placed at = { src, b->where, place, NULL };

		snprintf(place, sizeof(place), "personas.%s", p->avatar);
		card = normalize_at(&at, p->card, &shape, &b->failure);
	}
	if (!card) {
		b->failed = 1;
		return 1;
	}
	item = &b->items[b->n++];
	memset(item, 0, sizeof(*item));
	item->card = card;
	item->origin = origin(src, "sillytavern-personas", "user_persona", NULL);
	json_object_set_new(item->origin, "avatar", json_string(p->avatar));
	/* no raw: the backup holds every persona's text, and one row must not
	 * keep another's; the persona's own entry is all in its card */
	item->from_backup = 1;
	item->place = p->place;
	item->is_default = p->is_default;
	item->where = b->wheres[b->n - 1];
	return 0;
}

static int from_backup(struct source *src, const json_t *doc, const char *where, int stream)
{
	struct backup b = { .src = src, .where = where };
	size_t i;
	int rc = 0;

	if (g_st_persona_each(doc, where, collect_persona, &b, &b.failure) < 0)
		b.failed = 1;
	if (b.failed && !stream) {
		*src->err = b.failure;
		rc = -1;
	} else if (b.failed) {
		src->stop = src->fn(NULL, 0, &b.failure, src->arg);
	} else if (b.n) {
		src->stop = src->fn(b.items, b.n, NULL, src->arg);
	}
	for (i = 0; i < b.n; i++) {
		json_decref(b.items[i].card);
		json_decref(b.items[i].origin);
	}
	free(b.items);
	free(b.wheres);
	return rc;
}

/* One record of a text file: a card, or a persona backup. */
static int text_record(struct source *src, const json_t *doc, const char *where,
		       const char *format, const unsigned char *raw, size_t raw_len,
		       int stream)
{
	if (g_st_persona_is_backup(doc))
		return from_backup(src, doc, where, stream);
	return emit_card(src, doc, where, NULL, format, NULL, raw, raw_len, NULL, 0, stream);
}

/* JSON or YAML: one record is stored as the file's bytes; in a stream of
 * several, each record as compact JSON. */
static int from_text(struct source *src, const unsigned char *buf, size_t len)
{
	struct g_doc_reader *r;
	json_t *doc = NULL, *next = NULL;
	const char *format;
	char where[512];
	size_t i = 0, k = 0;
	int rc = 0, more;

	while (k < len && (buf[k] == ' ' || buf[k] == '\t' || buf[k] == '\r' || buf[k] == '\n'))
		k++;
	if (k + 3 <= len && buf[k] == 0xEF && buf[k + 1] == 0xBB && buf[k + 2] == 0xBF)
		k += 3;
	while (k < len && (buf[k] == ' ' || buf[k] == '\t' || buf[k] == '\r' || buf[k] == '\n'))
		k++;
	format = src->o->input == G_DOC_YAML ? "yaml"
		 : src->o->input == G_DOC_JSON ? "json"
		 : (k < len && (buf[k] == '{' || buf[k] == '[')) ? "json" : "yaml";
	r = g_doc_reader_new_mem(buf, len, src->name, src->o->input, G_DOC_RECORDS);
	if (!r)
		return g_err_oom(src->err);
	more = g_doc_read(r, &doc, src->err);
	if (more == 0)
		rc = g_err_set(src->err, G_EX_DATAERR, "'%s': no character data", src->name);
	else if (more < 0)
		rc = -1;
	while (rc == 0 && doc && !src->stop) {
		struct g_err failure = { 0 };
		int after = g_doc_read(r, &next, &failure);
		char *text = NULL;

		i++;
		if (after == 0 && i == 1) {
			rc = text_record(src, doc, src->name, format, buf, len, 0);
		} else {
			snprintf(where, sizeof(where), "%s[%zu]", src->name, i);
			text = json_dumps(doc, JSON_COMPACT | JSON_ENCODE_ANY);
			if (!text)
				rc = g_err_oom(src->err);
			else
				rc = text_record(src, doc, where, format,
						 (const unsigned char *)text, strlen(text), 1);
			free(text);
		}
		json_decref(doc);
		doc = after > 0 ? next : NULL;
		if (after < 0 && !src->stop)
			src->stop = src->fn(NULL, 0, &failure, src->arg);
	}
	json_decref(doc);
	g_doc_reader_free(r);
	return rc;
}

/* The one JSON object a card chunk or card.json (place) of file name holds. */
static json_t *one_object(const char *text, size_t len, const char *name, const char *place,
			  struct g_err *err)
{
	json_t *doc = g_doc_parse_json(text, len, name, err);

	if (doc && !json_is_object(doc)) {
		json_decref(doc);
		doc = NULL;
		g_err_set(err, G_EX_DATAERR, "'%s': the card is not a JSON object", name);
	}
	if (!doc)
		g_err_place(err, name, place);
	return doc;
}

static int from_png(struct source *src, const unsigned char *buf, size_t len)
{
	unsigned char *avatar = NULL;
	size_t text_len, avatar_len = 0;
	const char *keyword;
	char *text = NULL, place[32];
	json_t *doc;
	int rc;

	if (g_png_card(buf, len, src->name, &text, &text_len, &keyword, src->err) < 0)
		return -1;
	snprintf(place, sizeof(place), "%s chunk", keyword);
	rc = src->o->want_avatar ? g_png_without_card_text(buf, len, src->name, &avatar,
							   &avatar_len, src->err)
				 : 0;
	/* nothing more is read of the file: a large card is not held as it
	 * too while it is parsed and stored */
	if (src->o->file)
		g_fileio_release(src->o->file);
	doc = rc == 0 ? one_object(text, text_len, src->name, place, src->err) : NULL;
	if (!doc)
		rc = -1;
	if (rc == 0)
		rc = emit_card(src, doc, src->name, place, "png", keyword,
			       (const unsigned char *)text, text_len, avatar, avatar_len, 0);
	json_decref(doc);
	free(text);
	free(avatar);
	return rc;
}

/* The CHARX's icon: the entry its first "icon" asset names, else none. */
static const struct g_charx_entry *charx_icon(const struct g_charx *x, const json_t *card)
{
	static const char scheme[] = "embeded://";
	const json_t *assets = json_object_get(json_object_get(card, "data"), "assets");
	const json_t *a;
	size_t i, j;

	json_array_foreach(assets, i, a) {
		const char *uri = json_string_value(json_object_get(a, "uri"));
		const char *type = json_string_value(json_object_get(a, "type"));

		if (!uri || !type || strcmp(type, "icon") != 0 ||
		    strncmp(uri, scheme, sizeof(scheme) - 1) != 0)
			continue;
		for (j = 0; j < x->n_entries; j++)
			if (strcmp(x->entries[j].path, uri + sizeof(scheme) - 1) == 0)
				return &x->entries[j];
	}
	return NULL;
}

static int from_charx(struct source *src, const unsigned char *buf, size_t len)
{
	struct g_charx x = { 0 };
	const struct g_charx_entry *icon;
	unsigned char *avatar = NULL;
	size_t avatar_len = 0;
	json_t *doc;
	int rc = -1;

	if (g_charx_read(buf, len, src->name, &x, src->err) < 0)
		return -1;
	doc = one_object(x.card, x.card_len, src->name, "card.json", src->err);
	if (doc) {
		rc = 0;
		icon = charx_icon(&x, doc);
		if (icon && g_png_sniff(icon->data, icon->len) && !src->o->want_avatar) {
			/* validation only: the same checks, no copy */
			rc = g_png_walk(icon->data, icon->len, src->name, NULL, NULL, src->err);
		} else if (icon && g_png_sniff(icon->data, icon->len)) {
			rc = g_png_without_card_text(icon->data, icon->len, src->name, &avatar,
						     &avatar_len, src->err);
		} else if (icon && src->o->want_avatar) {
			avatar = malloc(icon->len ? icon->len : 1);
			if (!avatar)
				rc = g_err_oom(src->err);
			else if (icon->len)
				memcpy(avatar, icon->data, icon->len);
			avatar_len = icon->len;
		}
		/* a broken icon is named as itself, not as the archive */
		if (rc < 0 && icon)
			g_err_place(src->err, src->name, icon->path);
		/* the whole archive is the card as imported: its assets go back
		 * out with it on export */
		if (rc == 0)
			rc = emit_card(src, doc, src->name, "card.json", "charx", NULL, buf, len, avatar,
				       avatar_len, 0);
	}
	json_decref(doc);
	free(avatar);
	g_charx_release(&x);
	return rc;
}

/* A Backyard AI archive: the card its character makes, the first image
 * as the avatar, and the whole archive as the card imported. */
static int from_byaf(struct source *src, const unsigned char *buf, size_t len)
{
	struct g_byaf b;
	unsigned char *avatar = NULL;
	size_t avatar_len = 0;
	int rc;

	memset(&b, 0, sizeof(b)); /* g_byaf_read zeroes it too; cppcheck cannot tell */
	if (g_byaf_read(buf, len, src->name, src->o->strict, src->o->warn, src->o->warn_arg, &b,
			src->err) < 0)
		return -1;
	rc = g_byaf_avatar(&b, src->name, src->o->want_avatar, &avatar, &avatar_len, src->err);
	if (rc == 0)
		rc = emit_card(src, b.card, src->name, b.character, "byaf", NULL, buf, len, avatar,
			       avatar_len, 0);
	free(avatar);
	g_byaf_release(&b);
	return rc;
}

int g_card_import_read(const unsigned char *buf, size_t len, const char *name,
		      const struct g_card_import_opts *o, g_card_item_fn fn,
		      void *arg, struct g_err *err)
{
	struct source src = { name, name, o, fn, arg, err, 0, "" };
	const char *slash = strrchr(name, '/'), *dot;

	if (slash && slash[1])
		src.file = slash + 1;
	/* "x.png" names a nameless card "x"; ".x" is all name */
	dot = strrchr(src.file, '.');
	snprintf(src.stem, sizeof(src.stem), "%.*s",
		 (int)(dot && dot != src.file ? (size_t)(dot - src.file) : strlen(src.file)),
		 src.file);
	if (o->nameless)
		snprintf(src.stem, sizeof(src.stem), "%s", o->nameless);
	if (g_png_looks_like(buf, len))
		return from_png(&src, buf, len);
	if (g_byaf_sniff(buf, len))
		return from_byaf(&src, buf, len);
	if (g_charx_sniff(buf, len))
		return from_charx(&src, buf, len);
	return from_text(&src, buf, len);
}
