/*
 * duration.h: a length of time as people write it on a command line.
 */
#ifndef GUISE_DURATION_H
#define GUISE_DURATION_H

/* Parse a duration: "90", "90s", "15m", "2h", "1d" (at most 30 days). */
int g_duration_parse(const char *s, unsigned int *seconds);

#endif
