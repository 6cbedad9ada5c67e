/* doc_write.c: values out as JSON Lines, pretty JSON or a YAML stream.
 * JSON is written here rather than by jansson so that reals come out in
 * their shortest exact form (0.8, not 0.80000000000000004) and NUL bytes in
 * strings survive; YAML goes through libyaml's emitter. */
#include "doc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct g_doc_writer {
	FILE *out;
	enum g_doc_style style;
	int yaml_started;
	yaml_emitter_t emitter;
};

/* --- JSON --- */

static void json_put_string(FILE *f, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, run = 0;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		/* the plain run before c in one write: texts are mostly plain */
		if (i > run)
			fwrite(s + run, 1, i - run, f);
		run = i + 1;
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		default:
			fputs("\\u00", f);
			fputc(hex[c >> 4], f);
			fputc(hex[c & 15], f);
		}
	}
	if (n > run)
		fwrite(s + run, 1, n - run, f);
	fputc('"', f);
}

static void json_newline(FILE *f, int pretty, int indent)
{
	if (!pretty)
		return;
	fputc('\n', f);
	while (indent-- > 0)
		fputs("  ", f);
}

static void json_put(FILE *f, const json_t *v, int pretty, int indent)
{
	char num[64];
	const char *key;
	json_t *child;
	size_t i, n;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (json_object_size(v) == 0) {
			fputs("{}", f);
			return;
		}
		fputc('{', f);
		n = 0;
		json_object_foreach ((json_t *)v, key, child) {
			if (n++)
				fputc(',', f);
			json_newline(f, pretty, indent + 1);
			json_put_string(f, key, strlen(key));
			fputs(pretty ? ": " : ":", f);
			json_put(f, child, pretty, indent + 1);
		}
		json_newline(f, pretty, indent);
		fputc('}', f);
		return;
	case JSON_ARRAY:
		if (json_array_size(v) == 0) {
			fputs("[]", f);
			return;
		}
		fputc('[', f);
		json_array_foreach (v, i, child) {
			if (i)
				fputc(',', f);
			json_newline(f, pretty, indent + 1);
			json_put(f, child, pretty, indent + 1);
		}
		json_newline(f, pretty, indent);
		fputc(']', f);
		return;
	case JSON_STRING:
		json_put_string(f, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return;
	case JSON_REAL:
		g_doc_format_real(json_real_value(v), num, sizeof(num));
		fputs(num, f);
		return;
	case JSON_TRUE:
		fputs("true", f);
		return;
	case JSON_FALSE:
		fputs("false", f);
		return;
	case JSON_NULL:
		fputs("null", f);
		return;
	}
}

/* --- YAML --- */

static int yaml_output(void *data, unsigned char *buffer, size_t size)
{
	FILE *f = data;

	return fwrite(buffer, 1, size, f) == size;
}

static int emit_scalar(yaml_emitter_t *e, const char *s, size_t n,
		       yaml_scalar_style_t style)
{
	yaml_event_t ev;

	if (!yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s,
					  (int)n, 1, 1, style))
		return 0;
	return yaml_emitter_emit(e, &ev);
}

/* Plain where no reader could take the text for another type; a literal
 * block for multi-line text (libyaml falls back to quotes where a block
 * cannot hold the text exactly); double quotes otherwise. */
static int emit_string(yaml_emitter_t *e, const char *s, size_t n)
{
	yaml_scalar_style_t style = YAML_ANY_SCALAR_STYLE;

	if (memchr(s, '\n', n))
		style = YAML_LITERAL_SCALAR_STYLE;
	else if (g_doc_string_needs_quotes(s, n))
		style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
	return emit_scalar(e, s, n, style);
}

