// SPDX-License-Identifier: GPL-2.0
/* netbuf: strict parsers, see parse.h and docs/formats.md. */
#include <stdlib.h>
#include <string.h>

#include "parse.h"

#define MAX_TOKS 80	/* a histogram row: 6 fields + 65 buckets */

static int line_err(const struct nb_cursor *c, struct nb_err *e,
		    const char *what)
{
	return nb_errf(e, "%s:%u: %s", c->name, c->line, what);
}

/* Next line, split; 0 at end of text. Empty lines are corrupt. */
static int next_fields(struct nb_cursor *c, struct nb_tok *t, size_t *n,
		       struct nb_err *e)
{
	struct nb_tok line;
	int r = nb_getline(c, &line, e);

	if (r <= 0)
		return r;
	*n = nb_split(line, t, MAX_TOKS);
	if (*n == 0)
		return line_err(c, e, "empty line");
	if (*n > MAX_TOKS)
		return line_err(c, e, "too many fields");
	return 1;
}

/*
 * A table's header, matched by name: every column the tool reads must be
 * there, in any order; columns it does not know are skipped (a later
 * module may add some without a new format). With rest, the last wanted
 * column is the header's last and takes every remaining field (buckets).
 */
struct hdr {
	const char *const *want;
	size_t nwant;
	int rest;
	size_t at[MAX_TOKS];	/* field of want[i]; NO_FIELD: absent */
	size_t width;		/* columns in the header */
	const unsigned char *opt;	/* NULL, or want[i] may be absent */
};

#define NO_FIELD ((size_t)-1)

static int read_header(struct nb_cursor *c, struct hdr *h, struct nb_err *e)
{
	struct nb_tok t[MAX_TOKS];
	size_t n, i, j;
	int r = next_fields(c, t, &n, e);

	if (r < 0)
		return r;
	if (r == 0)
		return nb_errf(e, "%s: empty file (truncated?)", c->name);
	for (j = 0; j < n; j++)
		for (i = 0; i < j; i++)
			if (t[i].n == t[j].n && !memcmp(t[i].p, t[j].p, t[i].n))
				return nb_errf(e, "%s:1: duplicate column "
					       "'%.*s'", c->name, (int)t[j].n,
					       t[j].p);
	for (i = 0; i < h->nwant; i++) {
		for (j = 0; j < n && !nb_tok_eq(t[j], h->want[i]); j++)
			;
		if (j == n && h->opt && h->opt[i]) {
			h->at[i] = NO_FIELD;	/* an older module's file */
			continue;
		}
		if (j == n || (h->rest && i + 1 == h->nwant && j + 1 != n))
			return nb_errf(e, "%s:1: unexpected header: no column "
				       "'%s'%s (not format %d?)", c->name,
				       h->want[i], j == n ? "" : " at the end",
				       NB_PROC_FORMAT);
		h->at[i] = j;
	}
	h->width = n;
	return 0;
}

/* The next row's fields in h->want's order (then the rest): 1, 0 at the
 * end of the text, -1. */
static int next_row(struct nb_cursor *c, const struct hdr *h,
		    struct nb_tok *out, size_t *nout, struct nb_err *e)
{
	static const struct nb_tok zero = { "0", 1 };
	struct nb_tok t[MAX_TOKS];
	size_t n, i, fixed = h->nwant - !!h->rest;
	int r = next_fields(c, t, &n, e);

	if (r <= 0)
		return r;
	if (h->rest ? n + 1 < h->width : n != h->width)
		return nb_errf(e, "%s:%u: expected %s%zu fields, got %zu",
			       c->name, c->line, h->rest ? "at least " : "",
			       h->width - !!h->rest, n);
	for (i = 0; i < fixed; i++)
		out[i] = h->at[i] == NO_FIELD ? zero : t[h->at[i]];
	for (i = h->rest ? h->width - 1 : n; i < n; i++)
		out[fixed++] = t[i];
	*nout = fixed;
	return 1;
}

/* One row into rows[i] (grown by the caller), which may look at those
 * before it. */
typedef int (*row_fn)(const struct nb_cursor *c, const struct nb_tok *t,
		      size_t nt, void *rows, size_t i, const void *ctx,
		      struct nb_err *e);

/* Every table file: its header, then rows of elsize bytes until the end;
 * *out is NULL-or-malloced, freed on failure. */
static int parse_rows(const char *name, const char *text, size_t len,
		      struct hdr *h, size_t elsize, row_fn fn,
		      const void *ctx, void **out, size_t *n,
		      struct nb_err *e)
{
	struct nb_tok t[MAX_TOKS];
	struct nb_cursor c;
	size_t cap = 0, nt = 0;
	int r;

