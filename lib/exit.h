/*
 * exit.h: the exit statuses every guise command uses (sysexits), written down
 * once. A permanent failure (65, 66, 76, 77, 78) will fail again if retried
 * unchanged; a temporary one (75) is worth retrying. Man pages list this table.
 */
#ifndef GUISE_EXIT_H
#define GUISE_EXIT_H

enum g_exit {
	G_EX_OK = 0,
	G_EX_USAGE = 64,       /* bad flags or arguments */
	G_EX_DATAERR = 65,     /* malformed or invalid input, failed integrity */
	G_EX_NOINPUT = 66,     /* no such file, user, persona, character, session */
	G_EX_UNAVAILABLE = 69, /* provider refused or unreachable, retries spent */
	G_EX_SOFTWARE = 70,    /* internal error */
	G_EX_IOERR = 74,       /* reading input, writing stdout, the database file */
	G_EX_TEMPFAIL = 75,    /* busy past the timeout, 429/5xx past the budget */
	G_EX_PROTOCOL = 76,    /* provider sent something malformed, other 4xx */
	G_EX_NOPERM = 77,      /* locked user, wrong passphrase, provider 401/403 */
	G_EX_CONFIG = 78       /* bad environment value, newer or foreign database */
};

#endif
