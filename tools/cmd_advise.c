// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf advise [-i SECS]: what the figures and sysctls mean, in plain
 * words, each finding citing the figures it rests on. The thresholds below
 * are documented in netbuf(8), ADVICE.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advice.h"
#include "cli.h"
#include "stats.h"
#include "view.h"

#define ADV_MIN_SAMPLES		NB_MIN_SAMPLES	/* before a p99 is trusted */
#define ADV_COLLAPSE_P99_NS	1000000ull	/* 1 ms */
#define ADV_COLLAPSE_MAX_NS	10000000ull	/* 10 ms, a single call */
#define ADV_RMEM_MAX_BYTES	(4ll << 20)	/* Cloudflare's 2015 fix */
#define ADV_PRUNE_DROPS		1		/* any RcvPruned */
#define ADV_OFO_CALLS		1		/* any out-of-order prune */
#define ADV_UNSEEN_PRUNES	1		/* any memory-pressure prune */
#define ADV_MIN_POLLS		1000		/* before a ratio is trusted */
#define ADV_EXHAUSTED_PCT	1.0		/* of polls */
#define ADV_POLL_P99_NS		1000000ull	/* 1 ms */
#define ADV_SQUEEZE_PCT		0.1		/* of packets processed */
#define ADV_SOFTNET_DROPS	1		/* any backlog drop */
#define ADV_MAX_CPUS_LISTED	8
#define ADV_RMEM_FLOOR		(1ll << 20)	/* smallest tcp_rmem max proposed */
#define ADV_COST_PCT		90	/* percentile of collapse ns per byte */
#define ADV_COST_SPREAD		2	/* one collapse may cost that many times
					   the rate per byte (p99 expected) */
#define ADV_BUDGET_MAX		3000	/* netdev_budget, 10x the default */
#define ADV_BACKLOG_DEFAULT	1000	/* netdev_max_backlog, the kernel's */
#define ADV_QUEUE_MIN_PKTS	10000	/* an interface's instances, before
					   an imbalance is trusted */
#define ADV_QUEUE_SHARE_PCT	50	/* the busiest instance's share above
					   this, and above twice the fair
					   share (2 / rxqueues) */

struct adv {
	struct emitter *em;	/* NULL: proposals only */
	const struct nb_snapshot *s;
	const struct nb_view *v;
	const struct nb_evlog *log;	/* NULL: no events log */
	struct nb_proposals *props;
	unsigned int warnings;
};

static const struct em_key K_LEVEL = EM_KEY("level", "level", EM_COUNT, 0);
static const struct em_key K_TOPIC = EM_KEY("topic", NULL, EM_COUNT, 0);
static const struct em_key K_SUBJECT = EM_KEY("iface", NULL, EM_COUNT, 0);
static const struct em_key K_TEXT = EM_KEY("text", "finding", EM_COUNT, 0);

static void finding(struct adv *a, const char *level, const char *topic,
		    const char *iface, const char *fmt, ...) NB_PRINTF(5, 6);

static void finding(struct adv *a, const char *level, const char *topic,
		    const char *iface, const char *fmt, ...)
{
	char text[2048];
	size_t n = 0;
	va_list ap;

	if (iface)
		n = (size_t)snprintf(text, sizeof(text), "%s: ", iface);
	va_start(ap, fmt);
	vsnprintf(text + n, sizeof(text) - n, fmt, ap);
	va_end(ap);
	a->warnings += !strcmp(level, "warn");
	if (!a->em)
		return;
	em_row_begin(a->em, 0);
	em_str(a->em, &K_LEVEL, level);
	em_str(a->em, &K_TOPIC, topic);
	em_str(a->em, &K_SUBJECT, iface);
	em_str(a->em, &K_TEXT, text);
	em_row_end(a->em);
}

static const char *sysctl_str(const struct adv *a, enum nb_sysctl_id id)
{
	return a->s->sysctl.present[id] ? a->s->sysctl.raw[id] : "unknown";
}

/* "net.ipv4.tcp_rmem max 6291456 (6.0 MiB)" */
static void rmem_max(const struct adv *a, char *buf, size_t n,
		     long long *max)
{
	char human[32];

	*max = -1;
	if (!a->s->sysctl.present[SC_TCP_RMEM]) {
		snprintf(buf, n, "net.ipv4.tcp_rmem unknown");
		return;
	}
	*max = a->s->sysctl.v[SC_TCP_RMEM][2];
	nb_fmt_bytes(human, sizeof(human), (u64)(*max < 0 ? 0 : *max));
	snprintf(buf, n, "net.ipv4.tcp_rmem max %lld (%s)", *max, human);
}

/* ---- events of one interface ---- */

