/*
 * time_runs.h: whole processes timed, taking turns, for the benches
 * (test-tool time-runs, time_runs.c).
 */
#ifndef GUISE_TESTS_TIME_RUNS_H
#define GUISE_TESTS_TIME_RUNS_H

/* test-tool time-runs [--small-pages] N CMD... [-- CMD...]...: "BEST MEAN" in us a line,
 * a command each; 0, 1 when a run fails, else a usage status. */
int time_runs_main(int argc, char **argv);

#endif
