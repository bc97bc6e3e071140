/*
 * csvread.c - libcsv fed in large blocks, with line counting and recovery.
 *
 * libcsv calls field_cb for each field and row_cb at each row end (with
 * CSV_REPALL_NL, also at every blank line, which is how lines are counted
 * exactly).  When libcsv stops on an error, the row is logged and dropped,
 * the parser is reset, and the rest of the row is skipped (to the closing
 * quote first, when libcsv stopped inside a quoted field); parsing resumes
 * at the next line end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csv.h>

#include "streamstat/csvread.h"
#include "streamstat/xalloc.h"

#define CSV_OPTIONS (CSV_STRICT | CSV_REPALL_NL | CSV_STRICT_FINI | CSV_APPEND_NULL)

struct reader {
	struct csv_parser parser;
	char delimiter;
	uint32_t file;
	struct ss_problems *problems;
	ss_csv_row_fn fn;
	void *user;
	struct ss_csv_stats *stats;

	/* The row being collected: fields packed into buf, NUL-terminated. */
	char *buf;
	size_t buflen, bufcap;
	size_t *off, *len;
	const char **ptr;
	size_t nfields, nkept, fcap;
	int in_row;

	uint64_t line;	   /* the line the parser is on */
	uint64_t row_line; /* the line the current row started on */
	int last_term;	   /* the previous row terminator, to pair CR LF */
	uint64_t index;	   /* rows so far, lost ones included */

	/* After an error: skipping the rest of a lost row (enum skip). */
	int skip;
	int skip_cr; /* the last byte skipped was a CR (to pair CR LF) */
};

enum skip {
	SKIP_NONE,
	SKIP_LINE,   /* to the next line end, which the parser then sees */
	SKIP_QUOTED, /* inside a quoted field: to its closing quote */
	SKIP_QUOTE   /* saw a quote in a quoted field: closing, or doubled? */
};

/*
 * libcsv grows its field buffer through this; refusing makes csv_parse stop
 * with CSV_ENOMEM, which is how a field over the limit is caught before it
 * eats memory.
 */
static void *limited_realloc(void *p, size_t n)
{
	if (n > SS_CSV_FIELD_MAX + 2)
		return NULL;
	return realloc(p, n);
}

/* Line ends in s[0..n): CRLF, lone LF and lone CR each count once. */
static uint64_t count_line_ends(const char *s, size_t n)
{
	uint64_t lines = 0;

	for (size_t i = 0; i < n; i++)
		lines += s[i] == '\n' || (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n'));
	return lines;
}

/*
 * Whether s[0..n) may hold a line end: any byte below 0x0e, eight bytes at a
 * time.  Only quoted fields hold line ends, and fields are short: this beats
 * memchr's setup, and count_line_ends() settles the rare yes.
 */
static int may_hold_line_end(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t x;

		memcpy(&x, s + i, 8);
		if ((x - ones * 0x0e) & ~x & highs)
			return 1;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] < 0x0e)
			return 1;
	return 0;
}

static void field_cb(void *data, size_t n, void *arg)
{
	struct reader *rd = arg;
	const char *s = data ? data : "";

	if (!data)
		n = 0;
	if (!rd->in_row) {
		rd->in_row = 1;
		rd->row_line = rd->line;
	}
	rd->nfields++;
	if (rd->nkept == SS_CSV_FIELDS_MAX) {
		if (may_hold_line_end(s, n))
			rd->line += count_line_ends(s, n);
		return;
	}
	if (rd->nkept == rd->fcap) {
		size_t cap = rd->fcap ? 2 * rd->fcap : 16;

		rd->off = xreallocarray(rd->off, cap, sizeof(*rd->off));
		rd->len = xreallocarray(rd->len, cap, sizeof(*rd->len));
		rd->ptr = xreallocarray(rd->ptr, cap, sizeof(*rd->ptr));
		rd->fcap = cap;
	}
	if (rd->buflen + n + 1 > rd->bufcap)
		xgrow(&rd->buf, &rd->bufcap, rd->buflen + n + 1, 1);
	memcpy(rd->buf + rd->buflen, s, n);
	/* Scan the copy, not libcsv's buffer: its bytes were just stored one by
	 * one, and reading them back a word at a time stalls. */
	if (may_hold_line_end(rd->buf + rd->buflen, n))
		rd->line += count_line_ends(s, n);
	rd->buf[rd->buflen + n] = '\0';
	rd->off[rd->nkept] = rd->buflen;
	rd->len[rd->nkept] = n;
	rd->nkept++;
	rd->buflen += n + 1;
}

static void reset_row(struct reader *rd)
{
	rd->in_row = 0;
	rd->nfields = 0;
	rd->nkept = 0;
	rd->buflen = 0;
}