static int ev_of(const struct nb_event *ev, const struct nb_ifview *f)
{
	return f->ifindex > 0 && ev->ifindex == f->ifindex;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* What the slow collapses of one interface say about tcp_rmem max. */
struct rmem_ev {
	size_t n;		/* collapses with a known rmem and rcvbuf */
	size_t at_cap;		/* rcvbuf == tcp_rmem max: autotuned to it */
	u64 stall, stall_cap;	/* their durations, all and at the cap */
	double cost;		/* ns per byte of queue, ADV_COST_PCT-ile */
	long long lo, hi;	/* rcvbuf range of those not at the cap */
	size_t other_slow;	/* not at the cap and above the bound */
	u64 other_max;		/* their longest */
};

static void rmem_events(const struct adv *a, const struct nb_ifview *f,
			long long cap, struct rmem_ev *r)
{
	const struct nb_evlog *log = a->log;
	double *cost;
	size_t i, k = 0;

	memset(r, 0, sizeof(*r));
	r->lo = -1;
	if (!log || !log->n)
		return;
	cost = nb_xcalloc(log->n, sizeof(*cost));
	for (i = 0; i < log->n; i++) {
		const struct nb_event *ev = &log->ev[i];

		if (ev->prune || !ev_of(ev, f) || ev->rmem[0] <= 0 ||
		    ev->rcvbuf[0] < 0)
			continue;
		cost[k++] = (double)ev->dur_ns / (double)ev->rmem[0];
		r->stall += ev->dur_ns;
		if (ev->rcvbuf[0] == cap) {
			r->at_cap++;
			r->stall_cap += ev->dur_ns;
			continue;
		}
		if (r->lo < 0 || ev->rcvbuf[0] < r->lo)
			r->lo = ev->rcvbuf[0];
		if (ev->rcvbuf[0] > r->hi)
			r->hi = ev->rcvbuf[0];
	}
	r->n = k;
	if (k) {
		qsort(cost, k, sizeof(*cost), cmp_double);
		/* nearest rank */
		r->cost = cost[(k * ADV_COST_PCT + 99) / 100 - 1];
	}
	free(cost);
}

/* Durations above bound of the slow collapses not at the cap. */
static void rmem_others(const struct adv *a, const struct nb_ifview *f,
			long long cap, u64 bound, struct rmem_ev *r)
{
	size_t i;

	for (i = 0; a->log && i < a->log->n; i++) {
		const struct nb_event *ev = &a->log->ev[i];

		if (ev->prune || !ev_of(ev, f) || ev->rmem[0] <= 0 ||
		    ev->rcvbuf[0] < 0 || ev->rcvbuf[0] == cap ||
		    ev->dur_ns <= bound)
			continue;
		r->other_slow++;
		if (ev->dur_ns > r->other_max)
			r->other_max = ev->dur_ns;
	}
}

static void because(struct nb_proposal *p, const char *fmt, ...)
	NB_PRINTF(2, 3);

static void because(struct nb_proposal *p, const char *fmt, ...)
{
	va_list ap;

	if (p->nbecause >= NB_BECAUSE_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(p->because[p->nbecause++], NB_BECAUSE_LEN, fmt, ap);
	va_end(ap);
}

static void expect(struct nb_proposal *p, const char *metric, double bound)
{
	if (p->nexpect >= NB_EXPECT_MAX)
		return;
	snprintf(p->expect[p->nexpect].metric,
		 sizeof(p->expect[p->nexpect].metric), "%s", metric);
	p->expect[p->nexpect++].bound = bound;
}

/* Largest power of two <= x (x >= 1). */
static long long pow2_floor(double x)
{
	long long v = 1;

	while ((double)v * 2 <= x && v < (1ll << 40))
		v *= 2;
	return v;
}

/* The top of the log2 histogram bucket [2^k, 2^(k+1) - 1] that holds x:
 * 2^(k+1), the resolution netbuf measures a p99 at. */
static u64 bucket_end(u64 x)
{
	return 2 * (u64)pow2_floor((double)x);
}

/* A count of n events may be n + 3 sqrt(n) + 1 in a like period, by
 * chance alone (Poisson): the bound of "does not rise". */
static double count_bound(u64 n)
{
	return (double)n + 3 * sqrt((double)n) + 1;
}

/*
 * tcp_rmem max from the slow collapses of f: the proposal in *p (return 1),
 * or why there is none in why (return 0).
 */
static int rmem_propose(struct adv *a, const struct nb_ifview *f,
			const char *seen, u64 now, struct nb_proposal *p,
			char *why, size_t n)
{
	const long long *rm = a->s->sysctl.v[SC_TCP_RMEM];
	char capb[32], vb[32], costs[32], stall[32], stallc[32], at[32];
	long long cap, v, def;
	struct rmem_ev r;
	u64 pred, bound, spread, thr = a->log ? a->log->ctl[CTL_THRESHOLD_NS] : 0;
	int spread_dropped = 0;

	if (!a->s->sysctl.present[SC_TCP_RMEM]) {
		snprintf(why, n, "net.ipv4.tcp_rmem cannot be read: no value "
			 "proposed");
		return 0;
	}
	cap = rm[2];
	def = rm[1];
	nb_fmt_bytes(capb, sizeof(capb), (u64)(cap < 0 ? 0 : cap));
	rmem_events(a, f, cap, &r);
	if (!r.n) {
		snprintf(why, n, "no slow collapse of %s in the events log to "
			 "size a change from: no value proposed (lower "
			 "events_threshold_ns in /proc/netbuf/control and run "
			 "advise again)", f->iface);
		return 0;
	}
	if (!r.at_cap) {
		snprintf(why, n, "none of the %zu slow collapses in the events "
			 "log had rcvbuf at the tcp_rmem max %lld (theirs: "
			 "%lld to %lld): the application set SO_RCVBUF, or the "
			 "buffer never grew to the max, so tcp_rmem does not "
			 "bound these queues; no setting proposed: the "
			 "application lets its queue grow (it reads too "
			 "slowly)", r.n, cap, r.lo, r.hi);
		return 0;
	}
	v = pow2_floor((double)ADV_COLLAPSE_P99_NS / r.cost);
	if (v < ADV_RMEM_FLOOR)
		v = ADV_RMEM_FLOOR;
	if (v >= cap) {
		snprintf(why, n, "tcp_rmem max %lld is already at most %lld, "
			 "the value netbuf would propose: no lower value "
			 "proposed; the application lets its queue grow",
			 cap, v);
		return 0;
	}
	pred = (u64)ceil(r.cost * (double)v);
	pred = pred < thr ? thr : pred;
	rmem_others(a, f, cap, pred, &r);
	/* slow collapses this leaves alone, above p99: they bound it */
	if (r.other_slow * 100 >= f->h[NB_H_COLLAPSE].samples &&
	    r.other_max > pred)
		pred = r.other_max;
	bound = bucket_end(pred);
	/*
	 * One collapse of a queue that size may cost up to ADV_COST_SPREAD
	 * times the rate per byte: the bound expected allows that, unless
	 * it would then be no better than the p99 now.
	 */
	spread = (u64)ceil(r.cost * (double)v * ADV_COST_SPREAD);
	if (spread > pred) {
		if (bucket_end(spread) < now) {
			pred = spread;
			bound = bucket_end(pred);
		} else {
			spread_dropped = bound < now;
		}
	}
	if (bound >= now) {
		nb_fmt_duration(at, sizeof(at), bound);
		snprintf(why, n, "at tcp_rmem max %lld a collapse would still "
			 "take about %s, no better than now: no setting "
			 "proposed; the application lets its queue grow", v,
			 at);
		return 0;
	}

	memset(p, 0, sizeof(*p));
	snprintf(p->sysctl, sizeof(p->sysctl), "net.ipv4.tcp_rmem");
	snprintf(p->value, sizeof(p->value), "%lld %lld %lld", rm[0],
		 def > v ? v : def, v);
	snprintf(p->scope, sizeof(p->scope), "netns");
	snprintf(p->iface, sizeof(p->iface), "%s", f->iface);
	nb_fmt_bytes(vb, sizeof(vb), (u64)v);
	nb_fmt_duration(stall, sizeof(stall), r.stall);
	nb_fmt_duration(stallc, sizeof(stallc), r.stall_cap);
	nb_fmt_duration(at, sizeof(at), (u64)ceil(r.cost * (double)v));
	snprintf(costs, sizeof(costs), "%.3f", r.cost);
	because(p, "%s: %s", f->iface, seen);
	because(p, "%zu of the %zu slow collapses in the events log (stall %s "
		"of %s) had rcvbuf at the tcp_rmem max %lld (%s): autotuning "
		"grew those sockets to the max, so the max sets how long a "
		"queue gets collapsed", r.at_cap, r.n, stallc, stall, cap, capb);
	because(p, "a collapse costs %s ns per byte of receive queue (the "
		"%dth percentile of dur_ns / rmem_before over those %zu "
		"collapses)", costs, ADV_COST_PCT, r.n);
	if (v == ADV_RMEM_FLOOR && (double)v * r.cost > ADV_COLLAPSE_P99_NS)
		because(p, "at %lld (%s), the floor netbuf proposes (a smaller "
			"max caps the receive window, hence throughput), a "
			"collapse of a full queue takes about %s", v, vb, at);
	else
		because(p, "%lld (%s) is the largest power of two at which a "
			"collapse of a full queue stays under %s: about %s",
			v, vb, "1 ms", at);
	{
		char eb[32], pb[32], src[128];

		nb_fmt_duration(eb, sizeof(eb), bound);
		nb_fmt_duration(pb, sizeof(pb), pred);
		if (pred == spread)
			snprintf(src, sizeof(src), "%d times the %s above: one "
				 "collapse of a queue that size may cost up to "
				 "%d times the rate per byte", ADV_COST_SPREAD,
				 at, ADV_COST_SPREAD);
		else if (pred == r.other_max && r.other_slow)
			snprintf(src, sizeof(src), "the slowest collapse not "
				 "at the max");
		else if (pred == thr && thr > 0)
			snprintf(src, sizeof(src), "events_threshold_ns");
		else
			snprintf(src, sizeof(src), "the time above");
		because(p, "expected p99 at most %s: the top of the log2 "
			"bucket that holds %s, %s (netbuf measures a p99 to its "
			"bucket)%s", eb, pb, src, spread_dropped ? "; not "
			"doubled for the spread of one collapse's cost, which "
			"would be no better than the p99 now" : "");
	}
	if (r.n > r.at_cap)
		because(p, "%zu slow collapses had rcvbuf %lld to %lld, not at "
			"the max (set with SO_RCVBUF, or not grown to it): this "
			"change leaves them as they are%s", r.n - r.at_cap,
			r.lo, r.hi, pred == r.other_max ? ", and they bound "
			"the p99 expected" : "");
	expect(p, "coll_p99_ns", (double)bound);
	if (a->v->secs > 0)
		expect(p, "prune_drop_per_s",
		       count_bound(f->rcv[RB_PRUNE_DROP]) / a->v->secs);
	nb_fmt_duration(at, sizeof(at), bound);
	snprintf(why, n, "proposed: net.ipv4.tcp_rmem max %lld (%s), "
		 "expected collapse p99 at most %s", v, vb, at);
	return 1;
}

static void adv_collapse(struct adv *a, const struct nb_ifview *f)
{
	const struct nb_hist *h = &f->h[NB_H_COLLAPSE];
	char p99s[32], maxs[32], rmem[96], seen[320], tail[1024];
	struct nb_proposal p;
	long long max;
	u64 p99 = 0;
	int by_p99;

	if (!h->samples)
		return;
	by_p99 = h->samples >= ADV_MIN_SAMPLES &&
		 nb_hist_percentile(h, 99, &p99) == 0 &&
		 p99 >= ADV_COLLAPSE_P99_NS;
	if (!by_p99 && h->max < ADV_COLLAPSE_MAX_NS)
		return;
	nb_fmt_duration(p99s, sizeof(p99s), p99);
	nb_fmt_duration(maxs, sizeof(maxs), h->max);
	rmem_max(a, rmem, sizeof(rmem), &max);
	snprintf(seen, sizeof(seen), "tcp_collapse %s %s (max %s, %llu calls, "
		 "%llu skbs collapsed) with %s", by_p99 ? "p99" : "max",
		 by_p99 ? p99s : maxs, maxs, (unsigned long long)h->samples,
		 (unsigned long long)f->rcv[RB_COLL_SKBS], rmem);
	if (rmem_propose(a, f, seen, by_p99 ? p99 : h->max, &p, tail,
			 sizeof(tail)))
		nb_proposals_add(a->props, &p);
	finding(a, "warn", "collapse", f->iface, "%s: collapsing a long "
		"receive queue stalls the softirq on that CPU; %s", seen, tail);
}

/* 1 if release ("6.1.0-56-amd64") is older than major.minor. */
static int kernel_before(const char *release, int major, int minor)
{
	int ma = 0, mi = 0;

	if (sscanf(release, "%d.%d", &ma, &mi) != 2)
		return 1;	/* unknown: say it */
	return ma < major || (ma == major && mi < minor);
}

/* tcp_adv_win_scale only matters before 6.6, which replaced it by a
 * measured scaling_ratio. */
static void adv_prune(struct adv *a, const struct nb_ifview *f)
{
	char rmem[96], scale[112], seen[512] = "";
	size_t i, drops = 0, at_cap = 0, above = 0, below = 0;
	long long max, lo = -1, hi = 0;

	if (f->rcv[RB_PRUNE_DROP] < ADV_PRUNE_DROPS)
		return;
	rmem_max(a, rmem, sizeof(rmem), &max);
	snprintf(scale, sizeof(scale), ", net.ipv4.tcp_adv_win_scale %s",
		 sysctl_str(a, SC_ADV_WIN_SCALE));
	for (i = 0; a->log && i < a->log->n; i++) {
		const struct nb_event *ev = &a->log->ev[i];

		if (!ev->prune || !ev_of(ev, f) || ev->rcvbuf[0] < 0 ||
		    strcmp(ev->outcome, "drop"))
			continue;
		drops++;
		if (max >= 0 && ev->rcvbuf[0] == max)
			at_cap++;
		else if (max >= 0 && ev->rcvbuf[0] > max)
			above++;
		else
			below++;
		if (lo < 0 || ev->rcvbuf[0] < lo)
			lo = ev->rcvbuf[0];
		if (ev->rcvbuf[0] > hi)
			hi = ev->rcvbuf[0];
	}
	if (drops)
		snprintf(seen, sizeof(seen), "; in the events log %zu dropping "
			 "prunes had rcvbuf %lld to %lld: %zu at the tcp_rmem "
			 "max (full at the largest buffer autotuning gives), "
			 "%zu above it (set with SO_RCVBUF, which tcp_rmem does "
			 "not touch), %zu below it", drops, lo, hi, at_cap,
			 above, below);
	finding(a, "warn", "prune", f->iface,
		"%llu prune drops (RcvPruned) in %llu prune episodes (%s%s)%s: "
		"the queue stayed above its buffer after collapsing: the "
		"application reads slower than data arrives; no setting "
		"proposed: a larger buffer only holds more unread data and "
		"makes each collapse longer",
		(unsigned long long)f->rcv[RB_PRUNE_DROP],
		(unsigned long long)f->rcv[RB_PRUNE_CALLS], rmem,
		kernel_before(a->s->ver.running, 6, 6) ? scale : "", seen);
}

static void adv_ofo(struct adv *a, const struct nb_ifview *f)
{
	if (f->rcv[RB_OFO_CALLS] < ADV_OFO_CALLS)
		return;
	finding(a, "warn", "ofo_prune", f->iface,
		"the out-of-order queue was pruned %llu times (%llu segments, "
		"%llu bytes): under memory pressure while repairing loss or "
		"reordering, received data was thrown away and must be sent "
		"again; see the prune advice, and the path's loss",
		(unsigned long long)f->rcv[RB_OFO_CALLS],
		(unsigned long long)f->rcv[RB_OFO_SEGS],
		(unsigned long long)f->rcv[RB_OFO_BYTES]);
}

/* The namespace's total row, or NULL. */
static const struct nb_ifview *adv_total(const struct adv *a)
{
	size_t i;

	for (i = 0; i < a->v->n; i++)
		if (a->v->ifs[i].kind == NB_ROW_TOTAL)
			return &a->v->ifs[i];
	return NULL;
}

/* Prunes no hook saw: those of a socket below its buffer that the kernel
 * refused memory (prune_unseen, only on the unknown row, so the total's). */
static void adv_pressure(struct adv *a)
{
	const struct nb_ifview *t = adv_total(a);

	if (!t || t->rcv[RB_PRUNE_UNSEEN] < ADV_UNSEEN_PRUNES)
		return;
	finding(a, "warn", "pressure", NULL,
		"%llu prune episodes ran under socket memory pressure "
		"(prune_unseen: PruneCalled minus the %llu episodes netbuf "
		"saw begin): the kernel refused receive memory to sockets "
		"still below their buffer, because TCP's memory "
		"(/proc/net/sockstat, TCP mem, in pages) passed "
		"net.ipv4.tcp_mem (host-wide) or a cgroup reached its memory "
		"limit; every socket's window shrinks meanwhile, whatever "
		"its interface (netbuf cannot tell which: they count on the "
		"unknown row); no setting proposed: tcp_mem and memory limits "
		"are the host's memory budget, see README \"Memory "
		"pressure\"",
		(unsigned long long)t->rcv[RB_PRUNE_UNSEEN],
		(unsigned long long)t->rcv[RB_PRUNE_CALLS]);
}

/* Calls a preemptible kernel switched out: counted, in no duration. */
static void adv_preempted(struct adv *a, const struct nb_ifview *f)
{
	u64 cp = f->rcv[RB_COLL_PREEMPTED], pp = f->rcv[RB_PRUNE_PREEMPTED];

	if (!cp && !pp)
		return;
	finding(a, "info", "preempted", f->iface,
		"%llu of %llu collapse calls and %llu of %llu prune episodes "
		"were preempted in the middle (a preempt full or rt kernel): "
		"counted, but their wall time, which includes time off the "
		"CPU, is in no duration, percentile or event; the stalls "
		"they caused are not measured",
		(unsigned long long)cp,
		(unsigned long long)f->rcv[RB_COLL_CALLS],
		(unsigned long long)pp,
		(unsigned long long)f->rcv[RB_PRUNE_CALLS]);
}

static void adv_napi(struct adv *a, const struct nb_ifview *f)
{
	u64 polls = f->napi[NP_POLLS], exh = f->napi[NP_EXHAUSTED], p99;
	double pct = polls ? 100.0 * (double)exh / (double)polls : 0;
	const struct nb_hist *h = &f->h[NB_H_NAPI_NS];
	char p99s[32];

	if (polls >= ADV_MIN_POLLS && pct >= ADV_EXHAUSTED_PCT)
		finding(a, "warn", "napi", f->iface,
			"NAPI budget exhausted in %.1f%% of polls (%llu of "
			"%llu): the device has more packets than a poll "
			"takes; net_rx_action polls it again while "
			"net.core.netdev_budget (now %s) and "
			"net.core.netdev_budget_usecs (now %s) last, and when "
			"they run out softnet counts a time_squeeze: the "
			"softnet advice says whether a budget can help",
			pct, (unsigned long long)exh,
			(unsigned long long)polls, sysctl_str(a, SC_BUDGET),
			sysctl_str(a, SC_BUDGET_USECS));
	if (h->samples < ADV_MIN_SAMPLES || nb_hist_percentile(h, 99, &p99) ||
	    p99 < ADV_POLL_P99_NS)
		return;
	nb_fmt_duration(p99s, sizeof(p99s), p99);
	finding(a, "warn", "napi", f->iface,
		"NAPI poll p99 %s over %llu timed polls (net.core."
		"netdev_budget_usecs %s, net.core.dev_weight %s): long polls "
		"delay all other softirq work on that CPU",
		p99s, (unsigned long long)h->samples,
		sysctl_str(a, SC_BUDGET_USECS), sysctl_str(a, SC_DEV_WEIGHT));
}

/* a * b > c * d, exactly (packet counts times queue counts). */
static int prod_above(u64 a, u64 b, u64 c, u64 d)
{
	return (unsigned __int128)a * b > (unsigned __int128)c * d;
}

/*
 * RX queue imbalance: one NAPI instance (RX queue) of a multiqueue
 * interface carried most of its packets, so one CPU does its receive
 * work. rows[0 .. n - 1]: the interface's instances (deltas).
 */
static void adv_queue_iface(struct adv *a, const struct nb_qrow *rows,
			    size_t n)
{
	const struct nb_qrow *top = &rows[0];
	long long rxq = -1;
	u64 total = 0;
	size_t i, busy = 0;
	char qb[48], cpub[48];

	for (i = 0; i < n; i++) {
		total = nb_sat_add(total, rows[i].v[QC_PACKETS]);
		busy += rows[i].v[QC_PACKETS] > 0;
		if (rows[i].v[QC_PACKETS] > top->v[QC_PACKETS])
			top = &rows[i];
		if (rows[i].rxqueues > rxq)
			rxq = rows[i].rxqueues;
	}
	if (rxq < 2 || total < ADV_QUEUE_MIN_PKTS ||
	    !prod_above(top->v[QC_PACKETS], 100, total, ADV_QUEUE_SHARE_PCT) ||
	    !prod_above(top->v[QC_PACKETS], (u64)rxq, total, 2))
		return;
	snprintf(qb, sizeof(qb), "RX queue not known");
	if (top->queue >= 0)
		snprintf(qb, sizeof(qb), "RX queue %lld", top->queue);
	snprintf(cpub, sizeof(cpub), "CPU not known");
	if (top->cpu >= 0)
		snprintf(cpub, sizeof(cpub), "last polled on cpu%lld",
			 top->cpu);
	finding(a, "warn", "rx_queues", top->iface,
		"RX queue imbalance: NAPI instance napi_id %lld (%s, %s) "
		"carried %.1f%% of the %llu packets of the interface's NAPI "
		"instances (a fair share of %lld RX queues is %.1f%%); %zu of "
		"%lld RX queues carried packets: one CPU does most of the "
		"interface's receive work. Look at the RSS hash and its "
		"indirection table (ethtool -x %s), at a few large flows (a "
		"flow always lands on one queue), and at RPS/XPS "
		"(/sys/class/net/%s/queues/*/rps_cpus, xps_cpus); no setting "
		"proposed",
		top->napi_id, qb, cpub,
		100.0 * (double)top->v[QC_PACKETS] / (double)total,
		(unsigned long long)total, rxq, 100.0 / (double)rxq, busy,
		rxq, top->iface, top->iface);
}

/* Every interface of the per-queue view; nothing without one. */
static void adv_queues(struct adv *a)
{
	const struct nb_view *v = a->v;
	size_t i = 0, j;

	if (!v->has_queues)
		return;
	while (i < v->nqs) {
		if (v->qs[i].unlisted) {
			i++;
			continue;
		}
		for (j = i + 1; j < v->nqs && !v->qs[j].unlisted &&
		     v->qs[j].ifindex == v->qs[i].ifindex; j++)
			;
		adv_queue_iface(a, &v->qs[i], j - i);
		i = j;
	}
}

/* "cpu0 12, cpu3 4" for the CPUs where field > 0. */
static unsigned int cpu_list(const struct nb_view *v, int squeeze, char *buf,
			 size_t n, u64 *total, u64 *processed)
{
	unsigned int cpus = 0;
	size_t i, off = 0;

	*buf = '\0';
	*total = *processed = 0;
	for (i = 0; i < v->ncpus; i++) {
		u64 x = squeeze ? v->cpus[i].squeeze : v->cpus[i].dropped;

		*processed += v->cpus[i].processed;
		if (!x)
			continue;
		*total += x;
		if (cpus++ < ADV_MAX_CPUS_LISTED && off < n)
			off += (size_t)snprintf(buf + off, n - off, "%scpu%u %llu",
						off ? ", " : "", v->cpus[i].cpu,
						(unsigned long long)x);
	}
	if (cpus > ADV_MAX_CPUS_LISTED && off < n)
		snprintf(buf + off, n - off, ", ...");
	return cpus;
}

/* A host-wide proposal of one net.core sysctl. */
static void host_prop(struct nb_proposal *p, const char *sysctl,
		      long long value)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->sysctl, sizeof(p->sysctl), "%s", sysctl);
	snprintf(p->value, sizeof(p->value), "%lld", value);
	snprintf(p->scope, sizeof(p->scope), "host");
}

