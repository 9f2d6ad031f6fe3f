// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf baseline save [-i SECS] FILE: measure a period and save it.
 * netbuf baseline compare [-i SECS] FILE: that period's figures ("before")
 * next to the current ones ("after": since the baseline, or a fresh period
 * of SECS), per interface, for softnet and for the sysctls.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "advice.h"
#include "baseline.h"
#include "cli.h"
#include "keys.h"
#include "stats.h"
#include "view.h"

#define SAVE_DEFAULT_SECS 5.0

int cmd_baseline_save(const struct nb_opts *o, int argc, char **argv)
{
	double secs = o->has_interval ? o->interval : SAVE_DEFAULT_SECS;
	struct nb_proposals props = { NULL, 0 };
	struct nb_snapshot s[2];
	struct nb_evlog log;
	char why[256];
	struct nb_view v;
	struct nb_err e;
	size_t n = secs > 0 ? 2 : 1;
	int r = NB_EXIT_RUNTIME, have;

	if (argc != 1)
		return nb_usage("baseline save: expected one FILE (see "
				"'netbuf help baseline')");
	memset(s, 0, sizeof(s));
	if (nb_load(o, &s[0], 1) < 0)
		return NB_EXIT_RUNTIME;
	if (n == 2 && isatty(STDERR_FILENO))
		fprintf(stderr, "netbuf: measuring for %.1f s (-i 0 skips "
			"this)...\n", secs);
	if (n == 2 && (nb_sleep(secs) < 0 || nb_load(o, &s[1], 0) < 0))
		goto out;
	if (n == 2 && nb_view_build(&s[0], &s[1], &v, why, sizeof(why)) < 0) {
		fprintf(stderr, "netbuf: during the measurement %s; nothing "
			"saved\n", why);
		goto out;
	}
	if (n == 1)
		nb_view_build(NULL, &s[0], &v, NULL, 0);
	/* the proposals advise makes of that period, recorded to check */
	have = nb_advise_events(o, &log);
	if (have >= 0)
		advise_emit(NULL, &s[n - 1], &v, have ? &log : NULL, &props);
	nb_view_free(&v);
	if (have < 0)
		goto out;
	free(log.ev);
	if (nb_baseline_save(argv[0], s, n, &props, &e) < 0)
		nb_fail(&e);
	else
		r = NB_EXIT_OK;
out:
	nb_proposals_free(&props);
	nb_snapshot_free(&s[0]);
	nb_snapshot_free(&s[1]);
	return r;
}

/* ---- compare ---- */

enum mtype { M_RATE, M_P99, M_MAX, M_EXH_PCT };

struct metric {
	const char *name;
	enum mtype type;
	int napi;
	int col;		/* M_RATE */
	enum nb_hkind hk;	/* M_P99, M_MAX */
};

static const struct metric metrics[] = {
	{ "coll_calls_per_s", M_RATE, 0, RB_COLL_CALLS, 0 },
	{ "coll_skbs_per_s", M_RATE, 0, RB_COLL_SKBS, 0 },
	{ "coll_p99_ns", M_P99, 0, 0, NB_H_COLLAPSE },
	{ "coll_max_ns", M_MAX, 0, 0, NB_H_COLLAPSE },
	{ "prune_calls_per_s", M_RATE, 0, RB_PRUNE_CALLS, 0 },
	{ "prune_drop_per_s", M_RATE, 0, RB_PRUNE_DROP, 0 },
	{ "prune_p99_ns", M_P99, 0, 0, NB_H_PRUNE },
	{ "prune_max_ns", M_MAX, 0, 0, NB_H_PRUNE },
	{ "ofo_calls_per_s", M_RATE, 0, RB_OFO_CALLS, 0 },
	{ "ofo_segs_per_s", M_RATE, 0, RB_OFO_SEGS, 0 },
	{ "polls_per_s", M_RATE, 1, NP_POLLS, 0 },
	{ "packets_per_s", M_RATE, 1, NP_PACKETS, 0 },
	{ "exhausted_per_s", M_RATE, 1, NP_EXHAUSTED, 0 },
	{ "exhausted_pct", M_EXH_PCT, 1, 0, 0 },
	{ "poll_p99_ns", M_P99, 1, 0, NB_H_NAPI_NS },
	{ "poll_max_ns", M_MAX, 1, 0, NB_H_NAPI_NS },
};