static void row_cb(int c, void *arg)
{
	struct reader *rd = arg;
	int had_row = rd->in_row;

	if (had_row) {
		struct ss_csv_row row;

		for (size_t i = 0; i < rd->nkept; i++)
			rd->ptr[i] = rd->buf + rd->off[i];
		row.index = rd->index++;
		row.line = rd->row_line;
		row.nfields = rd->nfields;
		row.nkept = rd->nkept;
		row.field = rd->ptr;
		row.len = rd->len;
		rd->stats->rows++;
		rd->fn(rd->user, &row);
		reset_row(rd);
	}
	if (c == '\r' || (c == '\n' && !(rd->last_term == '\r' && !had_row)))
		rd->line++;
	rd->last_term = c;
}

/* Spaces libcsv trims around an unquoted field: not the tab that separates them. */
static int space_not_tab(unsigned char c)
{
	return c == ' ';
}

static void parser_start(struct reader *rd)
{
	/* csv_init only fails on a NULL parser. */
	(void)csv_init(&rd->parser, CSV_OPTIONS);
	csv_set_realloc_func(&rd->parser, limited_realloc);
	csv_set_blk_size(&rd->parser, 4096);
	csv_set_delim(&rd->parser, (unsigned char)rd->delimiter);
	if (rd->delimiter == '\t')
		csv_set_space_func(&rd->parser, space_not_tab);
}

char ss_csv_detect_delimiter(const char *s, size_t n)
{
	size_t commas = 0, semis = 0, tabs = 0;
	int quoted = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (c == '\n' || c == '\r')
			break;
		else
			commas += c == ',', semis += c == ';', tabs += c == '\t';
	}
	if (!commas && semis)
		return ';';
	if (!commas && !semis && tabs)
		return '\t';
	return ',';
}

/* The current row is lost: log why, count it and reset the parser. */
static void lose_row(struct reader *rd, enum ss_problem_kind kind, const char *msg)
{
	uint64_t start = rd->in_row ? rd->row_line : rd->line;

	rd->line += count_line_ends((const char *)rd->parser.entry_buf, rd->parser.entry_pos);
	ss_problems_add(rd->problems, kind, rd->file, start, "%s", msg);
	rd->stats->lost_rows++;
	rd->index++;
	reset_row(rd);
	rd->last_term = 0;
	csv_free(&rd->parser);
	parser_start(rd);
}

static const char *parse_error_text(int e)
{
	if (e == CSV_EPARSE)
		return "malformed quoted field: a quote must open the field, be doubled inside it, "
		       "and be followed by a comma or a line end";
	return "field longer than 1048576 bytes; row skipped";
}

/*
 * Skip what is left of a lost row in s[0..n), counting its line ends; a
 * quoted field is skipped to its closing quote, so that the line ends in it
 * are not taken for row ends.  Returns the bytes skipped.
 */
static size_t skip(struct reader *rd, const char *s, size_t n)
{
	size_t i = 0;

	for (; i < n && rd->skip != SKIP_NONE; i++) {
		char c = s[i];

		if (rd->skip == SKIP_QUOTE) {
			rd->skip = c == '"' ? SKIP_QUOTED : SKIP_LINE;
			if (c == '"')
				continue;
		}
		if (rd->skip == SKIP_LINE) {
			if (c == '\n' || c == '\r') {
				rd->skip = SKIP_NONE; /* the parser sees the line end itself */
				break;
			}
			continue;
		}
		/* SKIP_QUOTED */
		if (c == '"')
			rd->skip = SKIP_QUOTE;
		else if (c == '\r' || (c == '\n' && !rd->skip_cr))
			rd->line++;
		rd->skip_cr = c == '\r';
	}
	return i;
}

/* Feed s[0..n) to libcsv, recovering from errors. */
static void feed(struct reader *rd, const char *s, size_t n)
{
	while (n) {
		size_t used;
		int e, quoted;

		if (rd->skip != SKIP_NONE) {
			used = skip(rd, s, n);
			s += used;
			n -= used;
			if (!n)
				return;
		}
		used = csv_parse(&rd->parser, s, n, field_cb, row_cb, rd);
		e = csv_error(&rd->parser);
		if (used == n && e == CSV_SUCCESS)
			return;
		quoted = rd->parser.quoted;
		lose_row(rd, e == CSV_EPARSE ? SS_P_BAD_QUOTE : SS_P_FIELD_TOO_LONG,
			 parse_error_text(e));
		s += used;
		n -= used;
		/* A field too long stops libcsv inside it; a quote error, after it. */
		rd->skip = quoted && e != CSV_EPARSE ? SKIP_QUOTED : SKIP_LINE;
		rd->skip_cr = 0;
	}
}

