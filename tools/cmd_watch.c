// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf watch [-i SECS] [-c COUNT] [IFACE...]: per-second rates, redrawn
 * in place on a terminal, one line per interface per interval otherwise.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "keys.h"
#include "view.h"

struct rate {
	struct em_key k;
	int napi;	/* column of the napi table, else rcvbuf */
	int col;
};

#define RATE(key, head, napi, col) \
	{ EM_KEY(key, head, EM_RATE, 0), napi, col }

static const struct rate rates[] = {
	RATE("coll_calls_per_s", "coll/s", 0, RB_COLL_CALLS),
	RATE("coll_skbs_per_s", "skbs/s", 0, RB_COLL_SKBS),
	RATE("prune_calls_per_s", "prune/s", 0, RB_PRUNE_CALLS),
	RATE("prune_drop_per_s", "drops/s", 0, RB_PRUNE_DROP),
	RATE("ofo_calls_per_s", "ofo/s", 0, RB_OFO_CALLS),
	RATE("polls_per_s", "polls/s", 1, NP_POLLS),
	RATE("packets_per_s", "pkts/s", 1, NP_PACKETS),
	RATE("exhausted_per_s", "exh/s", 1, NP_EXHAUSTED),
};

static const struct em_key K_TIME = EM_KEY("clock", "time", EM_COUNT,
	EM_K_NOJSON);
static const struct em_key K_TIME_HIDDEN = EM_KEY("clock", NULL, EM_COUNT,
	EM_K_NOJSON);
static const struct em_key K_INTERVAL = EM_KEY("interval_s", NULL, EM_SECS, 0);

static int shown(const struct nb_ifview *f, const struct nb_opts *o,
		 char **ifaces, int n)
{
	int i;

	if (n) {
		for (i = 0; i < n; i++)
			if (!strcmp(ifaces[i], f->iface))
				return 1;
		return 0;
	}
	if (f->kind == NB_ROW_TOTAL)
		return 0;
	if (o->zeros || !nb_ifview_zero(f))
		return 1;
	return f->kind == NB_ROW_IFACE && !strcmp(f->state, "up");
}

static void watch_emit(struct emitter *em, const struct nb_view *v,
		       const char *clock, u64 now, int tty,
		       const struct nb_opts *o, char **ifaces, int n)
{
	size_t i, j;

	em_doc_begin(em, "netbuf-watch/2");
	em_f64(em, &K_INTERVAL, v->secs);
	if (tty)
		em_note(em, "netbuf watch: rates per second over %.1fs, at %s "
			"(Ctrl-C quits)", v->secs, clock);
	em_list_begin(em, "interfaces", NULL, 0);
	for (i = 0; i < v->n; i++) {
		const struct nb_ifview *f = &v->ifs[i];

		if (!shown(f, o, ifaces, n))
			continue;
		em_row_begin(em, 0);
		em_str(em, tty ? &K_TIME_HIDDEN : &K_TIME, clock);
		keys_time(em, now, 0);
		keys_iface(em, f->iface, f->ifindex, NULL, NULL);
		for (j = 0; j < NB_ARRAY_SIZE(rates); j++)
			em_f64(em, &rates[j].k, nb_view_rate(v, rates[j].napi ?
					f->napi[rates[j].col] :
					f->rcv[rates[j].col]));
		em_row_end(em);
	}
	em_list_end(em);
	em_doc_end(em);
}

static void clock_now(char *buf, size_t n)
{
	time_t t = time(NULL);
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, n, "%H:%M:%S", &tm))
		snprintf(buf, n, "-");
}

/* One interval: prev -> cur. 0, or an exit status. */
static int frame(const struct nb_opts *o, const struct nb_snapshot *prev,
		 const struct nb_snapshot *cur, int first, char **ifaces,
		 int n)
{
	int tty = o->fmt == EM_TABLE && isatty(STDOUT_FILENO);
	char why[256], clock[32];
	struct emitter *em;
	struct nb_view v;

	if (nb_view_build(prev, cur, &v, why, sizeof(why)) < 0) {
		nb_warn("%s; starting again from the new values", why);
		return 0;
	}
	v.secs = nb_ns_to_s(cur->monotonic_ns - prev->monotonic_ns);
	clock_now(clock, sizeof(clock));
	em = em_open(o->fmt, EM_O_STEADY | (!tty && !first ? EM_O_NOHEADER
							   : 0));
	watch_emit(em, &v, clock, cur->realtime_ns, tty, o, ifaces, n);
	nb_view_free(&v);
	if (tty)
		fputs("\033[H\033[2J", stdout);
	return nb_output(em);
}

int cmd_watch(const struct nb_opts *o, int argc, char **argv)
{
	double secs = o->has_interval ? o->interval : 1.0;
	struct nb_snapshot prev, cur;
	long i;
	int r = 0;

	nb_catch_sigint();
	if (nb_load_ifaces(o, &prev, argv, argc) < 0)
		return NB_EXIT_RUNTIME;
	for (i = 0; !r && (!o->count || i < o->count); i++) {
		if (nb_sleep(secs) < 0)
			break;
		if (nb_load(o, &cur, 0) < 0) {
			r = NB_EXIT_RUNTIME;
			break;
		}
		r = frame(o, &prev, &cur, i == 0, argv, argc);
		nb_snapshot_free(&prev);
		prev = cur;
	}
	nb_snapshot_free(&prev);
	return r;
}