/* What compare found between the baseline and now. */
struct cmp_status {
	char reset[256];	/* "": none; else why nothing spans it */
	int rebooted;		/* rows matched by name, not ifindex */
	size_t evicted;		/* rows evicted since the baseline */
};

struct cmp {
	struct emitter *em;
	const struct nb_opts *o;
	const struct nb_view *before;	/* NULL: saved without a period */
	const struct nb_view *after;
	const struct cmp_status *st;
	int after_spans_reset;	/* after is "since the reset" */
};

/* A metric of one row in a view, with the count it rests on. */
struct mval {
	int has;	/* the row is in the view */
	double x;	/* NaN: no value */
	u64 n;		/* events (rates), samples (p99, max), polls (%) */
};

static struct mval metric_value(const struct metric *m,
				const struct nb_view *v,
				const struct nb_ifview *f)
{
	struct mval r = { 0, NAN, 0 };
	const struct nb_hist *h;
	u64 x;

	if (!v || !f || !(m->napi ? f->has_napi : f->has_rcv))
		return r;
	r.has = 1;
	h = &f->h[m->hk];
	switch (m->type) {
	case M_RATE:
		r.n = m->napi ? f->napi[m->col] : f->rcv[m->col];
		r.x = nb_view_rate(v, r.n);
		break;
	case M_P99:
		r.n = h->samples;
		if (nb_ifview_pct(f, m->hk, 99, &x) == 0)
			r.x = (double)x;
		break;
	case M_MAX:
		r.n = h->samples;
		r.x = h->samples ? (double)h->max : NAN;
		break;
	case M_EXH_PCT:
		r.n = f->napi[NP_POLLS];
		r.x = r.n ? 100.0 * (double)f->napi[NP_EXHAUSTED] /
			    (double)r.n : NAN;
		break;
	}
	return r;
}

static enum em_unit metric_unit(const struct metric *m)
{
	return m->type == M_RATE ? EM_RATE : m->type == M_EXH_PCT ? EM_PCT
								  : EM_NS;
}

static const struct em_key K_METRIC = EM_KEY("metric", "metric", EM_COUNT, 0);
static const struct em_key K_BEFORE = EM_KEY("before", "before", EM_COUNT, 0);
static const struct em_key K_BEFORE_N = EM_KEY("before_samples", "n_before",
					    EM_COUNT, 0);
static const struct em_key K_AFTER = EM_KEY("after", "after", EM_COUNT, 0);
static const struct em_key K_AFTER_N = EM_KEY("after_samples", "n_after",
					   EM_COUNT, 0);
static const struct em_key K_CHANGE = EM_KEY("change_pct", NULL, EM_PCT, 0);
static const struct em_key K_CHANGE_NOTE = EM_KEY("change_note", NULL, EM_COUNT,
					       0);
static const struct em_key K_CHANGE_SHOWN = EM_KEY("change", "change", EM_COUNT,
						EM_K_NOJSON);
static const struct em_key K_CIFACE = EM_KEY("iface", NULL, EM_COUNT, 0);
static const struct em_key K_CIFACE_SHOWN = EM_KEY("iface", "iface", EM_COUNT,
						EM_K_NOJSON);
static const struct em_key K_CSTATE = EM_KEY("state", NULL, EM_COUNT, 0);
static const struct em_key K_RENAMED = EM_KEY("renamed_from", NULL, EM_COUNT,
					   0);

static void emit_num(struct emitter *em, const struct em_key *k, double x,
		     enum em_unit u)
{
	if (isnan(x))
		em_null(em, k);
	else if (u == EM_NS)
		em_u64u(em, k, (u64)x, u);
	else
		em_f64u(em, k, x, u);
}

