/*
 * xalloc.h - allocation that cannot fail.
 *
 * Running out of memory is the one error modules do not return: these
 * wrappers print "streamstat: out of memory", run the hook set with
 * xalloc_on_die() (which removes half-written output) and exit with
 * SS_EXIT_OSERR (71), from whichever thread ran out (after redis zmalloc).
 * Everything else goes through enum ss_status.
 */
#ifndef STREAMSTAT_XALLOC_H
#define STREAMSTAT_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* realloc to nmemb * size bytes; an overflow is treated as exhaustion. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Print "out of memory", run the hook and exit 71: for other libraries'
 * allocators (GSL's) that return NULL.  size is for the message (0 when
 * unknown). */
_Noreturn void xalloc_die(size_t size);

/* Run hook (which must be async-signal-safe) before xalloc_die() exits. */
void xalloc_on_die(void (*hook)(void));

/*
 * Grow *arr (of *cap elements of size) so that it holds at least need
 * elements; capacity grows geometrically.  *arr may be NULL with *cap 0.
 */
void xgrow(void *arr, size_t *cap, size_t need, size_t size);

#endif
