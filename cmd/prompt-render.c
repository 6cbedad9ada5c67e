/*
 * prompt-render: the exact LLM request for a session, or for a character
 * and a persona without one (DESIGN.md §8). The request is lib/prompt's;
 * this is loading what it is made from (the records, the history, the
 * template, the new message) and writing it out. Nothing is stored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ref.h"
#include "chat_last.h"
#include "chat_log.h"
#include "cli.h"
#include "context.h"
#include "doc.h"
#include "fileio.h"
#include "lore.h"
#include "lore_sources.h"
#include "frame.h"
#include "msg.h"
#include "prompt.h"
#include "session.h"
#include "session_lore.h"
#include "settings.h"
#include "tmpl_story.h"

static const char synopsis[] =
	"usage: prompt-render (-s S | --character C [--persona P | --impersonate C2])\n"
	"                     [-m TEXT | --draft | --regenerate | --continue]\n"
	"                     [--template FILE] [--seed N] [--format request|text]\n"
	"options: -d DB  -u USER  -y  --pretty  --input json|yaml  -q  -v  -h  -V\n";

/* its own long options (cmd/common/opt.h) */
static const enum g_opt own[] = {
	G_OPT_CHARACTER, G_OPT_CONTINUE, G_OPT_DRAFT, G_OPT_FORMAT, G_OPT_IMPERSONATE,
	G_OPT_MESSAGE, G_OPT_PERSONA, G_OPT_REGENERATE, G_OPT_SEED, G_OPT_SESSION, G_OPT_TEMPLATE
};

struct render {
	struct g_cli cli;
	struct g_context ctx;
	const char *session, *character, *persona, *impersonate, *message, *template_file;
	int text;   /* --format text */
	int seeded; /* --seed given */
	long seed;
	enum g_prompt_mode mode;
	int modes; /* how many of --draft, --regenerate, --continue */
	json_t *target; /* regenerate, continue: the message's record */
	/* what the request is made from */
	struct g_session ss;
	json_t *char_record, *persona_record, *settings, *history;
	json_t *lore_books, *lore_state, *lore_at; /* books scanned, timed state, guise.lore.at */
	/* the cards' own books when read from their lore index (has_lore) */
	struct g_lore_book char_lore, persona_lore;
	int char_has_lore, persona_has_lore;
	long chat_length;
	enum g_persona_kind kind;
	struct g_tmpl *tmpl;
	char *separator, *chat_start; /* a context preset's, or NULL */
	struct g_file pending;
	int has_pending;
};

static int own_option(void *cmd, int opt, const char *arg)
{
	struct render *r = cmd;

	switch (opt) {
	case G_OPT_SESSION: r->session = arg; break;
	case G_OPT_MESSAGE: r->message = arg; break;
	case G_OPT_CHARACTER: r->character = arg; break;
	case G_OPT_PERSONA: r->persona = arg; break;
	case G_OPT_IMPERSONATE: r->impersonate = arg; break;
	case G_OPT_TEMPLATE: r->template_file = arg; break;
	case G_OPT_DRAFT: r->mode = G_PROMPT_DRAFT, r->modes++; break;
	case G_OPT_REGENERATE: r->mode = G_PROMPT_REGENERATE, r->modes++; break;
	case G_OPT_CONTINUE: r->mode = G_PROMPT_CONTINUE, r->modes++; break;
	case G_OPT_SEED:
		if (g_cli_parse_long(arg, -0x7fffffffffffffffL - 1, 0x7fffffffffffffffL,
				     &r->seed) < 0)
			return g_msg_usage(synopsis, "--seed: '%s' is not a whole number", arg);
		r->seeded = 1;
		break;
	case G_OPT_FORMAT:
		if (strcmp(arg, "text") != 0 && strcmp(arg, "request") != 0)
			return g_msg_usage(synopsis, "--format: '%s' is not request or text", arg);
		r->text = strcmp(arg, "text") == 0;
		break;
	}
	return -1;
}