	*out = NULL;
	*n = 0;
	nb_cursor_init(&c, name, text, len);
	r = read_header(&c, h, e);
	while (r == 0 && (r = next_row(&c, h, t, &nt, e)) > 0) {
		nb_grow(out, &cap, *n + 1, elsize);
		r = fn(&c, t, nt, *out, *n, ctx, e);
		*n += r == 0;
	}
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

static int field_u64(const struct nb_cursor *c, struct nb_tok t, u64 *v,
		     const char *what, struct nb_err *e)
{
	if (nb_tok_u64(t, v) == 0)
		return 0;
	return nb_errf(e, "%s:%u: bad %s '%.*s' (not an unsigned int number)",
		       c->name, c->line, what, (int)t.n, t.p);
}

/* A number or "-" (has = 0). */
static int field_opt_u64(const struct nb_cursor *c, struct nb_tok t, u64 *v,
			 int *has, const char *what, struct nb_err *e)
{
	*has = !nb_tok_eq(t, "-");
	*v = 0;
	return *has ? field_u64(c, t, v, what, e) : 0;
}

static int field_str(const struct nb_cursor *c, struct nb_tok t, char *dst,
		     size_t cap, const char *what, struct nb_err *e)
{
	if (nb_tok_copy(t, dst, cap) == 0)
		return 0;
	return nb_errf(e, "%s:%u: %s too long (%zu bytes)", c->name, c->line,
		       what, t.n);
}

static int field_ifindex(const struct nb_cursor *c, struct nb_tok t,
			 long long *ifindex, struct nb_err *e)
{
	u64 v;

	if (nb_tok_eq(t, "-")) {
		*ifindex = -1;
		return 0;
	}
	if (field_u64(c, t, &v, "ifindex", e) < 0)
		return -1;
	if (v > 0x7fffffff)
		return line_err(c, e, "ifindex out of range");
	*ifindex = (long long)v;
	return 0;
}

/* ---- key/value files: version, memory ---- */

struct kv_spec {
	const char *const *keys;
	size_t nkeys;
	size_t nrequired;	/* the first nrequired keys must be there */
	char (*vals)[128];	/* one slot per key, "" if absent */
};

static int parse_kv(struct nb_cursor *c, const struct kv_spec *s,
		    struct nb_err *e)
{
	unsigned int seen[32] = { 0 };
	struct nb_tok t[MAX_TOKS];
	size_t n, i;
	int r;

	for (i = 0; i < s->nkeys; i++)
		s->vals[i][0] = '\0';
	while ((r = next_fields(c, t, &n, e)) > 0) {
		if (n != 2)
			return line_err(c, e, "expected 'key value'");
		for (i = 0; i < s->nkeys; i++)
			if (nb_tok_eq(t[0], s->keys[i]))
				break;
		if (i == s->nkeys)
			continue;	/* a later addition: ignore */
		if (seen[i]++)
			return nb_errf(e, "%s:%u: duplicate key '%s'",
				       c->name, c->line, s->keys[i]);
		if (field_str(c, t[1], s->vals[i], 128, s->keys[i], e) < 0)
			return -1;
	}
	if (r < 0)
		return r;
	for (i = 0; i < s->nrequired; i++)
		if (!seen[i])
			return nb_errf(e, "%s: no '%s' line (truncated?)",
				       c->name, s->keys[i]);
	return 0;
}

/* The format check comes first: a future format may look different. */
static int check_format(const char *name, const char *text, size_t len,
			unsigned int *format, struct nb_err *e)
{
	struct nb_cursor c;
	struct nb_tok line, t[MAX_TOKS];
	u64 v;
	size_t n;
	int r;

	nb_cursor_init(&c, name, text, len);
	while ((r = nb_getline(&c, &line, e)) > 0) {
		n = nb_split(line, t, MAX_TOKS);
		if (n < 1 || !nb_tok_eq(t[0], "format"))
			continue;
		if (n != 2 || nb_tok_u64(t[1], &v) < 0)
			return line_err(&c, e, "bad format line");
		if (v != NB_PROC_FORMAT)
			return nb_errf(e, "%s: unsupported format %llu (this "
				       "netbuf reads format %d)", name,
				       (unsigned long long)v, NB_PROC_FORMAT);
		*format = (unsigned int)v;
		return 0;
	}
	if (r < 0)
		return r;
	return nb_errf(e, "%s: no 'format' line (truncated?)", name);
}

int nb_parse_version(const char *name, const char *text, size_t len,
		     struct nb_version *v, struct nb_err *e)
{
	static const char *const keys[] = { "netbuf", "format", "built_for",
					    "running", "preempt" };
	char vals[5][128];
	struct kv_spec s = { keys, 5, 4, vals };
	struct nb_cursor c;

