/* png.c: walking PNG chunks, reading and writing text chunks, and finding
 * the character card in them. */
#include "png.h"

#include "base64.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <libdeflate.h>
#include <zlib.h>

static const unsigned char signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

#define CHUNK_MAX 0x7fffffffUL

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int g_png_sniff(const unsigned char *buf, size_t len)
{
	return len >= sizeof(signature) && memcmp(buf, signature, sizeof(signature)) == 0;
}

int g_png_looks_like(const unsigned char *buf, size_t len)
{
	static const unsigned char iend[8] = { 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82 };
	size_t i, same = 0;

	for (i = 0; i < sizeof(signature) && i < len; i++)
		same += buf[i] == signature[i];
	return same >= 5 || (len >= 16 && memcmp(buf + len - 8, iend, 8) == 0);
}

static void put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* libdeflate's CRC-32 folds with carry-less multiplication where the CPU
 * has it: checking every chunk of a large image costs a fraction of what
 * zlib's table-driven crc32 does. */
static uint32_t chunk_crc(const unsigned char *type_and_data, size_t n)
{
	return libdeflate_crc32(0, type_and_data, n);
}

static int is_letter(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Bit depths each colour type allows (PNG 11.2.2). */
static int valid_depth(unsigned color, unsigned depth)
{
	switch (color) {
	case 0: return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
	case 3: return depth == 1 || depth == 2 || depth == 4 || depth == 8;
	case 2: case 4: case 6: return depth == 8 || depth == 16;
	default: return 0;
	}
}

static int check_ihdr(const struct g_png_chunk *c, const char *name, struct g_err *err)
{
	const unsigned char *d = c->data;

	if (!d)
		return g_err_set(err, G_EX_DATAERR, "'%s': no IHDR", name);

	if (c->len != 13)
		return g_err_set(err, G_EX_DATAERR, "'%s': IHDR of %zu bytes, not 13", name,
				 c->len);
	if (be32(d) == 0 || be32(d + 4) == 0 || be32(d) > CHUNK_MAX || be32(d + 4) > CHUNK_MAX)
		return g_err_set(err, G_EX_DATAERR, "'%s': IHDR: image of %lux%lu pixels",
				 name, (unsigned long)be32(d), (unsigned long)be32(d + 4));
	if (d[9] > 6 || d[9] == 1 || d[9] == 5)
		return g_err_set(err, G_EX_DATAERR, "'%s': IHDR: colour type %u is invalid",
				 name, d[9]);
	if (!valid_depth(d[9], d[8]))
		return g_err_set(err, G_EX_DATAERR,
				 "'%s': IHDR: bit depth %u is invalid for colour type %u",
				 name, d[8], d[9]);
	if (d[10] != 0 || d[11] != 0 || d[12] > 1)
		return g_err_set(err, G_EX_DATAERR,
				 "'%s': IHDR: unknown compression, filter or interlace method",
				 name);
	return 0;
}

/* One chunk at off: its bounds and CRC. Returns the offset after it. */
/* The chunk at off; its CRC checked unless the file was walked once
 * already (check_crc 0), which is the one pass over every byte a walk costs. */
static int read_chunk(const unsigned char *buf, size_t len, size_t off,
		      const char *name, int check_crc, struct g_png_chunk *c, size_t *next,
		      struct g_err *err)
{
	uint32_t n;
	int i;

	memset(c, 0, sizeof(*c));
	*next = len;
	if (len - off < 12)
		return g_err_set(err, G_EX_DATAERR,
				 "'%s': truncated at byte %zu: no IEND chunk", name, off);
	n = be32(buf + off);
	memcpy(c->type, buf + off + 4, 4);
	c->type[4] = '\0';
	for (i = 0; i < 4; i++)
		if (!is_letter((unsigned char)c->type[i]))
			return g_err_set(err, G_EX_DATAERR,
					 "'%s': byte %zu: not a chunk type", name, off + 4);
	if (n > CHUNK_MAX || n > len - off - 12)
		return g_err_set(err, G_EX_DATAERR,
				 "'%s': chunk '%s' at byte %zu: length %lu runs past the end",
				 name, c->type, off, (unsigned long)n);
	if (check_crc && chunk_crc(buf + off + 4, 4 + (size_t)n) != be32(buf + off + 8 + n))
		return g_err_set(err, G_EX_DATAERR,
				 "'%s': chunk '%s' at byte %zu: CRC mismatch", name,
				 c->type, off);
	c->data = buf + off + 8;
	c->len = n;
	c->offset = off;
	*next = off + 12 + n;
	return 0;
}

/* The whole file, checked; fn (if any) sees each chunk afterwards. */
int g_png_walk(const unsigned char *buf, size_t len, const char *name,
	       int (*fn)(const struct g_png_chunk *, void *), void *arg,
	       struct g_err *err)
{
	struct g_png_chunk c;
	size_t off, next;
	int idat = 0, first = 1;

	if (len > G_PNG_MAX_FILE)
		return g_err_set(err, G_EX_DATAERR, "'%s': larger than %zu bytes", name,
				 G_PNG_MAX_FILE);
	if (len < sizeof(signature) || memcmp(buf, signature, sizeof(signature)) != 0)
		return g_err_set(err, G_EX_DATAERR, "'%s': not a PNG file (bad signature)",
				 name);
	for (off = sizeof(signature);; off = next) {
		if (read_chunk(buf, len, off, name, 1, &c, &next, err) < 0)
			return -1;
		if (first && strcmp(c.type, "IHDR") != 0)
			return g_err_set(err, G_EX_DATAERR, "'%s': the first chunk is '%s', not IHDR",
					 name, c.type);
		if (first && check_ihdr(&c, name, err) < 0)
			return -1;
		first = 0;
		if (strcmp(c.type, "IDAT") == 0)
			idat = 1;
		if (strcmp(c.type, "IEND") == 0)
			break;
	}
	if (!idat)
		return g_err_set(err, G_EX_DATAERR, "'%s': no IDAT chunk: no image", name);
	if (!fn)
		return 0;
	/* checked: now hand them out; bytes after IEND are ignored, as readers do */
	for (off = sizeof(signature);; off = next) {
		if (read_chunk(buf, len, off, name, 0, &c, &next, NULL) < 0)
			return -1; /* cannot happen: checked above */
		if (fn(&c, arg))
			return 0;
		if (strcmp(c.type, "IEND") == 0)
			return 0;
	}
}

int g_png_is_text(const struct g_png_chunk *c)
{
	return strcmp(c->type, "tEXt") == 0 || strcmp(c->type, "zTXt") == 0 ||
	       strcmp(c->type, "iTXt") == 0;
}

/* zlib data into a new buffer of at most G_PNG_MAX_TEXT bytes. */
static int inflate_text(const unsigned char *in, size_t in_len, const char *what,
			char **out, size_t *out_len, struct g_err *err)
{
	size_t cap = in_len * 4 + 64, n = 0;
	z_stream z;
	char *buf, *grown;
	int rc = Z_OK;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return g_err_oom(err);
	if (cap > G_PNG_MAX_TEXT)
		cap = G_PNG_MAX_TEXT;
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)in_len;
	buf = malloc(cap + 1);
	if (!buf) {
		inflateEnd(&z);
		return g_err_oom(err);
	}
	while (rc == Z_OK) {
		if (n == cap) {
			if (cap >= G_PNG_MAX_TEXT)
				break; /* full, and not at the end: too big */
			cap = cap * 2 > G_PNG_MAX_TEXT ? G_PNG_MAX_TEXT : cap * 2;
			grown = realloc(buf, cap + 1);
			if (!grown) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
		}
		z.next_out = (unsigned char *)buf + n;
		z.avail_out = (uInt)(cap - n);
		rc = inflate(&z, Z_NO_FLUSH);
		n = cap - z.avail_out;
	}
	inflateEnd(&z);
	if (!buf)
		return g_err_oom(err);
	if (rc != Z_STREAM_END) {
		free(buf);
		if (rc == Z_OK)
			return g_err_set(err, G_EX_DATAERR, "%s: text inflates past %zu bytes",
					 what, G_PNG_MAX_TEXT);
		return g_err_set(err, G_EX_DATAERR, "%s: compressed text is damaged", what);
	}
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return 0;
}

