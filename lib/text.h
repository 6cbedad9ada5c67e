/*
 * text.h: a string that grows as pieces are added (prompts, macro output).
 * An add that cannot allocate marks the text failed and later adds do
 * nothing, so a caller checks once, at the end. data is NUL-terminated
 * whenever it is not NULL. g_text_take hands the bytes over ("" when
 * nothing was added; NULL after a failure) and leaves the text empty;
 * g_text_release frees them.
 */
#ifndef GUISE_TEXT_H
#define GUISE_TEXT_H
#include <stddef.h>

struct g_text {
	char *data;
	size_t len, cap;
	int failed;
};

void g_text_add(struct g_text *t, const void *s, size_t n);
/* s NUL-terminated; NULL adds nothing */
void g_text_adds(struct g_text *t, const char *s);
/* The bytes (malloc'ed) and, if len is not NULL, their length. */
char *g_text_take(struct g_text *t, size_t *len);
void g_text_release(struct g_text *t);

#endif