	memset(v, 0, sizeof(*v));
	if (check_format(name, text, len, &v->format, e) < 0)
		return -1;
	nb_cursor_init(&c, name, text, len);
	if (parse_kv(&c, &s, e) < 0)
		return -1;
	snprintf(v->module, sizeof(v->module), "%s", vals[0]);
	snprintf(v->built_for, sizeof(v->built_for), "%s", vals[2]);
	snprintf(v->running, sizeof(v->running), "%s", vals[3]);
	if (nb_tok_copy((struct nb_tok){ vals[4], strlen(vals[4]) },
			v->preempt, sizeof(v->preempt)) < 0)
		return nb_errf(e, "%s: preempt too long", name);
	return 0;
}

int nb_parse_memory(const char *name, const char *text, size_t len,
		    u64 mem[MEM_COUNT], struct nb_err *e)
{
	char vals[MEM_COUNT][128];
	struct kv_spec s = { nb_mem_keys, MEM_COUNT, MEM_COUNT, vals };
	struct nb_cursor c;
	struct nb_tok t;
	unsigned int i;

	nb_cursor_init(&c, name, text, len);
	if (parse_kv(&c, &s, e) < 0)
		return -1;
	for (i = 0; i < MEM_COUNT; i++) {
		t.p = vals[i];
		t.n = strlen(vals[i]);
		if (nb_tok_u64(t, &mem[i]) < 0)
			return nb_errf(e, "%s: bad %s '%s' (not an unsigned int "
				       "number)", name, nb_mem_keys[i],
				       vals[i]);
	}
	return 0;
}

int nb_parse_control(const char *name, const char *text, size_t len,
		     u64 ctl[CTL_COUNT], struct nb_err *e)
{
	char vals[CTL_COUNT][128];
	struct kv_spec s = { nb_ctl_keys, CTL_COUNT, CTL_COUNT, vals };
	struct nb_cursor c;
	unsigned int i;

	nb_cursor_init(&c, name, text, len);
	if (parse_kv(&c, &s, e) < 0)
		return -1;
	for (i = 0; i < CTL_COUNT; i++)
		if (nb_tok_u64((struct nb_tok){ vals[i], strlen(vals[i]) },
			       &ctl[i]) < 0)
			return nb_errf(e, "%s: bad %s '%s' (not an unsigned int "
				       "number)", name, nb_ctl_keys[i], vals[i]);
	return 0;
}

/* ---- probes ---- */

static int parse_probe(const struct nb_cursor *c, const struct nb_tok *t,
		       struct nb_probe *p, struct nb_err *e)
{
	memset(p, 0, sizeof(*p));
	if (field_str(c, t[0], p->hook, sizeof(p->hook), "hook", e) < 0 ||
	    field_str(c, t[1], p->symbol, sizeof(p->symbol), "symbol", e) < 0 ||
	    field_str(c, t[2], p->type, sizeof(p->type), "type", e) < 0)
		return -1;
	if (nb_tok_eq(t[3], "active"))
		p->active = 1;
	else if (!nb_tok_eq(t[3], "unavailable"))
		return nb_errf(e, "%s:%u: bad state '%.*s' (active or "
			       "unavailable)", c->name, c->line, (int)t[3].n,
			       t[3].p);
	if (field_opt_u64(c, t[4], &p->hits, &p->has_hits, "hits", e) < 0 ||
	    field_opt_u64(c, t[5], &p->nmissed, &p->has_nmissed, "nmissed",
			  e) < 0 ||
	    field_u64(c, t[6], &p->self_ns, "self_ns", e) < 0)
		return -1;
	if (nb_tok_eq(t[7], "-"))
		return 0;
	return field_str(c, t[7], p->note, sizeof(p->note), "note", e);
}

static int probe_row(const struct nb_cursor *c, const struct nb_tok *t,
		     size_t nt, void *rows, size_t i, const void *ctx,
		     struct nb_err *e)
{
	(void)nt;
	(void)ctx;
	return parse_probe(c, t, (struct nb_probe *)rows + i, e);
}

int nb_parse_probes(const char *name, const char *text, size_t len,
		    struct nb_probe **out, size_t *n, struct nb_err *e)
{
	static const char *const cols[] = { "hook", "symbol", "type", "state",
					    "hits", "nmissed", "self_ns",
					    "note" };
	struct hdr h = { cols, NB_ARRAY_SIZE(cols), 0, { 0 }, 0, NULL };

	return parse_rows(name, text, len, &h, sizeof(**out), probe_row, NULL,
			  (void **)out, n, e);
}

/* ---- rcvbuf, napi ---- */

static int pseudo_index(const struct nb_tabledef *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->npseudo; i++)
		if (!strcmp(d->pseudo[i], name))
			return (int)i;
	return -1;
}

static int row_kind(const struct nb_cursor *c, const struct nb_tabledef *d,
		    struct nb_row *row, struct nb_err *e)
{
	if (row->ifindex < 0) {
		if (strcmp(row->iface, "total") || strcmp(row->state, "-"))
			return line_err(c, e, "ifindex '-' on a row that is "
					"not 'total' with state '-'");
		row->kind = NB_ROW_TOTAL;
	} else if (row->ifindex == 0) {
		if (pseudo_index(d, row->iface) < 0 || strcmp(row->state, "-"))
			return nb_errf(e, "%s:%u: ifindex 0 on a row that is "
				       "not %s with state '-'", c->name,
				       c->line, d->npseudo > 1 ?
				       "'unknown' or 'backlog'" : "'unknown'");
		row->kind = NB_ROW_PSEUDO;
	} else {
		if (strcmp(row->state, "up") && strcmp(row->state, "gone"))
			return nb_errf(e, "%s:%u: bad state '%s' (up or gone)",
				       c->name, c->line, row->state);
		row->kind = NB_ROW_IFACE;
	}
	return 0;
}

static int parse_row(const struct nb_cursor *c, const struct nb_tabledef *d,
		     const struct nb_tok *t, struct nb_row *row,
		     struct nb_err *e)
{
	size_t i;

	memset(row, 0, sizeof(*row));
	if (field_str(c, t[0], row->iface, sizeof(row->iface), "iface", e) ||
	    field_ifindex(c, t[1], &row->ifindex, e) ||
	    field_str(c, t[2], row->state, sizeof(row->state), "state", e))
		return -1;
	for (i = 0; i < d->ncols; i++)
		if (field_u64(c, t[3 + i], &row->v[i], d->cols[i].col, e))
			return -1;
	return row_kind(c, d, row, e);
}

/* Interfaces 0, the pseudo rows 1.. in their order, total last. */
static int row_rank(const struct nb_tabledef *d, const struct nb_row *r)
{
	if (r->kind == NB_ROW_IFACE)
		return 0;
	if (r->kind == NB_ROW_TOTAL)
		return (int)d->npseudo + 1;
	return pseudo_index(d, r->iface) + 1;
}

/* Rows come as: interfaces, the pseudo rows (each optional, in their
 * order), the total row (last, always). */
