/* uuid.c: UUIDv7 with a counter in rand_a (RFC 9562 §6.2 method 1), so that
 * ids of one process stay ordered inside a millisecond. */
#include "uuid.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static int fill_random(unsigned char *buf, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = getrandom(buf + got, n - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

int g_uuid7(char out[G_UUID_LEN], struct g_err *err)
{
	static uint64_t last_ms;
	static uint16_t counter;
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	struct timespec ts;
	uint64_t ms;
	int i, o;

	if (fill_random(b, sizeof(b)) < 0)
		return g_err_set(err, G_EX_SOFTWARE, "no randomness: %s",
				 strerror(errno));
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	if (ms <= last_ms) {
		/* Same (or an earlier) millisecond: count up from the last id. */
		ms = last_ms;
		if (++counter > 0x0fff) {
			ms = ++last_ms;
			counter = 0;
		}
	} else {
		last_ms = ms;
		counter = (uint16_t)(((b[6] << 8) | b[7]) & 0x01ff); /* room to grow */
	}
	for (i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | (counter >> 8));
	b[7] = (unsigned char)(counter & 0xff);
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
	for (i = 0, o = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
	return 0;
}