static int copy_text(const unsigned char *p, size_t n, char **out, size_t *out_len,
		     struct g_err *err)
{
	char *buf = malloc(n + 1);

	if (!buf)
		return g_err_oom(err);
	memcpy(buf, p, n);
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return 0;
}

int g_png_text(const struct g_png_chunk *c, const char *name, char **keyword,
	       char **text, size_t *text_len, struct g_err *err)
{
	const unsigned char *d = c->data, *end = c->data + c->len, *p, *nul;
	char what[300];
	size_t klen;
	int compressed = 0;

	*keyword = NULL;
	*text = NULL;
	*text_len = 0;
	nul = memchr(d, '\0', c->len);
	klen = nul ? (size_t)(nul - d) : 0;
	snprintf(what, sizeof(what), "'%s': chunk '%s' at byte %zu", name, c->type, c->offset);
	if (!nul || klen < 1 || klen > 79)
		return g_err_set(err, G_EX_DATAERR, "%s: no keyword", what);
	p = nul + 1;
	if (strcmp(c->type, "zTXt") == 0) {
		if (p >= end || *p != 0)
			return g_err_set(err, G_EX_DATAERR, "%s: unknown compression", what);
		p++;
		compressed = 1;
	} else if (strcmp(c->type, "iTXt") == 0) {
		if (end - p < 2 || p[0] > 1 || (p[0] == 1 && p[1] != 0))
			return g_err_set(err, G_EX_DATAERR, "%s: bad compression flags", what);
		compressed = p[0];
		p += 2;
		/* language tag, then translated keyword, each NUL-terminated */
		if (!(nul = memchr(p, '\0', (size_t)(end - p))) ||
		    !(nul = memchr(nul + 1, '\0', (size_t)(end - nul - 1))))
			return g_err_set(err, G_EX_DATAERR, "%s: truncated", what);
		p = nul + 1;
	}
	*keyword = malloc(klen + 1);
	if (!*keyword)
		return g_err_oom(err);
	memcpy(*keyword, d, klen);
	(*keyword)[klen] = '\0';
	if ((compressed ? inflate_text(p, (size_t)(end - p), what, text, text_len, err)
			: copy_text(p, (size_t)(end - p), text, text_len, err)) < 0) {
		free(*keyword);
		*keyword = NULL;
		return -1;
	}
	return 0;
}

