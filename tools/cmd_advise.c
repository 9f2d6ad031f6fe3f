// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf advise [-i SECS]: what the figures and sysctls mean, in plain
 * words, each finding citing the figures it rests on. The thresholds below
 * are documented in netbuf(8), ADVICE.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "stats.h"
#include "view.h"

#define ADV_MIN_SAMPLES		NB_MIN_SAMPLES	/* before a p99 is trusted */
#define ADV_COLLAPSE_P99_NS	1000000ull	/* 1 ms */
#define ADV_COLLAPSE_MAX_NS	10000000ull	/* 10 ms, a single call */
#define ADV_RMEM_MAX_BYTES	(4ll << 20)	/* Cloudflare's 2015 fix */
#define ADV_PRUNE_DROPS		1		/* any RcvPruned */
#define ADV_OFO_CALLS		1		/* any out-of-order prune */
#define ADV_MIN_POLLS		1000		/* before a ratio is trusted */
#define ADV_EXHAUSTED_PCT	1.0		/* of polls */
#define ADV_POLL_P99_NS		1000000ull	/* 1 ms */
#define ADV_SQUEEZE_PCT		0.1		/* of packets processed */
#define ADV_SOFTNET_DROPS	1		/* any backlog drop */
#define ADV_MAX_CPUS_LISTED	8

struct adv {
	struct emitter *em;
	const struct nb_snapshot *s;
	const struct nb_view *v;
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
	char text[1024];
	size_t n = 0;
	va_list ap;

