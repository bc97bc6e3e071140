/*
 * xalloc.c - allocation wrappers that exit on exhaustion.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "streamstat/error.h"
#include "streamstat/xalloc.h"

static void (*die_hook)(void);

void xalloc_on_die(void (*hook)(void))
{
	die_hook = hook;
}

_Noreturn void xalloc_die(size_t size)
{
	if (size)
		fprintf(stderr, "streamstat: out of memory (allocating %zu bytes)\n", size);
	else
		fputs("streamstat: out of memory\n", stderr);
	if (die_hook)
		die_hook();
	/* other threads may be anywhere: no atexit handlers, no stdio flush */
	_exit(SS_EXIT_OSERR);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		xalloc_die(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		xalloc_die(nmemb * size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		xalloc_die(size);
	return p;
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size && nmemb > SIZE_MAX / size)
		xalloc_die(SIZE_MAX);
	return xrealloc(ptr, nmemb * size);
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void xgrow(void *arr, size_t *cap, size_t need, size_t size)
{
	void **p = arr;
	size_t n = *cap;

	if (need <= n)
		return;
	if (n < 16)
		n = 16;
	while (n < need) {
		if (n > SIZE_MAX / 2)
			xalloc_die(SIZE_MAX);
		n *= 2;
	}
	*p = xreallocarray(*p, n, size);
	*cap = n;
}
