/*
 * llm-send: a request document (prompt-render's) to an LLM provider and
 * its reply back (DESIGN.md §9), streamed, retried, and with --record
 * stored in the session with the message that asked for it. The wire
 * protocols are lib/llm's, the HTTP lib/http's; this is choosing the
 * provider, model and key, writing the reply and recording the turn.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ref.h"
#include "chat_log.h"
#include "cli.h"
#include "context.h"
#include "doc.h"
#include "http.h"
#include "llm.h"
#include "secret.h"
#include "session.h"
#include "text.h"

static const char synopsis[] =
	"usage: llm-send [--provider P] [--url URL] [-m MODEL] [--api-key-file FILE]\n"
	"                [--record [--keep-partial]] [--text] [--no-stream] [--retries N]\n"
	"                [--connect-timeout S] [--idle-timeout S] [--timeout S] [--cacert FILE]\n"
	"                [-n] [FILE]\n"
	"options: -d DB  -u USER  -y  --pretty  --input json|yaml  -q  -v  -h  -V\n";

enum {
	OPT_API_KEY_FILE = G_OPT_COMMAND,
	OPT_CACERT,
	OPT_CONNECT_TIMEOUT,
	OPT_IDLE_TIMEOUT,
	OPT_KEEP_PARTIAL,
	OPT_NO_STREAM,
	OPT_PROVIDER,
	OPT_RECORD,
	OPT_RETRIES,
	OPT_TEXT,
	OPT_TIMEOUT,
	OPT_URL,
};

static const struct option options[] = {
	{ "api-key-file", required_argument, NULL, OPT_API_KEY_FILE },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "connect-timeout", required_argument, NULL, OPT_CONNECT_TIMEOUT },
	{ "idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT },
	{ "keep-partial", no_argument, NULL, OPT_KEEP_PARTIAL },
	{ "model", required_argument, NULL, 'm' },
	{ "no-stream", no_argument, NULL, OPT_NO_STREAM },
	{ "provider", required_argument, NULL, OPT_PROVIDER },
	{ "record", no_argument, NULL, OPT_RECORD },
	{ "retries", required_argument, NULL, OPT_RETRIES },
	{ "text", no_argument, NULL, OPT_TEXT },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "url", required_argument, NULL, OPT_URL },
	G_CLI_LONGOPTS,
	{ NULL, 0, NULL, 0 }
};

struct send {
	struct g_cli cli;
	struct g_context ctx;
	const char *provider_name, *url, *model, *key_file, *input;
	int record, keep_partial, text, stream;
	struct g_http_opts http;
	enum g_provider provider;
	json_t *request;
	struct g_secret key;
	/* --record: who speaks the turn, the request's persona (has_speaker) */
	struct g_speaker speaker;
	int has_speaker;
	/* the attempt under way */
	struct g_llm_reader *reader;
	struct g_llm_reply reply;
	int wrote; /* reply text went to stdout */
};

static int seconds(const char *opt, const char *arg, double *out)
{
	char *end;
	double v = strtod(arg, &end);

	if (end == arg || *end || !(v >= 0) || v > 86400)
		return g_usage_error(synopsis, "--%s: '%s' is not a number of seconds", opt, arg);
	*out = v;
	return -1;
}

static int own_option(struct send *s, int opt, const char *arg)
{
	long n;

	switch (opt) {
	case 'm': s->model = arg; break;
	case OPT_PROVIDER: s->provider_name = arg; break;
	case OPT_URL: s->url = arg; break;
	case OPT_API_KEY_FILE: s->key_file = arg; break;
	case OPT_CACERT: s->http.cacert = arg; break;
	case OPT_RECORD: s->record = 1; break;
	case OPT_KEEP_PARTIAL: s->keep_partial = 1; break;
	case OPT_TEXT: s->text = 1; break;
	case OPT_NO_STREAM: s->stream = 0; break;
	case OPT_CONNECT_TIMEOUT: return seconds("connect-timeout", arg, &s->http.connect_timeout);
	case OPT_IDLE_TIMEOUT: return seconds("idle-timeout", arg, &s->http.idle_timeout);
	case OPT_TIMEOUT: return seconds("timeout", arg, &s->http.timeout);
	case OPT_RETRIES:
		if (g_cli_parse_long(arg, 0, 100, &n) < 0)
			return g_usage_error(synopsis, "--retries: '%s' is not a number from 0 to 100",
					     arg);
		s->http.retries = (int)n;
		break;
	default: return g_usage_error(synopsis, "unknown option");
	}
	return -1;
}

