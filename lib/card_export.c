/* card_export.c: V3, V2, PNG and CHARX out of a canonical card. */
#include "card_export.h"

#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "card_lenient.h"
#include "charx.h"
#include "png.h"

const char g_card_backfill_note[] =
	"This character card is Character Card V3, but it is loaded as a Character "
	"Card V2. Please use a Character Card V3 compatible application to use this "
	"character card properly.";

/* A lorebook entry's content without its leading decorator lines. */
static void strip_decorators(json_t *entry)
{
	const char *s = json_string_value(json_object_get(entry, "content"));
	size_t len, i = 0;

	if (!s)
		return;
	len = json_string_length(json_object_get(entry, "content"));
	while (i + 1 < len && s[i] == '@' && s[i + 1] == '@') {
		const char *nl = memchr(s + i, '\n', len - i);

		i = nl ? (size_t)(nl - s) + 1 : len;
	}
	if (i)
		json_object_set_new(entry, "content", json_stringn_nocheck(s + i, len - i));
}

json_t *g_card_export_v2(const json_t *v3)
{
	json_t *v2 = json_deep_copy(v3), *data, *book, *entries, *entry, *written, *read;
	struct g_err err;
	struct g_card_lenient quiet = { .name = "", .err = &err };
	const char *notes;
	char *joined;
	size_t i, n, total;

	if (!v2)
		return NULL;
	json_object_set_new(v2, "spec", json_string("chara_card_v2"));
	json_object_set_new(v2, "spec_version", json_string("2.0"));
	data = json_object_get(v2, "data");
	book = json_object_get(data, "character_book");
	entries = json_object_get(book, "entries");
	json_array_foreach(entries, i, entry) {
		strip_decorators(entry);
	}
	/* notes given back as written (a list of lines, say) are their text,
	 * as they were read, before the note is added */
	written = json_object_get(data, "creator_notes");
	read = written && !json_is_string(written)
		       ? g_card_lenient_value(&quiet, "data.creator_notes", "creator_notes", written)
		       : json_incref(written);
	notes = json_string_value(read);
	n = notes ? json_string_length(read) : 0;
	/* the notes, a blank line, the note: notes may hold a NUL, so lengths */
	joined = malloc(n + 2 + sizeof(g_card_backfill_note));
	if (!joined) {
		json_decref(read);
		json_decref(v2);
		return NULL;
	}
	total = 0;
	if (n) {
		memcpy(joined, notes, n);
		joined[n] = '\n';
		joined[n + 1] = '\n';
		total = n + 2;
	}
	memcpy(joined + total, g_card_backfill_note, sizeof(g_card_backfill_note));
	total += sizeof(g_card_backfill_note) - 1;
	json_object_set_new(data, "creator_notes", json_stringn_nocheck(joined, total));
	free(joined);
	json_decref(read);
	return v2;
}

char *g_card_export_json_text(const json_t *card)
{
	return json_dumps(card, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* Add a tEXt chunk keyed keyword holding card as base64 JSON. */
static int add_card_chunk(unsigned char **png, size_t *len, const char *keyword,
			  const json_t *card, struct g_err *err)
{
	char *text = g_card_export_json_text(card), *b64 = NULL;
	unsigned char *out = NULL;
	size_t out_len;
	int rc = -1;

	if (text)
		b64 = g_base64_encode_std((const unsigned char *)text, strlen(text));
	if (!b64)
		g_err_oom(err);
	else if (g_png_add_text(*png, *len, "tEXt", keyword, b64, strlen(b64), 0, &out,
				&out_len, err) == 0) {
		free(*png);
		*png = out;
		*len = out_len;
		rc = 0;
	}
	free(text);
	free(b64);
	return rc;
}

int g_card_export_png(const json_t *v3, const unsigned char *avatar,
		      size_t avatar_len, unsigned char **out, size_t *out_len,
		      struct g_err *err)
{
	unsigned char *png = NULL;
	size_t len = 0;
	json_t *v2;
	int rc;

	if (avatar && g_png_sniff(avatar, avatar_len))
		rc = g_png_without_card_text(avatar, avatar_len, "avatar", &png, &len, err);
	else
		rc = g_png_default_image(&png, &len, err);
	if (rc < 0)
		return -1;
	v2 = g_card_export_v2(v3);
	if (!v2) {
		free(png);
		return g_err_oom(err);
	}
	/* chara first: a reader that takes the first card chunk it meets and
	 * knows only V2 still finds one */
	rc = add_card_chunk(&png, &len, "chara", v2, err);
	if (rc == 0)
		rc = add_card_chunk(&png, &len, "ccv3", v3, err);
	json_decref(v2);
	if (rc < 0) {
		free(png);
		return -1;
	}
	*out = png;
	*out_len = len;
	return 0;
}

/* The card with the avatar as its icon, unless it names an icon already. */
static json_t *with_icon(const json_t *v3, const char *path)
{
	json_t *card = json_deep_copy(v3), *data, *assets, *a;
	char uri[128];
	size_t i;

	if (!card)
		return NULL;
	data = json_object_get(card, "data");
	assets = json_object_get(data, "assets");
	json_array_foreach(assets, i, a) {
		const char *type = json_string_value(json_object_get(a, "type"));

		if (type && strcmp(type, "icon") == 0)
			return card;
	}
	if (!json_is_array(assets)) {
		assets = json_array();
		json_object_set_new(data, "assets", assets);
	}
	snprintf(uri, sizeof(uri), "embeded://%s", path);
	json_array_append_new(assets, json_pack("{s:s, s:s, s:s, s:s}", "type", "icon", "uri",
						uri, "name", "main", "ext", "png"));
	return card;
}

int g_card_export_charx(const json_t *v3, const char *origin_format,
			const unsigned char *raw, size_t raw_len,
			const unsigned char *avatar, size_t avatar_len,
			unsigned char **out, size_t *out_len, struct g_err *err)
{
	static const char icon_path[] = "assets/icon/images/main.png";
	struct g_charx x = { 0 };
	struct g_charx_entry icon;
	const struct g_charx_entry *entries = NULL;
	json_t *card = NULL;
	char *text;
	size_t n = 0;
	int rc;

	if (origin_format && strcmp(origin_format, "charx") == 0 && raw) {
		if (g_charx_read(raw, raw_len, "the stored CHARX", &x, err) < 0)
			return -1;
		entries = x.entries;
		n = x.n_entries;
		card = json_incref((json_t *)v3);
	} else if (avatar && g_png_sniff(avatar, avatar_len)) {
		icon.path = (char *)icon_path;
		icon.data = (unsigned char *)avatar;
		icon.len = avatar_len;
		entries = &icon;
		n = 1;
		card = with_icon(v3, icon_path);
	} else {
		card = json_incref((json_t *)v3);
	}
	text = card ? g_card_export_json_text(card) : NULL;
	if (!text) {
		json_decref(card);
		g_charx_release(&x);
		return g_err_oom(err);
	}
	rc = g_charx_write(text, strlen(text), entries, n, out, out_len, err);
	free(text);
	json_decref(card);
	g_charx_release(&x);
	return rc;
}