/*
 * Backlog drops: a CPU's input queue (netif_rx, RPS, veth without NAPI)
 * was past net.core.netdev_max_backlog when a packet came. Below the
 * kernel's default the queue is the first suspect: the default is
 * proposed (a guest experiment measured drops gone at 128 and 1000 where
 * 16 to 64 dropped, and doubling 16 to 32 did not halve them). At or
 * above it, softnet's counters cannot tell a burst longer than the queue
 * from an overload that no queue absorbs: nothing is proposed.
 */
static void backlog_propose(struct adv *a, u64 drops, u64 processed,
			    unsigned int cpus, char *tail, size_t n)
{
	long long cur = a->s->sysctl.v[SC_MAX_BACKLOG][0];
	long long v = ADV_BACKLOG_DEFAULT;
	double pct = 100.0 * (double)drops / (double)(processed + drops);
	struct nb_proposal p;

	if (!a->s->sysctl.present[SC_MAX_BACKLOG]) {
		snprintf(tail, n, "net.core.netdev_max_backlog cannot be read "
			 "here (net.core sysctls are in the initial network "
			 "namespace): run netbuf advise there for a value");
		return;
	}
	if (cur <= 0) {
		snprintf(tail, n, "net.core.netdev_max_backlog %lld drops "
			 "every packet that reaches the backlog: set it back to "
			 "the kernel's default %lld (no figure expected: nothing "
			 "was measured at a working value)", cur, v);
		return;
	}
	if (cur >= v) {
		snprintf(tail, n, "net.core.netdev_max_backlog %lld is not "
			 "below the kernel's default %lld: softnet counters "
			 "cannot tell bursts longer than the queue from an "
			 "overload no queue absorbs; no setting proposed: "
			 "spread the load (RSS, RPS) first", cur, v);
		return;
	}
	host_prop(&p, "net.core.netdev_max_backlog", v);
	because(&p, "softnet backlog drops %llu on %u CPU(s), %.3f%% of the "
		"%llu packets offered: a CPU's input queue (per-CPU backlog) "
		"passed net.core.netdev_max_backlog %lld",
		(unsigned long long)drops, cpus, pct,
		(unsigned long long)(processed + drops), cur);
	because(&p, "%lld is below the kernel's default %lld: a queue %.1f "
		"times as long absorbs bursts that long (TCP sends a window's "
		"worth at once); drops from a sustained overload stay (then "
		"spread the load: RSS, RPS)", cur, v,
		(double)v / (double)cur);
	expect(&p, "dropped_pct", pct * (double)cur / (double)v);
	nb_proposals_add(a->props, &p);
	snprintf(tail, n, "proposed: net.core.netdev_max_backlog %lld (the "
		 "kernel's default), expected drops at most %.3f%% of "
		 "packets", v, pct * (double)cur / (double)v);
}