static int parse(struct send *s, int argc, char **argv)
{
	int opt, status;

	while ((opt = g_getopt(argc, argv, G_CLI_SHORTOPTS "m:", options)) != -1) {
		if (g_cli_handle(&s->cli, opt, optarg, synopsis, &status)) {
			if (status >= 0)
				return status;
			continue;
		}
		if ((status = own_option(s, opt, optarg)) >= 0)
			return status;
	}
	if (argc - optind > 1)
		return g_usage_error(synopsis, "one request at a time");
	s->input = optind < argc ? argv[optind] : "-";
	if (s->keep_partial && !s->record)
		return g_usage_error(synopsis, "--keep-partial: only with --record");
	return -1;
}

/* --- the request and where it goes ---------------------------------------------- */

static int read_request(struct send *s, struct g_err *err)
{
	FILE *in = strcmp(s->input, "-") == 0 ? stdin : fopen(s->input, "rb");
	struct g_doc_reader *r;
	json_t *more = NULL;
	int rc;

	if (!in)
		return g_err_set(err, G_EX_NOINPUT, "cannot open '%s'", s->input);
	r = g_doc_reader_new(in, s->input, s->cli.input, G_DOC_RECORDS);
	rc = r ? g_doc_read(r, &s->request, err) : g_err_oom(err);
	if (rc == 0)
		rc = g_err_set(err, G_EX_DATAERR, "'%s': no request in it", s->input);
	else if (rc > 0 && (rc = g_doc_read(r, &more, err)) != 0)
		rc = rc < 0 ? -1
			    : g_err_set(err, G_EX_DATAERR, "'%s': one request at a time, not several",
					s->input);
	json_decref(more);
	g_doc_reader_free(r);
	if (in != stdin)
		fclose(in);
	return rc < 0 ? -1 : 0;
}

/* A flag, else the environment, else the request. */
static const char *pick(const char *flag, const char *env, const json_t *from)
{
	const char *v = getenv(env);

	return flag ? flag : v && *v ? v : json_string_value(from);
}

/* The flag, else the environment variable, is UTF-8: a bad flag is 65
 * naming it, a bad variable 78 (a bad environment value) naming it. */
static int utf8_from(const char *flag, const char *opt, const char *env, struct g_err *err)
{
	const char *v = getenv(env);

	if (flag)
		return g_cli_utf8(opt, flag, err);
	if (v && g_cli_utf8(env, v, err) < 0) {
		err->code = G_EX_CONFIG;
		return -1;
	}
	return 0;
}

static int resolve(struct send *s, struct g_err *err)
{
	const json_t *guise = json_object_get(s->request, "guise");
	const char *name = pick(s->provider_name, "GUISE_PROVIDER", json_object_get(guise, "provider"));
	/* ollama takes no key: one goes there only when given by file, so a
	 * key meant for another provider never reaches whatever --url names */
	const char *env[] = { "GUISE_API_KEY", NULL, NULL }, *none[] = { NULL };

	if (!name)
		name = "openai";
	if (g_llm_provider_parse(name, &s->provider) < 0)
		return g_err_set(err, s->provider_name ? G_EX_USAGE : G_EX_CONFIG,
				 "'%s' is not openai, anthropic, ollama or gemini", name);
	if (utf8_from(s->url, "--url", "GUISE_LLM_URL", err) < 0 ||
	    utf8_from(s->model, "-m", "GUISE_MODEL", err) < 0)
		return -1;
	s->url = pick(s->url, "GUISE_LLM_URL", NULL);
	if (!s->url)
		s->url = g_llm_provider_url(s->provider);
	s->model = pick(s->model, "GUISE_MODEL", json_object_get(s->request, "model"));
	if (!s->model)
		return g_err_set(err, G_EX_USAGE, "no model: give -m, set GUISE_MODEL, or set the "
						  "session's model (session-bind set S model=...)");
	env[1] = g_llm_provider_key_env(s->provider);
	if (g_secret_api_key(s->key_file, s->provider == G_PROVIDER_OLLAMA ? none : env, &s->key,
			     err) < 0)
		return -1;
	s->http.who = g_llm_provider_name(s->provider);
	s->http.error_text = g_llm_error_text;
	return 0;
}