struct find {
	const char *name;
	struct g_png_chunk ccv3, chara; /* the first of each */
	int has_ccv3, has_chara;
	struct g_err *err;
	int failed;
};

/* A text chunk's keyword alone, never its text: a file may carry any
 * number of compressed chunks, and inflating each just to learn its name
 * would let a small file cost minutes. -1 with err set if it has none. */
static int text_keyword(const struct g_png_chunk *c, const char *name,
			char keyword[80], struct g_err *err)
{
	const unsigned char *nul = memchr(c->data, '\0', c->len < 80 ? c->len : 80);
	size_t klen = nul ? (size_t)(nul - c->data) : 0;

	if (klen < 1)
		return g_err_set(err, G_EX_DATAERR, "'%s': chunk '%s' at byte %zu: no keyword",
				 name, c->type, c->offset);
	memcpy(keyword, c->data, klen);
	keyword[klen] = '\0';
	return 0;
}

static int find_card(const struct g_png_chunk *c, void *arg)
{
	struct find *f = arg;
	char keyword[80];

	if (!g_png_is_text(c))
		return 0;
	/* only the keyword is needed here; the card's text is decoded once,
	 * later, and no other chunk's ever */
	if (text_keyword(c, f->name, keyword, f->err) < 0) {
		f->failed = 1;
		return 1;
	}
	if (!f->has_ccv3 && strcasecmp(keyword, "ccv3") == 0) {
		f->ccv3 = *c;
		f->has_ccv3 = 1;
	} else if (!f->has_chara && strcasecmp(keyword, "chara") == 0) {
		f->chara = *c;
		f->has_chara = 1;
	}
	return 0;
}

int g_png_card(const unsigned char *buf, size_t len, const char *name,
	       char **card, size_t *card_len, const char **keyword,
	       struct g_err *err)
{
	struct find f = { .name = name, .err = err };
	const struct g_png_chunk *c;
	unsigned char *decoded = NULL;
	char *kw = NULL, *text = NULL;
	size_t n;
	int rc;

