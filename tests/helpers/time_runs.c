/*
 * time_runs.c: test-tool time-runs, the wall time of whole processes, for
 * the benches:
 *
 *   test-tool time-runs [--small-pages] N CMD [ARG...] [-- CMD [ARG...]]...
 *
 * runs each command N times, taking turns (one run of each, N rounds, so
 * that a machine growing busier or quieter weighs on each alike), its
 * standard output on /dev/null, and prints for each, in order, "BEST MEAN"
 * in microseconds. A run is timed from before its spawn to after its wait
 * (CLOCK_MONOTONIC), nothing else: a shell timing a run with date(1)
 * counts a date process too, about a millisecond that made every ratio of
 * two renders look closer to 1 than it was. A run that does not exit 0
 * stops it: 1, named on stderr. --small-pages runs them with transparent
 * huge pages turned off (PR_SET_THP_DISABLE, which a child keeps across
 * exec): as on a machine whose kernel gives none, where the heap a command
 * advises huge (lib/heap.c) faults in a page at a time.
 */
#include "time_runs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "exit.h"
#include "msg.h"

extern char **environ; /* what each run is given, as a shell would */

static const char usage[] =
	"usage: test-tool time-runs [--small-pages] N CMD [ARG...] [-- CMD [ARG...]]...\n";

enum { MAX_CMDS = 16 };

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* One run of cmd: its time in us, or -1 (said) when it did not exit 0.
 * posix_spawn (a vfork in glibc): what is timed is the command, not a
 * copy of this process's mappings. */
static double run(char **cmd, const posix_spawn_file_actions_t *fa)
{
	double start = now_us();
	pid_t pid;
	int status;

	if (posix_spawnp(&pid, cmd[0], fa, NULL, cmd, environ) != 0 ||
	    waitpid(pid, &status, 0) != pid) {
		g_msg("time-runs: %s: cannot run it", cmd[0]);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		g_msg("time-runs: %s: exited %d", cmd[0],
		      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		return -1;
	}
	return now_us() - start;
}

int time_runs_main(int argc, char **argv)
{
	char **cmds[MAX_CMDS];
	double best[MAX_CMDS] = { 0 }, sum[MAX_CMDS] = { 0 }, t;
	long n, r;
	posix_spawn_file_actions_t fa;
	int ncmds = 0, i;

	if (argc > 1 && strcmp(argv[1], "--small-pages") == 0) {
		if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0) {
			g_msg("time-runs: --small-pages: %s", strerror(errno));
			return 1;
		}
		argc--, argv++;
	}
	if (argc < 3 || g_cli_parse_long(argv[1], 1, LONG_MAX, &n) < 0)
		return g_msg_usage(usage, "time-runs: expected N (1 or more) and a command");
	cmds[ncmds++] = &argv[2];
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") != 0)
			continue;
		if (ncmds == MAX_CMDS)
			return g_msg_usage(usage, "time-runs: %d commands at most", MAX_CMDS);
		argv[i] = NULL; /* ends the command before it */
		cmds[ncmds++] = &argv[i + 1];
	}
	for (i = 0; i < ncmds; i++)
		if (!cmds[i][0])
			return g_msg_usage(usage, "time-runs: an empty command");
	if (posix_spawn_file_actions_init(&fa) != 0 ||
	    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0) != 0) {
		g_msg("time-runs: out of memory");
		return G_EX_SOFTWARE;
	}
	for (r = 0; r < n; r++)
		for (i = 0; i < ncmds; i++) {
			if ((t = run(cmds[i], &fa)) < 0) {
				posix_spawn_file_actions_destroy(&fa);
				return 1;
			}
			sum[i] += t;
			best[i] = r == 0 || t < best[i] ? t : best[i];
		}
	posix_spawn_file_actions_destroy(&fa);
	for (i = 0; i < ncmds; i++)
		printf("%.0f %.0f\n", best[i], sum[i] / (double)n);
	return 0;
}
