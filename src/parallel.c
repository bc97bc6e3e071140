/*
 * parallel.c - start worker threads, work on the caller's, join.
 */
#include <pthread.h>
#include <stddef.h>
#include <unistd.h>

#include "streamstat/parallel.h"

unsigned ss_threads(unsigned jobs)
{
	if (jobs == 0) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = cpus > 0 ? (unsigned)cpus : 1;
	}
	return jobs > SS_THREADS_MAX ? SS_THREADS_MAX : jobs;
}

unsigned ss_parallel(unsigned jobs, size_t limit, void *(*fn)(void *), void *arg)
{
	pthread_t tid[SS_THREADS_MAX];
	unsigned want = ss_threads(jobs), started = 0;

	if (limit < want)
		want = limit > 0 ? (unsigned)limit : 1;
	while (started + 1 < want && pthread_create(&tid[started], NULL, fn, arg) == 0)
		started++;
	fn(arg);
	for (unsigned i = 0; i < started; i++)
		pthread_join(tid[i], NULL);
	return started + 1;
}