/* Why there is no percent change; NULL when there is one. */
static const char *change_note(const struct cmp *c, const char *iface,
			       struct mval b, struct mval a)
{
	int unknown = !strcmp(iface, "unknown");

	if (c->after_spans_reset)
		return "reset since the baseline";
	if (!b.has)
		return c->before ? "not in the baseline" : "no saved period";
	if (!a.has)
		return "no longer in netbuf";
	if (unknown && ((c->before && c->before->evicted) ||
			c->after->evicted))
		return "holds evicted rows";
	if (b.n < NB_MIN_SAMPLES || a.n < NB_MIN_SAMPLES)
		return "too few samples";
	if (isnan(b.x) || isnan(a.x))
		return "no value";
	if (b.x == 0)
		return "before is 0";
	return NULL;
}

static void emit_pair(const struct cmp *c, const char *iface, struct mval b,
		      struct mval a, enum em_unit u)
{
	const char *note = change_note(c, iface, b, a);
	char shown[32];
	double pct = note ? NAN : 100.0 * (a.x - b.x) / b.x;

	emit_num(c->em, &K_BEFORE, b.x, u);
	if (b.has)
		em_u64(c->em, &K_BEFORE_N, b.n);
	else
		em_null(c->em, &K_BEFORE_N);
	emit_num(c->em, &K_AFTER, a.x, u);
	if (a.has)
		em_u64(c->em, &K_AFTER_N, a.n);
	else
		em_null(c->em, &K_AFTER_N);
	em_f64(c->em, &K_CHANGE, pct);
	em_str(c->em, &K_CHANGE_NOTE, note);
	if (!note)
		snprintf(shown, sizeof(shown), "%+.1f%%", pct);
	em_str(c->em, &K_CHANGE_SHOWN, note ? note : shown);
}

/* Tables leave out metrics that are nothing in both windows (-z shows
 * them); JSON has every row. */
static int hidden(const struct cmp *c, struct mval b, struct mval a)
{
	return c->o->fmt == EM_TABLE && !c->o->zeros && !b.n && !a.n;
}

/* The row of v that is f: by ifindex, or by name after a reboot. */
static const struct nb_ifview *match(const struct cmp *c,
				     const struct nb_view *v,
				     const struct nb_ifview *f)
{
	size_t i;

	if (!v || !f)
		return NULL;
	if (!c->st->rebooted)
		return nb_view_find(v, f->iface, f->ifindex);
	for (i = 0; i < v->n; i++)
		if (v->ifs[i].kind == f->kind && !strcmp(v->ifs[i].iface,
							 f->iface))
			return &v->ifs[i];
	return NULL;
}

static void emit_iface(struct cmp *c, const struct nb_ifview *fb,
		       const struct nb_ifview *fa)
{
	const struct nb_ifview *f = fa ? fa : fb;
	const char *renamed = fb && fa && strcmp(fb->iface, fa->iface) ?
			      fb->iface : fa && fa->renamed_from[0] ?
			      fa->renamed_from : NULL;
	const char *state = fa ? fa->state : c->st->evicted ? "evicted" :
			    "forgotten";
	char shown[2 * NB_IFNAME_MAX + 24], name[NB_IFNAME_MAX + 8];
	size_t i;

	snprintf(shown, sizeof(shown), "%s%s%s%s%s",
		 keys_iface_shown(name, sizeof(name), f->iface, f->ifindex),
		 renamed ? " (was " : "", renamed ? renamed : "",
		 renamed ? ")" : "", fa ? "" : " (" );
	if (!fa)
		snprintf(shown + strlen(shown), sizeof(shown) - strlen(shown),
			 "%s)", state);

	for (i = 0; i < NB_ARRAY_SIZE(metrics); i++) {
		const struct metric *m = &metrics[i];
		struct mval b = metric_value(m, c->before, fb);
		struct mval a = metric_value(m, c->after, fa);

		if (hidden(c, b, a))
			continue;
		em_row_begin(c->em, 0);
		em_str(c->em, &K_CIFACE, f->iface);
		em_str(c->em, &K_CIFACE_SHOWN, shown);
		if (f->ifindex >= 0)
			em_i64(c->em, &K_IFINDEX, f->ifindex);
		else
			em_null(c->em, &K_IFINDEX);
		keys_synthetic(c->em, f->ifindex);
		em_str(c->em, &K_CSTATE, state);
		em_str(c->em, &K_RENAMED, renamed);
		em_str(c->em, &K_METRIC, m->name);
		emit_pair(c, f->iface, b, a, metric_unit(m));
		em_row_end(c->em);
	}
}

