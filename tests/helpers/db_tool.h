/*
 * db_tool.h: test-tool db (db_tool.c), lib/db.h's calls driven step by
 * step on the store -d names, for the backend suites.
 */
#ifndef GUISE_TESTS_DB_TOOL_H
#define GUISE_TESTS_DB_TOOL_H

#include "cli.h"

/* The steps in argv[0..argc) on one connection: 0, else the exit status
 * of the first that failed (its message on stderr). */
int db_tool_main(const struct g_cli *cli, int argc, char **argv);

#endif
