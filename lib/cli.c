/* cli.c: the shared options and environment of §3, parsed; nothing printed. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heap.h"
#include "text.h"

const char *g_cli_prog = "guise";

/* The two words GUISE_FORMAT and --input take: 0 for "json",
 * 1 for "yaml", -1 for any other. */
static int json_or_yaml(const char *value)
{
	if (strcmp(value, "json") == 0)
		return 0;
	return strcmp(value, "yaml") == 0 ? 1 : -1;
}

/* An empty variable counts as unset, as in most shells' tools. */
static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* Keep the standard descriptors taken, so that no file or socket opened
 * later becomes one (libpq's socket on a closed stdout would be sent the
 * recovery key a command prints). A closed one is opened on /dev/null the
 * wrong way round: reading stdin or writing stdout still fails with EBADF,
 * as on a closed descriptor. */
static void hold_std_fds(void)
{
	int fd, got;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		got = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
		if (got >= 0 && got != fd) /* not the lowest free one after all */
			close(got);
	}
}

void g_cli_init(struct g_cli *cli, const char *argv0)
{
	const char *slash, *format;
	int yaml;

	g_heap_shape();
	hold_std_fds();
	if (argv0 && *argv0) {
		slash = strrchr(argv0, '/');
		g_cli_prog = slash ? slash + 1 : argv0;
	}
	memset(cli, 0, sizeof(*cli));
	cli->input = G_DOC_AUTO;
	cli->output = G_DOC_OUT_JSONL;
	cli->db = env("GUISE_DB");
	cli->user = env("GUISE_USER");
	format = env("GUISE_FORMAT");
	yaml = format ? json_or_yaml(format) : 0;
	if (yaml < 0)
		cli->bad_format = format;
	else if (yaml)
		cli->output = G_DOC_OUT_YAML;
}

int g_cli_check(const struct g_cli *cli, struct g_err *err)
{
	if (cli->bad_format && !cli->output_flag)
		return g_err_set(err, G_EX_CONFIG,
				 "GUISE_FORMAT: '%s' is not 'json' or 'yaml'",
				 cli->bad_format);
	return 0;
}

/* What was wrong with the last option g_cli_getopt() refused. */
static char bad_option[128];

/* The index of the option named exactly name[0..n), or -1. */
static int long_index(const struct option *options, const char *name, size_t n)
{
	int i;

	for (i = 0; options[i].name; i++)
		if (strlen(options[i].name) == n && strncmp(options[i].name, name, n) == 0)
			return i;
	return -1;
}

/* Whether a long option starting with name[0..n) has code val: then
 * getopt's complaint with optopt val was about that element. */
static int long_prefix(const struct option *options, const char *name, size_t n, int val)
{
	int i;

	for (i = 0; options[i].name; i++)
		if (options[i].val == val && strncmp(options[i].name, name, n) == 0)
			return 1;
	return 0;
}

/* Say what getopt refused: the option's name only, for its value may be
 * a secret typed in the wrong place. */
static void describe_bad(int argc, char *const argv[], const char *shortopts,
			 const struct option *options)
{
	const char *e = optind > 0 && optind <= argc ? argv[optind - 1] : NULL;
	const char *sc;
	size_t n;
	int i;

	if (e && e[0] == '-' && e[1] == '-' &&
	    (optopt == 0 || long_prefix(options, e + 2, strcspn(e + 2, "="), optopt))) {
		e += 2;
		n = strcspn(e, "=");
		if (n > 64)
			n = 64;
		i = long_index(options, e, n);
		if (i >= 0 && options[i].has_arg == required_argument && !e[n])
			snprintf(bad_option, sizeof(bad_option), "option '--%.*s' needs a value",
				 (int)n, e);
		else if (i >= 0 && options[i].has_arg == no_argument && e[n])
			snprintf(bad_option, sizeof(bad_option), "option '--%.*s' takes no value",
				 (int)n, e);
		else
			snprintf(bad_option, sizeof(bad_option), "unknown option '--%.*s'", (int)n,
				 e);
		return;
	}
	sc = optopt > ' ' && optopt < 127 ? strchr(shortopts, optopt) : NULL;
	if (sc && sc[1] == ':')
		snprintf(bad_option, sizeof(bad_option), "option '-%c' needs a value", optopt);
	else if (optopt > ' ' && optopt < 127)
		snprintf(bad_option, sizeof(bad_option), "unknown option '-%c'", optopt);
	else
		snprintf(bad_option, sizeof(bad_option), "unknown option");
}