static int check_order(const struct nb_cursor *c, const struct nb_table *t,
		       const struct nb_row *row, struct nb_err *e)
{
	const struct nb_row *prev = t->n ? &t->rows[t->n - 1] : NULL;
	size_t i;

	if (prev && prev->kind == NB_ROW_TOTAL)
		return line_err(c, e, "row after the total row");
	if (prev && row_rank(t->def, row) < row_rank(t->def, prev))
		return nb_errf(e, "%s:%u: row %s after row %s (out of order)",
			       c->name, c->line, row->iface, prev->iface);
	for (i = 0; i < t->n; i++)
		if (t->rows[i].ifindex == row->ifindex &&
		    !strcmp(t->rows[i].iface, row->iface))
			return nb_errf(e, "%s:%u: duplicate row %s", c->name,
				       c->line, row->iface);
	return 0;
}

static int table_row(const struct nb_cursor *c, const struct nb_tok *t,
		     size_t nt, void *rows, size_t i, const void *ctx,
		     struct nb_err *e)
{
	struct nb_table sofar = { ctx, rows, i };
	struct nb_row *row = (struct nb_row *)rows + i;

	(void)nt;
	return parse_row(c, sofar.def, t, row, e) < 0 ||
	       check_order(c, &sofar, row, e) < 0 ? -1 : 0;
}

/* The total row is the sum of the rows above it (the max of max columns). */
static int check_total(const char *name, const struct nb_table *t,
		       struct nb_err *e)
{
	const struct nb_tabledef *d = t->def;
	const struct nb_row *tot = &t->rows[t->n - 1];
	size_t i, k;
	u64 sum;

	for (k = 0; k < d->ncols; k++) {
		int max = !!(d->cols[k].flags & NB_COL_MAX);

		for (i = 0, sum = 0; i + 1 < t->n; i++) {
			if (max && t->rows[i].v[k] > sum)
				sum = t->rows[i].v[k];
			else if (!max && __builtin_add_overflow(sum,
						t->rows[i].v[k], &sum))
				return nb_errf(e, "%s: %s of the rows "
					       "overflows", name,
					       d->cols[k].col);
		}
		if (sum != tot->v[k])
			return nb_errf(e, "%s:%zu: total %s %llu is not the %s "
				       "of the rows, %llu", name, t->n + 1,
				       d->cols[k].col,
				       (unsigned long long)tot->v[k],
				       max ? "max" : "sum",
				       (unsigned long long)sum);
	}
	return 0;
}

int nb_parse_table(const char *name, const char *text, size_t len,
		   const struct nb_tabledef *def, struct nb_table *t,
		   struct nb_err *e)
{
	const char *cols[3 + NB_MAX_COLS] = { "iface", "ifindex", "state" };
	unsigned char opt[3 + NB_MAX_COLS] = { 0 };
	struct hdr h = { cols, 3 + def->ncols, 0, { 0 }, 0, opt };
	size_t i;
	int r;

	for (i = 0; i < def->ncols; i++) {
		cols[3 + i] = def->cols[i].col;
		opt[3 + i] = !!(def->cols[i].flags & NB_COL_OPT);
	}
	memset(t, 0, sizeof(*t));
	t->def = def;
	r = parse_rows(name, text, len, &h, sizeof(*t->rows), table_row, def,
		       (void **)&t->rows, &t->n, e);
	if (r == 0 && (!t->n || t->rows[t->n - 1].kind != NB_ROW_TOTAL))
		r = nb_errf(e, "%s: no total row at the end (truncated?)",
			    name);
	if (r == 0)
		r = check_total(name, t, e);
	if (r < 0) {
		free(t->rows);
		t->rows = NULL;
		t->n = 0;
	}
	return r;
}

/* ---- histograms ---- */

int nb_hist_index_of(u64 low)
{
	int k;

	if (low == 0)
		return 0;
	if (low & (low - 1))
		return -1;
	for (k = 0; (1ull << k) != low; k++)
		;
	return k + 1;
}

static int parse_bucket(const struct nb_cursor *c, struct nb_tok t,
			struct nb_hist *h, int *last, struct nb_err *e)
{
	const char *colon = memchr(t.p, ':', t.n);
	struct nb_tok lo, cnt;
	u64 low, count;
	int idx;

	if (!colon)
		return nb_errf(e, "%s:%u: bad bucket '%.*s' (LOW:COUNT)",
			       c->name, c->line, (int)t.n, t.p);
	lo.p = t.p;
	lo.n = (size_t)(colon - t.p);
	cnt.p = colon + 1;
	cnt.n = t.n - lo.n - 1;
	if (nb_tok_u64(lo, &low) < 0 || nb_tok_u64(cnt, &count) < 0)
		return nb_errf(e, "%s:%u: bad bucket '%.*s' (LOW:COUNT)",
			       c->name, c->line, (int)t.n, t.p);
	idx = nb_hist_index_of(low);
	if (idx < 0)
		return nb_errf(e, "%s:%u: bucket low %llu is not 0 or a power "
			       "of two", c->name, c->line,
			       (unsigned long long)low);
	if (idx <= *last)
		return line_err(c, e, "buckets not in ascending order");
	*last = idx;
	h->b[idx] = count;
	return 0;
}

/*
 * max lies in the highest non-empty bucket; above it only in the module's
 * last bucket (LOW 2^32; napi_pkts: LOW 256), which holds every larger
 * value too. No samples: max 0.
 */