static void finish(struct reader *rd)
{
	if (csv_fini(&rd->parser, field_cb, row_cb, rd) != 0) {
		uint64_t start = rd->in_row ? rd->row_line : rd->line;
		const char *buf = (const char *)rd->parser.entry_buf;
		size_t n = rd->parser.entry_pos;
		uint64_t ends = count_line_ends(buf, n);
		/* A final line end closes the last line; it does not start another. */
		uint64_t last = start + ends - (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'));

		rd->line += ends;
		if (last > start)
			ss_problems_add(
				rd->problems, SS_P_UNTERMINATED_QUOTE, rd->file, start,
				"unterminated quoted field: the quote runs to the end of the "
				"file, so lines %llu to %llu were read as one field",
				(unsigned long long)start, (unsigned long long)last);
		else
			ss_problems_add(
				rd->problems, SS_P_UNTERMINATED_QUOTE, rd->file, start,
				"unterminated quoted field: the quote runs to the end of the "
				"file");
		rd->stats->lost_rows++;
		rd->index++;
		reset_row(rd);
	}
}

/*
 * A NUL byte: no CSV text has one.  The rows before it are kept, the row it
 * is in is lost, and reading stops.  Say where, and what the file probably is.
 */
static void binary(struct reader *rd, const char *block, size_t n, const char *nul, int first)
{
	const unsigned char *u = (const unsigned char *)block;
	uint64_t offset = rd->stats->bytes - n + (uint64_t)(nul - block);

	rd->stats->binary = 1;
	if (first && n >= 2 && ((u[0] == 0xff && u[1] == 0xfe) || (u[0] == 0xfe && u[1] == 0xff))) {
		ss_problems_add(rd->problems, SS_P_BINARY, rd->file, 1,
				"file is UTF-16 text, not UTF-8; save it as UTF-8 CSV");
		return;
	}
	feed(rd, block, (size_t)(nul - block));
	ss_problems_add(rd->problems, SS_P_BINARY, rd->file,
			rd->line + count_line_ends((const char *)rd->parser.entry_buf,
						   rd->parser.entry_pos),
			"binary data (a NUL byte at offset %llu): not a CSV text file; "
			"reading stopped here",
			(unsigned long long)offset);
	if (rd->in_row || rd->parser.entry_pos) {
		rd->stats->lost_rows++;
		rd->index++;
	}
}

enum ss_status ss_csv_read(const char *path, uint32_t file_index, struct ss_problems *problems,
			   ss_csv_row_fn fn, void *user, struct ss_csv_stats *stats,
			   struct ss_error *err)
{
	return ss_csv_read_as(path, NULL, file_index, problems, fn, user, stats, err);
}

enum ss_status ss_csv_read_as(const char *path, const struct ss_csv_options *opt,
			      uint32_t file_index, struct ss_problems *problems, ss_csv_row_fn fn,
			      void *user, struct ss_csv_stats *stats, struct ss_error *err)
{
	int is_stdin = strcmp(path, SS_CSV_STDIN) == 0;
	struct reader rd;
	struct stat st;
	enum ss_status status = SS_OK;
	char *block = NULL;
	int fd, first = 1;
	char last_byte = 0;

	memset(stats, 0, sizeof(*stats));
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ss_error_set(err, SS_ERR_NOINPUT, path, 0, "%s", strerror(errno));
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!is_stdin)
			close(fd);
		return ss_error_set(err, SS_ERR_NOINPUT, path, 0, "is a directory, not a CSV file");
	}

	memset(&rd, 0, sizeof(rd));
	rd.file = file_index;
	rd.problems = problems;
	rd.fn = fn;
	rd.user = user;
	rd.stats = stats;
	rd.line = 1;
	rd.delimiter = opt && opt->delimiter ? opt->delimiter : ',';
	stats->delimiter = rd.delimiter;
	parser_start(&rd);
	block = xmalloc(SS_CSV_BLOCK);

	for (;;) {
		ssize_t got = read(fd, block, SS_CSV_BLOCK);
		const char *s = block, *nul;
		size_t n;

		if (got < 0) {
			if (errno == EINTR)
				continue;
			status = ss_error_set(err, SS_ERR_IO, path, rd.line, "read failed: %s",
					      strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		n = (size_t)got;
		stats->bytes += n;
		if (first && n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
			s += 3;
			n -= 3;
		}
		nul = memchr(s, '\0', n);
		if (nul) {
			binary(&rd, s, n, nul, first);
			goto out;
		}
		if (first && opt && !opt->delimiter) {
			rd.delimiter = ss_csv_detect_delimiter(s, n);
			stats->delimiter = rd.delimiter;
			stats->detected = 1;
			csv_set_delim(&rd.parser, (unsigned char)rd.delimiter);
			if (rd.delimiter == '\t')
				csv_set_space_func(&rd.parser, space_not_tab);
		}
		first = 0;
		if (n)
			last_byte = s[n - 1];
		feed(&rd, s, n);
	}
	finish(&rd);
out:
	/* rd.line is the line after the last line end; a final line without
	 * one counts too. */
	stats->lines = stats->bytes ? rd.line - (last_byte == '\n' || last_byte == '\r') : 0;
	csv_free(&rd.parser);
	free(block);
	free(rd.buf);
	free(rd.off);
	free(rd.len);
	free(rd.ptr);
	if (!is_stdin)
		close(fd);
	return status;
}