static int parse(struct render *r, int argc, char **argv)
{
	static const struct g_frame frame = {
		synopsis, G_CLI_SHORTOPTS "m:s:", G_OPT_OWN(own), own_option
	};
	int status = g_frame_options(&frame, r, &r->cli, NULL, argc, argv);

	if (status >= 0)
		return status;
	if (optind < argc)
		return g_msg_usage(synopsis, "'%s': no arguments are taken", argv[optind]);
	if (r->cli.dry_run)
		return g_msg_usage(synopsis, "-n: prompt-render writes nothing to begin with");
	if (!r->session == !r->character)
		return g_msg_usage(synopsis, "render a session (-s S) or a character (--character C)");
	if (r->session && (r->persona || r->impersonate))
		return g_msg_usage(synopsis,
				     "-s: the session's persona is used; switch it with session-bind");
	if (r->persona && r->impersonate)
		return g_msg_usage(synopsis, "--persona and --impersonate: give one");
	if (r->modes > 1)
		return g_msg_usage(synopsis, "--draft, --regenerate and --continue: give one");
	if (r->modes && r->message)
		return g_msg_usage(synopsis, "-m: --%s takes no new message%s",
				     g_prompt_mode_name(r->mode),
				     r->mode == G_PROMPT_DRAFT ? " (its start is on stdin)" : "");
	if (!r->session && (r->mode == G_PROMPT_REGENERATE || r->mode == G_PROMPT_CONTINUE))
		return g_msg_usage(synopsis, "--%s: works on a session's message (-s S)",
				     g_prompt_mode_name(r->mode));
	return -1;
}

/* --- the template ----------------------------------------------------------- */

/* Held in the render's own fields, which main releases. */
static int load_template(struct render *r, struct g_err *err)
{
	struct g_tmpl_story st;

	if (g_tmpl_story_load(&st, r->template_file, err) < 0) {
		g_tmpl_story_release(&st);
		return -1;
	}
	r->tmpl = st.tmpl;
	r->separator = st.separator;
	r->chat_start = st.chat_start;
	return 0;
}

/* --- what is rendered ----------------------------------------------------- */

static int load_card(struct render *r, int kinds, const char *ref, json_t **record,
		     struct g_lore_book *lore, int *has_lore, struct g_err *err)
{
	enum g_cardkind kind;
	char id[G_UUID_LEN];

	if (g_ref_resolve(r->ctx.store, &r->ctx.key, kinds, ref, &kind, id, err) < 0)
		return -1;
	return g_lore_sources_card(r->ctx.store, &r->ctx.key, kind, id, record, lore, has_lore,
				   err);
}

/* Regenerate, continue: the last assistant message, and the history before
 * it as a reply's is (the last history_limit messages, none for 0), read
 * from the end as a reply's is. */
static int load_target(struct render *r, int64_t messages, struct g_err *err)
{
	const json_t *limit = json_object_get(r->settings, "history_limit");
	int none = json_is_integer(limit) && json_integer_value(limit) == 0;
	int64_t after;
	int rc = g_chat_last_of_role(r->ctx.store, &r->ctx.key, r->ss.id, "assistant",
				     json_is_integer(limit) ? json_integer_value(limit) : 0,
				     none ? NULL : g_chat_log_keep_brief, r->history, &r->target, &after,
				     err);

	if (rc == 0)
		return g_err_set(err, G_EX_DATAERR, "session '%s' has no assistant message to %s",
				 r->session, g_prompt_mode_name(r->mode));
	r->chat_length = (long)(messages - after - 1);
	return rc < 0 ? -1 : 0;
}

