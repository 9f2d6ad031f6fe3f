// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf baseline save [-i SECS] FILE: measure a period and save it.
 * netbuf baseline compare [-i SECS] FILE: that period's figures ("before")
 * next to the current ones ("after": since the baseline, or a fresh period
 * of SECS), per interface, for softnet and for the sysctls.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "baseline.h"
#include "cli.h"
#include "keys.h"
#include "view.h"

#define SAVE_DEFAULT_SECS 5.0

int cmd_baseline_save(const struct nb_opts *o, int argc, char **argv)
{
	double secs = o->has_interval ? o->interval : SAVE_DEFAULT_SECS;
	struct nb_snapshot s[2];
	char why[256];
	struct nb_view v;
	struct nb_err e;
	size_t n = secs > 0 ? 2 : 1;
	int r = NB_EXIT_RUNTIME;

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
	if (n == 2)
		nb_view_free(&v);
	if (nb_baseline_save(argv[0], s, n, &e) < 0)
		nb_fail(&e);
	else
		r = NB_EXIT_OK;
out:
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

struct cmp {
	struct emitter *em;
	const struct nb_opts *o;
	const struct nb_view *before;	/* NULL: saved without a period */
	const struct nb_view *after;
};

/* A metric of one interface in a view; NaN when there is none. */
static double metric_value(const struct metric *m, const struct nb_view *v,
			   const struct nb_ifview *f)
{
	u64 x;

	if (!f || !(m->napi ? f->has_napi : f->has_rcv))
		return NAN;
	switch (m->type) {
	case M_RATE:
		return nb_view_rate(v, m->napi ? f->napi[m->col] :
				    f->rcv[m->col]);
	case M_P99:
		return nb_ifview_pct(f, m->hk, 99, &x) < 0 ? NAN : (double)x;
	case M_MAX:
		return f->h[m->hk].samples ? (double)f->h[m->hk].max : NAN;
	case M_EXH_PCT:
		return f->napi[NP_POLLS] ? 100.0 * (double)f->napi[NP_EXHAUSTED]
			/ (double)f->napi[NP_POLLS] : NAN;
	}
	return NAN;
}

static enum em_unit metric_unit(const struct metric *m)
{
	return m->type == M_RATE ? EM_RATE : m->type == M_EXH_PCT ? EM_PCT
								  : EM_NS;
}

static const struct em_key K_METRIC = { "metric", "metric", NULL, NULL, NULL,
	EM_COUNT, 0 };
static const struct em_key K_BEFORE = { "before", "before", NULL, NULL, NULL,
	EM_COUNT, 0 };
static const struct em_key K_AFTER = { "after", "after", NULL, NULL, NULL,
	EM_COUNT, 0 };
static const struct em_key K_CHANGE = { "change_pct", "change", NULL, NULL,
	NULL, EM_PCT, 0 };
static const struct em_key K_CIFACE = { "iface", "iface", NULL, NULL, NULL,
	EM_COUNT, 0 };

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

static void emit_pair(struct emitter *em, double b, double a,
		      enum em_unit u)
{
	emit_num(em, &K_BEFORE, b, u);
	emit_num(em, &K_AFTER, a, u);
	if (!isnan(a) && !isnan(b) && b > 0)
		em_f64(em, &K_CHANGE, 100.0 * (a - b) / b);
	else
		em_null(em, &K_CHANGE);
}

static int hidden(const struct cmp *c, double b, double a)
{
	return !c->o->zeros && (isnan(b) || b == 0) && (isnan(a) || a == 0);
}

static void emit_iface(struct cmp *c, const char *iface, long long ifindex)
{
	const struct nb_ifview *fb = c->before ?
		nb_view_find(c->before, iface, ifindex) : NULL;
	const struct nb_ifview *fa = nb_view_find(c->after, iface, ifindex);
	size_t i;

	for (i = 0; i < NB_ARRAY_SIZE(metrics); i++) {
		const struct metric *m = &metrics[i];
		double b = c->before ? metric_value(m, c->before, fb) : NAN;
		double a = metric_value(m, c->after, fa);

		if (hidden(c, b, a))
			continue;
		em_row_begin(c->em, 0);
		em_str(c->em, &K_CIFACE, iface);
		if (ifindex >= 0)
			em_i64(c->em, &K_IFINDEX, ifindex);
		else
			em_null(c->em, &K_IFINDEX);
		em_str(c->em, &K_METRIC, m->name);
		emit_pair(c->em, b, a, metric_unit(m));
		em_row_end(c->em);
	}
}

static void emit_ifaces(struct cmp *c)
{
	size_t i;

	em_list_begin(c->em, "interfaces", "Per interface", 0);
	for (i = 0; i < c->after->n; i++)
		emit_iface(c, c->after->ifs[i].iface, c->after->ifs[i].ifindex);
	for (i = 0; c->before && i < c->before->n; i++) {
		const struct nb_ifview *f = &c->before->ifs[i];

		if (!nb_view_find(c->after, f->iface, f->ifindex))
			emit_iface(c, f->iface, f->ifindex);
	}
	em_list_end(c->em);
}

static double softnet_rate(const struct nb_view *v, int field)
{
	u64 sum = 0;
	size_t i;

	if (!v || !v->ncpus)
		return NAN;
	for (i = 0; i < v->ncpus; i++)
		sum += field == 0 ? v->cpus[i].processed : field == 1 ?
		       v->cpus[i].dropped : v->cpus[i].squeeze;
	return nb_view_rate(v, sum);
}

static void emit_softnet(struct cmp *c)
{
	static const char *const names[] = { "processed_per_s",
		"dropped_per_s", "time_squeeze_per_s" };
	int i;

	em_list_begin(c->em, "softnet", "Softnet (all CPUs)", 0);
	for (i = 0; i < 3; i++) {
		double b = softnet_rate(c->before, i);
		double a = softnet_rate(c->after, i);

		if (hidden(c, b, a))
			continue;
		em_row_begin(c->em, 0);
		em_str(c->em, &K_METRIC, names[i]);
		emit_pair(c->em, b, a, EM_RATE);
		em_row_end(c->em);
	}
	em_list_end(c->em);
}

static const struct em_key K_SCNAME = { "name", "sysctl", NULL, NULL, NULL,
	EM_COUNT, 0 };
static const struct em_key K_CHANGED = { "changed", "changed", NULL, NULL,
	NULL, EM_COUNT, 0 };

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

static void iso_time(char *buf, size_t n, u64 ns)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, n, "-");
}

