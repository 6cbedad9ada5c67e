/*
 * lore_time.c: test-tool lore-time, what one activation costs, without the
 * process and the JSON around it (for bench/lore.sh):
 *
 *   test-tool lore-time [--repeat N] [--seed S]
 *
 * reads one lore-activate document on stdin, activates it N times (default
 * 10) and prints "BEST MEAN FIRED": the best and the mean time of one
 * activation in microseconds, and how many entries fired.
 */
#include "lore_gen.h"

#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "cli.h"
#include "exit.h"
#include "lore.h"
#include "msg.h"

static const char usage[] = "usage: test-tool lore-time [--repeat N] [--seed S]\n";

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

int lore_time_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "repeat", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	long repeat = 10, seed = 0, i;
	double best = 0, sum = 0, t;
	struct g_lore_out out;
	struct g_lore_doc d;
	struct g_err err;
	size_t fired = 0;
	json_t *doc;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		if (g_cli_parse_long(optarg ? optarg : "", c == 'r', LONG_MAX,
				     c == 'r' ? &repeat : &seed) < 0)
			return g_msg_usage(usage, "lore-time: expected --repeat N (1 or more), --seed S");
	if (optind != argc)
		return g_msg_usage(usage, "lore-time: unexpected argument '%s'", argv[optind]);
	if (!(doc = json_loadf(stdin, 0, NULL))) {
		g_msg("lore-time: stdin is not one JSON document");
		return G_EX_DATAERR;
	}
	if (g_lore_doc_read(&d, doc, &err) < 0) {
		json_decref(doc);
		return g_msg_report(&err);
	}
	d.in.seed = (uint64_t)seed;
	for (i = 0; i < repeat; i++) {
		t = now_us();
		if (g_lore_activate(&d.in, &out, &err) < 0)
			break;
		fired = out.nfired;
		g_lore_activate_release(&out);
		t = now_us() - t;
		sum += t;
		best = i == 0 || t < best ? t : best;
	}
	g_lore_doc_release(&d);
	json_decref(doc);
	if (i < repeat)
		return g_msg_report(&err);
	printf("%.1f %.1f %zu\n", best, sum / (double)repeat, fired);
	return 0;
}
