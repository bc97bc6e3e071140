/*
 * bench_util.h - what the benchmark programs (bench.c, fitbench.c) share:
 * wall-clock time, peak memory, number formatting, target verdicts and
 * the --runs option.  Header-only: each benchmark is one source file.
 */
#ifndef STREAMSTAT_BENCH_UTIL_H
#define STREAMSTAT_BENCH_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#include "streamstat/number.h"

/* Monotonic wall-clock time, in seconds. */
static inline double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Peak resident set size so far, in bytes. */
static inline uint64_t bench_peak_rss(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_maxrss * 1024; /* Linux reports KiB */
}

/* v with thousands separators, into buf (28 bytes). */
static inline const char *bench_num(uint64_t v, char *buf)
{
	return ss_count_format((int64_t)v, buf);
}

static inline const char *bench_verdict(int pass)
{
	return pass ? "PASS" : "MISS";
}

/* A --runs value (1 to 100) into *out; 0, or -1 after a message from prog. */
static inline int bench_parse_runs(const char *prog, const char *arg, int *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 1 || v > 100) {
		fprintf(stderr, "%s: '%s' is not a number of runs (1 to 100)\n", prog, arg);
		return -1;
	}
	*out = (int)v;
	return 0;
}

#endif