	if (g_png_walk(buf, len, name, find_card, &f, err) < 0 || f.failed)
		return -1;
	if (!f.has_ccv3 && !f.has_chara)
		return g_err_set(err, G_EX_DATAERR, "'%s': no character data", name);
	c = f.has_ccv3 ? &f.ccv3 : &f.chara;
	*keyword = f.has_ccv3 ? "ccv3" : "chara";
	if (g_png_text(c, name, &kw, &text, &n, err) < 0)
		return -1;
	free(kw);
	rc = g_base64_decode_lenient(text, n, &decoded, card_len);
	free(text);
	if (rc < 0)
		return g_err_set(err, G_EX_DATAERR, "'%s': chunk '%s' (%s) at byte %zu: not base64",
				 name, c->type, *keyword, c->offset);
	*card = (char *)decoded;
	return 0;
}

/* --- writing --- */

struct copy {
	const unsigned char *src; /* the file being copied */
	unsigned char *out;
	size_t n;
	const char *name;
	int drop_cards;
	const char *add_type;          /* a chunk to add before IEND, or NULL */
	const unsigned char *add;
	size_t add_len;
	struct g_err *err;
	int failed;
};

static void put_chunk(struct copy *c, const char *type, const unsigned char *a,
		      size_t alen, const unsigned char *b, size_t blen)
{
	unsigned char *p = c->out + c->n;
	uLong crc;

	put_be32(p, (uint32_t)(alen + blen));
	memcpy(p + 4, type, 4);
	if (alen)
		memcpy(p + 8, a, alen);
	if (blen)
		memcpy(p + 8 + alen, b, blen);
	crc = chunk_crc(p + 4, 4 + alen + blen);
	put_be32(p + 8 + alen + blen, (uint32_t)crc);
	c->n += 12 + alen + blen;
}

/* What copy_chunk drops: nothing, the card text only, or every card chunk. */
enum { KEEP_ALL, DROP_CARD_TEXT, DROP_CARDS };

static int is_card_keyword(const char *k, int drop)
{
	return strcasecmp(k, "ccv3") == 0 || strcasecmp(k, "chara") == 0 ||
	       (drop == DROP_CARDS && strncasecmp(k, "chara-ext-asset_", 16) == 0);
}

static int copy_chunk(const struct g_png_chunk *ch, void *arg)
{
	struct copy *c = arg;
	char keyword[80];
	int drop = 0;

	if (c->drop_cards && g_png_is_text(ch)) {
		if (text_keyword(ch, c->name, keyword, c->err) < 0) {
			c->failed = 1;
			return 1;
		}
		drop = is_card_keyword(keyword, c->drop_cards);
	}
	if (c->add_type && strcmp(ch->type, "IEND") == 0)
		put_chunk(c, c->add_type, c->add, c->add_len, NULL, 0);
	/* kept as it came, CRC included: g_png_walk checked it already, and
	 * computing it again over the image data cost a third of an import */
	if (!drop) {
		memcpy(c->out + c->n, c->src + ch->offset, 12 + ch->len);
		c->n += 12 + ch->len;
	}
	return 0;
}

static int rewrite(const unsigned char *buf, size_t len, struct copy *c,
		   unsigned char **out, size_t *out_len)
{
	size_t extra = c->add_type ? 12 + c->add_len : 0;

	if (c->add_len > CHUNK_MAX)
		return g_err_set(c->err, G_EX_DATAERR, "text too long for a PNG chunk");
	c->out = malloc(len + extra);
	if (!c->out)
		return g_err_oom(c->err);
	memcpy(c->out, signature, sizeof(signature));
	c->n = sizeof(signature);
	c->src = buf;
	if (g_png_walk(buf, len, c->name, copy_chunk, c, c->err) < 0 || c->failed) {
		free(c->out);
		return -1;
	}
	*out = c->out;
	*out_len = c->n;
	return 0;
}

int g_png_without_cards(const unsigned char *buf, size_t len, const char *name,
			unsigned char **out, size_t *out_len, struct g_err *err)
{
	struct copy c = { .name = name, .drop_cards = DROP_CARDS, .err = err };

	return rewrite(buf, len, &c, out, out_len);
}

