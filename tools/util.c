// SPDX-License-Identifier: GPL-2.0
/* netbuf: errors, memory, file reading, tokenizing and number formatting. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nb.h"

#define NB_FILE_MAX (256u << 20)	/* refuse larger inputs: corrupt */

int nb_errf(struct nb_err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

void nb_err_prefix(struct nb_err *e, const char *prefix)
{
	size_t cap = sizeof(e->msg), p = strlen(prefix) + 2;
	size_t m = strlen(e->msg);

	if (p >= cap)
		p = cap - 1;
	if (m > cap - 1 - p)
		m = cap - 1 - p;
	memmove(e->msg + p, e->msg, m);
	memcpy(e->msg, prefix, p - 2);
	memcpy(e->msg + p - 2, ": ", 2);
	e->msg[p + m] = '\0';
}

void nb_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("netbuf: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void nb_oom(void)
{
	fputs("netbuf: out of memory\n", stderr);
	exit(NB_EXIT_RUNTIME);
}

void *nb_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		nb_oom();
	return p;
}

void *nb_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		nb_oom();
	return p;
}

void *nb_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		nb_oom();
	return p;
}

char *nb_xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		nb_oom();
	return p;
}

/* Make room for need elements in *arr, doubling its capacity. */
void nb_grow(void **arr, size_t *cap, size_t need, size_t elsize)
{
	size_t n = *cap ? *cap : 8;

	if (need <= *cap)
		return;
	while (n < need)
		n *= 2;
	*arr = nb_xrealloc(*arr, n * elsize);
	memset((char *)*arr + *cap * elsize, 0, (n - *cap) * elsize);
	*cap = n;
}

int nb_read_fd(int fd, char **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	char *b = nb_xmalloc(cap + 1);
	ssize_t r;

	for (;;) {
		if (n == cap) {
			if (cap >= NB_FILE_MAX) {
				free(b);
				return -EFBIG;
			}
			cap *= 2;
			b = nb_xrealloc(b, cap + 1);
		}
		r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			r = -errno;
			free(b);
			return (int)r;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
}

int nb_read_file(const char *path, char **buf, size_t *len, struct nb_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0) {
		r = -errno;
		nb_errf(e, "%s: %s", path, strerror(-r));
		return r;
	}
	r = nb_read_fd(fd, buf, len);
	close(fd);
	if (r < 0)
		return nb_errf(e, "%s: %s", path, strerror(-r)), r;
	if (memchr(*buf, '\0', *len)) {
		free(*buf);
		*buf = NULL;
		nb_errf(e, "%s: corrupt: contains a NUL byte", path);
		return -EINVAL;
	}
	return 0;
}

void nb_cursor_init(struct nb_cursor *c, const char *name,
		    const char *text, size_t len)
{
	c->p = text;
	c->end = text + len;
	c->line = 0;
	c->name = name;
}

int nb_getline(struct nb_cursor *c, struct nb_tok *line, struct nb_err *e)
{
	const char *nl;

	if (c->p >= c->end)
		return 0;
	c->line++;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	if (!nl)
		return nb_errf(e, "%s:%u: truncated (last line has no newline)",
			       c->name, c->line);
	line->p = c->p;
	line->n = (size_t)(nl - c->p);
	c->p = nl + 1;
	return 1;
}

static int is_blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r';
}

size_t nb_split(struct nb_tok line, struct nb_tok *t, size_t max)
{
	const char *p = line.p, *end = line.p + line.n;
	size_t n = 0;

	while (p < end) {
		const char *s;

		while (p < end && is_blank(*p))
			p++;
		if (p == end)
			break;
		s = p;
		while (p < end && !is_blank(*p))
			p++;
		if (n == max)
			return max + 1;
		t[n].p = s;
		t[n].n = (size_t)(p - s);
		n++;
	}
	return n;
}

int nb_tok_eq(struct nb_tok t, const char *s)
{
	return strlen(s) == t.n && memcmp(t.p, s, t.n) == 0;
}

static int digit_val(char ch, unsigned int base)
{
	int d = -1;

	if (ch >= '0' && ch <= '9')
		d = ch - '0';
	else if (base == 16 && ch >= 'a' && ch <= 'f')
		d = ch - 'a' + 10;
	else if (base == 16 && ch >= 'A' && ch <= 'F')
		d = ch - 'A' + 10;
	return d;
}

static int tok_unsigned(struct nb_tok t, unsigned int base, u64 *v)
{
	u64 x = 0;
	size_t i;

	if (t.n == 0 || t.n > 64)
		return -1;
	for (i = 0; i < t.n; i++) {
		int d = digit_val(t.p[i], base);

		if (d < 0 || x > (UINT64_MAX - (u64)d) / base)
			return -1;
		x = x * base + (u64)d;
	}
	*v = x;
	return 0;
}