static int check_max(const struct nb_cursor *c, const struct nb_hist *h,
		     int top, int open, struct nb_err *e)
{
	u64 lo = top < 0 ? 0 : top == 0 ? 0 : 1ull << (top - 1);
	u64 hi = top <= 0 ? 0 : top >= 64 ? UINT64_MAX : (1ull << top) - 1;

	if (h->max < lo || (h->max > hi && top < open))
		return nb_errf(e, "%s:%u: max %llu is not in the highest "
			       "bucket [%llu, %llu]", c->name, c->line,
			       (unsigned long long)h->max,
			       (unsigned long long)lo,
			       (unsigned long long)hi);
	return 0;
}

/* samples sum max, then the buckets: t[0] .. t[nt - 1]. */
static int parse_hvals(const struct nb_cursor *c, const struct nb_tok *t,
		       size_t nt, enum nb_hkind k, struct nb_hist *h,
		       struct nb_err *e)
{
	u64 sum = 0;
	int last = -1;
	size_t i;

	if (field_u64(c, t[0], &h->samples, "samples", e) ||
	    field_u64(c, t[1], &h->sum, "sum", e) ||
	    field_u64(c, t[2], &h->max, "max", e))
		return -1;
	for (i = 3; i < nt; i++) {
		if (parse_bucket(c, t[i], h, &last, e) < 0)
			return -1;
		if (__builtin_add_overflow(sum, h->b[last], &sum))
			return line_err(c, e, "bucket counts overflow");
	}
	if (sum != h->samples)
		return nb_errf(e, "%s:%u: bucket counts add up to %llu, not "
			       "samples %llu (truncated?)", c->name, c->line,
			       (unsigned long long)sum,
			       (unsigned long long)h->samples);
	return check_max(c, h, last,
			 k == NB_H_NAPI_PKTS ? NB_PKTS_OPEN : NB_HIST_OPEN, e);
}

static int parse_hrow(const struct nb_cursor *c, const struct nb_tok *t,
		      size_t nt, struct nb_hrow *r, struct nb_err *e)
{
	char kind[32];

	memset(r, 0, sizeof(*r));
	if (field_str(c, t[0], r->iface, sizeof(r->iface), "iface", e) ||
	    field_ifindex(c, t[1], &r->ifindex, e) ||
	    field_str(c, t[2], kind, sizeof(kind), "hist", e))
		return -1;
	if (nb_hkind_parse(kind, &r->kind) < 0 || !strcmp(kind, "napi"))
		return nb_errf(e, "%s:%u: unknown histogram '%s'", c->name,
			       c->line, kind);
	return parse_hvals(c, t + 3, nt - 3, r->kind, &r->h, e);
}

static int hist_dup(const struct nb_hrow *rows, size_t n,
		    const struct nb_hrow *r)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].kind == r->kind && rows[i].ifindex == r->ifindex &&
		    !strcmp(rows[i].iface, r->iface))
			return 1;
	return 0;
}

static int hist_row(const struct nb_cursor *c, const struct nb_tok *t,
		    size_t nt, void *rows, size_t i, const void *ctx,
		    struct nb_err *e)
{
	struct nb_hrow *r = (struct nb_hrow *)rows + i;

	(void)ctx;
	if (parse_hrow(c, t, nt, r, e) < 0)
		return -1;
	if (hist_dup(rows, i, r))
		return line_err(c, e, "duplicate histogram row");
	return 0;
}

int nb_parse_hists(const char *name, const char *text, size_t len,
		   struct nb_hrow **out, size_t *n, struct nb_err *e)
{
	static const char *const cols[] = { "iface", "ifindex", "hist",
					    "samples", "sum", "max",
					    "buckets" };
	struct hdr h = { cols, NB_ARRAY_SIZE(cols), 1, { 0 }, 0, NULL };

	return parse_rows(name, text, len, &h, sizeof(**out), hist_row, NULL,
			  (void **)out, n, e);
}

/* ---- napi_queues, napi_queue_hist ---- */

/* A number up to 2^32 - 1, or "-" (-1) where dash_ok. */
static int field_u32(const struct nb_cursor *c, struct nb_tok t,
		     long long *v, int dash_ok, const char *what,
		     struct nb_err *e)
{
	u64 x;

	*v = -1;
	if (dash_ok && nb_tok_eq(t, "-"))
		return 0;
	if (field_u64(c, t, &x, what, e) < 0)
		return -1;
	if (x > 0xffffffffull)
		return nb_errf(e, "%s:%u: %s out of range", c->name, c->line,
			       what);
	*v = (long long)x;
	return 0;
}

/* The unlisted line: "-" in every column that belongs to an interface. */
static int qrow_unlisted(const struct nb_cursor *c, const struct nb_tok *t,
			 struct nb_qrow *r, struct nb_err *e)
{
	static const char *const cols[] = { "ifindex", "rxqueues", "napi_id",
					    "queue", "cpu" };
	size_t i;

	for (i = 0; i < NB_ARRAY_SIZE(cols); i++)
		if (!nb_tok_eq(t[1 + i], "-"))
			return nb_errf(e, "%s:%u: %s '%.*s' on the unlisted "
				       "line (it has '-' there)", c->name,
				       c->line, cols[i], (int)t[1 + i].n,
				       t[1 + i].p);
	r->unlisted = 1;
	r->ifindex = r->rxqueues = r->napi_id = r->queue = r->cpu = -1;
	return 0;
}

