// SPDX-License-Identifier: GPL-2.0
/* netbuf: baseline files, see baseline.h and netbuf(8). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "parse.h"
#include "snapshot.h"

#define BL_TOKS 8
#define BL_ANY ((size_t)-1)	/* bl_expect: any number of tokens */

/* ---- writing ---- */

static size_t count_lines(const char *s, size_t len)
{
	size_t n = 0, i;

	for (i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

static void write_snapshot(FILE *f, const struct nb_snapshot *s, size_t i)
{
	unsigned int k;

	fprintf(f, "snapshot %zu\n", i + 1);
	fprintf(f, "realtime_ns %llu\n", (unsigned long long)s->realtime_ns);
	fprintf(f, "boottime_ns %llu\n", (unsigned long long)s->boottime_ns);
	fprintf(f, "boot_id %s\n", s->boot_id[0] ? s->boot_id : "-");
	fprintf(f, "kernel %s\n", s->kernel);
	fprintf(f, "netns %s\n", s->netns);
	for (k = 0; k < SC_COUNT; k++)
		if (s->sysctl.present[k])
			fprintf(f, "sysctl %s %s\n", nb_sysctls[k].name,
				s->sysctl.raw[k]);
	for (k = 0; k < SRC_COUNT; k++) {
		if (!s->raw[k])
			continue;
		fprintf(f, "file %s %zu\n", nb_src_names[k],
			count_lines(s->raw[k], s->rawlen[k]));
		fwrite(s->raw[k], 1, s->rawlen[k], f);
	}
}

static void write_proposals(FILE *f, const struct nb_proposals *ps)
{
	size_t i, k;

	fprintf(f, "proposals %zu\n", ps ? ps->n : 0);
	for (i = 0; ps && i < ps->n; i++) {
		const struct nb_proposal *p = &ps->p[i];

		fprintf(f, "proposal %s %s %s %s\n", p->scope, p->sysctl,
			p->iface[0] ? p->iface : "-", p->value);
		for (k = 0; k < p->nexpect; k++)
			fprintf(f, "expect %s %.17g\n", p->expect[k].metric,
				p->expect[k].bound);
		for (k = 0; k < p->nbecause; k++)
			fprintf(f, "because %s\n", p->because[k]);
	}
}

int nb_baseline_write(FILE *f, const struct nb_snapshot *snaps, size_t n,
		      const struct nb_proposals *props)
{
	size_t i;

	fprintf(f, "%s %d\n", NB_BASELINE_MAGIC, NB_BASELINE_VERSION);
	fprintf(f, "tool %s\n", NETBUF_VERSION);
	fprintf(f, "snapshots %zu\n", n);
	for (i = 0; i < n; i++)
		write_snapshot(f, &snaps[i], i);
	write_proposals(f, props);
	fputs("end\n", f);
	return ferror(f) ? -1 : 0;
}

static int write_tmp(const char *tmp, const struct nb_snapshot *snaps,
		     size_t n, const struct nb_proposals *props,
		     struct nb_err *e)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	FILE *f;
	int r;

	if (fd < 0)
		return nb_errf(e, "%s: %s", tmp, strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return nb_errf(e, "%s: %s", tmp, strerror(errno));
	}
	r = nb_baseline_write(f, snaps, n, props);
	if (r == 0 && (fflush(f) != 0 || fsync(fileno(f)) != 0))
		r = -1;
	if (r < 0)
		nb_errf(e, "%s: %s", tmp, strerror(errno ? errno : EIO));
	if (fclose(f) != 0 && r == 0)
		r = nb_errf(e, "%s: %s", tmp, strerror(errno));
	return r;
}

int nb_baseline_save(const char *path, const struct nb_snapshot *snaps,
		     size_t n, const struct nb_proposals *props,
		     struct nb_err *e)
{
	size_t len = strlen(path);
	char *tmp = nb_xmalloc(len + 5);
	int r;

	memcpy(tmp, path, len);
	memcpy(tmp + len, ".tmp", 5);
	r = write_tmp(tmp, snaps, n, props, e);
	if (r == 0 && rename(tmp, path) != 0)
		r = nb_errf(e, "%s: %s", path, strerror(errno));
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}

/* ---- reading ---- */

struct bl_reader {
	struct nb_cursor c;
	struct nb_tok t[BL_TOKS + 1];
	size_t nt;
	unsigned int version;	/* 1: no boot_id lines */
};

static int bl_err(struct bl_reader *r, struct nb_err *e, const char *what)
{
	return nb_errf(e, "%s:%u: %s", r->c.name, r->c.line, what);
}

/* Next line, whose first token must be key, with ntok tokens (0: any). */
static int bl_expect(struct bl_reader *r, const char *key, size_t ntok,
		     struct nb_err *e)
{
	struct nb_tok line;
	int g = nb_getline(&r->c, &line, e);

	if (g < 0)
		return -1;
	if (g == 0)
		return nb_errf(e, "%s: truncated: expected '%s' after line %u",
			       r->c.name, key, r->c.line);
	r->nt = nb_split(line, r->t, BL_TOKS);
	if (!r->nt || !nb_tok_eq(r->t[0], key))
		return nb_errf(e, "%s:%u: expected '%s'", r->c.name, r->c.line,
			       key);
	if (ntok == BL_ANY)
		return 0;
	if ((ntok && r->nt != ntok) || r->nt > BL_TOKS)
		return nb_errf(e, "%s:%u: bad '%s' line", r->c.name,
			       r->c.line, key);
	return 0;
}

static int bl_u64(struct bl_reader *r, const char *key, u64 *v,
		  struct nb_err *e)
{
	if (bl_expect(r, key, 2, e) < 0)
		return -1;
	if (nb_tok_u64(r->t[1], v) < 0)
		return nb_errf(e, "%s:%u: bad number in '%s' line", r->c.name,
			       r->c.line, key);
	return 0;
}

static int bl_str(struct bl_reader *r, const char *key, char *dst, size_t cap,
		  struct nb_err *e)
{
	if (bl_expect(r, key, 2, e) < 0)
		return -1;
	if (nb_tok_copy(r->t[1], dst, cap) < 0)
		return bl_err(r, e, "value too long");
	return 0;
}

static int peek_is(const struct bl_reader *r, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(r->c.end - r->c.p) > n && !memcmp(r->c.p, word, n) &&
	       r->c.p[n] == ' ';
}

static int bl_sysctl(struct bl_reader *r, struct nb_sysctls *sc,
		     struct nb_err *e)
{
	char name[64], text[128];
	size_t i, off = 0;
	int id;

	if (bl_expect(r, "sysctl", 0, e) < 0)
		return -1;
	if (r->nt < 3 || nb_tok_copy(r->t[1], name, sizeof(name)) < 0)
		return bl_err(r, e, "bad sysctl line");
	id = nb_sysctl_find(name);
	if (id < 0)
		return bl_err(r, e, "bad sysctl line");
	if (sc->present[id])
		return bl_err(r, e, "duplicate sysctl");
	for (i = 2; i < r->nt && off + r->t[i].n + 2 < sizeof(text); i++) {
		memcpy(text + off, r->t[i].p, r->t[i].n);
		off += r->t[i].n;
		text[off++] = i + 1 < r->nt ? ' ' : '\n';
	}
	if (i < r->nt)
		return bl_err(r, e, "sysctl value too long");
	text[off] = '\0';
	if (nb_parse_sysctl(name, text, off, (enum nb_sysctl_id)id, sc, e) < 0) {
		nb_err_prefix(e, r->c.name);
		return -1;
	}
	return 0;
}

/* "file NAME COUNT" and COUNT verbatim lines. */
static int bl_file(struct bl_reader *r, struct nb_snapshot *s, unsigned int k,
		   struct nb_err *e)
{
	const char *start;
	struct nb_tok line;
	u64 n, i;

	if (bl_expect(r, "file", 3, e) < 0)
		return -1;
	if (!nb_tok_eq(r->t[1], nb_src_names[k]))
		return nb_errf(e, "%s:%u: expected 'file %s'", r->c.name,
			       r->c.line, nb_src_names[k]);
	if (nb_tok_u64(r->t[2], &n) < 0)
		return bl_err(r, e, "bad line count");
	start = r->c.p;
	for (i = 0; i < n; i++)
		if (nb_getline(&r->c, &line, e) <= 0)
			return nb_errf(e, "%s: truncated in 'file %s'",
				       r->c.name, nb_src_names[k]);
	s->rawlen[k] = (size_t)(r->c.p - start);
	s->raw[k] = nb_xmalloc(s->rawlen[k] + 1);
	memcpy(s->raw[k], start, s->rawlen[k]);
	s->raw[k][s->rawlen[k]] = '\0';
	return 0;
}

static int bl_meta(struct bl_reader *r, struct nb_snapshot *s, size_t idx,
		   struct nb_err *e)
{
	u64 n;

	if (bl_u64(r, "snapshot", &n, e) < 0)
		return -1;
	if (n != idx + 1)
		return bl_err(r, e, "snapshots out of order");
	if (bl_u64(r, "realtime_ns", &s->realtime_ns, e) < 0 ||
	    bl_u64(r, "boottime_ns", &s->boottime_ns, e) < 0 ||
	    (r->version >= 2 &&
	     bl_str(r, "boot_id", s->boot_id, sizeof(s->boot_id), e) < 0) ||
	    bl_str(r, "kernel", s->kernel, sizeof(s->kernel), e) < 0 ||
	    bl_str(r, "netns", s->netns, sizeof(s->netns), e) < 0)
		return -1;
	while (peek_is(r, "sysctl"))
		if (bl_sysctl(r, &s->sysctl, e) < 0)
			return -1;
	if (!strcmp(s->boot_id, "-"))
		s->boot_id[0] = '\0';
	return 0;
}

static int bl_snapshot(struct bl_reader *r, struct nb_snapshot *s,
		       size_t idx, struct nb_err *e)
{
	char names[SRC_COUNT][512];
	const char *np[SRC_COUNT];
	unsigned int k;

	if (bl_meta(r, s, idx, e) < 0)
		return -1;
	for (k = 0; k < SRC_COUNT; k++) {
		if (k == SRC_SOFTNET && !peek_is(r, "file"))
			break;
		if (bl_file(r, s, k, e) < 0)
			return -1;
	}
	for (k = 0; k < SRC_COUNT; k++) {
		snprintf(names[k], sizeof(names[k]), "%s: snapshot %zu: %s",
			 r->c.name, idx + 1, nb_src_names[k]);
		np[k] = names[k];
	}
	return nb_snapshot_parse(s, np, e);
}

/* The rest of the current line after its first token, as a string. */
static int bl_rest(struct bl_reader *r, char *dst, size_t cap,
		   struct nb_err *e)
{
	const char *p = r->t[0].p + r->t[0].n;
	const char *end = memchr(p, '\n', (size_t)(r->c.end - p));
	size_t n;

	if (!end)
		end = r->c.end;
	while (p < end && *p == ' ')
		p++;
	n = (size_t)(end - p);
	if (!n)
		return bl_err(r, e, "empty value");
	if (n >= cap)
		return bl_err(r, e, "value too long");
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

static int bl_name(struct bl_reader *r, size_t i, char *dst, size_t cap,
		   struct nb_err *e)
{
	if (nb_tok_copy(r->t[i], dst, cap) < 0)
		return bl_err(r, e, "name too long");
	return 0;
}

/* "proposal SCOPE SYSCTL IFACE VALUE...", its expect and because lines. */
static int bl_proposal(struct bl_reader *r, struct nb_proposal *p,
		       struct nb_err *e)
{
	char num[64], *end;
	size_t i, off = 0;

	memset(p, 0, sizeof(*p));
	if (bl_expect(r, "proposal", 0, e) < 0)
		return -1;
	if (r->nt < 5 || r->nt > BL_TOKS || bl_name(r, 1, p->scope,
	    sizeof(p->scope), e) < 0 || bl_name(r, 2, p->sysctl,
	    sizeof(p->sysctl), e) < 0 || bl_name(r, 3, p->iface,
	    sizeof(p->iface), e) < 0)
		return bl_err(r, e, "bad proposal line");
	if (strcmp(p->scope, "netns") && strcmp(p->scope, "host"))
		return bl_err(r, e, "bad proposal scope");
	if (nb_sysctl_find(p->sysctl) < 0)
		return bl_err(r, e, "bad proposal sysctl");
	if (!strcmp(p->iface, "-"))
		p->iface[0] = '\0';
	for (i = 4; i < r->nt; i++) {
		if (off + r->t[i].n + 2 > sizeof(p->value))
			return bl_err(r, e, "proposal value too long");
		memcpy(p->value + off, r->t[i].p, r->t[i].n);
		off += r->t[i].n;
		p->value[off++] = i + 1 < r->nt ? ' ' : '\0';
	}
	while (peek_is(r, "expect")) {
		struct nb_expect *x = &p->expect[p->nexpect];

		if (bl_expect(r, "expect", 3, e) < 0)
			return -1;
		if (p->nexpect == NB_EXPECT_MAX)
			return bl_err(r, e, "too many expect lines");
		if (bl_name(r, 1, x->metric, sizeof(x->metric), e) < 0 ||
		    nb_tok_copy(r->t[2], num, sizeof(num)) < 0)
			return bl_err(r, e, "bad expect line");
		x->bound = strtod(num, &end);
		if (end == num || *end || x->bound != x->bound)
			return bl_err(r, e, "bad number in expect line");
		p->nexpect++;
	}
	while (peek_is(r, "because")) {
		if (p->nbecause == NB_BECAUSE_MAX)
			return bl_err(r, e, "too many because lines");
		if (bl_expect(r, "because", BL_ANY, e) < 0 ||
		    bl_rest(r, p->because[p->nbecause], NB_BECAUSE_LEN, e) < 0)
			return -1;
		p->nbecause++;
	}
	return 0;
}

static int bl_proposals(struct bl_reader *r, struct nb_proposals *ps,
			struct nb_err *e)
{
	struct nb_proposal p;
	u64 n, i;

	if (bl_u64(r, "proposals", &n, e) < 0)
		return -1;
	if (n > 64)
		return bl_err(r, e, "too many proposals");
	for (i = 0; i < n; i++) {
		if (bl_proposal(r, &p, e) < 0)
			return -1;
		nb_proposals_add(ps, &p);
	}
	return 0;
}

static int bl_header(struct bl_reader *r, struct nb_baseline *b,
		     struct nb_err *e)
{
	u64 v, n;

	if (bl_expect(r, NB_BASELINE_MAGIC, 2, e) < 0)
		return nb_errf(e, "%s: not a netbuf baseline file",
			       r->c.name);
	if (nb_tok_u64(r->t[1], &v) < 0)
		return bl_err(r, e, "bad version");
	if (v < 1 || v > NB_BASELINE_VERSION)
		return nb_errf(e, "%s: unsupported baseline version %llu "
			       "(this netbuf reads versions 1 to %d)",
			       r->c.name, (unsigned long long)v,
			       NB_BASELINE_VERSION);
	r->version = (unsigned int)v;
	if (bl_str(r, "tool", b->tool, sizeof(b->tool), e) < 0 ||
	    bl_u64(r, "snapshots", &n, e) < 0)
		return -1;
	if (n < 1 || n > 2)
		return bl_err(r, e, "snapshots must be 1 or 2");
	b->n = (size_t)n;
	return 0;
}

int nb_baseline_parse(const char *name, const char *text, size_t len,
		      struct nb_baseline *b, struct nb_err *e)
{
	struct bl_reader r;
	struct nb_tok line;
	size_t i;

	memset(b, 0, sizeof(*b));
	memset(&r, 0, sizeof(r));
	nb_cursor_init(&r.c, name, text, len);
	if (bl_header(&r, b, e) < 0)
		goto fail;
	for (i = 0; i < b->n; i++)
		if (bl_snapshot(&r, &b->snap[i], i, e) < 0)
			goto fail;
	b->version = r.version;
	b->has_props = r.version >= 3;
	if (b->has_props && bl_proposals(&r, &b->props, e) < 0)
		goto fail;
	if (bl_expect(&r, "end", 1, e) < 0)
		goto fail;
	if (nb_getline(&r.c, &line, e) != 0) {
		nb_errf(e, "%s:%u: data after 'end'", name, r.c.line);
		goto fail;
	}
	return 0;
fail:
	nb_baseline_free(b);
	return -1;
}

int nb_baseline_load(const char *path, struct nb_baseline *b,
		     struct nb_err *e)
{
	char *buf;
	size_t len;
	int r;

	memset(b, 0, sizeof(*b));
	if (nb_read_file(path, &buf, &len, e) < 0)
		return -1;
	r = nb_baseline_parse(path, buf, len, b, e);
	free(buf);
	return r;
}

void nb_baseline_free(struct nb_baseline *b)
{
	size_t i;

	for (i = 0; i < 2; i++)
		nb_snapshot_free(&b->snap[i]);
	nb_proposals_free(&b->props);
	b->n = 0;
}