static void emit_ifaces(struct cmp *c)
{
	size_t i;

	em_list_begin(c->em, "interfaces", "Per interface", 0);
	for (i = 0; i < c->after->n; i++)
		emit_iface(c, match(c, c->before, &c->after->ifs[i]),
			   &c->after->ifs[i]);
	for (i = 0; c->before && i < c->before->n; i++)
		if (!match(c, c->after, &c->before->ifs[i]))
			emit_iface(c, &c->before->ifs[i], NULL);
	em_list_end(c->em);
}

static struct mval softnet_value(const struct nb_view *v, int field)
{
	struct mval r = { 0, NAN, 0 };
	size_t i;

	if (!v || !v->ncpus)
		return r;
	for (i = 0; i < v->ncpus; i++)
		r.n += field == 0 ? v->cpus[i].processed : field == 1 ?
		       v->cpus[i].dropped : v->cpus[i].squeeze;
	r.has = 1;
	r.x = nb_view_rate(v, r.n);
	return r;
}

static void emit_softnet(struct cmp *c)
{
	static const char *const names[] = { "processed_per_s",
		"dropped_per_s", "time_squeeze_per_s" };
	int i;

	em_list_begin(c->em, "softnet", "Softnet (all CPUs)", 0);
	for (i = 0; i < 3; i++) {
		struct mval b = softnet_value(c->before, i);
		struct mval a = softnet_value(c->after, i);

		if (hidden(c, b, a))
			continue;
		em_row_begin(c->em, 0);
		em_str(c->em, &K_METRIC, names[i]);
		emit_pair(c, "", b, a, EM_RATE);
		em_row_end(c->em);
	}
	em_list_end(c->em);
}

static const struct em_key K_SCNAME = EM_KEY("name", "sysctl", EM_COUNT, 0);
static const struct em_key K_CHANGED = EM_KEY("changed", "changed", EM_COUNT,
	0);

static void emit_sysctls(struct emitter *em, const struct nb_sysctls *b,
			 const struct nb_sysctls *a)
{
	int i;

	em_list_begin(em, "sysctl", "Sysctls", 0);
	for (i = 0; i < SC_COUNT; i++) {
		em_row_begin(em, 0);
		em_str(em, &K_SCNAME, nb_sysctls[i].name);
		em_str(em, &K_BEFORE, b->present[i] ? b->raw[i] : NULL);
		em_str(em, &K_AFTER, a->present[i] ? a->raw[i] : NULL);
		em_bool(em, &K_CHANGED, b->present[i] != a->present[i] ||
			strcmp(b->raw[i], a->raw[i]));
		em_row_end(em);
	}
	em_list_end(em);
}

/* ---- proposals recorded in the baseline: did their effect hold? ---- */

static const struct nb_ifview *by_name(const struct nb_view *v,
				       const char *iface)
{
	size_t i;

	for (i = 0; v && i < v->n; i++)
		if (!strcmp(v->ifs[i].iface, iface))
			return &v->ifs[i];
	return NULL;
}

/* An expect metric measured in a view, with the count it rests on. */
static struct mval expect_value(const char *metric, const char *iface,
				const struct nb_view *v)
{
	const struct nb_ifview *f = by_name(v, iface);
	struct mval r = { 0, NAN, 0 };
	struct mval proc = softnet_value(v, 0);
	struct mval x;

	if (!strcmp(metric, "coll_p99_ns"))
		return metric_value(&metrics[2], v, f);
	if (!strcmp(metric, "prune_drop_per_s"))
		return metric_value(&metrics[5], v, f);
	if (!strcmp(metric, "time_squeeze_pct") ||
	    !strcmp(metric, "dropped_pct")) {
		x = softnet_value(v, metric[0] == 't' ? 2 : 1);
		if (!x.has)
			return r;
		r.has = 1;
		r.n = proc.n + (metric[0] == 'd' ? x.n : 0);
		if (r.n)
			r.x = 100.0 * (double)x.n / (double)r.n;
	}
	return r;
}