static int parse_qrow(const struct nb_cursor *c, const struct nb_tok *t,
		      struct nb_qrow *r, struct nb_err *e)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	if (field_str(c, t[0], r->iface, sizeof(r->iface), "iface", e))
		return -1;
	if (!strcmp(r->iface, "unlisted") && nb_tok_eq(t[1], "-")) {
		if (qrow_unlisted(c, t, r, e) < 0)
			return -1;
	} else if (field_ifindex(c, t[1], &r->ifindex, e) < 0) {
		return -1;
	} else if (r->ifindex <= 0) {
		return nb_errf(e, "%s:%u: ifindex '%.*s' on a line that is "
			       "not 'unlisted' (an instance's is above 0)",
			       c->name, c->line, (int)t[1].n, t[1].p);
	} else if (field_u32(c, t[2], &r->rxqueues, 0, "rxqueues", e) ||
		   field_u32(c, t[3], &r->napi_id, 0, "napi_id", e) ||
		   field_u32(c, t[4], &r->queue, 1, "queue", e) ||
		   field_u32(c, t[5], &r->cpu, 1, "cpu", e)) {
		return -1;
	}
	for (i = 0; i < QC_NCOLS; i++)
		if (field_u64(c, t[6 + i], &r->v[i], nb_queue_cols[i].col, e))
			return -1;
	return 0;
}

/* Instances by ifindex, then napi_id (several of napi_id 0 may share
 * an ifindex), then the unlisted line, last. */
static int qrow_order(const struct nb_cursor *c, const struct nb_qrow *rows,
		      size_t n, const struct nb_qrow *r, struct nb_err *e)
{
	const struct nb_qrow *p = n ? &rows[n - 1] : NULL;

	if (!p)
		return 0;
	if (p->unlisted)
		return line_err(c, e, "line after the unlisted line");
	if (r->unlisted)
		return 0;
	if (r->ifindex == p->ifindex && r->napi_id == p->napi_id &&
	    r->napi_id != 0)
		return nb_errf(e, "%s:%u: duplicate instance ifindex %lld "
			       "napi_id %lld", c->name, c->line, r->ifindex,
			       r->napi_id);
	if (r->ifindex < p->ifindex ||
	    (r->ifindex == p->ifindex && r->napi_id < p->napi_id))
		return nb_errf(e, "%s:%u: ifindex %lld napi_id %lld after "
			       "ifindex %lld napi_id %lld (out of order)",
			       c->name, c->line, r->ifindex, r->napi_id,
			       p->ifindex, p->napi_id);
	return 0;
}

static int queue_row(const struct nb_cursor *c, const struct nb_tok *t,
		     size_t nt, void *rows, size_t i, const void *ctx,
		     struct nb_err *e)
{
	struct nb_qrow *r = (struct nb_qrow *)rows + i;

	(void)nt;
	(void)ctx;
	return parse_qrow(c, t, r, e) < 0 ||
	       qrow_order(c, rows, i, r, e) < 0 ? -1 : 0;
}

int nb_parse_queues(const char *name, const char *text, size_t len,
		    struct nb_qrow **out, size_t *n, struct nb_err *e)
{
	const char *cols[6 + QC_NCOLS] = { "iface", "ifindex", "rxqueues",
					   "napi_id", "queue", "cpu" };
	struct hdr h = { cols, NB_ARRAY_SIZE(cols), 0, { 0 }, 0, NULL };
	size_t i;
	int r;

	for (i = 0; i < QC_NCOLS; i++)
		cols[6 + i] = nb_queue_cols[i].col;
	r = parse_rows(name, text, len, &h, sizeof(**out), queue_row, NULL,
		       (void **)out, n, e);
	if (r == 0 && (!*n || !(*out)[*n - 1].unlisted))
		r = nb_errf(e, "%s: no unlisted line at the end (truncated?)",
			    name);
	if (r < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return r;
}

static int parse_qhrow(const struct nb_cursor *c, const struct nb_tok *t,
		       size_t nt, struct nb_qhrow *r, struct nb_err *e)
{
	char kind[32];

	memset(r, 0, sizeof(*r));
	if (field_str(c, t[0], r->iface, sizeof(r->iface), "iface", e) ||
	    field_ifindex(c, t[1], &r->ifindex, e) ||
	    field_u32(c, t[2], &r->napi_id, 0, "napi_id", e) ||
	    field_str(c, t[3], kind, sizeof(kind), "hist", e))
		return -1;
	if (r->ifindex <= 0)
		return nb_errf(e, "%s:%u: ifindex '%.*s' (an instance's is "
			       "above 0)", c->name, c->line, (int)t[1].n,
			       t[1].p);
	if (strcmp(kind, "napi_ns") && strcmp(kind, "napi_pkts"))
		return nb_errf(e, "%s:%u: unknown histogram '%s' (napi_ns or "
			       "napi_pkts)", c->name, c->line, kind);
	nb_hkind_parse(kind, &r->kind);
	return parse_hvals(c, t + 4, nt - 4, r->kind, &r->h, e);
}

static int qhist_row(const struct nb_cursor *c, const struct nb_tok *t,
		     size_t nt, void *rows, size_t i, const void *ctx,
		     struct nb_err *e)
{
	struct nb_qhrow *r = (struct nb_qhrow *)rows + i;
	const struct nb_qhrow *p = i ? r - 1 : NULL;
	size_t k;

