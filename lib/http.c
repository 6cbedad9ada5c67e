/* http.c: a POST through libcurl, attempt by attempt. */
#include "http.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* The most of an error reply's body kept for its message. */
#define MAX_ERROR_BODY ((size_t)64 << 10)
/* Longest wait between attempts, and longest Retry-After honoured. */
#define MAX_BACKOFF 30.0
#define MAX_RETRY_AFTER 300.0

/* One attempt's state, seen by libcurl's callbacks. */
struct attempt {
	CURL *curl;
	const struct g_http_handler *h;
	const struct g_http_opts *o;
	long status;
	double retry_after; /* seconds; < 0: none said */
	char *error_body;
	size_t error_len;
	double last_byte; /* when the last byte came, for the idle timeout */
	int idle;         /* the idle timeout aborted it */
	double deadline;  /* when --timeout runs out (0: never) */
	int failed;       /* the handler refused the data: err holds why */
	int done;         /* the handler has the whole reply: the transfer stopped */
	struct g_err *err;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t on_header(char *buf, size_t size, size_t n, void *arg)
{
	struct attempt *a = arg;
	size_t len = size * n;
	char value[64];

	a->last_byte = now();
	if (len > 12 && strncasecmp(buf, "retry-after:", 12) == 0) {
		size_t v = len - 12 < sizeof(value) - 1 ? len - 12 : sizeof(value) - 1;
		char *end;
		double secs;

		memcpy(value, buf + 12, v);
		value[v] = '\0';
		secs = strtod(value, &end);
		if (end != value && secs >= 0) {
			a->retry_after = secs;
		} else {
			time_t when = curl_getdate(value, NULL);

			if (when > 0)
				a->retry_after = difftime(when, time(NULL)) > 0 ? difftime(when, time(NULL))
										: 0;
		}
		if (a->retry_after > MAX_RETRY_AFTER)
			a->retry_after = MAX_RETRY_AFTER;
	}
	return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *arg)
{
	struct attempt *a = arg;
	size_t len = size * n, keep;
	char *grown;

	a->last_byte = now();
	if (!a->status)
		curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &a->status);
	if (a->status >= 200 && a->status < 300) {
		int rc = a->h->data(buf, len, a->h->arg, a->err);

		if (rc < 0)
			a->failed = 1;
		else if (rc > 0)
			a->done = 1; /* a server may keep the connection open: not waited for */
		return rc == 0 ? len : 0; /* 0: CURLE_WRITE_ERROR, the connection closed */
	}
	keep = a->error_len + len > MAX_ERROR_BODY ? MAX_ERROR_BODY - a->error_len : len;
	if (keep) {
		grown = realloc(a->error_body, a->error_len + keep + 1);
		if (grown) {
			a->error_body = grown;
			memcpy(a->error_body + a->error_len, buf, keep);
			a->error_len += keep;
			a->error_body[a->error_len] = '\0';
		}
	}
	return len;
}

/* The idle timeout: libcurl calls this at least once a second. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct attempt *a = arg;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (a->o->idle_timeout > 0 && now() - a->last_byte > a->o->idle_timeout) {
		a->idle = 1;
		return 1;
	}
	return 0;
}

static struct curl_slist *header_list(const json_t *headers)
{
	struct curl_slist *list = NULL, *next;
	const char *name;
	json_t *v;
	char line[2048];

	json_object_foreach ((json_t *)headers, name, v) {
		if (!json_is_string(v))
			continue;
		snprintf(line, sizeof(line), "%s: %s", name, json_string_value(v));
		next = curl_slist_append(list, line);
		sodium_memzero(line, sizeof(line)); /* a key may have been in it */
		if (!next) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = next;
	}
	/* no "Expect: 100-continue" round trip for a large prompt */
	next = curl_slist_append(list, "Expect:");
	if (!next)
		curl_slist_free_all(list);
	return next;
}

static int retryable_status(long s)
{
	return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504 || s == 529;
}

/* What one finished attempt means: 0 done, 1 worth retrying (err says
 * why, should retries run out), -1 failed for good. */