int g_cli_getopt(int argc, char *const argv[], const char *shortopts,
	     const struct option *options)
{
	const char *typed;
	int opt, idx = -1;
	size_t n;

	opterr = 0;
	opt = getopt_long(argc, argv, shortopts, options, &idx);
	if (opt == '?' || opt == ':') {
		describe_bad(argc, argv, shortopts, options);
		return '?';
	}
	if (opt == -1 || idx < 0)
		return opt;
	/* the element as typed: the one before a separate value */
	typed = argv[optind - (optarg && optind >= 2 && optarg == argv[optind - 1] ? 2 : 1)];
	typed += typed[0] == '-' && typed[1] == '-' ? 2 : 0;
	n = strcspn(typed, "=");
	if (strlen(options[idx].name) != n || strncmp(options[idx].name, typed, n) != 0) {
		snprintf(bad_option, sizeof(bad_option), "unknown option '--%.*s'",
			 (int)(n > 64 ? 64 : n), typed);
		return '?';
	}
	return opt;
}

enum g_cli_result g_cli_option(struct g_cli *cli, int opt, const char *arg,
			       struct g_err *err)
{
	int yaml;

	switch (opt) {
	case '?':
		g_err_set(err, G_EX_USAGE, "%s", bad_option[0] ? bad_option : "unknown option");
		return G_CLI_BAD;
	case 'd':
		cli->db = arg;
		return G_CLI_TAKEN;
	case 'u':
		cli->user = arg;
		return G_CLI_TAKEN;
	case 'y':
		cli->output = G_DOC_OUT_YAML;
		cli->output_flag = 1;
		return G_CLI_TAKEN;
	case G_OPT_PRETTY:
		cli->output = G_DOC_OUT_PRETTY;
		cli->output_flag = 1;
		return G_CLI_TAKEN;
	case G_OPT_INPUT:
		yaml = json_or_yaml(arg);
		if (yaml < 0) {
			g_err_set(err, G_EX_USAGE,
				  "--input: '%s' is not 'json' or 'yaml'", arg);
			return G_CLI_BAD;
		}
		cli->input = yaml ? G_DOC_YAML : G_DOC_JSON;
		return G_CLI_TAKEN;
	case 'q':
		cli->verbosity = -1;
		return G_CLI_TAKEN;
	case 'v':
		if (cli->verbosity < 0)
			cli->verbosity = 0;
		cli->verbosity++;
		return G_CLI_TAKEN;
	case 'n':
		cli->dry_run = 1;
		return G_CLI_TAKEN;
	case 'h':
		return G_CLI_HELP;
	case 'V':
		return G_CLI_VERSION;
	default:
		return G_CLI_NOT_SHARED;
	}
}

static char *join_path(const char *dir, const char *rest)
{
	size_t n = strlen(dir) + strlen(rest) + 1;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s%s", dir, rest);
	return p;
}

char *g_cli_db_path(const struct g_cli *cli, struct g_err *err)
{
	const char *base;
	char *path;

	if (cli->db)
		path = strdup(cli->db);
	else if ((base = env("XDG_DATA_HOME")))
		path = join_path(base, "/guise/guise.db");
	else if ((base = env("HOME")))
		path = join_path(base, "/.local/share/guise/guise.db");
	else {
		g_err_set(err, G_EX_CONFIG,
			  "no database: set HOME, XDG_DATA_HOME or GUISE_DB, or use -d");
		return NULL;
	}
	if (!path)
		g_err_oom(err);
	return path;
}

int g_cli_utf8(const char *opt, const char *value, struct g_err *err)
{
	if (!value || g_text_utf8(value, strlen(value)))
		return 0;
	return g_err_set(err, G_EX_DATAERR, "%s: not valid UTF-8", opt);
}

int g_cli_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