	(void)ctx;
	if (parse_qhrow(c, t, nt, r, e) < 0)
		return -1;
	if (p && (r->ifindex < p->ifindex ||
		  (r->ifindex == p->ifindex && r->napi_id < p->napi_id)))
		return nb_errf(e, "%s:%u: ifindex %lld napi_id %lld after "
			       "ifindex %lld napi_id %lld (out of order)",
			       c->name, c->line, r->ifindex, r->napi_id,
			       p->ifindex, p->napi_id);
	for (k = 0; r->napi_id && k < i; k++)
		if (((struct nb_qhrow *)rows)[k].ifindex == r->ifindex &&
		    ((struct nb_qhrow *)rows)[k].napi_id == r->napi_id &&
		    ((struct nb_qhrow *)rows)[k].kind == r->kind)
			return line_err(c, e, "duplicate histogram row");
	return 0;
}

int nb_parse_qhists(const char *name, const char *text, size_t len,
		    struct nb_qhrow **out, size_t *n, struct nb_err *e)
{
	static const char *const cols[] = { "iface", "ifindex", "napi_id",
					    "hist", "samples", "sum", "max",
					    "buckets" };
	struct hdr h = { cols, NB_ARRAY_SIZE(cols), 1, { 0 }, 0, NULL };

	return parse_rows(name, text, len, &h, sizeof(**out), qhist_row, NULL,
			  (void **)out, n, e);
}

/* ---- events ---- */

/* seconds.nanoseconds, nine digits after the point */
static int field_time(const struct nb_cursor *c, struct nb_tok t,
		      struct nb_event *ev, struct nb_err *e)
{
	const char *dot = memchr(t.p, '.', t.n);
	struct nb_tok s, ns;
	u64 sec, nsec;

	if (dot) {
		s = (struct nb_tok){ t.p, (size_t)(dot - t.p) };
		ns = (struct nb_tok){ dot + 1, t.n - s.n - 1 };
	}
	if (!dot || ns.n != 9 || nb_tok_u64(s, &sec) < 0 ||
	    nb_tok_u64(ns, &nsec) < 0 || sec > UINT64_MAX / 1000000000ull - 1 ||
	    nb_tok_copy(t, ev->time, sizeof(ev->time)) < 0)
		return nb_errf(e, "%s:%u: bad time '%.*s' (seconds.nanoseconds)",
			       c->name, c->line, (int)t.n, t.p);
	ev->time_ns = sec * 1000000000ull + nsec;
	return 0;
}

/* ADDR:PORT or [ADDR]:PORT */
static int field_addr(const struct nb_cursor *c, struct nb_tok t, char *dst,
		      size_t cap, struct nb_err *e)
{
	const char *colon = t.n ? t.p + t.n - 1 : t.p;
	struct nb_tok port;
	u64 v;

	while (colon > t.p && *colon != ':')
		colon--;
	port = (struct nb_tok){ colon + 1, (size_t)(t.p + t.n - colon - 1) };
	if (colon == t.p || nb_tok_u64(port, &v) < 0 || v > 65535 ||
	    nb_tok_copy(t, dst, cap) < 0)
		return nb_errf(e, "%s:%u: bad address '%.*s' (ADDR:PORT)",
			       c->name, c->line, (int)t.n, t.p);
	return 0;
}

static int field_opt_int(const struct nb_cursor *c, struct nb_tok t,
			 long long *v, const char *what, struct nb_err *e)
{
	u64 x;

	*v = -1;
	if (nb_tok_eq(t, "-"))
		return 0;
	if (field_u64(c, t, &x, what, e) < 0)
		return -1;
	if (x > 0x7fffffff)
		return nb_errf(e, "%s:%u: %s out of range", c->name, c->line,
			       what);
	*v = (long long)x;
	return 0;
}

static int event_kind(const struct nb_cursor *c, const struct nb_tok *t,
		      struct nb_event *ev, struct nb_err *e)
{
	static const char *const outcomes[] = { "noop", "collapse", "ofo",
						"drop" };
	size_t i;

	ev->prune = nb_tok_eq(t[1], "prune");
	if (!ev->prune && !nb_tok_eq(t[1], "collapse"))
		return nb_errf(e, "%s:%u: bad kind '%.*s' (collapse or prune)",
			       c->name, c->line, (int)t[1].n, t[1].p);
	if (!ev->prune)
		return nb_tok_eq(t[3], "-") ? 0 :
		       line_err(c, e, "an outcome on a collapse event");
	for (i = 0; i < NB_ARRAY_SIZE(outcomes); i++)
		if (nb_tok_eq(t[3], outcomes[i])) {
			snprintf(ev->outcome, sizeof(ev->outcome), "%s",
				 outcomes[i]);
			return 0;
		}
	return nb_errf(e, "%s:%u: bad outcome '%.*s'", c->name, c->line,
		       (int)t[3].n, t[3].p);
}

static int parse_event(const struct nb_cursor *c, const struct nb_tok *t,
		       struct nb_event *ev, struct nb_err *e)
{
	long long idx;