int nb_tok_u64(struct nb_tok t, u64 *v)
{
	return tok_unsigned(t, 10, v);
}

int nb_tok_hex(struct nb_tok t, u64 *v)
{
	return tok_unsigned(t, 16, v);
}

int nb_tok_i64(struct nb_tok t, long long *v)
{
	int neg = t.n > 0 && t.p[0] == '-';
	u64 x;

	if (neg) {
		t.p++;
		t.n--;
	}
	if (tok_unsigned(t, 10, &x) < 0 || x > (u64)INT64_MAX)
		return -1;
	*v = neg ? -(long long)x : (long long)x;
	return 0;
}

int nb_tok_copy(struct nb_tok t, char *dst, size_t cap)
{
	if (t.n >= cap)
		return -1;
	memcpy(dst, t.p, t.n);
	dst[t.n] = '\0';
	return 0;
}

u64 nb_clock_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts) < 0)
		return 0;
	return (u64)ts.tv_sec * 1000000000ull + (u64)ts.tv_nsec;
}

double nb_ns_to_s(u64 ns)
{
	return (double)ns / 1e9;
}

/* Three significant digits in the largest unit that keeps the value >= 1. */
void nb_fmt_duration(char *buf, size_t n, u64 ns)
{
	static const struct { u64 div; const char *unit; } units[] = {
		{ 1000000000ull, "s" }, { 1000000ull, "ms" },
		{ 1000ull, "us" },
	};
	size_t i;

	for (i = 0; i < NB_ARRAY_SIZE(units); i++) {
		/* 0.9995 so that 999.6us prints as 1.00ms, not 1000us */
		if ((double)ns >= (double)units[i].div * 0.9995) {
			double v = (double)ns / (double)units[i].div;
			int prec = v < 9.995 ? 2 : v < 99.95 ? 1 : 0;

			snprintf(buf, n, "%.*f%s", prec, v, units[i].unit);
			return;
		}
	}
	snprintf(buf, n, ns ? "%lluns" : "%llu", (unsigned long long)ns);
}

void nb_fmt_seconds(char *buf, size_t n, u64 ns)
{
	size_t len;

	snprintf(buf, n, "%llu.%09llu", (unsigned long long)(ns / 1000000000ull),
		 (unsigned long long)(ns % 1000000000ull));
	len = strlen(buf);
	while (len > 0 && buf[len - 1] == '0')
		buf[--len] = '\0';
	if (len > 0 && buf[len - 1] == '.')
		buf[--len] = '\0';
}

void nb_fmt_bytes(char *buf, size_t n, u64 bytes)
{
	if (bytes >= (1ull << 30))
		snprintf(buf, n, "%.1f GiB", (double)bytes / (double)(1ull << 30));
	else if (bytes >= (1ull << 20))
		snprintf(buf, n, "%.1f MiB", (double)bytes / (double)(1ull << 20));
	else if (bytes >= (1ull << 10))
		snprintf(buf, n, "%.1f KiB", (double)bytes / (double)(1ull << 10));
	else
		snprintf(buf, n, "%llu B", (unsigned long long)bytes);
}

void nb_fmt_rfc3339(char *buf, size_t n, u64 ns)
{
	time_t t = (time_t)(ns / 1000000000ull);
	char day[32];
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm))
		snprintf(day, sizeof(day), "1970-01-01T00:00:00");
	snprintf(buf, n, "%s.%09lluZ", day,
		 (unsigned long long)(ns % 1000000000ull));
}

int nb_write_atomic(const char *path, const char *buf, size_t len,
		    struct nb_err *e)
{
	size_t n = strlen(path);
	char *tmp = nb_xmalloc(n + 5);
	int fd, r = 0;

	memcpy(tmp, path, n);
	memcpy(tmp + n, ".tmp", 5);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		r = nb_errf(e, "%s: %s", tmp, strerror(errno));
	else if ((size_t)write(fd, buf, len) != len || fsync(fd) != 0)
		r = nb_errf(e, "%s: %s", tmp, strerror(errno ? errno : EIO));
	if (fd >= 0 && close(fd) != 0 && r == 0)
		r = nb_errf(e, "%s: %s", tmp, strerror(errno));
	if (r == 0 && rename(tmp, path) != 0)
		r = nb_errf(e, "%s: %s", path, strerror(errno));
	if (r < 0 && fd >= 0)
		unlink(tmp);
	free(tmp);
	return r;
}