/*
 * Polls that alone took at least `budget` packets, and the largest poll,
 * over the NAPI instances this namespace shows (the total row left out,
 * and the unknown row when gone rows were folded into it: their whole
 * history would count). A histogram bucket counts only when all of it is
 * at or above the budget; an instance's busy and threaded polls, which
 * are in no net_rx_action run, are taken off its count (netpoll polls
 * have budget 0 and land in bucket 0). A lower bound.
 */
static u64 polls_over(const struct adv *a, long long budget, u64 *maxpoll)
{
	const struct nb_view *v = a->v;
	u64 over = 0;
	size_t i;
	unsigned int k;

	*maxpoll = 0;
	for (i = 0; i < v->n; i++) {
		const struct nb_ifview *f = &v->ifs[i];
		const struct nb_hist *h = &f->h[NB_H_NAPI_PKTS];
		u64 n = 0, off;

		if (f->kind == NB_ROW_TOTAL || !f->has_napi ||
		    (v->evicted && !strcmp(f->iface, "unknown")))
			continue;
		if (h->max > *maxpoll)
			*maxpoll = h->max;
		for (k = 0; k < NB_HIST_BUCKETS; k++)
			if (nb_bucket_low(k) >= (u64)budget)
				n = nb_sat_add(n, h->b[k]);
		off = nb_sat_add(f->napi[NP_THREADED], f->napi[NP_BUSY_POLL]);
		over = nb_sat_add(over, n > off ? n - off : 0);
	}
	return over;
}