static int judge(struct attempt *a, CURLcode rc, struct g_err *err)
{
	const char *who = a->o->who;
	char *msg;

	if (a->failed)
		return -1;
	if (a->done) /* stopped on purpose, by the reply's own end */
		rc = CURLE_OK;
	if (a->idle || rc == CURLE_OPERATION_TIMEDOUT) {
		const char *why = a->idle ? "no byte came within the idle timeout" : "timed out";

		/* with text out already, a retry would say it twice: it is cut short */
		if (a->h->committed(a->h->arg))
			return g_err_set(err, G_EX_PROTOCOL, "%s: the reply was cut short: %s", who,
					 why);
		g_err_set(err, G_EX_TEMPFAIL, "%s: %s", who, why);
		return 1;
	}
	switch (rc) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		g_err_set(err, G_EX_UNAVAILABLE, "%s: %s", who, curl_easy_strerror(rc));
		return 1;
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR: /* a handshake cut off, not a refused certificate */
		if (a->h->committed(a->h->arg)) {
			g_err_set(err, G_EX_PROTOCOL, "%s: the reply was cut short: %s", who,
				  curl_easy_strerror(rc));
			return -1;
		}
		g_err_set(err, G_EX_TEMPFAIL, "%s: %s", who, curl_easy_strerror(rc));
		return 1;
	default:
		g_err_set(err, G_EX_UNAVAILABLE, "%s: %s", who, curl_easy_strerror(rc));
		return -1;
	}
	if (!a->status)
		curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &a->status);
	if (a->status >= 200 && a->status < 300)
		return a->h->end(a->h->arg, err) < 0 ? -1 : 0;
	msg = a->o->error_text ? a->o->error_text(a->error_body ? a->error_body : "", a->error_len)
			       : NULL;
	if (a->status >= 300 && a->status < 400)
		g_err_set(err, G_EX_PROTOCOL, "%s: HTTP %ld: redirects are not followed", who,
			  a->status);
	else
		g_err_set(err,
			  a->status == 401 || a->status == 403 ? G_EX_NOPERM
			  : retryable_status(a->status)	       ? G_EX_TEMPFAIL
								       : G_EX_PROTOCOL,
			  "%s: HTTP %ld%s%s", who, a->status, msg && *msg ? ": " : "", msg ? msg : "");
	free(msg);
	return retryable_status(a->status) ? 1 : -1;
}

static CURLcode perform(struct attempt *a, const char *url, struct curl_slist *headers,
			const char *body, size_t len)
{
	const struct g_http_opts *o = a->o;
	CURL *c = a->curl;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, o->cacert);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)(o->connect_timeout * 1000));
	if (a->deadline > 0) /* what is left of --timeout, over all attempts */
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
				 (long)((a->deadline - now()) * 1000) > 1
					 ? (long)((a->deadline - now()) * 1000)
					 : 1L);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, a);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "guise llm-send");
	a->last_byte = now();
	return curl_easy_perform(c);
}

/* How long to wait before attempt n (from 1): Retry-After, else 0.5 s
 * doubling, capped, with full jitter. */
static double backoff(int n, double retry_after)
{
	double cap;

	if (retry_after >= 0)
		return retry_after;
	for (cap = 0.5; n > 1 && cap < MAX_BACKOFF; n--)
		cap *= 2;
	if (cap > MAX_BACKOFF)
		cap = MAX_BACKOFF;
	return cap * ((double)randombytes_uniform(1000001) / 1e6);
}

static void pause_for(double secs)
{
	struct timespec ts;

	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0)
		;
}

int g_http_post(const char *url, const json_t *headers, const char *body, size_t len,
		const struct g_http_opts *o, const struct g_http_handler *h, struct g_err *err)
{
	static int initialised;
	struct curl_slist *list;
	struct attempt a;
	int n, verdict = -1;
	double wait, deadline = o->timeout > 0 ? now() + o->timeout : 0;
	char note[G_ERR_MSG_MAX + 64];

	if (!initialised && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return g_err_set(err, G_EX_SOFTWARE, "cannot start libcurl");
	initialised = 1;
	list = header_list(headers);
	if (!list)
		return g_err_oom(err);
	for (n = 0; n <= o->retries; n++) {
		memset(&a, 0, sizeof(a));
		a.h = h;
		a.o = o;
		a.err = err;
		a.retry_after = -1;
		a.deadline = deadline;
		a.curl = curl_easy_init();
		if (!a.curl) {
			verdict = g_err_set(err, G_EX_SOFTWARE, "cannot start libcurl");
			break;
		}
		h->begin(h->arg);
		verdict = judge(&a, perform(&a, url, list, body, len), err);
		curl_easy_cleanup(a.curl);
		free(a.error_body);
		if (verdict <= 0)
			break;
		if (n == o->retries) { /* spent: the last attempt's error stands */
			size_t used = strlen(err->msg);

			if (n > 0)
				snprintf(err->msg + used, sizeof(err->msg) - used,
					 " (after %d attempts)", n + 1);
			break;
		}
		wait = backoff(n + 1, a.retry_after);
		if (deadline > 0 && now() + wait >= deadline) {
			size_t used = strlen(err->msg);

			snprintf(err->msg + used, sizeof(err->msg) - used,
				 " (no time left for another attempt)");
			break;
		}
		if (h->note) {
			snprintf(note, sizeof(note), "%s; retrying in %.1f s", err->msg, wait);
			h->note(h->arg, note);
		}
		pause_for(wait);
	}
	curl_slist_free_all(list);
	return verdict == 0 ? 0 : -1;
}
