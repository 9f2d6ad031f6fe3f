/* SPDX-License-Identifier: GPL-2.0 */
/* netbuf: common definitions shared by every part of the tool. */
#ifndef NB_H
#define NB_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef uint64_t u64;

#ifndef NETBUF_VERSION
#define NETBUF_VERSION "0.1.0"
#endif

#define NB_PROC_FORMAT		1	/* /proc/netbuf format this tool reads */
#define NB_BASELINE_VERSION	3	/* baseline file version it writes; it
					   reads 1 (no boot_id) and 2 (no
					   proposals) too */
#define NB_MIN_SAMPLES		100	/* fewer: no percentiles compared,
					   no percent changes, no p99 advice */

enum nb_exit {
	NB_EXIT_OK = 0,
	NB_EXIT_RUNTIME = 1,	/* bad input files, module missing, I/O */
	NB_EXIT_USAGE = 2,	/* bad command line */
	NB_EXIT_FINDINGS = 3,	/* advise: warnings found */
};

/* a + b, or UINT64_MAX when that overflows. */
static inline u64 nb_sat_add(u64 a, u64 b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

#define NB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NB_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* One error message, without the "netbuf: " prefix, without newline. */
struct nb_err {
	char msg[512];
};

int nb_errf(struct nb_err *e, const char *fmt, ...) NB_PRINTF(2, 3);
void nb_err_prefix(struct nb_err *e, const char *prefix);
void nb_warn(const char *fmt, ...) NB_PRINTF(1, 2);

void *nb_xmalloc(size_t n);
void *nb_xcalloc(size_t n, size_t size);
void *nb_xrealloc(void *p, size_t n);
char *nb_xstrdup(const char *s);
void nb_grow(void **arr, size_t *cap, size_t need, size_t elsize);

/* Read fd to its end into a NUL-terminated buffer; 0 or -errno. */
int nb_read_fd(int fd, char **buf, size_t *len);
/* Whole-file read; returns 0 or -errno (and fills e). NUL bytes refused. */
int nb_read_file(const char *path, char **buf, size_t *len,
		 struct nb_err *e);

/* Write buf to path through path.tmp and rename: 0, or -1 (e filled) with
 * nothing left behind. */
int nb_write_atomic(const char *path, const char *buf, size_t len,
		    struct nb_err *e);

/* A token or line: a slice of a buffer, not NUL-terminated. */
struct nb_tok {
	const char *p;
	size_t n;
};

struct nb_cursor {
	const char *p, *end;
	unsigned int line;		/* number of the line last returned */
	const char *name;	/* for messages */
};

void nb_cursor_init(struct nb_cursor *c, const char *name,
		    const char *text, size_t len);
/* 1: a line in *line; 0: end of text; -1: unterminated last line. */
int nb_getline(struct nb_cursor *c, struct nb_tok *line, struct nb_err *e);
/* Split at runs of blanks; returns the count, max + 1 when there are more. */
size_t nb_split(struct nb_tok line, struct nb_tok *t, size_t max);
int nb_tok_eq(struct nb_tok t, const char *s);
int nb_tok_u64(struct nb_tok t, u64 *v);	/* strict decimal */
int nb_tok_hex(struct nb_tok t, u64 *v);	/* strict hex, no 0x */
int nb_tok_i64(struct nb_tok t, long long *v);	/* optional '-' */
int nb_tok_copy(struct nb_tok t, char *dst, size_t cap);

u64 nb_clock_ns(clockid_t clk);
double nb_ns_to_s(u64 ns);

/* Human output helpers. */
void nb_fmt_duration(char *buf, size_t n, u64 ns);	/* "1.23ms" */
void nb_fmt_seconds(char *buf, size_t n, u64 ns);	/* "0.001024", exact */
void nb_fmt_bytes(char *buf, size_t n, u64 bytes);	/* "6.0 MiB" */
/* CLOCK_REALTIME ns as RFC 3339 in UTC: "2026-11-30T11:42:56.123456789Z" */
void nb_fmt_rfc3339(char *buf, size_t n, u64 ns);

#endif