int g_png_without_card_text(const unsigned char *buf, size_t len, const char *name,
			    unsigned char **out, size_t *out_len, struct g_err *err)
{
	struct copy c = { .name = name, .drop_cards = DROP_CARD_TEXT, .err = err };

	return rewrite(buf, len, &c, out, out_len);
}

/* The body of a text chunk: keyword, NUL, then per type the flags and
 * the text, compressed where asked. */
static int text_body(const char *type, const char *keyword, const char *text,
		     size_t text_len, int compress, unsigned char **out,
		     size_t *out_len, struct g_err *err)
{
	size_t k = strlen(keyword), head, room;
	uLongf z;
	unsigned char *b;

	compress = strcmp(type, "zTXt") == 0 || (strcmp(type, "iTXt") == 0 && compress);
	head = k + 1 + (strcmp(type, "zTXt") == 0 ? 1 : strcmp(type, "iTXt") == 0 ? 4 : 0);
	room = compress ? compressBound((uLong)text_len) : text_len;
	if (text_len > CHUNK_MAX || !(b = malloc(head + room)))
		return g_err_oom(err);
	memcpy(b, keyword, k + 1);
	if (strcmp(type, "zTXt") == 0)
		b[k + 1] = 0; /* method: deflate */
	else if (strcmp(type, "iTXt") == 0)
		memcpy(b + k + 1, compress ? "\1\0\0\0" : "\0\0\0\0", 4);
	if (compress) {
		z = (uLongf)room;
		if (compress2(b + head, &z, (const Bytef *)text, (uLong)text_len, 9) != Z_OK) {
			free(b);
			return g_err_set(err, G_EX_SOFTWARE, "cannot compress");
		}
		room = z;
	} else if (text_len) {
		memcpy(b + head, text, text_len);
	}
	*out = b;
	*out_len = head + room;
	return 0;
}

int g_png_add_text(const unsigned char *buf, size_t len, const char *type,
		   const char *keyword, const char *text, size_t text_len,
		   int compress, unsigned char **out, size_t *out_len,
		   struct g_err *err)
{
	struct copy c = { .name = "image", .add_type = type, .err = err };
	size_t k = strlen(keyword);
	unsigned char *body = NULL;
	int rc;

	if (strcmp(type, "tEXt") != 0 && strcmp(type, "zTXt") != 0 && strcmp(type, "iTXt") != 0)
		return g_err_set(err, G_EX_SOFTWARE, "'%s' is not a text chunk type", type);
	if (k < 1 || k > 79 || (strcmp(type, "tEXt") == 0 && memchr(text, '\0', text_len)))
		return g_err_set(err, G_EX_DATAERR, "a text chunk needs a keyword of 1 to 79 "
				 "bytes (and tEXt, text without NUL)");
	if (text_body(type, keyword, text, text_len, compress, &body, &c.add_len, err) < 0)
		return -1;
	c.add = body;
	rc = rewrite(buf, len, &c, out, out_len);
	free(body);
	return rc;
}

/* A 1x1 transparent image, made rather than stored: signature, IHDR,
 * IDAT (the one row, filter byte 0 and four zero bytes, deflated), IEND. */
int g_png_default_image(unsigned char **out, size_t *out_len, struct g_err *err)
{
	static const unsigned char ihdr[13] = { 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0 };
	static const unsigned char row[5] = { 0 };
	unsigned char idat[64];
	uLongf idat_len = sizeof(idat);
	struct copy c = { .err = err };

	if (compress2(idat, &idat_len, row, sizeof(row), 9) != Z_OK)
		return g_err_set(err, G_EX_SOFTWARE, "cannot compress");
	c.out = malloc(sizeof(signature) + (size_t)3 * 12 + sizeof(ihdr) + idat_len);
	if (!c.out)
		return g_err_oom(err);
	memcpy(c.out, signature, sizeof(signature));
	c.n = sizeof(signature);
	put_chunk(&c, "IHDR", ihdr, sizeof(ihdr), NULL, 0);
	put_chunk(&c, "IDAT", idat, idat_len, NULL, 0);
	put_chunk(&c, "IEND", NULL, 0, NULL, 0);
	*out = c.out;
	*out_len = c.n;
	return 0;
}
