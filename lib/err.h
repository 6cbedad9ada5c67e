/*
 * err.h: how the library reports failure. lib/ never prints and never exits:
 * a function that can fail takes a caller-owned struct g_err, fills it with an
 * exit status (exit.h) and a one-line message, and returns -1. cmd/ decides
 * the wording around it and the exit status of the process.
 */
#ifndef GUISE_ERR_H
#define GUISE_ERR_H

#include <stddef.h>

#include "exit.h"

#define G_ERR_MSG_MAX 1024

struct g_err {
	enum g_exit code;
	char msg[G_ERR_MSG_MAX];
};

/* Clear to "no error". */
void g_err_clear(struct g_err *err);

/* Set code and a printf-style message; returns -1 so callers can
 * `return g_err_set(...)`. err may be NULL. */
int g_err_set(struct g_err *err, enum g_exit code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The one wording of running out of memory, and setting it (70). */
#define G_ERR_OOM "out of memory"
int g_err_oom(struct g_err *err);

/* Put "prefix: " in front of the message already in err (for adding the
 * input's name or place as the error travels up). */
int g_err_prefix(struct g_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* A message about a place inside a file, in the form of DESIGN.md §3:
 * "'name'REST" becomes "'name': place REST" (REST begins with ':'), so
 * "'x.png':1:5: ..." reads "'x.png': chara chunk:1:5: ..." and
 * "'b.json': data.name: ..." reads "'b.json': personas.b.png: data.name:
 * ...". A message that does not start with 'name' is left as it is.
 * g_err_place_text does it to a string of size bytes. */
void g_err_place_text(char *msg, size_t size, const char *name, const char *place);
void g_err_place(struct g_err *err, const char *name, const char *place);

#endif
