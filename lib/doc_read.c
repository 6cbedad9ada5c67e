/* doc_read.c: the reader: format detection, and JSON one record at a time
 * through jansson. Its byte source is in doc_src.c, YAML in doc_yaml.c. */
#include "doc_src.h"
#include "doc_yaml.h"

#include <stdlib.h>
#include <string.h>

#define JSON_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

static struct g_doc_reader *reader_new(const char *name,
				       enum g_doc_format format,
				       enum g_doc_unit unit)
{
	struct g_doc_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->name = strdup(name ? name : "<stdin>");
	if (!r->name) {
		free(r);
		return NULL;
	}
	r->format = format;
	r->unit = unit;
	r->src.line = 1;
	r->src.col = 1;
	return r;
}

struct g_doc_reader *g_doc_reader_new(FILE *in, const char *name,
				      enum g_doc_format format,
				      enum g_doc_unit unit)
{
	struct g_doc_reader *r = reader_new(name, format, unit);

	if (!r)
		return NULL;
	r->src.file = in;
	r->src.chunk = malloc(G_DOC_SRC_BUF);
	if (!r->src.chunk) {
		g_doc_reader_free(r);
		return NULL;
	}
	return r;
}

struct g_doc_reader *g_doc_reader_new_mem(const void *buf, size_t len,
					  const char *name,
					  enum g_doc_format format,
					  enum g_doc_unit unit)
{
	struct g_doc_reader *r = reader_new(name, format, unit);

	if (!r)
		return NULL;
	r->src.data = buf;
	r->src.len = len;
	return r;
}

void g_doc_reader_free(struct g_doc_reader *r)
{
	if (!r)
		return;
	g_doc_yaml_release(r);
	free(r->src.chunk);
	free(r->name);
	free(r);
}

static int is_json_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_json_space(struct g_doc_src *s)
{
	while (is_json_space(g_doc_src_peek(s)))
		g_doc_src_get(s);
}

static int skip_bom(struct g_doc_src *s)
{
	static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };
	int i;

	/* Only whole-buffer BOMs are looked at: a 3-byte prefix is always in
	 * the first chunk of a file or in memory. */
	if (g_doc_src_peek(s) != bom[0] || s->len - s->pos < 3)
		return 0;
	for (i = 0; i < 3; i++)
		if (s->data[s->pos + i] != bom[i])
			return 0;
	s->pos += 3;
	s->offset += 3;
	return 1;
}

/* AUTO: the first byte past white space and a BOM; nothing is consumed. */
static enum g_doc_format detect(struct g_doc_src *s)
{
	size_t i;

	if (g_doc_src_peek(s) == EOF)
		return G_DOC_JSON; /* empty input: no records either way */
	i = s->pos;
	if (s->len - i >= 3 && s->data[i] == 0xEF && s->data[i + 1] == 0xBB &&
	    s->data[i + 2] == 0xBF)
		i += 3;
	while (i < s->len && is_json_space(s->data[i]))
		i++;
	/* White space across a whole chunk: decide on the rest of it later is
	 * not worth it; YAML's parser handles leading space too. */
	if (i < s->len && (s->data[i] == '{' || s->data[i] == '['))
		return G_DOC_JSON;
	return i < s->len ? G_DOC_YAML : G_DOC_JSON;
}

/* jansson pulls bytes through this one at a time, so it never reads past
 * the closing brace of an object and the next record starts where it
 * stopped. */
struct feed {
	struct g_doc_src *src;
	size_t start;
	int too_big;
	int nul; /* a raw NUL byte: never valid JSON, and jansson takes it for
		  * the end of the input */
};

static size_t feed_byte(void *buffer, size_t buflen, void *data)
{
	struct feed *f = data;
	int c;

	if (buflen == 0)
		return 0;
	if (f->src->offset - f->start >= G_DOC_MAX_RECORD_BYTES) {
		f->too_big = 1;
		return (size_t)-1;
	}
	c = g_doc_src_get(f->src);
	if (c == EOF)
		return 0;
	if (c == 0) {
		f->nul = 1;
		return (size_t)-1;
	}
	*(unsigned char *)buffer = (unsigned char)c;
	return 1;
}

static int read_error(struct g_doc_reader *r, struct g_err *err)
{
	r->done = 1;
	return g_err_set(err, G_EX_IOERR, "'%s': read error: %s", r->name,
			 strerror(r->src.ioerr));
}