/*
 * Samples of the after period above a p99 bound, from the histogram of the
 * metric: a bucket that reaches past the bound counts whole. The bound
 * advise sets is 2^k, where a bucket starts: that bucket counts, samples
 * equal to the bound included (on the safe side). -1: not a p99.
 */
static long long above_bound(const char *metric, const char *iface,
			     const struct nb_view *v, double bound)
{
	const struct nb_ifview *f = by_name(v, iface);
	const struct nb_hist *h;
	u64 above = 0;
	unsigned int i;

	if (strcmp(metric, "coll_p99_ns") || !f || !f->has_rcv)
		return -1;
	h = &f->h[metrics[2].hk];
	for (i = 0; i < NB_HIST_BUCKETS; i++)
		if ((double)nb_bucket_high(i) > bound)
			above += h->b[i];
	return (long long)above;
}

/*
 * P(X >= k) for X ~ Binomial(n, p), 0 < p < 1, summed upward from k while
 * the terms matter (they fall geometrically past the mean); only called
 * with k above the mean n * p.
 */
static double binom_tail(u64 n, u64 k, double p)
{
	double lc = lgamma((double)n + 1), sum = 0, t;
	u64 i;

	for (i = k; i <= n; i++) {
		t = exp(lc - lgamma((double)i + 1) -
			lgamma((double)(n - i) + 1) + (double)i * log(p) +
			(double)(n - i) * log1p(-p));
		sum += t;
		if (t < 1e-17 * sum || t == 0)
			break;
	}
	return sum;
}

#define P99_ALPHA	0.05	/* a p99 bound fails below this p-value */

/*
 * Held, not held, or why it cannot be told. A p99 bound claims that at
 * most 1% of the samples lie above it. Even when that is exactly true,
 * about n/100 of n samples do, and the sample's own p99 lies above the
 * bound about one time in three (n = 100 to 1000). So a p99 is judged by
 * the count above the bound (above >= 0): held when at most 1% are, or
 * when a true p99 at the bound gives that many or more at least 5% of the
 * time (one-sided binomial test); not held otherwise.
 */
static const char *verdict(const struct cmp *c, const char *metric,
			   struct mval a, double bound, long long above)
{
	size_t l = strlen(metric);

	if (c->after_spans_reset)
		return "reset since the baseline";
	if (!a.has)
		return "no value";
	/* a rate stands on its own; p99 and percentages need samples */
	if (!(l > 6 && !strcmp(metric + l - 6, "_per_s")) &&
	    a.n < NB_MIN_SAMPLES)
		return "too few samples";
	if (isnan(a.x))
		return "no value";
	if (above >= 0)
		return (u64)above * 100 <= a.n ||
		       binom_tail(a.n, (u64)above, 0.01) >= P99_ALPHA ?
		       "held" : "not held";
	return a.x <= bound ? "held" : "not held";
}

static const struct em_key K_PSYSCTL = EM_KEY("sysctl", "sysctl", EM_COUNT, 0);
static const struct em_key K_PVALUE = EM_KEY("value", "value", EM_COUNT, 0);
static const struct em_key K_PSCOPE = EM_KEY("scope", NULL, EM_COUNT, 0);
static const struct em_key K_PIFACE = EM_KEY("iface", "iface", EM_COUNT, 0);
static const struct em_key K_APPLIED = EM_KEY("applied", "applied", EM_COUNT,
					   0);
static const struct em_key K_EXPECT = EM_KEY("expect", NULL, EM_COUNT, 0);
static const struct em_key K_EXPECT_T = EM_KEY("expect", "expect", EM_COUNT,
					    EM_K_NOJSON);
static const struct em_key K_BEFORE_T = EM_KEY("before", "before", EM_COUNT,
					    EM_K_NOJSON);
