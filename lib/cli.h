/*
 * cli.h: the conventions every guise command shares (DESIGN.md §3).
 *
 * The shared options (-d -u -y --pretty --input -h -V -q -v -n) go into each
 * command's getopt_long table through G_CLI_SHORTOPTS and G_CLI_LONGOPTS;
 * the command passes every option it gets to g_cli_option() first and handles
 * only those it is told are not shared. The GUISE_* environment is read once,
 * by g_cli_init(), before the options, so flags win over the environment.
 *
 * Nothing here prints or exits: the command frame (cmd/common/frame.h)
 * prints the help, the version and the messages, and chooses the status.
 */
#ifndef GUISE_CLI_H
#define GUISE_CLI_H

#include <getopt.h>

#include "doc.h"
#include "err.h"

#define GUISE_VERSION "0.1.0"

/* Long-only shared options; a command's own long-only codes start at
 * G_OPT_COMMAND so they never collide. */
enum g_cli_long_opt {
	G_OPT_PRETTY = 0x100,
	G_OPT_INPUT,
	G_OPT_COMMAND = 0x200
};

#define G_CLI_SHORTOPTS "d:hnqu:vVy"

#define G_CLI_LONGOPTS                                                \
	{ "db", required_argument, NULL, 'd' },                       \
	{ "dry-run", no_argument, NULL, 'n' },                        \
	{ "help", no_argument, NULL, 'h' },                           \
	{ "input", required_argument, NULL, G_OPT_INPUT },            \
	{ "pretty", no_argument, NULL, G_OPT_PRETTY },                \
	{ "quiet", no_argument, NULL, 'q' },                          \
	{ "user", required_argument, NULL, 'u' },                     \
	{ "verbose", no_argument, NULL, 'v' },                        \
	{ "version", no_argument, NULL, 'V' },                        \
	{ "yaml", no_argument, NULL, 'y' }

struct g_cli {
	const char *db;            /* -d, else $GUISE_DB; NULL: the default path */
	const char *user;          /* -u, else $GUISE_USER; NULL: not named */
	enum g_doc_format input;   /* --input; G_DOC_AUTO detects */
	enum g_doc_style output;   /* -y, --pretty, else $GUISE_FORMAT */
	int verbosity;             /* 0 normal, -1 with -q, +1 per -v */
	int dry_run;               /* -n */
	int output_flag;           /* -y or --pretty was given */
	const char *bad_format;    /* a $GUISE_FORMAT that is neither */
};

/* What g_cli_option() made of one option. */
enum g_cli_result {
	G_CLI_NOT_SHARED, /* the command's own: handle it */
	G_CLI_TAKEN,      /* a shared option, recorded in struct g_cli */
	G_CLI_HELP,       /* -h: print the command's help to stdout, exit 0 */
	G_CLI_VERSION,    /* -V: print the version to stdout, exit 0 */
	G_CLI_BAD         /* a shared option with a bad value: err says why */
};

/* The program name used in every message; set by g_cli_init(). */
extern const char *g_cli_prog;

/* Set the program name from argv[0] and read the GUISE_* environment; a
 * bad value is kept for g_cli_check(), so that -h and flags still work. */
void g_cli_init(struct g_cli *cli, const char *argv0);

/* After the options: a bad environment value that no flag overrode is a
 * configuration error (78). -h and -V never get this far. */
int g_cli_check(const struct g_cli *cli, struct g_err *err);

/* getopt_long, but a long option is taken only by its full name (no
 * abbreviations: "--passphrase pw" is not --passphrase-fd), and getopt
 * prints nothing. A bad option comes back as '?', and g_cli_option() turns
 * it into a usage error that names the option, never its value. The
 * command frame's one option loop calls this instead of getopt_long. */
int g_cli_getopt(int argc, char *const argv[], const char *shortopts,
	     const struct option *options);

/* '?' from g_cli_getopt() is G_CLI_BAD with err saying what was wrong. */
enum g_cli_result g_cli_option(struct g_cli *cli, int opt, const char *arg,
			       struct g_err *err);


/* The database path of §3: -d, $GUISE_DB, ${XDG_DATA_HOME:-~/.local/share}/
 * guise/guise.db. Returns a malloc'd string or NULL with err set (78). */
char *g_cli_db_path(const struct g_cli *cli, struct g_err *err);

/* Text given on the command line that becomes a JSON string or a stored
 * field (a name, a title, a description, a model): 0, or -1 with err set
 * (65, "OPT: not valid UTF-8") if it is not UTF-8. Every such option goes
 * through here, so no invalid text reaches json_string (which would say
 * "out of memory"). */
int g_cli_utf8(const char *opt, const char *value, struct g_err *err);
/* Checked decimal parsing for flags: the whole of s, within [min, max]. */
int g_cli_parse_long(const char *s, long min, long max, long *out);

#endif
