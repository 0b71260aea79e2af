/*
 * benchtime: runs one command and reports its wall-clock time, CPU time,
 * peak resident memory and the most threads seen, for bench/run-logs.
 *
 *   benchtime -o REPORT [-t SECONDS] CMD [ARG...]
 *
 * CMD inherits stdin, stdout and stderr.  REPORT gets one line:
 *   wall=0.123456 cpu=0.120000 maxrss_kib=3456 threads=1 status=0
 * wall is measured with CLOCK_MONOTONIC around posix_spawn() .. wait4();
 * cpu and maxrss come from the rusage of that child alone (wait4), which is
 * finer than /usr/bin/time's 10 ms.  threads is the largest "Threads:" of
 * /proc/PID/status seen while sampling every 5 ms (a process that lives
 * shorter than that may report 0).  The command is killed after SECONDS
 * (default 3600).
 *
 * Exit status: the command's, 128 + signal if it was killed, 125 on a
 * usage or system error, 127 if the command could not be started.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define SAMPLE_NS 5000000L

/* "Threads:" of /proc/PID/status, or 0 if it cannot be read. */
static long thread_count(pid_t pid)
{
	char path[64], buf[4096];
	const char *p;
	ssize_t n;
	long v = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "\nThreads:");
	if (p != NULL) {
		char *end = NULL;

		errno = 0;
		v = strtol(p + 9, &end, 10);
		if (errno != 0 || end == p + 9 || v < 0)
			v = 0;
	}
	return v;
}

static double ts_diff(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static double tv_sec(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static void usage(void)
{
	fputs("usage: benchtime -o REPORT [-t SECONDS] CMD [ARG...]\n", stderr);
}

int main(int argc, char **argv)
{
	const char *report = NULL;
	long limit = 3600;
	sigset_t chld, old;
	posix_spawnattr_t attr;
	int attr_ok = 0, opt, status = 0, ret = 125, done = 0, mask_set = 0;
	struct timespec t0, t1, step = { 0, SAMPLE_NS };
	struct rusage ru;
	pid_t pid;
	long threads = 0, t;
	FILE *fp = NULL;
	char *end;

	while ((opt = getopt(argc, argv, "+o:t:")) != -1) {
		switch (opt) {
		case 'o':
			report = optarg;
			break;
		case 't':
			errno = 0;
			end = NULL;
			limit = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || limit <= 0) {
				usage();
				goto out;
			}
			break;
		default:
			usage();
			goto out;
		}
	}
	if (report == NULL || optind >= argc) {
		usage();
		goto out;
	}
	memset(&ru, 0, sizeof(ru));

	/* SIGCHLD blocked here so that sigtimedwait() sees it; the child gets an empty mask. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, &old) != 0)
		goto out;
	mask_set = 1;
	if (posix_spawnattr_init(&attr) != 0)
		goto out;
	attr_ok = 1;
	{
		sigset_t none;

		sigemptyset(&none);
		if (posix_spawnattr_setsigmask(&attr, &none) != 0 ||
		    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK) != 0)
			goto out;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	errno = posix_spawnp(&pid, argv[optind], NULL, &attr, argv + optind, environ);
	if (errno != 0) {
		fprintf(stderr, "benchtime: cannot run '%s': %s\n", argv[optind], strerror(errno));
		ret = 127;
		goto out;
	}
	/* bounded: one 5 ms step per turn, at most limit seconds of them */
	for (long turn = 0; !done; turn++) {
		siginfo_t si;
		pid_t w;

		if (sigtimedwait(&chld, &si, &step) < 0 && errno != EAGAIN && errno != EINTR)
			goto out;
		w = wait4(pid, &status, WNOHANG, &ru);
		if (w == pid) {
			done = 1;
			break;
		}
		if (w < 0 && errno != EINTR)
			goto out;
		t = thread_count(pid);
		if (t > threads)
			threads = t;
		if (turn > limit * (1000000000L / SAMPLE_NS)) {
			fprintf(stderr, "benchtime: '%s' still running after %ld s: killed\n",
				argv[optind], limit);
			kill(pid, SIGKILL);
			if (wait4(pid, &status, 0, &ru) == pid)
				done = 1;
			break;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!done)
		goto out;

	fp = fopen(report, "w");
	if (fp == NULL) {
		fprintf(stderr, "benchtime: cannot write '%s': %s\n", report, strerror(errno));
		goto out;
	}
	ret = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	fprintf(fp, "wall=%.6f cpu=%.6f maxrss_kib=%ld threads=%ld status=%d\n",
		ts_diff(&t0, &t1), tv_sec(&ru.ru_utime) + tv_sec(&ru.ru_stime), ru.ru_maxrss,
		threads, ret);
	if (fclose(fp) != 0) {
		fprintf(stderr, "benchtime: cannot write '%s'\n", report);
		ret = 125;
	}
	fp = NULL;
out:
	if (fp != NULL)
		fclose(fp);
	if (attr_ok)
		posix_spawnattr_destroy(&attr);
	if (mask_set)
		sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
