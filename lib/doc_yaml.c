/* doc_yaml.c: a YAML stream into jansson values, through libyaml's events.
 * In records mode a document is a record, or a list of them handed out one
 * at a time as each ends, so a long list never sits in memory whole. The
 * rules it keeps are in doc.h. */
#include "doc_yaml.h"

#include <string.h>

#define TAG_PREFIX "tag:yaml.org,2002:"

static void builder_release(struct g_doc_builder *b)
{
	while (b->depth > 0)
		free(b->stack[--b->depth].key);
	json_decref(b->root);
	b->root = NULL;
	b->in_list = 0;
}

static int yaml_input(void *data, unsigned char *buffer, size_t size,
		      size_t *size_read)
{
	struct g_doc_reader *r = data;

	if (r->src.offset - r->doc_start > G_DOC_MAX_RECORD_BYTES) {
		r->too_big = 1;
		return 0;
	}
	*size_read = g_doc_src_read(&r->src, buffer, size);
	return !r->src.ioerr;
}

static int at_mark(const struct g_doc_reader *r, yaml_mark_t m,
		   struct g_err *err, const char *msg)
{
	return g_doc_src_error_at(r, (long)m.line + 1, (long)m.column + 1, err,
			      "%s", msg);
}

static int parser_error(struct g_doc_reader *r, struct g_err *err)
{
	const yaml_parser_t *p = &r->parser;
	yaml_mark_t m = p->problem_mark;

	if (r->src.ioerr)
		return g_err_set(err, G_EX_IOERR, "'%s': read error: %s",
				 r->name, strerror(r->src.ioerr));
	if (r->too_big)
		return g_doc_src_error_at(r, (long)p->mark.line + 1,
				      (long)p->mark.column + 1, err,
				      "record larger than %zu bytes",
				      G_DOC_MAX_RECORD_BYTES);
	/* The reader decodes ahead of the parser: only the byte offset of a
	 * bad byte is known, not its line. */
	if (p->error == YAML_READER_ERROR)
		return g_err_set(err, G_EX_DATAERR, "'%s': byte %zu: %s", r->name,
				 p->problem_offset,
				 p->problem ? p->problem : "malformed YAML");
	if (p->context)
		return g_doc_src_error_at(r, (long)m.line + 1, (long)m.column + 1,
				      err, "%s %s", p->problem ? p->problem : "error",
				      p->context);
	return g_doc_src_error_at(r, (long)m.line + 1, (long)m.column + 1, err,
			      "%s", p->problem ? p->problem : "malformed YAML");
}

static int tag_is(const yaml_char_t *tag, const char *name)
{
	size_t n = strlen(TAG_PREFIX);

	return tag && strncmp((const char *)tag, TAG_PREFIX, n) == 0 &&
	       strcmp((const char *)tag + n, name) == 0;
}

/* A scalar event's value; NULL with err set when an explicit core tag does
 * not fit its text. */
static json_t *scalar_value(const struct g_doc_reader *r, const yaml_event_t *ev,
			    struct g_err *err)
{
	const char *text = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	const yaml_char_t *tag = ev->data.scalar.tag;
	static const struct {
		const char *tag;
		json_type type;
	} typed[] = {
		{ "null", JSON_NULL }, { "bool", JSON_TRUE },
		{ "int", JSON_INTEGER }, { "float", JSON_REAL },
	};
	json_t *v;
	size_t i;

	/* "!!str", and the non-specific "!" that makes a plain scalar a string */
	if (tag_is(tag, "str") || (tag && strcmp((const char *)tag, "!") == 0))
		return json_stringn(text, len);
	for (i = 0; i < sizeof(typed) / sizeof(*typed); i++) {
		if (!tag_is(tag, typed[i].tag))
			continue;
		v = g_doc_plain_scalar(text, len);
		if (typed[i].type == JSON_REAL && json_is_integer(v)) {
			json_t *real = json_real((double)json_integer_value(v));

			json_decref(v);
			return real;
		}
		if (json_typeof(v) == typed[i].type ||
		    (typed[i].type == JSON_TRUE && json_is_boolean(v)))
			return v;
		json_decref(v);
		at_mark(r, ev->start_mark, err, "scalar does not match its tag");
		return NULL;
	}
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_stringn(text, len);
	return g_doc_plain_scalar(text, len);
}

/* Put a new value where the builder is: the root, an item of the list of
 * records, the end of a sequence, or under the key a mapping is waiting
 * with. Takes the reference. */
static int place(struct g_doc_reader *r, struct g_doc_builder *b, json_t *v,
		 yaml_mark_t m, struct g_err *err)
{
	struct g_doc_frame *top;
	int rc;

	if (!v)
		return g_err_oom(err);
	if (b->depth == 0 || (b->in_list && b->depth == 1)) {
		if (b->in_list && !json_is_object(v)) {
			json_decref(v);
			return at_mark(r, m, err, "not a record: expected a mapping");
		}
		b->root = v;
		return 0;
	}
	top = &b->stack[b->depth - 1];
	if (json_is_array(top->container))
		rc = json_array_append_new(top->container, v);
	else {
		rc = json_object_set_new(top->container, top->key, v);
		free(top->key);
		top->key = NULL;
	}
	return rc ? g_err_oom(err) : 0;
}

