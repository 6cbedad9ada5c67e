/* lore_doc.c: an activation's inputs read from one JSON document, for
 * test-tool and the fuzz target (the render builds them from the store). */
#include "lore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int setting(const json_t *settings, const char *name, long max, long *out,
		   struct g_err *err)
{
	const json_t *v = json_object_get(settings, name);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
		return g_err_set(err, G_EX_DATAERR, "settings.%s: expected a whole number from 0 to %ld",
				 name, max);
	*out = (long)json_integer_value(v);
	return 0;
}

static int name_setting(const json_t *settings, const char *name, const char **out,
			struct g_err *err)
{
	const json_t *v = json_object_get(settings, name);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return g_err_set(err, G_EX_DATAERR, "settings.%s: expected a string", name);
	*out = json_string_value(v);
	return 0;
}

static int messages(struct g_lore_doc *d, const json_t *list, struct g_err *err)
{
	const json_t *m, *name, *content;
	size_t i;

	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return g_err_set(err, G_EX_DATAERR, "messages: expected a list");
	if (!(d->messages = calloc(json_array_size(list) + 1, sizeof(*d->messages))))
		return g_err_oom(err);
	json_array_foreach (list, i, m) {
		name = json_object_get(m, "name");
		content = json_object_get(m, "content");
		if (!json_is_object(m))
			return g_err_set(err, G_EX_DATAERR, "messages[%zu]: expected an object", i);
		if (name && !json_is_string(name) && !json_is_null(name))
			return g_err_set(err, G_EX_DATAERR, "messages[%zu].name: expected a string", i);
		if (!json_is_string(content))
			return g_err_set(err, G_EX_DATAERR, "messages[%zu].content: expected a string",
					 i);
		d->messages[i].name = json_string_value(name);
		d->messages[i].content = json_string_value(content);
		d->in.nmessages = i + 1;
	}
	return 0;
}

static int books(struct g_lore_doc *d, const json_t *list, struct g_err *err)
{
	char name[32];
	const json_t *b;
	size_t i;

	if (!json_is_array(list))
		return g_err_set(err, G_EX_DATAERR, "books: expected a list");
	if (!(d->books = calloc(json_array_size(list) + 1, sizeof(*d->books))))
		return g_err_oom(err);
	json_array_foreach (list, i, b) {
		snprintf(name, sizeof(name), "book %zu", i);
		if (g_lore_book_read(&d->books[i], b, name, err) < 0)
			return -1;
		d->nbooks = i + 1;
	}
	return 0;
}

int g_lore_doc_read(struct g_lore_doc *d, const json_t *doc, struct g_err *err)
{
	const json_t *settings;

	memset(d, 0, sizeof(*d));
	d->in.chat_length = d->in.scan_depth = d->in.max_steps = -1;
	if (!json_is_object(doc))
		return g_err_set(err, G_EX_DATAERR, "expected an object {books, messages, state, settings}");
	settings = json_object_get(doc, "settings");
	if (settings && !json_is_object(settings) && !json_is_null(settings))
		return g_err_set(err, G_EX_DATAERR, "settings: expected an object");
	if (books(d, json_object_get(doc, "books"), err) < 0 ||
	    messages(d, json_object_get(doc, "messages"), err) < 0 ||
	    g_lore_state_read(&d->state, json_object_get(doc, "state"), err) < 0 ||
	    setting(settings, "scan_depth", G_LORE_SCAN_DEPTH_MAX, &d->in.scan_depth, err) < 0 ||
	    setting(settings, "chat_length", 100000000, &d->in.chat_length, err) < 0 ||
	    setting(settings, "max_recursion_steps", G_LORE_STEPS_MAX, &d->in.max_steps, err) < 0 ||
	    name_setting(settings, "char", &d->in.char_name, err) < 0 ||
	    name_setting(settings, "user", &d->in.user_name, err) < 0) {
		g_lore_doc_release(d);
		return -1;
	}
	d->in.books = d->books;
	d->in.nbooks = d->nbooks;
	d->in.messages = d->messages;
	d->in.state = &d->state;
	return 0;
}

void g_lore_doc_release(struct g_lore_doc *d)
{
	size_t i;

	for (i = 0; i < d->nbooks; i++)
		g_lore_book_release(&d->books[i]);
	free(d->books);
	free(d->messages);
	g_lore_state_release(&d->state);
	memset(d, 0, sizeof(*d));
}
