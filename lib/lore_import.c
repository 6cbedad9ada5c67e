/* lore_import.c: a file to the V3 book `lore import` stores. */
#include "lore_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "lore.h"
#include "lore_convert.h"

int g_lore_import_read(const char *file, enum g_doc_format format, json_t **out,
		       struct g_err *err)
{
	struct g_doc_reader *r;
	struct g_file f;
	json_t *more = NULL;
	int rc;

	*out = NULL;
	if (g_fileio_read(file, G_DOC_MAX_RECORD_BYTES, &f, err) < 0)
		return -1;
	if (!(r = g_doc_reader_new_mem(f.data, f.len, file, format, G_DOC_DOCUMENTS))) {
		g_fileio_release(&f);
		return g_err_oom(err);
	}
	rc = g_doc_read(r, out, err);
	if (rc == 0)
		rc = g_err_set(err, G_EX_DATAERR, "'%s': no book in it", file);
	else if (rc > 0 && (rc = g_doc_read(r, &more, err)) > 0)
		rc = g_err_set(err, G_EX_DATAERR, "'%s': one book per file, not several", file);
	json_decref(more);
	g_doc_reader_free(r);
	g_fileio_release(&f);
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int g_lore_import_check(const json_t *book, const char *where, struct g_err *err)
{
	struct g_lore_book b;
	json_t *copy = json_copy((json_t *)book);
	int rc;

	if (!copy)
		return g_err_oom(err);
	/* errors name the file, not the name inside it */
	json_object_del(copy, "name");
	rc = g_lore_book_read(&b, copy, where, err);
	g_lore_book_release(&b);
	json_decref(copy);
	return rc < 0 ? -1 : 0;
}

/* file's name without its directories and its last extension */
static json_t *file_name(const char *file)
{
	const char *base = strrchr(file, '/'), *dot;

	base = base ? base + 1 : file;
	dot = strrchr(base, '.');
	return json_stringn(base, dot && dot > base ? (size_t)(dot - base) : strlen(base));
}

static json_t *name_of(const json_t *doc, const json_t *book, const char *file,
		       const char *name, struct g_err *err)
{
	const json_t *own = json_object_get(book, "name");
	const json_t *card = json_object_get(json_object_get(doc, "data"), "name");
	json_t *out;

	if (name)
		out = json_string(name);
	else if (json_is_string(own) && json_string_length(own) > 0)
		out = json_incref((json_t *)own);
	else if (book != doc && json_is_string(card) && json_string_length(card) > 0)
		out = json_incref((json_t *)card);
	else if (strcmp(file, "-") == 0)
		return g_err_set(err, G_EX_DATAERR, "'-': the book has no name: give --name"), NULL;
	else
		out = file_name(file);
	if (!out || json_string_length(out) == 0) {
		json_decref(out);
		g_err_set(err, G_EX_DATAERR, "'%s': the book's name is empty", file);
		return NULL;
	}
	return out;
}

int g_lore_import_book(const json_t *doc, const char *file, const char *name, json_t **out,
		       struct g_err *err)
{
	const json_t *book = g_lore_convert_find(doc, file, err);
	json_t *v3, *n;

	*out = NULL;
	if (!book || !(v3 = g_lore_convert_to_v3(book, file, err)))
		return -1;
	if (g_lore_import_check(v3, file, err) < 0 || !(n = name_of(doc, book, file, name, err))) {
		json_decref(v3);
		return -1;
	}
	if (json_object_set_new(v3, "name", n) < 0) {
		json_decref(v3);
		return g_err_oom(err);
	}
	*out = v3;
	return 0;
}