static const struct em_key K_FILE = { "file", "file", NULL, NULL, NULL,
	EM_COUNT, 0 };
static const struct em_key K_SAVED = { "saved", "saved", NULL, NULL, NULL,
	EM_COUNT, 0 };
static const struct em_key K_TIME = { "time", "time", NULL, NULL, NULL,
	EM_COUNT, 0 };
static const struct em_key K_RT = { "realtime_ns", NULL, NULL, NULL, NULL,
	EM_COUNT, 0 };
static const struct em_key K_KERNEL = { "kernel", "kernel", NULL, NULL, NULL,
	EM_COUNT, 0 };
static const struct em_key K_MODULE = { "module_version", "module", NULL,
	NULL, NULL, EM_COUNT, 0 };
static const struct em_key K_SAVED_BY = { "saved_by", NULL, NULL, NULL, NULL,
	EM_COUNT, 0 };
static const struct em_key K_PERIOD = { "period_s", "period", NULL, NULL,
	NULL, EM_SECS, 0 };
static const struct em_key K_BASIS = { "basis", "basis", NULL, NULL, NULL,
	EM_COUNT, 0 };
static const struct em_key K_RESET = { "reset", "reset", NULL, NULL, NULL,
	EM_COUNT, 0 };
static const struct em_key K_REASON = { "reset_reason", "because", NULL,
	NULL, NULL, EM_COUNT, 0 };