/* -n: the HTTP request as it would go, the key redacted. */
static int dry_run(struct send *s, const struct g_llm_call *call, struct g_err *err)
{
	json_t *headers = json_deep_copy(call->headers), *rec;
	int rc;

	if (call->key_header)
		json_object_set_new(headers, call->key_header,
				    json_string(strcmp(call->key_header, "Authorization") == 0
							? "Bearer [redacted]"
							: "[redacted]"));
	rec = json_pack("{s:s, s:s, s:s, s:o, s:O}", "kind", "http-request", "method", "POST",
			"url", call->url, "headers", headers, "body", call->body);
	rc = g_doc_write_one(stdout, s->cli.output, rec, err);
	json_decref(rec);
	return rc;
}

/* --- the reply, as it comes --------------------------------------------------------- */

static int text_out(const char *text, size_t len, void *arg)
{
	struct send *s = arg;

	if (!s->text)
		return 0;
	s->wrote = 1;
	return g_text_write_visible(stdout, text, len) < 0 || fflush(stdout) != 0;
}

static void begin(void *arg)
{
	struct send *s = arg;

	g_llm_reader_free(s->reader);
	g_llm_reply_release(&s->reply);
	s->reader = g_llm_reader_new(s->provider, s->stream, &s->reply, text_out, s);
}

static int data(const char *buf, size_t len, void *arg, struct g_err *err)
{
	struct send *s = arg;

	if (!s->reader)
		return g_err_oom(err);
	return g_llm_reader_feed(s->reader, buf, len, err);
}

static int end(void *arg, struct g_err *err)
{
	struct send *s = arg;

	return s->reader ? g_llm_reader_end(s->reader, err)
			 : g_err_oom(err);
}

static int committed(void *arg)
{
	return ((struct send *)arg)->wrote;
}

/* A provider's words may quote the key ("Incorrect API key provided:
 * sk-..."): it never reaches a message. msg holds size bytes; what no
 * longer fits after a replacement is cut. */
static void redact(char *msg, size_t size, const struct g_secret *key)
{
	static const char mask[] = "[redacted]";
	const size_t m = sizeof(mask) - 1;
	char *at, *from = msg;

	if (!key->buf || key->len == 0)
		return;
	while ((at = strstr(from, key->buf))) {
		size_t pos = (size_t)(at - msg), tail = strlen(at + key->len) + 1;

		if (pos + m >= size) { /* the mask alone reaches the end */
			memcpy(at, mask, size - 1 - pos);
			msg[size - 1] = '\0';
			return;
		}
		if (pos + m + tail > size)
			tail = size - pos - m;
		memmove(at + m, at + key->len, tail);
		memcpy(at, mask, m);
		msg[size - 1] = '\0';
		from = at + m; /* past the mask: a key inside it is not found again */
	}
}

static void note(void *arg, const char *msg)
{
	struct send *s = arg;
	char text[G_ERR_MSG_MAX + 64];

	snprintf(text, sizeof(text), "%s", msg);
	redact(text, sizeof(text), &s->key);
	g_verbose(&s->cli, 1, "%s", text);
}

/* --- recording the turn ---------------------------------------------------------------- */

/* The speaker of the turn: the request's guise.persona, the persona the
 * prompt was written for, whatever the session binds by the time the reply
 * is whole, and even if that persona is deleted meanwhile (as the messages
 * it spoke before keep its id and name). A request without one (written
 * by hand) is spoken by the session's persona at record time. */
static int request_speaker(struct send *s, struct g_err *err)
{
	const json_t *p = json_object_get(json_object_get(s->request, "guise"), "persona");
	const char *kind = json_string_value(json_object_get(p, "kind"));
	const char *id = json_string_value(json_object_get(p, "id"));
	const json_t *name = json_object_get(p, "name");

	if (!p)
		return 0;
	if (!json_is_object(p) || !kind)
		return g_err_set(err, G_EX_DATAERR, "guise.persona: not an object with a kind");
	if (strcmp(kind, "none") == 0) {
		s->speaker.kind = G_PERSONA_NONE;
	} else if (strcmp(kind, "custom") == 0 || strcmp(kind, "impersonated") == 0) {
		if (!id || strlen(id) != G_UUID_LEN - 1 || !g_ref_looks_like_id(id))
			return g_err_set(err, G_EX_DATAERR, "guise.persona: id: not an id");
		if (!json_is_string(name))
			return g_err_set(err, G_EX_DATAERR, "guise.persona: name: not a string");
		s->speaker.kind = kind[0] == 'c' ? G_PERSONA_CUSTOM : G_PERSONA_IMPERSONATED;
		snprintf(s->speaker.id, sizeof(s->speaker.id), "%s", id);
		s->speaker.name = strdup(json_string_value(name));
		if (!s->speaker.name)
			return g_err_oom(err);
	} else {
		return g_err_set(err, G_EX_DATAERR,
				 "guise.persona: kind: '%s' is not custom, impersonated or none", kind);
	}
	s->has_speaker = 1;
	return 0;
}