static int emit_value(yaml_emitter_t *e, const json_t *v)
{
	char num[64];
	yaml_event_t ev;
	const char *key;
	json_t *child;
	size_t i;
	int n;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
							 YAML_BLOCK_MAPPING_STYLE) ||
		    !yaml_emitter_emit(e, &ev))
			return 0;
		json_object_foreach ((json_t *)v, key, child)
			if (!emit_string(e, key, strlen(key)) ||
			    !emit_value(e, child))
				return 0;
		return yaml_mapping_end_event_initialize(&ev) &&
		       yaml_emitter_emit(e, &ev);
	case JSON_ARRAY:
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							  YAML_BLOCK_SEQUENCE_STYLE) ||
		    !yaml_emitter_emit(e, &ev))
			return 0;
		json_array_foreach (v, i, child)
			if (!emit_value(e, child))
				return 0;
		return yaml_sequence_end_event_initialize(&ev) &&
		       yaml_emitter_emit(e, &ev);
	case JSON_STRING:
		return emit_string(e, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		n = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			     json_integer_value(v));
		return emit_scalar(e, num, (size_t)n, YAML_PLAIN_SCALAR_STYLE);
	case JSON_REAL:
		n = g_doc_format_real(json_real_value(v), num, sizeof(num));
		return emit_scalar(e, num, (size_t)n, YAML_PLAIN_SCALAR_STYLE);
	case JSON_TRUE:
		return emit_scalar(e, "true", 4, YAML_PLAIN_SCALAR_STYLE);
	case JSON_FALSE:
		return emit_scalar(e, "false", 5, YAML_PLAIN_SCALAR_STYLE);
	case JSON_NULL:
		return emit_scalar(e, "null", 4, YAML_PLAIN_SCALAR_STYLE);
	}
	return 0;
}

static int yaml_write(struct g_doc_writer *w, const json_t *v)
{
	yaml_emitter_t *e = &w->emitter;
	yaml_event_t ev;

	if (!w->yaml_started) {
		if (!yaml_emitter_initialize(e))
			return 0;
		yaml_emitter_set_output(e, yaml_output, w->out);
		yaml_emitter_set_unicode(e, 1);
		yaml_emitter_set_width(e, -1);
		w->yaml_started = 1;
		if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) ||
		    !yaml_emitter_emit(e, &ev))
			return 0;
	}
	return yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 0) &&
	       yaml_emitter_emit(e, &ev) && emit_value(e, v) &&
	       yaml_document_end_event_initialize(&ev, 1) &&
	       yaml_emitter_emit(e, &ev) && yaml_emitter_flush(e);
}

/* --- the writer --- */

struct g_doc_writer *g_doc_writer_new(FILE *out, enum g_doc_style style)
{
	struct g_doc_writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->out = out;
	w->style = style;
	return w;
}

static int write_failed(struct g_doc_writer *w, struct g_err *err)
{
	if (w->style == G_DOC_OUT_YAML && w->yaml_started &&
	    w->emitter.error != YAML_NO_ERROR && w->emitter.error != YAML_WRITER_ERROR)
		return g_err_set(err, G_EX_SOFTWARE, "cannot write YAML: %s",
				 w->emitter.problem ? w->emitter.problem : "emitter error");
	return g_err_set(err, G_EX_IOERR, "error writing output: %s",
			 strerror(errno ? errno : EIO));
}

int g_doc_write(struct g_doc_writer *w, const json_t *value, struct g_err *err)
{
	errno = 0;
	if (w->style == G_DOC_OUT_YAML) {
		if (!yaml_write(w, value))
			return write_failed(w, err);
	} else {
		json_put(w->out, value, w->style == G_DOC_OUT_PRETTY, 0);
		fputc('\n', w->out);
	}
	if (fflush(w->out) != 0 || ferror(w->out))
		return write_failed(w, err);
	return 0;
}

int g_doc_writer_close(struct g_doc_writer *w, struct g_err *err)
{
	yaml_event_t ev;
	int rc = 0;

	if (!w)
		return 0;
	if (w->yaml_started) {
		errno = 0;
		if (w->emitter.error == YAML_NO_ERROR &&
		    (!yaml_stream_end_event_initialize(&ev) ||
		     !yaml_emitter_emit(&w->emitter, &ev) ||
		     !yaml_emitter_flush(&w->emitter) || fflush(w->out) != 0))
			rc = write_failed(w, err);
		yaml_emitter_delete(&w->emitter);
	}
	free(w);
	return rc;
}

int g_doc_write_one(FILE *out, enum g_doc_style style, const json_t *value,
		    struct g_err *err)
{
	struct g_doc_writer *w = g_doc_writer_new(out, style);
	int rc;

	if (!w || !value) {
		g_doc_writer_close(w, NULL);
		return g_err_oom(err);
	}
	rc = g_doc_write(w, value, err);
	if (g_doc_writer_close(w, rc ? NULL : err) < 0)
		rc = -1;
	return rc;
}
