/*
 * utf8.h - the one UTF-8 decoder (and its encoder): what a name may hold in each output (JSON
 * strings, workbook XML, a crontab line, a terminal) is decided on top of it.
 */
#ifndef STREAMSTAT_UTF8_H
#define STREAMSTAT_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * The length (1 to 4) of the valid UTF-8 character that starts the
 * NUL-terminated s, its code point in *cp; 0 when s does not start one (a
 * stray continuation byte, an overlong form, a surrogate, past U+10FFFF).
 * Never reads past the NUL.
 */
size_t ss_utf8_char(const char *s, uint32_t *cp);

/* Write code point cp (at most U+10FFFF, not a surrogate) as UTF-8 at out
 * (room for 4 bytes): returns its length. */
size_t ss_utf8_put(char *out, uint32_t cp);

/* A control character: C0, DEL or C1 (U+0080 to U+009F). */
static inline int ss_is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f);
}

#endif
