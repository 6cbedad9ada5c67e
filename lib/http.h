/*
 * http.h: one POST, with the retries, timeouts and TLS rules of DESIGN.md
 * §9, over libcurl.
 *
 * Attempts are retried on connection errors, timeouts and 408, 429, 500,
 * 502, 503, 504, 529, waiting what Retry-After says or backing off
 * exponentially with full jitter, but never once the caller says output
 * has gone out. TLS is always verified; proxies come from the usual
 * environment; redirects are not followed. The body of a 2xx reply goes to
 * the caller's handler as it arrives; any other status becomes an error
 * carrying the provider's own message: 77 for 401/403, 76 for other 4xx
 * and 3xx, 75 when 429/5xx or timeouts outlast the retries, 69 when the
 * provider cannot be reached at all.
 */
#ifndef GUISE_HTTP_H
#define GUISE_HTTP_H
#include <jansson.h>
#include <stddef.h>

#include "err.h"

struct g_http_opts {
	double connect_timeout; /* seconds */
	double idle_timeout;    /* seconds without a byte */
	double timeout;         /* seconds in all; 0: none */
	const char *cacert;     /* NULL: the system's */
	int retries;            /* attempts after the first */
	const char *who;        /* names the provider in messages */
	/* the provider's own message in the body of an error reply
	 * (malloc'ed, or NULL for none); NULL: none is looked for */
	char *(*error_text)(const char *body, size_t len);
};

/* What the caller does with a reply. */
struct g_http_handler {
	/* a new attempt begins: forget what an earlier one read */
	void (*begin)(void *arg);
	/* bytes of a 2xx body: -1 with err stops the call with that error; 1
	 * says the reply is whole: the transfer stops there, the connection is
	 * closed, and the call ends as if the body had */
	int (*data)(const char *buf, size_t len, void *arg, struct g_err *err);
	/* the 2xx body is whole: -1 with err (a reply cut short) */
	int (*end)(void *arg, struct g_err *err);
	/* whether output went out already: then nothing is retried */
	int (*committed)(void *arg);
	/* chatter for -v (a retry and its wait); may be NULL */
	void (*note)(void *arg, const char *msg);
	void *arg;
};

/* POST body to url with headers (an object of name -> value). */
int g_http_post(const char *url, const json_t *headers, const char *body, size_t len,
		const struct g_http_opts *o, const struct g_http_handler *h, struct g_err *err);

#endif