static const struct em_key K_AFTER_T = EM_KEY("after", "after", EM_COUNT,
					   EM_K_NOJSON);
static const struct em_key K_ABOVE = EM_KEY("after_above", "above", EM_COUNT,
					   0);
static const struct em_key K_VERDICT = EM_KEY("verdict", "verdict", EM_COUNT,
					   0);
static const struct em_key K_PREC = EM_KEY("proposals_recorded", NULL,
					EM_COUNT, 0);
static const struct em_key K_BEFORE_J = EM_KEY("before", NULL, EM_COUNT, 0);
static const struct em_key K_AFTER_J = EM_KEY("after", NULL, EM_COUNT, 0);

static void emit_pnum(struct emitter *em, const struct em_key *k, double x)
{
	if (isnan(x))
		em_null(em, k);
	else
		em_f64(em, k, x);
}

static void emit_proposals(struct cmp *c, const struct nb_baseline *b,
			   const struct nb_snapshot *now)
{
	const struct nb_proposals *ps = &b->props;
	char txt[32];
	size_t i, k;

	em_bool(c->em, &K_PREC, b->has_props);
	if (!b->has_props)
		em_note(c->em, "note: this baseline file (version %u) records "
			"no proposals: it was saved by a netbuf from before "
			"proposals; the figures below compare as before, but "
			"no expected effect can be checked (save a new "
			"baseline)", b->version);
	else if (!ps->n)
		em_note(c->em, "no proposals were made when the baseline was "
			"saved: nothing to check");
	em_list_begin(c->em, "proposals", "Proposals recorded in the "
		      "baseline: expected vs measured", 0);
	for (i = 0; i < ps->n; i++) {
		const struct nb_proposal *p = &ps->p[i];
		int applied = nb_proposal_applied(p, &now->sysctl);

		for (k = 0; k < p->nexpect; k++) {
			const char *m = p->expect[k].metric;
			double bound = p->expect[k].bound;
			struct mval bv = expect_value(m, p->iface, c->before);
			struct mval av = expect_value(m, p->iface, c->after);
			long long above = above_bound(m, p->iface, c->after,
						      bound);

			em_row_begin(c->em, 0);
			em_str(c->em, &K_PIFACE, p->iface[0] ? p->iface : NULL);
			em_str(c->em, &K_PSYSCTL, p->sysctl);
			em_str(c->em, &K_PVALUE, p->value);
			em_str(c->em, &K_PSCOPE, p->scope);
			if (applied < 0)
				em_null(c->em, &K_APPLIED);
			else
				em_bool(c->em, &K_APPLIED, applied);
			em_str(c->em, &K_METRIC, m);
			em_f64(c->em, &K_EXPECT, bound);
			nb_fmt_metric(txt, sizeof(txt), m, bound);
			em_str(c->em, &K_EXPECT_T, txt);
			emit_pnum(c->em, &K_BEFORE_J, bv.x);
			nb_fmt_metric(txt, sizeof(txt), m, bv.x);
			em_str(c->em, &K_BEFORE_T, txt);
			if (bv.has)
				em_u64(c->em, &K_BEFORE_N, bv.n);
			else
				em_null(c->em, &K_BEFORE_N);
			emit_pnum(c->em, &K_AFTER_J, av.x);
			nb_fmt_metric(txt, sizeof(txt), m, av.x);
			em_str(c->em, &K_AFTER_T, txt);
			if (av.has)
				em_u64(c->em, &K_AFTER_N, av.n);
			else
				em_null(c->em, &K_AFTER_N);
			if (above >= 0)
				em_u64(c->em, &K_ABOVE, (u64)above);
			else
				em_null(c->em, &K_ABOVE);
			em_str(c->em, &K_VERDICT,
			       verdict(c, m, av, bound, above));
			em_row_end(c->em);
		}
	}
	em_list_end(c->em);
}