/* The session to record into, named by the request, and who speaks:
 * checked before the call, so that a send that cannot be recorded is not
 * made. */
static int record_target(struct send *s, char id[G_UUID_LEN], struct g_err *err)
{
	const char *session = json_string_value(
		json_object_get(json_object_get(s->request, "guise"), "session"));

	if (!session)
		return g_err_set(err, G_EX_USAGE, "--record: the request names no session "
						  "(render it with prompt-render -s)");
	if (request_speaker(s, err) < 0)
		return -1;
	return g_session_resolve(s->ctx.store, &s->ctx.key, session, id, err);
}

/* The turn stored; seqs gets the numbers stored, once they are (the
 * transaction committed). */
static int store_turn(struct send *s, const char *id, int partial, json_t *seqs,
		      struct g_err *err)
{
	const json_t *pending = json_object_get(json_object_get(s->request, "guise"), "pending");
	const json_t *content = json_object_get(pending, "content");
	const struct g_speaker *speaker;
	json_t *stored = json_array();
	struct g_session ss;
	struct g_message m;
	int64_t seq;
	int rc;

	memset(&ss, 0, sizeof(ss));
	if (!stored)
		return g_err_oom(err);
	if (g_context_begin(&s->ctx, err) < 0) {
		json_decref(stored);
		return -1;
	}
	/* g_context_begin checked that no rekey retired our key meanwhile */
	rc = g_session_load(s->ctx.store, &s->ctx.key, id, &ss, err);
	speaker = s->has_speaker ? &s->speaker : &ss.persona;
	if (rc == 0 && json_is_string(content)) {
		memset(&m, 0, sizeof(m));
		m.role = "user";
		m.content = json_string_value(content);
		m.len = json_string_length(content);
		m.input_tokens = m.output_tokens = -1;
		m.speaker = speaker;
		rc = g_chat_log_append(s->ctx.store, &s->ctx.key, id, &m, &seq, err);
		if (rc == 0)
			json_array_append_new(stored, json_integer(seq));
	}
	if (rc == 0) {
		memset(&m, 0, sizeof(m));
		m.role = "assistant";
		m.content = s->reply.text ? s->reply.text : "";
		m.len = s->reply.text_len;
		m.status = partial ? "partial" : "complete";
		m.model = s->reply.model ? s->reply.model : s->model;
		m.input_tokens = s->reply.input_tokens;
		m.output_tokens = s->reply.output_tokens;
		m.speaker = speaker;
		rc = g_chat_log_append(s->ctx.store, &s->ctx.key, id, &m, &seq, err);
		if (rc == 0)
			json_array_append_new(stored, json_integer(seq));
	}
	if (rc == 0 || ss.id[0])
		g_session_release(&ss);
	rc = g_context_end(&s->ctx, rc, err);
	if (rc == 0)
		json_array_extend(seqs, stored);
	json_decref(stored);
	return rc;
}

static json_t *reply_record(struct send *s, json_t *seqs)
{
	const json_t *session = json_object_get(json_object_get(s->request, "guise"), "session");
	struct g_llm_reply *r = &s->reply;

	return json_pack("{s:s, s:s, s:s%, s:s, s:s, s:o, s:{s:o, s:o}, s:O, s:O}", "kind", "reply",
			 "role", "assistant", "content", r->text ? r->text : "", r->text_len,
			 "model", r->model ? r->model : s->model, "provider",
			 g_llm_provider_name(s->provider), "finish_reason",
			 r->finish_reason ? json_string(r->finish_reason) : json_null(), "usage",
			 "input_tokens", r->input_tokens >= 0 ? json_integer(r->input_tokens) : json_null(),
			 "output_tokens",
			 r->output_tokens >= 0 ? json_integer(r->output_tokens) : json_null(), "session",
			 session ? (json_t *)session : json_null(), "recorded", seqs);
}

