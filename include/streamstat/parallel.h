/*
 * parallel.h - run one worker function on several threads.
 *
 * The stages that work per track or per album (fit, backtest, milestones)
 * hand out work through an atomic counter inside their own argument; this
 * only starts the threads.  The calling thread works too, and a thread that
 * cannot be started leaves its share to the others, so the work is always
 * done.  Results must not depend on which thread did what.
 */
#ifndef STREAMSTAT_PARALLEL_H
#define STREAMSTAT_PARALLEL_H

#define SS_THREADS_MAX 256

/* jobs, or one per online CPU when jobs is 0; at most SS_THREADS_MAX. */
unsigned ss_threads(unsigned jobs);

/* Run fn(arg) on min(ss_threads(jobs), limit) threads (at least one, the
 * caller's) and wait for all; returns how many ran. */
unsigned ss_parallel(unsigned jobs, size_t limit, void *(*fn)(void *), void *arg);

#endif