static int load_session(struct render *r, struct g_err *err)
{
	const json_t *limit;
	int64_t n;

	if (g_session_load_ref(r->ctx.store, &r->ctx.key, r->session, &r->ss, err) < 0 ||
	    g_lore_sources_card(r->ctx.store, &r->ctx.key, G_CHARACTER, r->ss.character_id,
				&r->char_record, &r->char_lore, &r->char_has_lore, err) < 0)
		return -1;
	r->kind = r->ss.persona.kind;
	if (r->kind != G_PERSONA_NONE &&
	    g_lore_sources_card(r->ctx.store, &r->ctx.key,
				r->kind == G_PERSONA_CUSTOM ? G_PERSONA : G_CHARACTER,
				r->ss.persona.id, &r->persona_record, &r->persona_lore,
				&r->persona_has_lore, err) < 0)
		return -1;
	r->settings = json_incref(r->ss.settings);
	if ((n = g_session_messages(r->ctx.store, r->ss.id, err)) < 0 ||
	    g_session_lore_state_load(r->ctx.store, &r->ctx.key, r->ss.id, n, &r->lore_state,
				      &r->lore_at, err) < 0)
		return -1;
	r->chat_length = (long)n;
	if (r->mode == G_PROMPT_REGENERATE || r->mode == G_PROMPT_CONTINUE)
		return load_target(r, n, err);
	limit = json_object_get(r->settings, "history_limit");
	/* the last history_limit messages only: cost follows what is shown */
	if (json_is_integer(limit) && json_integer_value(limit) == 0)
		return 0;
	return g_chat_log_each(r->ctx.store, &r->ctx.key, r->ss.id,
			      json_is_integer(limit) ? json_integer_value(limit) : 0,
			      g_chat_log_keep_brief, r->history, err);
}

/* Session-less: history as message records on stdin. */
static int read_history(struct render *r, struct g_err *err)
{
	if (isatty(0))
		return 0;
	return g_chat_log_read_records(stdin, "-", r->cli.input, g_chat_log_keep_brief, r->history,
				       err);
}

static int load_cards(struct render *r, struct g_err *err)
{
	if (load_card(r, G_REF_CHARACTERS, r->character, &r->char_record, &r->char_lore,
		      &r->char_has_lore, err) < 0)
		return -1;
	r->kind = r->persona ? G_PERSONA_CUSTOM
		  : r->impersonate ? G_PERSONA_IMPERSONATED : G_PERSONA_NONE;
	if (r->persona && load_card(r, G_REF_PERSONAS, r->persona, &r->persona_record,
				    &r->persona_lore, &r->persona_has_lore, err) < 0)
		return -1;
	if (r->impersonate) {
		if (load_card(r, G_REF_CHARACTERS, r->impersonate, &r->persona_record,
			      &r->persona_lore, &r->persona_has_lore, err) < 0)
			return -1;
		if (json_equal(json_object_get(r->persona_record, "id"),
			       json_object_get(r->char_record, "id")))
			return g_err_set(err, G_EX_DATAERR,
					 "a character cannot be rendered talking to itself");
	}
	if (!(r->settings = g_settings_new()))
		return g_err_oom(err);
	if (read_history(r, err) < 0)
		return -1;
	r->chat_length = (long)json_array_size(r->history);
	return 0;
}

/* The new message: -m, else stdin in a session (one newline dropped). */
static int read_pending(struct render *r, struct g_err *err)
{
	if (r->message) {
		if (g_cli_utf8("-m", r->message, err) < 0)
			return -1;
		r->has_pending = 1;
		return 0;
	}
	if (!r->session || isatty(0))
		return 0;
	if (g_chat_log_message_read_stdin(&r->pending, err) < 0)
		return -1;
	r->has_pending = r->pending.len > 0;
	if (r->has_pending && (r->mode == G_PROMPT_REGENERATE || r->mode == G_PROMPT_CONTINUE))
		return g_err_set(err, G_EX_USAGE, "--%s takes no new message: stdin is not empty",
				 g_prompt_mode_name(r->mode));
	return 0;
}

static int write_request(struct render *r, const json_t *req, struct g_err *err)
{
	char *text;
	int rc;

	if (r->text) {
		text = g_prompt_transcript(req);
		if (!text)
			return g_err_oom(err);
		/* worded as the record writer words it */
		rc = fputs(text, stdout) == EOF || fflush(stdout) != 0
			     ? g_err_set(err, G_EX_IOERR, "error writing output: %s", strerror(errno))
			     : 0;
		free(text);
		return rc;
	}
	return g_doc_write_one(stdout, r->cli.output, req, err);
}

