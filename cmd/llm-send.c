/*
 * llm-send: a request document (prompt-render's) to an LLM provider and
 * its reply back (DESIGN.md §9), streamed, retried, and with --record
 * stored in the session with the message that asked for it. The wire
 * protocols are lib/llm's, the HTTP lib/http's, where the request goes
 * lib/llm_target's, the turn stored lib/turn's; this is writing the reply
 * as it comes and saying what became of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "context.h"
#include "doc.h"
#include "frame.h"
#include "http.h"
#include "llm.h"
#include "llm_target.h"
#include "msg.h"
#include "secret.h"
#include "turn.h"
#include "text.h"

static const char synopsis[] =
	"usage: llm-send [--provider P] [--url URL] [-m MODEL] [--api-key-file FILE]\n"
	"                [--record [--keep-partial]] [--text] [--no-stream] [--retries N]\n"
	"                [--connect-timeout S] [--idle-timeout S] [--timeout S] [--cacert FILE]\n"
	"                [-n] [FILE]\n"
	"options: -d DB  -u USER  -y  --pretty  --input json|yaml  -q  -v  -h  -V\n";

/* its own long options (cmd/common/opt.h) */
static const enum g_opt own[] = {
	G_OPT_API_KEY_FILE, G_OPT_CACERT, G_OPT_CONNECT_TIMEOUT, G_OPT_IDLE_TIMEOUT,
	G_OPT_KEEP_PARTIAL, G_OPT_MODEL, G_OPT_NO_STREAM, G_OPT_PROVIDER, G_OPT_RECORD,
	G_OPT_RETRIES, G_OPT_TEXT, G_OPT_TIMEOUT, G_OPT_URL
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
	struct g_turn turn; /* the request, the session and who speaks */
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
		return g_msg_usage(synopsis, "--%s: '%s' is not a number of seconds", opt, arg);
	*out = v;
	return -1;
}

static int own_option(void *cmd, int opt, const char *arg)
{
	struct send *s = cmd;
	long n;

	switch (opt) {
	case G_OPT_MODEL: s->model = arg; break;
	case G_OPT_PROVIDER: s->provider_name = arg; break;
	case G_OPT_URL: s->url = arg; break;
	case G_OPT_API_KEY_FILE: s->key_file = arg; break;
	case G_OPT_CACERT: s->http.cacert = arg; break;
	case G_OPT_RECORD: s->record = 1; break;
	case G_OPT_KEEP_PARTIAL: s->keep_partial = 1; break;
	case G_OPT_TEXT: s->text = 1; break;
	case G_OPT_NO_STREAM: s->stream = 0; break;
	case G_OPT_CONNECT_TIMEOUT:
		return seconds("connect-timeout", arg, &s->http.connect_timeout);
	case G_OPT_IDLE_TIMEOUT: return seconds("idle-timeout", arg, &s->http.idle_timeout);
	case G_OPT_TIMEOUT: return seconds("timeout", arg, &s->http.timeout);
	case G_OPT_RETRIES:
		if (g_cli_parse_long(arg, 0, 100, &n) < 0)
			return g_msg_usage(synopsis, "--retries: '%s' is not a number from 0 to 100",
					     arg);
		s->http.retries = (int)n;
		break;
	}
	return -1;
}

static int parse(struct send *s, int argc, char **argv)
{
	static const struct g_frame frame = {
		synopsis, G_CLI_SHORTOPTS "m:", G_OPT_OWN(own), own_option
	};
	int status = g_frame_options(&frame, s, &s->cli, NULL, argc, argv);

	if (status >= 0)
		return status;
	if (argc - optind > 1)
		return g_msg_usage(synopsis, "one request at a time");
	s->input = optind < argc ? argv[optind] : "-";
	if (s->keep_partial && !s->record)
		return g_msg_usage(synopsis, "--keep-partial: only with --record");
	return -1;
}

/* --- the request and where it goes ---------------------------------------------- */

static int read_request(struct send *s, struct g_err *err)
{
	FILE *in = strcmp(s->input, "-") == 0 ? stdin : fopen(s->input, "rb");
	int rc;

	if (!in)
		return g_err_set(err, G_EX_NOINPUT, "cannot open '%s'", s->input);
	rc = g_doc_read_one(in, s->input, s->cli.input, "request", &s->request, err);
	if (in != stdin)
		fclose(in);
	if (rc == 0)
		return g_err_set(err, G_EX_DATAERR, "'%s': no request in it", s->input);
	s->turn.request = s->request;
	return rc < 0 ? -1 : 0;
}

static int resolve(struct send *s, struct g_err *err)
{
	struct g_llm_target t = { .provider_flag = s->provider_name, .url = s->url,
				  .model = s->model, .key_file = s->key_file };

	if (g_llm_target_resolve(&t, s->request, err) < 0) {
		g_secret_release(&t.key);
		return -1;
	}
	s->provider = t.provider;
	s->url = t.url;
	s->model = t.model;
	s->key = t.key;
	s->http.who = g_llm_provider_name(s->provider);
	s->turn.model = s->model;
	s->turn.provider = s->provider;
	s->http.error_text = g_llm_error_text;
	return 0;
}