	memset(ev, 0, sizeof(*ev));
	if (field_time(c, t[0], ev, e) || event_kind(c, t, ev, e) ||
	    field_u64(c, t[2], &ev->dur_ns, "dur_ns", e) ||
	    (!nb_tok_eq(t[4], "-") &&
	     field_str(c, t[4], ev->iface, sizeof(ev->iface), "iface", e)) ||
	    field_opt_int(c, t[5], &idx, "ifindex", e) ||
	    field_u64(c, t[6], &ev->cgroup, "cgroup", e) ||
	    field_addr(c, t[7], ev->local, sizeof(ev->local), e) ||
	    field_addr(c, t[8], ev->remote, sizeof(ev->remote), e) ||
	    field_opt_int(c, t[9], &ev->rmem[0], "rmem_before", e) ||
	    field_opt_int(c, t[10], &ev->rcvbuf[0], "rcvbuf_before", e) ||
	    field_opt_int(c, t[11], &ev->rmem[1], "rmem_after", e) ||
	    field_opt_int(c, t[12], &ev->rcvbuf[1], "rcvbuf_after", e) ||
	    field_u64(c, t[13], &ev->skbs, "skbs", e) ||
	    field_u64(c, t[14], &ev->bytes, "bytes", e) ||
	    field_u64(c, t[15], &ev->cpu, "cpu", e))
		return -1;
	ev->ifindex = idx;
	return 0;
}

static int event_row(const struct nb_cursor *c, const struct nb_tok *t,
		     size_t nt, void *rows, size_t i, const void *ctx,
		     struct nb_err *e)
{
	(void)nt;
	(void)ctx;
	return parse_event(c, t, (struct nb_event *)rows + i, e);
}

int nb_parse_events(const char *name, const char *text, size_t len,
		    struct nb_event **out, size_t *n, struct nb_err *e)
{
	static const char *const cols[] = { "time", "kind", "dur_ns",
		"outcome", "iface", "ifindex", "cgroup", "local", "remote",
		"rmem_before", "rcvbuf_before", "rmem_after", "rcvbuf_after",
		"skbs", "bytes", "cpu" };
	struct hdr h = { cols, NB_ARRAY_SIZE(cols), 0, { 0 }, 0, NULL };

	return parse_rows(name, text, len, &h, sizeof(**out), event_row, NULL,
			  (void **)out, n, e);
}

/* ---- /proc/net/softnet_stat ---- */

/*
 * Hex columns; 1-3: processed, dropped, time_squeeze. From 13 columns on
 * (Linux 5.10+), column 12 is the backlog length and column 13 the CPU
 * index; 6.12 appends input_qlen and process_qlen (15 columns). Narrower
 * files: the CPU is the row number (offline CPUs are not listed, so this is
 * only a guess).
 */
static int softnet_row(const struct nb_cursor *c, const struct nb_tok *t,
		       size_t nt, unsigned int rowno, struct nb_cpu *cpu,
		       struct nb_err *e)
{
	u64 v[MAX_TOKS];
	size_t i;

	for (i = 0; i < nt; i++)
		if (nb_tok_hex(t[i], &v[i]) < 0)
			return nb_errf(e, "%s:%u: bad hex field %zu '%.*s'",
				       c->name, c->line, i + 1, (int)t[i].n,
				       t[i].p);
	memset(cpu, 0, sizeof(*cpu));
	cpu->processed = v[0];
	cpu->dropped = v[1];
	cpu->squeeze = v[2];
	cpu->cpu = rowno;
	if (nt >= 13) {
		if (v[12] > 0xffffff)
			return line_err(c, e, "CPU index out of range");
		cpu->has_backlog = 1;
		cpu->backlog = v[11];
		cpu->cpu = (unsigned int)v[12];
	}
	return 0;
}

int nb_parse_softnet(const char *name, const char *text, size_t len,
		     struct nb_cpu **out, size_t *n, unsigned int *cols,
		     struct nb_err *e)
{
	struct nb_tok t[MAX_TOKS];
	struct nb_cpu *cpus = NULL;
	struct nb_cursor c;
	size_t cap = 0, cnt = 0, nt, width = 0;
	int r;

	nb_cursor_init(&c, name, text, len);
	while ((r = next_fields(&c, t, &nt, e)) > 0) {
		if (nt < 3)
			r = line_err(&c, e, "fewer than 3 columns");
		else if (width && nt != width)
			r = nb_errf(e, "%s:%u: %zu columns, previous rows have "
				    "%zu", name, c.line, nt, width);
		if (r < 0)
			break;
		width = nt;
		nb_grow((void **)&cpus, &cap, cnt + 1, sizeof(*cpus));
		if (softnet_row(&c, t, nt, (unsigned int)cnt, &cpus[cnt], e) < 0) {
			r = -1;
			break;
		}
		cnt++;
	}
	if (r == 0 && cnt == 0)
		r = nb_errf(e, "%s: no CPU rows", name);
	if (r < 0) {
		free(cpus);
		return -1;
	}
	*out = cpus;
	*n = cnt;
	*cols = (unsigned int)width;
	return 0;
}

/* ---- sysctl files ---- */

int nb_parse_sysctl(const char *name, const char *text, size_t len,
		    enum nb_sysctl_id id, struct nb_sysctls *sc,
		    struct nb_err *e)
{
	const struct nb_sysctldef *d = &nb_sysctls[id];
	struct nb_tok line, t[MAX_TOKS];
	struct nb_cursor c;
	size_t n, i, off = 0;

	nb_cursor_init(&c, name, text, len);
	if (nb_getline(&c, &line, e) <= 0 || c.p != c.end)
		return nb_errf(e, "%s: expected one line", name);
	n = nb_split(line, t, MAX_TOKS);
	if (n != d->nvals)
		return nb_errf(e, "%s: expected %u value(s), got %zu", name,
			       d->nvals, n);
	for (i = 0; i < n; i++) {
		if (nb_tok_i64(t[i], &sc->v[id][i]) < 0 || t[i].n > 20)
			return nb_errf(e, "%s: bad value '%.*s'", name,
				       (int)t[i].n, t[i].p);
		off += (size_t)snprintf(sc->raw[id] + off,
					sizeof(sc->raw[id]) - off, "%s%lld",
					i ? " " : "", sc->v[id][i]);
	}
	sc->nv[id] = (unsigned int)n;
	sc->present[id] = 1;
	return 0;
}
