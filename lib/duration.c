/* duration.c: "90", "15m", "2h", "1d" into seconds. */
#include "duration.h"

#include <errno.h>
#include <stdlib.h>

#define MAX_DURATION (30UL * 24 * 3600)

int g_duration_parse(const char *s, unsigned int *seconds)
{
	unsigned long v, unit = 1;
	char *end;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case '\0': case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	default: return -1;
	}
	if (*end && end[1])
		return -1;
	if (v == 0 || v > MAX_DURATION / unit)
		return -1;
	*seconds = (unsigned int)(v * unit);
	return 0;
}