/* -n: the HTTP request as it would go, the key redacted. */
static int dry_run(struct send *s, const struct g_llm_call *call, struct g_err *err)
{
	json_t *rec = g_llm_call_record(call);
	int rc = rec ? g_doc_write_one(stdout, s->cli.output, rec, err) : g_err_oom(err);

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

static void note(void *arg, const char *msg)
{
	struct send *s = arg;
	char text[G_ERR_MSG_MAX + 64];

	snprintf(text, sizeof(text), "%s", msg);
	g_secret_redact(text, sizeof(text), &s->key);
	g_msg_verbose(&s->cli, 1, "%s", text);
}

/* --- recording the turn ---------------------------------------------------------------- */

/* The turn stored in one transaction; seqs gets the numbers stored once
 * they are (committed). */
static int store_turn(struct send *s, int partial, json_t *seqs, struct g_err *err)
{
	json_t *stored = json_array();
	int rc;

	if (!stored)
		return g_err_oom(err);
	/* g_context_begin checks that no rekey retired our key meanwhile */
	rc = g_context_begin(&s->ctx, err);
	if (rc == 0) {
		rc = g_turn_store(&s->turn, s->ctx.store, &s->ctx.key, &s->reply, partial, stored,
				  err);
		rc = g_context_end(&s->ctx, rc, err);
	}
	if (rc == 0)
		json_array_extend(seqs, stored);
	if (rc == 0 && s->turn.lore_moved)
		g_msg_warn(&s->cli, "the turn is recorded, not the lore's timed state in its "
				    "request: %s",
			   s->turn.lore_moved == G_TURN_LORE_MOVED
				   ? "the session has moved on since it was rendered"
				   : "it does not say where it was rendered (no guise.lore.at)");
	json_decref(stored);
	return rc;
}

static int finish(struct send *s, json_t *seqs, struct g_err *err)
{
	json_t *rec;
	int rc;

	if (s->text)
		return fputs(s->wrote ? "\n" : "", stdout) == EOF
			       ? g_err_set(err, G_EX_IOERR, "error writing output")
			       : 0;
	rec = g_turn_record(&s->turn, &s->reply, seqs);
	rc = g_doc_write_one(stdout, s->cli.output, rec, err);
	json_decref(rec);
	return rc;
}

static int run(struct send *s, struct g_err *err)
{
	const struct g_http_handler h = { begin, data, end, committed, note, s };
	struct g_llm_call call;
	json_t *seqs = json_array();
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
		g_msg_verbose(&s->cli, 1, "%s does not take %s: dropped", g_llm_provider_name(s->provider),
			  call.dropped);
	if (s->cli.dry_run) {
		rc = dry_run(s, &call, err);
		goto out;
	}
	/* the store and the key before the call: a turn that cannot be
	 * recorded is not sent */
	if (s->record && (g_context_open(&s->ctx, &s->cli, err) < 0 ||
			  g_turn_target(&s->turn, s->ctx.store, &s->ctx.key, err) < 0)) {
		rc = -1;
		goto out;
	}
	body = json_dumps(call.body, JSON_COMPACT);
	rc = body ? g_http_post(call.url, call.headers, body, strlen(body), &s->http, &h, err)
		  : g_err_oom(err);
	if (rc < 0 && s->keep_partial && s->reply.text_len) {
		struct g_err stored;

		if (store_turn(s, 1, seqs, &stored) < 0) {
			g_secret_redact(stored.msg, sizeof(stored.msg), &s->key);
			g_msg_report(&stored);
		}
		else
			g_msg_verbose(&s->cli, 1, "the reply so far is stored as partial");
	}
	/* a reply paid for goes out even when it cannot be stored: that
	 * failure is said, and is the exit status */
	if (rc == 0 && s->record && store_turn(s, 0, seqs, &unrecorded) < 0)
		g_err_prefix(&unrecorded, "the reply was not recorded");
	if (rc == 0)
		rc = finish(s, seqs, err);
	else if (s->wrote)
		fputs("\n", stdout); /* the text so far ends its line */
	if (unrecorded.code && rc == 0) {
		*err = unrecorded;
		rc = -1;
	} else if (unrecorded.code) { /* stdout failed too: both are said */
		g_secret_redact(unrecorded.msg, sizeof(unrecorded.msg), &s->key);
		g_msg_report(&unrecorded);
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
			g_secret_redact(err.msg, sizeof(err.msg), &s.key);
			status = err.code == G_EX_USAGE ? g_msg_usage(synopsis, "%s", err.msg)
							: g_msg_report(&err);
		}
		else
			status = 0;
	}
	g_llm_reader_free(s.reader);
	g_llm_reply_release(&s.reply);
	g_turn_release(&s.turn);
	g_secret_release(&s.key);
	json_decref(s.request);
	g_context_release(&s.ctx);
	return g_frame_finish(status);
}