static const struct em_key K_FILE = EM_KEY("file", "file", EM_COUNT, 0);
static const struct em_key K_SAVED_BY = EM_KEY("saved_by", NULL, EM_COUNT, 0);
static const struct em_key K_KERNEL = EM_KEY("kernel", "kernel", EM_COUNT, 0);
static const struct em_key K_BOOT_ID = EM_KEY("boot_id", NULL, EM_COUNT, 0);
static const struct em_key K_MODULE = EM_KEY("module_version", "module",
					  EM_COUNT, 0);
static const struct em_key K_PERIOD = EM_KEY("period_s", "period", EM_SECS, 0);
static const struct em_key K_BASIS = EM_KEY("basis", "basis", EM_COUNT, 0);
static const struct em_key K_RESET = EM_KEY("reset", "reset", EM_COUNT, 0);
static const struct em_key K_REASON = EM_KEY("reset_reason", "because",
					  EM_COUNT, 0);
static const struct em_key K_EVICTED = EM_KEY("evicted_rows", "evicted rows",
					   EM_COUNT, 0);
static const struct em_key K_MIN = EM_KEY("min_samples", NULL, EM_COUNT, 0);

static void emit_snapinfo(struct emitter *em, const char *key,
			  const struct nb_snapshot *s, const char *file,
			  const char *tool)
{
	em_obj_begin(em, key, key);
	if (file)
		em_str(em, &K_FILE, file);
	keys_time(em, s->realtime_ns, 1);
	em_str(em, &K_KERNEL, s->kernel);
	em_str(em, &K_BOOT_ID, s->boot_id[0] ? s->boot_id : NULL);
	em_str(em, &K_MODULE, s->ver.module);
	em_str(em, &K_NETNS, s->netns);
	if (tool)
		em_str(em, &K_SAVED_BY, tool);
	em_obj_end(em);
}

static void emit_period(struct emitter *em, const char *key,
			const struct nb_view *v, const char *basis)
{
	em_obj_begin(em, key, key);
	if (v && v->secs > 0)
		em_f64(em, &K_PERIOD, v->secs);
	else
		em_null(em, &K_PERIOD);
	em_str(em, &K_BASIS, basis);
	em_obj_end(em);
}

struct cmp_input {
	const char *file;
	const struct nb_baseline *b;
	const struct nb_snapshot *now;
	const struct nb_view *before, *after;
	const char *basis;
	struct cmp_status st;
	int after_spans_reset;
};

static void compare_emit(struct emitter *em, const struct nb_opts *o,
			 const struct cmp_input *in)
{
	const struct nb_snapshot *base = &in->b->snap[in->b->n - 1];
	const struct cmp_status *st = &in->st;
	struct cmp c = { em, o, in->before, in->after, st,
			 in->after_spans_reset };
	double bs = in->before ? in->before->secs : 0, as = in->after->secs;

	em_doc_begin(em, "netbuf-compare/4");
	emit_snapinfo(em, "baseline", base, in->file, in->b->tool);
	emit_snapinfo(em, "current", in->now, NULL, NULL);
	em_obj_begin(em, "since_baseline", "since the baseline");
	em_bool(em, &K_RESET, st->reset[0] != '\0');
	em_str(em, &K_REASON, st->reset[0] ? st->reset : NULL);
	em_u64(em, &K_EVICTED, st->evicted);
	em_obj_end(em);
	emit_period(em, "before", in->before, in->before ?
		    "measured when the baseline was saved" :
		    "none (saved with -i 0)");
	emit_period(em, "after", in->after, in->basis);
	em_u64(em, &K_MIN, NB_MIN_SAMPLES);
	if (st->reset[0])
		em_note(em, "note: %s since the baseline%s", st->reset,
			in->after_spans_reset ? ": rates since then are "
			"unknown, p99 and max cover the time since the reset, "
			"and nothing is compared; without -i 0, compare "
			"measures a fresh period" : "");
	if (in->before && bs > 0 && as > 0 && (as > bs * 1.1 || bs > as * 1.1))
		em_note(em, "note: the periods differ (before %.1f s, after "
			"%.1f s): rates are per second, p99 and max are of "
			"unequal spans", bs, as);
	em_note(em, "n: events (rates), samples (p99, max), polls (%%); no "
		"change below %d in either period", NB_MIN_SAMPLES);
	emit_ifaces(&c);
	emit_softnet(&c);
	emit_sysctls(em, &base->sysctl, &in->now->sysctl);
	emit_proposals(&c, in->b, in->now);
	em_doc_end(em);
}