	if (iface)
		n = (size_t)snprintf(text, sizeof(text), "%s: ", iface);
	va_start(ap, fmt);
	vsnprintf(text + n, sizeof(text) - n, fmt, ap);
	va_end(ap);
	a->warnings += !strcmp(level, "warn");
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

static void adv_collapse(struct adv *a, const struct nb_ifview *f)
{
	const struct nb_hist *h = &f->h[NB_H_COLLAPSE];
	char p99s[32], maxs[32], rmem[96];
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
	finding(a, "warn", "collapse", f->iface,
		"tcp_collapse %s %s (max %s, %llu calls, %llu skbs collapsed) "
		"with %s: collapsing a long receive queue stalls the softirq "
		"on that CPU; %s", by_p99 ? "p99" : "max", by_p99 ? p99s : maxs,
		maxs, (unsigned long long)h->samples,
		(unsigned long long)f->rcv[RB_COLL_SKBS], rmem,
		max > ADV_RMEM_MAX_BYTES ? "consider lowering tcp_rmem max "
		"(Cloudflare's 2015 fix was 4 MiB)" : "tcp_rmem max is already "
		"at most 4 MiB: look at the receiving application, which lets "
		"its queue grow");
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
	char rmem[96], scale[112];
	long long max;

	if (f->rcv[RB_PRUNE_DROP] < ADV_PRUNE_DROPS)
		return;
	rmem_max(a, rmem, sizeof(rmem), &max);
	snprintf(scale, sizeof(scale), ", net.ipv4.tcp_adv_win_scale %s",
		 sysctl_str(a, SC_ADV_WIN_SCALE));
	finding(a, "warn", "prune", f->iface,
		"%llu prune drops (RcvPruned) in %llu prune episodes: the "
		"application does not read fast enough or the receive buffer "
		"is too small (%s%s)",
		(unsigned long long)f->rcv[RB_PRUNE_DROP],
		(unsigned long long)f->rcv[RB_PRUNE_CALLS], rmem,
		kernel_before(a->s->ver.running, 6, 6) ? scale : "");
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
			"takes; raise net.core.netdev_budget (now %s) / "
			"net.core.netdev_budget_usecs (now %s)", pct,
			(unsigned long long)exh, (unsigned long long)polls,
			sysctl_str(a, SC_BUDGET),
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

static void adv_softnet(struct adv *a)
{
	u64 total, processed;
	char list[512];
	unsigned int cpus;
	double pct;

	cpus = cpu_list(a->v, 0, list, sizeof(list), &total, &processed);
	if (total >= ADV_SOFTNET_DROPS)
		finding(a, "warn", "softnet", NULL,
			"softnet backlog drops %llu on %u CPU(s) (%s) of %llu "
			"packets processed: a CPU's input backlog overflowed; "
			"raise net.core.netdev_max_backlog (now %s) or spread "
			"the load (RSS, RPS)", (unsigned long long)total, cpus,
			list, (unsigned long long)processed,
			sysctl_str(a, SC_MAX_BACKLOG));
	cpus = cpu_list(a->v, 1, list, sizeof(list), &total, &processed);
	pct = processed ? 100.0 * (double)total / (double)processed : 0;
	if (!total)
		return;
	finding(a, pct >= ADV_SQUEEZE_PCT ? "warn" : "info", "softnet", NULL,
		"softnet time_squeeze %llu on %u CPU(s) (%s), %.3f%% of %llu "
		"packets processed: net_rx_action ran out of budget or time "
		"with work left; %s net.core.netdev_budget (now %s) / "
		"net.core.netdev_budget_usecs (now %s)",
		(unsigned long long)total, cpus, list, pct,
		(unsigned long long)processed, pct >= ADV_SQUEEZE_PCT ?
		"raise" : "if it grows, raise", sysctl_str(a, SC_BUDGET),
		sysctl_str(a, SC_BUDGET_USECS));
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
	const struct nb_ifview *t = NULL;
	char p99s[32] = "-", maxs[32] = "-", rmem[96];
	long long max;
	double pct = 0;
	size_t i;
	u64 p99;

	for (i = 0; i < a->v->n; i++)
		if (a->v->ifs[i].kind == NB_ROW_TOTAL)
			t = &a->v->ifs[i];
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

unsigned int advise_emit(struct emitter *em, const struct nb_snapshot *s,
			 const struct nb_view *v)
{
	struct adv a = { em, s, v, 0 };
	size_t i;

	em_doc_begin(em, "netbuf-advise/1");
	if (v->secs > 0)
		em_f64(em, &K_PERIOD, v->secs);
	else
		em_null(em, &K_PERIOD);
	if (v->secs > 0)
		em_note(em, "Based on a %.1f s measurement:", v->secs);
	else
		em_note(em, "Based on the counters since netbuf was loaded or "
			"reset:");
	em_list_begin(em, "findings", NULL, EM_L_NOHEADER);
	for (i = 0; i < v->n; i++) {
		const struct nb_ifview *f = &v->ifs[i];

		if (f->kind == NB_ROW_TOTAL)
			continue;
		adv_collapse(&a, f);
		adv_prune(&a, f);
		adv_ofo(&a, f);
		adv_napi(&a, f);
	}
	adv_softnet(&a);
	adv_capacity(&a);
	adv_probes(&a);
	if (!a.warnings)
		adv_ok(&a);
	em_list_end(em);
	em_doc_end(em);
	return a.warnings;
}

int cmd_advise(const struct nb_opts *o, int argc, char **argv)
{
	struct nb_snapshot s, s2;
	struct emitter *em;
	struct nb_view v;
	unsigned int warnings;
	char why[256];
	int r;

	(void)argv;
	if (argc)
		return nb_usage("advise: unexpected argument (see 'netbuf "
				"help advise')");
	if (nb_load(o, &s, 1) < 0)
		return NB_EXIT_RUNTIME;
	if (o->has_interval) {
		if (nb_sleep(o->interval) < 0 || nb_load(o, &s2, 0) < 0) {
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
	em = em_open(o->fmt, 0);
	warnings = advise_emit(em, &s, &v);
	r = nb_output(em);
	if (r == NB_EXIT_OK && warnings)
		r = NB_EXIT_FINDINGS;
	nb_view_free(&v);
	nb_snapshot_free(&s);
	return r;
}