/*
 * time_squeeze: net_rx_action ended a run on its packet budget
 * (netdev_budget) or its time (netdev_budget_usecs). It counts a squeeze
 * whenever the run's packets reach the budget, work left or not, so a
 * poll that alone takes the budget always ends in one. Only when such
 * polls are at least half the squeezes is the budget shown to be what
 * stops the runs: then it goes to twice the largest poll seen (at least
 * twice what it is), rounded up to a power of two, which no single poll
 * reaches. Squeezes of several polls together or of time are not shown to
 * fall with a larger budget or a longer time (a guest exploration saw a
 * time-bound rate unchanged at budgets 16 to 64): no proposal then.
 */
static void budget_propose(struct adv *a, u64 squeeze, u64 processed,
			   double pct, unsigned int cpus, char *tail, size_t n)
{
	const struct nb_sysctls *sc = &a->s->sysctl;
	long long cur, v;
	u64 over, maxpoll, m;
	double left;
	struct nb_proposal p;

	if (!sc->present[SC_BUDGET] || !sc->present[SC_BUDGET_USECS]) {
		snprintf(tail, n, "net.core.netdev_budget and "
			 "netdev_budget_usecs cannot be read here (net.core "
			 "sysctls are in the initial network namespace): run "
			 "netbuf advise there for a value");
		return;
	}
	cur = sc->v[SC_BUDGET][0];
	if (cur <= 0) {
		snprintf(tail, n, "net.core.netdev_budget %lld ends every run "
			 "after its first poll: set it back to the kernel's "
			 "default 300 (no figure expected: nothing was measured "
			 "at a working value)", cur);
		return;
	}
	over = polls_over(a, cur, &maxpoll);
	if (over > squeeze)
		over = squeeze;
	if (over < squeeze - squeeze / 2) {
		snprintf(tail, n, "at least %llu of them were single NAPI "
			 "polls of net.core.netdev_budget %lld packets or more "
			 "(napi_pkts, to its log2 buckets, of the instances this "
			 "namespace shows%s); netbuf cannot tell what ended the "
			 "others (several polls together, or time: "
			 "net.core.netdev_budget_usecs %lld), and a larger "
			 "budget is not shown to help them; no setting "
			 "proposed: spread the load (RSS, RPS) or look at what "
			 "else the CPU runs",
			 (unsigned long long)over, cur, a->v->secs > 0 ? "" : "; polls since netbuf's "
			 "reset, squeezes since boot: advise -i SECS measures "
			 "one period", sc->v[SC_BUDGET_USECS][0]);
		return;
	}
	/* twice the largest poll, up to a power of two: the same value
	 * from periods whose largest polls differ a little */
	m = maxpoll > (u64)cur ? maxpoll : (u64)cur;
	v = m >= ADV_BUDGET_MAX ? ADV_BUDGET_MAX : 2 * (long long)m;
	if (pow2_floor((double)v) < v)
		v = 2 * pow2_floor((double)v);
	if (v > ADV_BUDGET_MAX)
		v = ADV_BUDGET_MAX;
	if (v <= cur || (u64)v <= maxpoll) {
		snprintf(tail, n, "twice the largest poll (%llu packets) or "
			 "the budget now (net.core.netdev_budget %lld) reaches "
			 "netbuf's ceiling %d: spread the load (RSS, RPS) or "
			 "look at what else the CPU runs",
			 (unsigned long long)maxpoll, cur, ADV_BUDGET_MAX);
		return;
	}
	left = (double)(squeeze - over) / (double)squeeze;
	if (left < (double)cur / (double)v)
		left = (double)cur / (double)v;
	host_prop(&p, "net.core.netdev_budget", v);
	because(&p, "softnet time_squeeze %llu on %u CPU(s), %.3f%% of %llu "
		"packets processed: net_rx_action ended runs on its budget or "
		"time",
		(unsigned long long)squeeze, cpus, pct,
		(unsigned long long)processed);
	because(&p, "at least %llu of them were single NAPI polls of at "
		"least net.core.netdev_budget %lld packets (napi_pkts), the "
		"largest "
		"%llu: a run whose packets reach the budget always ends in a "
		"squeeze", (unsigned long long)over, cur,
		(unsigned long long)maxpoll);
	because(&p, "a budget of %lld, twice the largest poll rounded up to a "
		"power of two, ends no run on "
		"one poll; what is left: the other squeezes (%.1f%%), or at "
		"most 1/%.1f of them, whichever is more; softirq work then "
		"holds the CPU longer per run", v,
		100.0 * (double)(squeeze - over) / (double)squeeze,
		(double)v / (double)cur);
	expect(&p, "time_squeeze_pct", pct * left);
	nb_proposals_add(a->props, &p);
	snprintf(tail, n, "proposed: net.core.netdev_budget %lld, expected "
		 "time_squeeze at most %.3f%% of packets", v, pct * left);
}

