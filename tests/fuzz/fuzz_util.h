/* fuzz_util.h - what the fuzz targets share: bytes as a file. */
#ifndef STREAMSTAT_FUZZ_UTIL_H
#define STREAMSTAT_FUZZ_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* A file holding bytes, as a path ("/proc/self/fd/N"); fd for closing. */
static inline int memfile(const void *bytes, size_t n, char *path, size_t psize)
{
	int fd = memfd_create("fuzz", 0);

	if (fd < 0)
		abort();
	if (n && write(fd, bytes, n) != (ssize_t)n)
		abort();
	snprintf(path, psize, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
