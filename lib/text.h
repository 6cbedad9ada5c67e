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
#include <stdio.h>

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

/* Whether s[0..n) is UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing past U+10FFFF), as JSON strings must be. */
int g_text_utf8(const void *s, size_t n);

/* Text for a terminal (the text formats of session-log, prompt-render and
 * llm-send), the same whatever the output is: s[0..n) with every byte a
 * terminal would act on shown in the caret notation of cat -v, so that
 * no text can move the cursor, clear the screen or retitle the window.
 * C0 controls but newline and tab are ^@ .. ^_ (ESC is ^[, CR ^M), DEL is
 * ^?, and C1 controls (U+0080 .. U+009F, C2 80 .. C2 9F in UTF-8, which
 * some terminals honour as ESC sequences) are M-^@ .. M-^_. Nothing else
 * changes; the result is at most twice as long. */
void g_text_add_visible(struct g_text *t, const void *s, size_t n);
/* The same written to f (which the caller opened): 0, or -1 if a write
 * failed. */
int g_text_write_visible(FILE *f, const void *s, size_t n);

#endif