json_t *g_doc_parse_json(const void *buf, size_t len, const char *name,
			 struct g_err *err)
{
	const char *p = buf, *nul;
	json_error_t jerr;
	json_t *v;
	size_t line = 1, col = 1, i;

	if (len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
		p += 3;
		len -= 3;
	}
	if ((nul = memchr(p, 0, len))) {
		for (i = 0; p + i < nul; i++, col++)
			if (p[i] == '\n') {
				line++;
				col = 0;
			}
		g_err_set(err, G_EX_DATAERR, "'%s':%zu:%zu: NUL byte in JSON input", name, line, col);
		return NULL;
	}
	v = json_loadb(p, len, JSON_FLAGS, &jerr);
	if (!v && json_error_code(&jerr) == json_error_out_of_memory) {
		g_err_oom(err);
		return NULL;
	}
	if (!v && json_error_code(&jerr) != json_error_stack_overflow) {
		g_err_set(err, G_EX_DATAERR, "'%s':%d:%d: %s", name, jerr.line,
			  jerr.column > 0 ? jerr.column : 1, jerr.text);
		return NULL;
	}
	if (!v || g_doc_src_depth(v, G_DOC_MAX_DEPTH) > G_DOC_MAX_DEPTH) {
		json_decref(v);
		g_err_set(err, G_EX_DATAERR, "'%s': nested deeper than %d levels", name,
			  G_DOC_MAX_DEPTH);
		return NULL;
	}
	return v;
}

/* One jansson parse starting at the source's current place. */
static int json_parse_here(struct g_doc_reader *r, size_t flags, json_t **out,
			   struct g_err *err)
{
	struct feed f = { &r->src, r->src.offset, 0, 0 };
	long line = r->src.line, col = r->src.col;
	json_error_t jerr;
	json_t *v;

	v = json_load_callback(feed_byte, &f, flags, &jerr);
	if (r->src.ioerr)
		return json_decref(v), read_error(r, err);
	if (f.too_big) {
		r->done = 1;
		return g_doc_src_error_at(r, line, col, err,
				      "record larger than %zu bytes",
				      G_DOC_MAX_RECORD_BYTES);
	}
	if (f.nul) {
		json_decref(v);
		r->done = 1;
		return g_doc_src_error_at(r, r->src.line, r->src.col - 1, err,
				      "NUL byte in JSON input");
	}
	if (!v && json_error_code(&jerr) == json_error_stack_overflow) {
		r->done = 1; /* jansson's own cap (2048) is deeper than ours */
		return g_doc_src_error_at(r, line, col, err,
				      "nested deeper than %d levels",
				      G_DOC_MAX_DEPTH);
	}
	if (!v) {
		r->done = 1;
		/* jansson counts from the start of this parse */
		if (jerr.line <= 1)
			return g_doc_src_error_at(r, line,
					      col + (jerr.column > 0 ? jerr.column - 1 : 0),
					      err, "%s", jerr.text);
		return g_doc_src_error_at(r, line + jerr.line - 1,
				      jerr.column > 0 ? jerr.column : 1, err,
				      "%s", jerr.text);
	}
	if (g_doc_src_depth(v, G_DOC_MAX_DEPTH) > G_DOC_MAX_DEPTH) {
		json_decref(v);
		r->done = 1;
		return g_doc_src_error_at(r, line, col, err,
				      "nested deeper than %d levels",
				      G_DOC_MAX_DEPTH);
	}
	*out = v;
	return 1;
}

/* Records from JSON: objects one after another (JSON Lines or any white
 * space between them), and the elements of top-level arrays. */
static int json_next_record(struct g_doc_reader *r, json_t **out,
			    struct g_err *err)
{
	struct g_doc_src *s = &r->src;
	int c;

