/*
 * replay: runs a libFuzzer target's LLVMFuzzerTestOneInput on each file
 * named, without libFuzzer, so that the kept corpus (fuzz/seeds/<target>)
 * is replayed by make check under the normal compiler and sanitizers.
 */
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* The whole file, in a buffer of exactly its size (so that the sanitizer
 * sees a read past the end), or NULL. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (f && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc(n ? (size_t)n : 1)) &&
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		*len = (size_t)n;
	if (f)
		fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	unsigned char *buf;
	size_t len = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (!(buf = slurp(argv[i], &len))) {
			fprintf(stderr, "replay: cannot read '%s'\n", argv[i]);
			return 66;
		}
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
	}
	printf("replayed %d inputs\n", argc - 1);
	return fflush(stdout) == 0 ? 0 : 74;
}