/* The books lore scans, in lore_sources.h's order, and those already read. */
static int gather_lore(struct render *r, const struct g_lore_book *ready[G_LORE_SOURCES],
		       struct g_err *err)
{
	const struct g_lore_cast cast = {
		r->session ? r->ss.id : NULL, r->kind == G_PERSONA_IMPERSONATED, r->persona_record,
		r->char_record, r->persona_has_lore ? &r->persona_lore : NULL,
		r->char_has_lore ? &r->char_lore : NULL
	};

	if (!(r->lore_books = json_array()))
		return g_err_oom(err);
	return g_lore_sources_cast(r->ctx.store, &r->ctx.key, &cast, ready, r->lore_books, err);
}

static int run(struct render *r, struct g_err *err)
{
	struct g_prompt_in in;
	const struct g_lore_book *ready[G_LORE_SOURCES] = { NULL };
	const json_t *seed;
	json_t *req = NULL;
	int rc;

	if (!(r->history = json_array()))
		return g_err_oom(err);
	if (load_template(r, err) < 0 || read_pending(r, err) < 0 ||
	    (r->session ? load_session(r, err) : load_cards(r, err)) < 0 ||
	    gather_lore(r, ready, err) < 0)
		return -1;
	memset(&in, 0, sizeof(in));
	in.session_id = r->session ? r->ss.id : NULL;
	in.username = r->ctx.user.username;
	in.character = r->char_record;
	in.kind = r->kind;
	in.persona = r->persona_record;
	in.settings = r->settings;
	in.history = r->history;
	in.pending = r->message ? r->message : r->has_pending ? (const char *)r->pending.data : NULL;
	in.pending_len = r->message ? strlen(r->message) : r->pending.len;
	in.mode = r->mode;
	in.target = r->target;
	if (r->mode == G_PROMPT_CONTINUE) { /* the message continued ends the chat */
		in.pending = json_string_value(json_object_get(r->target, "content"));
		in.pending_len = json_string_length(json_object_get(r->target, "content"));
	}
	in.tmpl = r->tmpl;
	in.example_separator = r->separator;
	in.chat_start = r->chat_start;
	in.lore_books = r->lore_books;
	in.lore_ready = ready;
	in.lore_state = r->lore_state;
	in.lore_at = r->lore_at;
	in.chat_length = r->chat_length;
	seed = json_object_get(r->settings, "seed");
	in.seed = r->seeded ? (uint64_t)r->seed
		  : json_is_integer(seed) ? (uint64_t)json_integer_value(seed) : 0;
	rc = g_prompt_build(&in, &req, err);
	if (rc == 0)
		rc = write_request(r, req, err);
	json_decref(req);
	return rc;
}

int main(int argc, char **argv)
{
	struct render r;
	struct g_err err;
	int status;

	memset(&r, 0, sizeof(r));
	g_cli_init(&r.cli, argv[0]);
	status = parse(&r, argc, argv);
	if (status < 0) {
		g_err_clear(&err);
		if (g_context_open(&r.ctx, &r.cli, &err) < 0 || run(&r, &err) < 0)
			status = g_msg_report(&err);
		else
			status = 0;
	}
	g_session_release(&r.ss);
	json_decref(r.char_record);
	json_decref(r.persona_record);
	json_decref(r.settings);
	json_decref(r.history);
	json_decref(r.target);
	json_decref(r.lore_books);
	json_decref(r.lore_state);
	json_decref(r.lore_at);
	if (r.char_has_lore)
		g_lore_book_release(&r.char_lore);
	if (r.persona_has_lore)
		g_lore_book_release(&r.persona_lore);
	g_tmpl_free(r.tmpl);
	free(r.separator);
	free(r.chat_start);
	g_fileio_release(&r.pending);
	g_context_release(&r.ctx);
	return g_frame_finish(status);
}