static void adv_softnet(struct adv *a)
{
	u64 total, processed;
	char list[512], tail[1024];
	unsigned int cpus;
	double pct;

	cpus = cpu_list(a->v, 0, list, sizeof(list), &total, &processed);
	if (total >= ADV_SOFTNET_DROPS) {
		backlog_propose(a, total, processed, cpus, tail, sizeof(tail));
		finding(a, "warn", "softnet", NULL,
			"softnet backlog drops %llu on %u CPU(s) (%s) of %llu "
			"packets processed: a CPU's input backlog overflowed "
			"(net.core.netdev_max_backlog now %s); %s",
			(unsigned long long)total, cpus, list,
			(unsigned long long)processed,
			sysctl_str(a, SC_MAX_BACKLOG), tail);
	}
	cpus = cpu_list(a->v, 1, list, sizeof(list), &total, &processed);
	pct = processed ? 100.0 * (double)total / (double)processed : 0;
	if (!total)
		return;
	if (pct >= ADV_SQUEEZE_PCT)
		budget_propose(a, total, processed, pct, cpus, tail,
			       sizeof(tail));
	else
		snprintf(tail, sizeof(tail), "below %.1f%%: no setting "
			 "proposed", ADV_SQUEEZE_PCT);
	finding(a, pct >= ADV_SQUEEZE_PCT ? "warn" : "info", "softnet", NULL,
		"softnet time_squeeze %llu on %u CPU(s) (%s), %.3f%% of %llu "
		"packets processed: net_rx_action ended runs on its packet "
		"budget or its time (net.core.netdev_budget now %s, "
		"net.core.netdev_budget_usecs now %s); %s",
		(unsigned long long)total, cpus, list, pct,
		(unsigned long long)processed, sysctl_str(a, SC_BUDGET),
		sysctl_str(a, SC_BUDGET_USECS), tail);
}