	for (;;) {
		skip_json_space(s);
		if (s->ioerr)
			return read_error(r, err);
		c = g_doc_src_peek(s);
		if (r->in_array && r->need_comma) {
			if (c == ',') {
				g_doc_src_get(s);
				r->need_comma = 0;
				continue;
			}
			if (c == ']') {
				g_doc_src_get(s);
				r->in_array = 0;
				continue;
			}
			r->done = 1;
			return g_doc_src_error_at(r, s->line, s->col, err, "%s",
					      c == EOF ? "unexpected end of input in array"
						       : "expected ',' or ']'");
		}
		if (r->in_array && c == ']' && r->array_count == 0) {
			g_doc_src_get(s);
			r->in_array = 0;
			continue;
		}
		if (c == EOF) {
			r->done = 1;
			if (r->in_array)
				return g_doc_src_error_at(r, s->line, s->col, err,
						      "unexpected end of input in array");
			return 0;
		}
		if (!r->in_array && c == '[') {
			g_doc_src_get(s);
			r->in_array = 1;
			r->array_count = 0;
			continue;
		}
		if (c != '{') {
			r->done = 1;
			return g_doc_src_error_at(r, s->line, s->col, err, "%s",
					      c == 0 ? "NUL byte in JSON input"
						     : "not a record: expected an object");
		}
		if (json_parse_here(r, JSON_FLAGS | JSON_DISABLE_EOF_CHECK, out,
				    err) < 0)
			return -1;
		if (r->in_array) {
			r->array_count++;
			r->need_comma = 1;
		}
		return 1;
	}
}

/* Memory that holds one object and nothing else (a card's file) parsed
 * in one call rather than pulled through feed_byte a byte at a time: 1
 * with *out set. 0 for anything else, and for anything that call refuses,
 * which the byte-wise parse then reads as always and says where it broke. */
static int json_whole_record(struct g_doc_reader *r, json_t **out)
{
	const struct g_doc_src *s = &r->src;
	const char *p = (const char *)s->data + s->pos;
	size_t len = s->len - s->pos, i = 0;
	json_error_t jerr;
	json_t *v;

	if (s->file || len > G_DOC_MAX_RECORD_BYTES)
		return 0;
	while (i < len && is_json_space((unsigned char)p[i]))
		i++;
	/* jansson passes over a raw NUL right after a number or a literal
	 * ({"a":1<NUL>}); the byte-wise parse refuses it, and says where */
	if (i == len || p[i] != '{' || memchr(p + i, 0, len - i))
		return 0;
	v = json_loadb(p + i, len - i, JSON_FLAGS, &jerr);
	if (!v)
		return 0;
	if (g_doc_src_depth(v, G_DOC_MAX_DEPTH) > G_DOC_MAX_DEPTH) {
		json_decref(v);
		return 0;
	}
	r->done = 1;
	*out = v;
	return 1;
}

int g_doc_read(struct g_doc_reader *r, json_t **out, struct g_err *err)
{
	*out = NULL;
	if (r->done)
		return 0;
	if (!r->started) {
		r->started = 1;
		if (r->format == G_DOC_AUTO)
			r->format = detect(&r->src);
		if (r->src.ioerr)
			return read_error(r, err);
		if (r->format == G_DOC_JSON)
			skip_bom(&r->src);
		if (r->format == G_DOC_JSON && r->unit == G_DOC_RECORDS &&
		    json_whole_record(r, out))
			return 1;
	}
	if (r->format == G_DOC_YAML)
		return g_doc_yaml_read(r, out, err);
	if (r->unit == G_DOC_RECORDS)
		return json_next_record(r, out, err);
	/* A whole document: exactly one JSON text (RFC 8259), any value. */
	if (json_parse_here(r, JSON_FLAGS | JSON_DECODE_ANY, out, err) < 0)
		return -1;
	r->done = 1;
	return 1;
}

int g_doc_read_one(FILE *in, const char *name, enum g_doc_format format, const char *what,
		   json_t **out, struct g_err *err)
{
	struct g_doc_reader *r = g_doc_reader_new(in, name, format, G_DOC_RECORDS);
	json_t *more = NULL;
	int rc;

	*out = NULL;
	if (!r)
		return g_err_oom(err);
	rc = g_doc_read(r, out, err);
	/* to the end: a second document, or a broken one after the first,
	 * is an error rather than left unread */
	if (rc > 0 && (rc = g_doc_read(r, &more, err)) != 0) {
		if (rc > 0)
			g_err_set(err, G_EX_DATAERR, "'%s': one %s at a time, not several", name,
				  what);
		json_decref(more);
		json_decref(*out);
		*out = NULL;
		rc = -1;
	} else if (*out) {
		rc = 1;
	}
	g_doc_reader_free(r);
	return rc;
}
