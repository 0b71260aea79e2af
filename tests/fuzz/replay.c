/*
 * Corpus replay for the libFuzzer targets in ordinary builds (no clang
 * needed): runs LLVMFuzzerTestOneInput once on every regular file given on
 * the command line or found (not recursively) in a directory given there,
 * each input in a heap buffer of exactly its size so that the sanitizers see
 * a read past its end.  Prints how many inputs ran.  Exits 0, or 1 if an
 * argument cannot be read or no input was found (an empty corpus tests
 * nothing).  Crashes are the target's to report (abort, sanitizers).
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_MAX_INPUT (64u << 20) /* no corpus file is near this */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Runs the target on the file at @path; 0, or -1 if it cannot be read. */
static int run_file(const char *path)
{
	struct stat st;
	uint8_t *buf = NULL;
	FILE *fp = NULL;
	size_t n;
	int ret = -1;

	fp = fopen(path, "rb");
	if (!fp || fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uintmax_t)st.st_size > REPLAY_MAX_INPUT)
		goto out;
	n = (size_t)st.st_size;
	buf = malloc(n ? n : 1);
	if (!buf || fread(buf, 1, n, fp) != n)
		goto out;
	LLVMFuzzerTestOneInput(buf, n);
	ret = 0;
out:
	if (ret < 0)
		fprintf(stderr, "replay: cannot read '%s': %s\n", path,
			errno ? strerror(errno) : "not a regular file");
	free(buf);
	if (fp)
		fclose(fp);
	return ret;
}

/* Runs every regular file of @dir; adds them to *count.  0, or -1 on a read error. */
static int run_dir(const char *dir, unsigned long *count)
{
	char path[4096];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		int n;

		if (de->d_name[0] == '.')
			continue;
		n = snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &st) != 0) {
			ret = -1;
			continue;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		errno = 0;
		if (run_file(path) < 0)
			ret = -1;
		else
			(*count)++;
	}
	closedir(d);
	return ret;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	struct stat st;
	int i, ret = 0;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		errno = 0;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &count) < 0)
				ret = 1;
		} else if (run_file(argv[i]) < 0) {
			ret = 1;
		} else {
			count++;
		}
	}
	printf("%s: %lu inputs replayed\n", argc > 0 ? argv[0] : "replay", count);
	if (count == 0) {
		fprintf(stderr, "replay: no input found\n");
		ret = 1;
	}
	return ret;
}