static void adv_probes(struct adv *a)
{
	size_t i;

	for (i = 0; i < a->s->nprobes; i++) {
		const struct nb_probe *p = &a->s->probes[i];

		if (!p->active)
			finding(a, "info", "probes", NULL,
				"probe %s (%s) is unavailable (%s): its "
				"figures are missing, not zero", p->hook,
				p->symbol, p->note[0] ? p->note : "no reason "
				"given");
		else if (p->has_nmissed && p->nmissed)
			finding(a, "warn", "probes", NULL,
				"probe %s missed %llu of %llu hits: its "
				"figures undercount", p->hook,
				(unsigned long long)p->nmissed,
				(unsigned long long)(p->hits + p->nmissed));
	}
}

static void adv_capacity(struct adv *a)
{
	const u64 *m = a->s->mem;

	if (m[MEM_UNTRACKED_DEVS])
		finding(a, "warn", "capacity", NULL,
			"%llu devices were refused a row (rows %llu of "
			"rows_max %llu): their events count on the unknown "
			"row; raise the module's max_ifaces parameter",
			(unsigned long long)m[MEM_UNTRACKED_DEVS],
			(unsigned long long)m[MEM_ROWS],
			(unsigned long long)m[MEM_ROWS_MAX]);
	if (m[MEM_LOST])
		finding(a, "warn", "capacity", NULL,
			"%llu events found no row at all and were not counted",
			(unsigned long long)m[MEM_LOST]);
	if (m[MEM_EVICTED])
		finding(a, "info", "capacity", NULL,
			"%llu gone rows were folded into their namespace's "
			"unknown row to make room (rows_max %llu)",
			(unsigned long long)m[MEM_EVICTED],
			(unsigned long long)m[MEM_ROWS_MAX]);
}

/* Nothing wrong: say so, with the figures. */
static void adv_ok(struct adv *a)
{
	const struct nb_ifview *t = adv_total(a);
	char p99s[32] = "-", maxs[32] = "-", rmem[96];
	long long max;
	double pct = 0;
	u64 p99;

	if (!t)
		return;
	if (nb_ifview_pct(t, NB_H_COLLAPSE, 99, &p99) == 0)
		nb_fmt_duration(p99s, sizeof(p99s), p99);
	if (t->h[NB_H_COLLAPSE].samples)
		nb_fmt_duration(maxs, sizeof(maxs), t->h[NB_H_COLLAPSE].max);
	if (t->napi[NP_POLLS])
		pct = 100.0 * (double)t->napi[NP_EXHAUSTED] /
		      (double)t->napi[NP_POLLS];
	rmem_max(a, rmem, sizeof(rmem), &max);
	finding(a, "ok", "summary", NULL,
		"no problems found: tcp_collapse p99 %s (max %s) over %llu "
		"calls, %llu prune drops, NAPI budget exhausted in %.1f%% of "
		"%llu polls, no softnet drops, %s", p99s, maxs,
		(unsigned long long)t->h[NB_H_COLLAPSE].samples,
		(unsigned long long)t->rcv[RB_PRUNE_DROP], pct,
		(unsigned long long)t->napi[NP_POLLS], rmem);
}

static const struct em_key K_PERIOD = EM_KEY("period_s", NULL, EM_SECS, 0);
static const struct em_key K_PIFACE = EM_KEY("iface", NULL, EM_COUNT, 0);
static const struct em_key K_SYSCTL = EM_KEY("sysctl", NULL, EM_COUNT, 0);
static const struct em_key K_VALUE = EM_KEY("value", NULL, EM_COUNT, 0);
static const struct em_key K_SCOPE = EM_KEY("scope", NULL, EM_COUNT, 0);
static const struct em_key K_COMMAND = EM_KEY("command", NULL, EM_COUNT, 0);
static const struct em_key K_WHY = EM_KEY("because", NULL, EM_COUNT, 0);
static const struct em_key K_EVENTS = EM_KEY("events_log", NULL, EM_COUNT, 0);

/* "1.00ms" for _ns metrics, "0.123%" for _pct, "4.2/s" for _per_s. */
void nb_fmt_metric(char *buf, size_t n, const char *metric, double x)
{
	size_t l = strlen(metric);

	if (isnan(x))
		snprintf(buf, n, "-");
	else if (l > 3 && !strcmp(metric + l - 3, "_ns"))
		nb_fmt_duration(buf, n, (u64)x);
	else if (l > 4 && !strcmp(metric + l - 4, "_pct"))
		snprintf(buf, n, "%.3f%%", x);
	else
		snprintf(buf, n, "%.2f/s", x);
}