static void emit_snapinfo(struct emitter *em, const char *key,
			  const struct nb_snapshot *s, const char *file,
			  const char *tool)
{
	char iso[40];

	iso_time(iso, sizeof(iso), s->realtime_ns);
	em_obj_begin(em, key, key);
	if (file)
		em_str(em, &K_FILE, file);
	em_str(em, file ? &K_SAVED : &K_TIME, iso);
	em_u64(em, &K_RT, s->realtime_ns);
	em_str(em, &K_KERNEL, s->kernel);
	em_str(em, &K_MODULE, s->ver.module);
	em_str(em, &K_NETNS, s->netns);
	if (tool)
		em_str(em, &K_SAVED_BY, tool);
	em_obj_end(em);
}

static void emit_period(struct emitter *em, const char *key,
			const struct nb_view *v, const char *basis,
			const char *reset)
{
	em_obj_begin(em, key, key);
	if (v && v->secs > 0)
		em_f64(em, &K_PERIOD, v->secs);
	else
		em_null(em, &K_PERIOD);
	em_str(em, &K_BASIS, basis);
	if (reset) {
		em_bool(em, &K_RESET, *reset != '\0');
		em_str(em, &K_REASON, *reset ? reset : NULL);
	}
	em_obj_end(em);
}

struct cmp_input {
	const char *file;
	const struct nb_baseline *b;
	const struct nb_snapshot *now;
	const struct nb_view *before, *after;
	const char *basis;
	const char *reset;	/* "" when none */
};

static void compare_emit(struct emitter *em, const struct nb_opts *o,
			 const struct cmp_input *in)
{
	const struct nb_snapshot *base = &in->b->snap[in->b->n - 1];
	struct cmp c = { em, o, in->before, in->after };

	em_doc_begin(em, "netbuf-compare/1");
	emit_snapinfo(em, "baseline", base, in->file, in->b->tool);
	emit_snapinfo(em, "current", in->now, NULL, NULL);
	emit_period(em, "before", in->before, in->before ?
		    "measured when the baseline was saved" :
		    "none (saved with -i 0)", NULL);
	emit_period(em, "after", in->after, in->basis, in->reset);
	if (*in->reset)
		em_note(em, "note: %s since the baseline: rates since then "
			"are unknown, p99 and max cover the time since the "
			"reset; -i SECS measures a fresh period", in->reset);
	emit_ifaces(&c);
	emit_softnet(&c);
	emit_sysctls(em, &base->sysctl, &in->now->sysctl);
	em_doc_end(em);
}

/* The "after" view: a fresh period, since the baseline, or since reset. */
static int after_view(const struct nb_opts *o, const struct nb_snapshot *base,
		      struct nb_snapshot *now, struct nb_view *v,
		      struct cmp_input *in, char *why, size_t whylen)
{
	struct nb_snapshot next;

	*why = '\0';
	in->reset = why;
	if (o->has_interval) {
		in->basis = "a fresh period measured now";
		if (nb_sleep(o->interval) < 0 || nb_load(o, &next, 0) < 0)
			return -1;
		if (nb_view_build(now, &next, v, why, whylen) < 0) {
			nb_snapshot_free(&next);
			fprintf(stderr, "netbuf: during the measurement %s\n",
				why);
			return -1;
		}
		nb_snapshot_free(now);
		*now = next;
		return 0;
	}
	in->basis = "since the baseline";
	if (nb_view_build(base, now, v, why, whylen) == 0)
		return 0;
	in->basis = "since the counters were reset";
	return nb_view_build(NULL, now, v, NULL, 0);	/* cannot fail */
}

int cmd_baseline_compare(const struct nb_opts *o, int argc, char **argv)
{
	struct nb_view before, after;
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
	if (b.n == 2 && nb_view_build(&b.snap[0], &b.snap[1], &before, why,
				      sizeof(why)) < 0) {
		fprintf(stderr, "netbuf: %s: corrupt: %s within the saved "
			"period\n", argv[0], why);
		goto out_b;
	}
	if (nb_load(o, &now, 1) < 0)
		goto out_before;
	if (after_view(o, &b.snap[b.n - 1], &now, &after, &in, why,
		       sizeof(why)) < 0)
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
	nb_view_free(&before);
out_b:
	nb_baseline_free(&b);
	return r;
}