/* What happened between the baseline and now. */
static void since_status(const struct nb_snapshot *base,
			 const struct nb_snapshot *now, struct nb_view *since,
			 struct cmp_status *st)
{
	st->rebooted = nb_rebooted(base, now);
	if (nb_view_build(base, now, since, st->reset, sizeof(st->reset)) < 0)
		return;
	st->evicted = since->evicted;
}

/* A fresh period of secs, now -> next (now becomes next). */
static int fresh_view(const struct nb_opts *o, double secs,
		      struct nb_snapshot *now, struct nb_view *v)
{
	struct nb_snapshot next;
	char why[256];

	if (nb_sleep(secs) < 0 || nb_load(o, &next, 0) < 0)
		return -1;
	if (nb_view_build(now, &next, v, why, sizeof(why)) < 0) {
		nb_snapshot_free(&next);
		fprintf(stderr, "netbuf: during the measurement %s\n", why);
		return -1;
	}
	nb_snapshot_free(now);
	*now = next;
	return 0;
}

/*
 * The "after" period: by default a fresh one as long as the saved one;
 * -i SECS: a fresh one of SECS; -i 0 (or a baseline without a period):
 * since the baseline, or since the reset when there was one.
 */
static int after_view(const struct nb_opts *o, const struct nb_view *before,
		      struct nb_snapshot *now, struct nb_view *since,
		      struct nb_view *v, struct cmp_input *in)
{
	double secs = o->has_interval ? o->interval : before ? before->secs
							     : 0;

	if (secs > 0) {
		in->basis = o->has_interval ? "a fresh period of -i SECS" :
			    "a fresh period as long as the saved one";
		return fresh_view(o, secs, now, v);
	}
	if (!in->st.reset[0]) {
		in->basis = "since the baseline";
		*v = *since;
		memset(since, 0, sizeof(*since));
		return 0;
	}
	in->basis = "since the counters were reset";
	in->after_spans_reset = 1;
	return nb_view_build(NULL, now, v, NULL, 0);	/* cannot fail */
}

int cmd_baseline_compare(const struct nb_opts *o, int argc, char **argv)
{
	struct nb_view before, after, since;
	struct cmp_input in = { 0 };
	struct nb_baseline b;
	struct nb_snapshot now;
	struct emitter *em;
	char why[256];
	struct nb_err e;
	int r = NB_EXIT_RUNTIME;

	if (argc != 1)
		return nb_usage("baseline compare: expected one FILE (see "
				"'netbuf help baseline')");
	if (nb_baseline_load(argv[0], &b, &e) < 0)
		return nb_fail(&e);
	memset(&before, 0, sizeof(before));
	memset(&since, 0, sizeof(since));
	if (b.n == 2 && nb_view_build(&b.snap[0], &b.snap[1], &before, why,
				      sizeof(why)) < 0) {
		fprintf(stderr, "netbuf: %s: corrupt: %s within the saved "
			"period\n", argv[0], why);
		goto out_b;
	}
	if (nb_load(o, &now, 1) < 0)
		goto out_before;
	since_status(&b.snap[b.n - 1], &now, &since, &in.st);
	if (after_view(o, b.n == 2 ? &before : NULL, &now, &since, &after,
		       &in) < 0)
		goto out_now;
	in.file = argv[0];
	in.b = &b;
	in.now = &now;
	in.before = b.n == 2 ? &before : NULL;
	in.after = &after;
	em = em_open(o->fmt, 0);
	compare_emit(em, o, &in);
	r = nb_output(em);
	nb_view_free(&after);
out_now:
	nb_snapshot_free(&now);
out_before:
	nb_view_free(&since);
	nb_view_free(&before);
out_b:
	nb_baseline_free(&b);
	return r;
}