void proposals_emit(struct emitter *em, const struct nb_proposals *ps)
{
	char cmd[256], bound[32];
	size_t i, k;

	em_list_begin(em, "proposals", NULL, EM_L_NOTABLE);
	for (i = 0; i < ps->n; i++) {
		const struct nb_proposal *p = &ps->p[i];

		em_row_begin(em, 0);
		em_str(em, &K_PIFACE, p->iface[0] ? p->iface : NULL);
		em_str(em, &K_SYSCTL, p->sysctl);
		em_str(em, &K_VALUE, p->value);
		em_str(em, &K_SCOPE, p->scope);
		nb_proposal_command(cmd, sizeof(cmd), p);
		em_str(em, &K_COMMAND, cmd);
		em_obj_begin(em, "expect", NULL);
		for (k = 0; k < p->nexpect; k++) {
			const struct em_key ek = EM_KEY(p->expect[k].metric,
							NULL, EM_COUNT, 0);

			em_f64(em, &ek, p->expect[k].bound);
		}
		em_obj_end(em);
		em_list_begin(em, "because", NULL, EM_L_NOTABLE);
		for (k = 0; k < p->nbecause; k++)
			em_str(em, &K_WHY, p->because[k]);
		em_list_end(em);
		em_row_end(em);
	}
	em_list_end(em);
	if (!ps->n)
		return;
	em_note(em, "\nProposals (save a baseline, apply, then 'netbuf "
		"baseline compare' checks the expected effect):");
	for (i = 0; i < ps->n; i++) {
		const struct nb_proposal *p = &ps->p[i];
		char exp[512] = "";
		size_t off = 0;

		for (k = 0; k < p->nexpect && off < sizeof(exp); k++) {
			nb_fmt_metric(bound, sizeof(bound), p->expect[k].metric,
				      p->expect[k].bound);
			off += (size_t)snprintf(exp + off, sizeof(exp) - off,
						"%s%s <= %s", k ? ", " : "",
						p->expect[k].metric, bound);
		}
		nb_proposal_command(cmd, sizeof(cmd), p);
		em_note(em, "\n%s%s%s = %s (%s)", p->iface[0] ? p->iface : "",
			p->iface[0] ? ": " : "", p->sysctl, p->value, p->scope);
		em_note(em, "  apply:   %s", cmd);
		em_note(em, "  expect:  %s", exp);
		for (k = 0; k < p->nbecause; k++)
			em_note(em, "  because: %s", p->because[k]);
	}
}

unsigned int advise_emit(struct emitter *em, const struct nb_snapshot *s,
			 const struct nb_view *v, const struct nb_evlog *log,
			 struct nb_proposals *out)
{
	struct nb_proposals own = { NULL, 0 };
	struct adv a = { em, s, v, log, out ? out : &own, 0 };
	size_t i;

	if (em) {
		em_doc_begin(em, "netbuf-advise/2");
		if (v->secs > 0)
			em_f64(em, &K_PERIOD, v->secs);
		else
			em_null(em, &K_PERIOD);
		em_bool(em, &K_EVENTS, log != NULL);
		if (v->secs > 0)
			em_note(em, "Based on a %.1f s measurement%s:",
				v->secs, log ? " and the events log" : "");
		else
			em_note(em, "Based on the counters since netbuf was "
				"loaded or reset%s:",
				log ? " and the events log" : "");
		em_list_begin(em, "findings", NULL, EM_L_NOHEADER);
	}
	for (i = 0; i < v->n; i++) {
		const struct nb_ifview *f = &v->ifs[i];

		if (f->kind == NB_ROW_TOTAL)
			continue;
		adv_collapse(&a, f);
		adv_prune(&a, f);
		adv_ofo(&a, f);
		adv_napi(&a, f);
		adv_preempted(&a, f);
	}
	adv_queues(&a);
	adv_pressure(&a);
	adv_softnet(&a);
	adv_capacity(&a);
	adv_probes(&a);
	if (!a.warnings)
		adv_ok(&a);
	if (em) {
		em_list_end(em);
		proposals_emit(em, a.props);
		em_doc_end(em);
	}
	nb_proposals_free(&own);
	return a.warnings;
}

int nb_advise_events(const struct nb_opts *o, struct nb_evlog *log)
{
	char path[4096];
	int fd, r;

	memset(log, 0, sizeof(*log));
	snprintf(path, sizeof(path), "%s/events", o->paths.proc);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		fprintf(stderr, "netbuf: %s: %s\n", path, strerror(errno));
		return -1;
	}
	r = nb_evlog_read(o, fd, log);
	close(fd);
	return r < 0 ? -1 : 1;
}

int cmd_advise(const struct nb_opts *o, int argc, char **argv)
{
	struct nb_snapshot s, s2;
	struct nb_evlog log;
	struct emitter *em;
	struct nb_view v;
	unsigned int warnings;
	char why[256];
	int r, have;

	(void)argv;
	if (argc)
		return nb_usage("advise: unexpected argument (see 'netbuf "
				"help advise')");
	if (nb_load(o, &s, 1) < 0)
		return NB_EXIT_RUNTIME;
	/* the per-queue view where the module has one (optional) */
	if (nb_load_queues(o, &s, 0, 1) < 0) {
		nb_snapshot_free(&s);
		return NB_EXIT_RUNTIME;
	}
	if (o->has_interval) {
		if (nb_sleep(o->interval) < 0 || nb_load(o, &s2, 0) < 0) {
			nb_snapshot_free(&s);
			return NB_EXIT_RUNTIME;
		}
		if (nb_load_queues(o, &s2, 0, 1) < 0) {
			nb_snapshot_free(&s2);
			nb_snapshot_free(&s);
			return NB_EXIT_RUNTIME;
		}
		r = nb_view_build(&s, &s2, &v, why, sizeof(why));
		nb_snapshot_free(&s);
		s = s2;
		if (r < 0) {
			fprintf(stderr, "netbuf: during the measurement %s\n",
				why);
			nb_snapshot_free(&s);
			return NB_EXIT_RUNTIME;
		}
	} else {
		nb_view_build(NULL, &s, &v, why, sizeof(why));
	}
	have = nb_advise_events(o, &log);
	if (have < 0) {
		nb_view_free(&v);
		nb_snapshot_free(&s);
		return NB_EXIT_RUNTIME;
	}
	em = em_open(o->fmt, 0);
	warnings = advise_emit(em, &s, &v, have ? &log : NULL, NULL);
	r = nb_output(em);
	if (r == NB_EXIT_OK && warnings)
		r = NB_EXIT_FINDINGS;
	free(log.ev);
	nb_view_free(&v);
	nb_snapshot_free(&s);
	return r;
}