static int finish(struct send *s, json_t *seqs, struct g_err *err)
{
	json_t *rec;
	int rc;

	if (s->text)
		return fputs(s->wrote ? "\n" : "", stdout) == EOF
			       ? g_err_set(err, G_EX_IOERR, "error writing output")
			       : 0;
	rec = reply_record(s, seqs);
	rc = g_doc_write_one(stdout, s->cli.output, rec, err);
	json_decref(rec);
	return rc;
}

static int run(struct send *s, struct g_err *err)
{
	const struct g_http_handler h = { begin, data, end, committed, note, s };
	struct g_llm_call call;
	json_t *seqs = json_array();
	char session[G_UUID_LEN] = "";
	char *body = NULL;
	struct g_err unrecorded;
	int rc;

	g_err_clear(&unrecorded);

	if (!seqs || read_request(s, err) < 0 || resolve(s, err) < 0 ||
	    g_llm_build(s->provider, s->url, s->model, s->key.buf, s->request, s->stream, &call,
			err) < 0) {
		json_decref(seqs);
		return -1;
	}
	if (call.dropped[0])
		g_verbose(&s->cli, 1, "%s does not take %s: dropped", g_llm_provider_name(s->provider),
			  call.dropped);
	if (s->cli.dry_run) {
		rc = dry_run(s, &call, err);
		goto out;
	}
	/* the store and the key before the call: a turn that cannot be
	 * recorded is not sent */
	if (s->record && (g_context_open(&s->ctx, &s->cli, err) < 0 ||
			  record_target(s, session, err) < 0)) {
		rc = -1;
		goto out;
	}
	body = json_dumps(call.body, JSON_COMPACT);
	rc = body ? g_http_post(call.url, call.headers, body, strlen(body), &s->http, &h, err)
		  : g_err_oom(err);
	if (rc < 0 && s->keep_partial && s->reply.text_len) {
		struct g_err stored;

		if (store_turn(s, session, 1, seqs, &stored) < 0) {
			redact(stored.msg, sizeof(stored.msg), &s->key);
			g_report(&stored);
		}
		else
			g_verbose(&s->cli, 1, "the reply so far is stored as partial");
	}
	/* a reply paid for goes out even when it cannot be stored: that
	 * failure is said, and is the exit status */
	if (rc == 0 && s->record && store_turn(s, session, 0, seqs, &unrecorded) < 0)
		g_err_prefix(&unrecorded, "the reply was not recorded");
	if (rc == 0)
		rc = finish(s, seqs, err);
	else if (s->wrote)
		fputs("\n", stdout); /* the text so far ends its line */
	if (unrecorded.code && rc == 0) {
		*err = unrecorded;
		rc = -1;
	} else if (unrecorded.code) { /* stdout failed too: both are said */
		redact(unrecorded.msg, sizeof(unrecorded.msg), &s->key);
		g_report(&unrecorded);
	}
out:
	free(body);
	json_decref(seqs);
	g_llm_call_release(&call);
	return rc;
}

int main(int argc, char **argv)
{
	struct send s;
	struct g_err err;
	int status;

	memset(&s, 0, sizeof(s));
	s.stream = 1;
	s.http.connect_timeout = 10;
	s.http.idle_timeout = 60;
	s.http.retries = 3;
	g_cli_init(&s.cli, argv[0]);
	status = parse(&s, argc, argv);
	if (status < 0) {
		g_err_clear(&err);
		if (g_cli_check(&s.cli, &err) < 0 || g_crypt_init(&err) < 0 || run(&s, &err) < 0) {
			redact(err.msg, sizeof(err.msg), &s.key);
			status = err.code == G_EX_USAGE ? g_usage_error(synopsis, "%s", err.msg)
							: g_report(&err);
		}
		else
			status = 0;
	}
	g_llm_reader_free(s.reader);
	g_llm_reply_release(&s.reply);
	g_session_speaker_release(&s.speaker);
	g_secret_release(&s.key);
	json_decref(s.request);
	g_context_release(&s.ctx);
	return g_cli_finish(status);
}