static int waiting_for_key(const struct g_doc_builder *b)
{
	const struct g_doc_frame *top;

	if (b->depth == 0)
		return 0;
	top = &b->stack[b->depth - 1];
	return json_is_object(top->container) && !top->key;
}

static int take_key(struct g_doc_reader *r, struct g_doc_builder *b,
		    const yaml_event_t *ev, struct g_err *err)
{
	struct g_doc_frame *top = &b->stack[b->depth - 1];
	const char *text = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;

	if (memchr(text, '\0', len))
		return at_mark(r, ev->start_mark, err,
			       "NUL byte in mapping key not supported");
	if (json_object_get(top->container, text))
		return at_mark(r, ev->start_mark, err, "duplicate mapping key");
	top->key = strdup(text);
	return top->key ? 0 : g_err_oom(err);
}

static int push(struct g_doc_builder *b, json_t *container)
{
	b->stack[b->depth].container = container;
	b->stack[b->depth].key = NULL;
	return ++b->depth;
}

static int open_collection(struct g_doc_reader *r, struct g_doc_builder *b,
			   const yaml_event_t *ev, struct g_err *err)
{
	int mapping = ev->type == YAML_MAPPING_START_EVENT;
	json_t *c;

	/* records mode: a top-level sequence is a list of records, not kept */
	if (r->unit == G_DOC_RECORDS && b->depth == 0 && !mapping) {
		b->in_list = 1;
		push(b, NULL);
		return 0;
	}
	if (b->depth - b->in_list >= G_DOC_MAX_DEPTH)
		return g_doc_src_error_at(r, (long)ev->start_mark.line + 1,
				      (long)ev->start_mark.column + 1, err,
				      "nested deeper than %d levels",
				      G_DOC_MAX_DEPTH);
	/* each record of a list gets the whole size allowance */
	if (b->in_list && b->depth == 1)
		r->doc_start = r->src.offset;
	c = mapping ? json_object() : json_array();
	/* place() takes the reference; the stack only borrows it */
	if (place(r, b, c, ev->start_mark, err) < 0)
		return -1;
	push(b, c);
	return 0;
}

/* One event inside a document: 1 when a record of a list is complete
 * (in b->root), 0 to go on, -1 on error. */
static int build(struct g_doc_reader *r, struct g_doc_builder *b,
		 const yaml_event_t *ev, struct g_err *err)
{
	json_t *v;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		return at_mark(r, ev->start_mark, err,
			       "aliases are not supported");
	case YAML_SCALAR_EVENT:
		if (waiting_for_key(b))
			return take_key(r, b, ev, err);
		v = scalar_value(r, ev, err);
		if (!v)
			return -1;
		if (r->unit == G_DOC_RECORDS && b->depth == 0 && !json_is_null(v)) {
			json_decref(v);
			return at_mark(r, ev->start_mark, err,
				       "not a record: expected a mapping");
		}
		return place(r, b, v, ev->start_mark, err);
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if (waiting_for_key(b))
			return at_mark(r, ev->start_mark, err,
				       "a mapping key must be a scalar");
		return open_collection(r, b, ev, err);
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		if (b->depth > 0)
			b->depth--;
		if (b->in_list && b->depth == 0)
			b->in_list = 0; /* the list itself ended */
		else if (b->in_list && b->depth == 1)
			return 1; /* a record of the list ended */
		return 0;
	default:
		return 0;
	}
}

void g_doc_yaml_release(struct g_doc_reader *r)
{
	builder_release(&r->builder);
	if (r->yaml_ready)
		yaml_parser_delete(&r->parser);
	r->yaml_ready = 0;
}

/* Hand out what the builder holds; 1 if it held a record. */
static int hand_out(struct g_doc_reader *r, json_t **out)
{
	json_t *root = r->builder.root;

	r->builder.root = NULL;
	if (r->unit == G_DOC_DOCUMENTS) {
		*out = root ? root : json_null();
		return 1;
	}
	if (!root || json_is_null(root)) {
		json_decref(root);
		return 0; /* an empty document, such as a trailing "---" */
	}
	*out = root;
	return 1;
}

int g_doc_yaml_read(struct g_doc_reader *r, json_t **out, struct g_err *err)
{
	struct g_doc_builder *b = &r->builder;
	yaml_event_t ev;
	int rc;

	if (!r->yaml_ready) {
		if (!yaml_parser_initialize(&r->parser))
			return g_err_oom(err);
		yaml_parser_set_input(&r->parser, yaml_input, r);
		r->yaml_ready = 1;
	}
	for (;;) {
		if (!yaml_parser_parse(&r->parser, &ev)) {
			builder_release(b);
			r->done = 1;
			return parser_error(r, err);
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			builder_release(b);
			r->done = 1;
			return 0;
		case YAML_DOCUMENT_START_EVENT:
			r->doc_start = r->src.offset;
			rc = 0;
			break;
		case YAML_DOCUMENT_END_EVENT:
			yaml_event_delete(&ev);
			if (hand_out(r, out))
				return 1;
			continue;
		default:
			rc = build(r, b, &ev, err);
			break;
		}
		yaml_event_delete(&ev);
		if (rc < 0) {
			builder_release(b);
			r->done = 1;
			return -1;
		}
		if (rc > 0 && hand_out(r, out))
			return 1;
	}
}
