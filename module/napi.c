// SPDX-License-Identifier: GPL-2.0
/*
 * napi.c - NAPI per interface: the napi:napi_poll tracepoint counts every
 * poll (work and budget) and, by default, times it too, from tracepoints
 * only (napi_timing=softirq):
 *
 *   irq:softirq_entry(NET_RX)  stamps the CPU: net_rx_action starts;
 *   napi:napi_poll             fires right after a ->poll() returns: the
 *                              poll took the time since the stamp, and the
 *                              stamp moves on to now.
 *
 * Polls in one net_rx_action run back to back on one CPU with bottom halves
 * off, so a poll is charged the NET_RX softirq time from the end of the one
 * before it (or from the softirq's start): its ->poll() plus net_rx_action's
 * own work in between (freeing skbs deferred by other CPUs, and the GRO flush
 * that follows a poll which used its whole budget). Any other softirq's
 * entry disarms the stamp. Polls outside a NET_RX softirq (busy polling,
 * threaded NAPI, netpoll) are counted but untimed.
 *
 * napi_timing=kprobe times ->poll() alone with a kprobe on __napi_poll's
 * entry instead (threaded NAPI included), at the price of a kprobe per poll;
 * there a poll is untimed when the entry kprobe was missed (its nmissed) or
 * not taken (busy polling, netpoll). napi_timing=off times nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/interrupt.h>
#include <linux/kprobes.h>
#include <linux/netdevice.h>
#include <linux/sched/clock.h>

#include "netbuf.h"

int nb_napi_timing __read_mostly = NB_NT_SOFTIRQ;

static int __nb_napi_time_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	struct napi_struct *napi;

	this_cpu_inc(nb_cpu.hits[NB_P_NAPI_TIME]);
	napi = (struct napi_struct *)regs_get_kernel_argument(regs, 0);
	/* __napi_poll only polls a scheduled napi; else no tracepoint follows. */
	if (!test_bit(NAPI_STATE_SCHED, &napi->state)) {
		st->napi = NULL;
		return 0;
	}
	st->napi = napi;
	st->napi_t0 = local_clock();
	return 0;
}

NB_TIMED(NB_P_NAPI_TIME, nb_napi_time_pre, NB_KP_PARAMS, (p, regs))

/* irq:softirq_entry, every softirq on this CPU: softirq context. */
void nb_softirq_entry(void *data, unsigned int vec)
{
	u64 t0 = nb_timing_start();
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);

	this_cpu_inc(nb_cpu.hits[NB_P_NAPI_TIME]);
	if (vec == NET_RX_SOFTIRQ) {
		st->napi_t0 = local_clock();
		st->napi_armed = true;
	} else {
		st->napi_armed = false;
	}
	nb_timing_end(NB_P_NAPI_TIME, t0);
}

/* A one-entry per-CPU cache in front of the hash: a CPU polls few devices. */
static struct nb_row *nb_napi_row(struct nb_cpu *st, struct net_device *dev)
{
	int gen = atomic_read(&nb_gen);
	struct nb_row *row;

	if (!dev)
		return nb_backlog_row;
	if (st->cache_dev == dev && st->cache_gen == gen && st->cache_row)
		return st->cache_row;
	row = nb_row_dev(dev);
	/* Only a device's own row is cached: the unknown row counts misses. */
	if (row && row->ifindex == dev->ifindex) {
		st->cache_dev = dev;
		st->cache_row = row;
		st->cache_gen = gen;
	}
	return row;
}

/*
 * Did this poll start where netbuf saw it? Then *ns is its duration. In
 * softirq mode only a poll inside the NET_RX softirq itself is timed: not
 * one in a hard interrupt that interrupted it (netpoll), nor in a task; and
 * the next poll starts now, so one clock read serves both (the next poll
 * also carries the rest of this handler: a few loads and stores).
 */
static bool nb_napi_timed(struct nb_cpu *st, struct napi_struct *napi,
			  u64 *ns)
{
	u64 now;

	switch (nb_napi_timing) {
	case NB_NT_SOFTIRQ:
		if (!st->napi_armed || !in_serving_softirq() || in_hardirq())
			return false;
		now = local_clock();
		*ns = now - st->napi_t0;
		st->napi_t0 = now;
		return true;
	case NB_NT_KPROBE:
		if (st->napi != napi)
			return false;
		st->napi = NULL;
		*ns = local_clock() - st->napi_t0;
		return true;
	default:
		return false;
	}
}

static void nb_napi_hist_add(struct nb_row *row, enum nb_hist_kind k, u64 v)
{
	struct nb_hist_pcpu __percpu *h;

	if (likely(!row->napi_hist)) {
		nb_hist_add(&row->hist[k], v);
		return;
	}
	h = &row->napi_hist->h[k - NB_H_NAPI_NS];
	this_cpu_inc(h->bucket[nb_hist_index(v)]);
	this_cpu_add(h->sum, v);
	if (v > this_cpu_read(h->max))
		this_cpu_write(h->max, v);
}

/* Called under rcu_read_lock_sched with preemption off. */
static void __nb_napi_tp(void *data, struct napi_struct *napi, int work,
			 int budget)
{
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	struct nb_napi_pcpu __percpu *pc;
	struct nb_napi_pcpu one = {};
	struct nb_row *row;
	u64 pkts = work > 0 ? work : 0;
	bool timed;

	this_cpu_inc(nb_cpu.hits[NB_P_NAPI]);
	timed = nb_napi_timed(st, napi, &one.poll_ns);
	row = nb_napi_row(st, napi->dev);
	if (unlikely(!row))
		return;
	if (timed) {
		one.max_ns = one.poll_ns;
		nb_napi_hist_add(row, NB_H_NAPI_NS, one.poll_ns);
	} else {
		one.untimed = 1;
	}
	one.polls = 1;
	one.packets = pkts;
	one.exhausted = work >= budget;
	one.empty = work <= 0;
	nb_napi_hist_add(row, NB_H_NAPI_PKTS, pkts);
	pc = row->napi;
	if (unlikely(!pc)) {		/* an unknown row: shared counters */
		nb_napi_shared_add(row, &one);
		return;
	}
	this_cpu_add(pc->poll_ns, one.poll_ns);
	if (one.max_ns > this_cpu_read(pc->max_ns))
		this_cpu_write(pc->max_ns, one.max_ns);
	this_cpu_add(pc->untimed, one.untimed);
	this_cpu_inc(pc->polls);
	this_cpu_add(pc->packets, pkts);
	this_cpu_add(pc->exhausted, one.exhausted);
	this_cpu_add(pc->empty, one.empty);
}

void nb_napi_tp(void *data, struct napi_struct *napi, int work, int budget)
{
	u64 t0 = nb_timing_start();

	__nb_napi_tp(data, napi, work, budget);
	nb_timing_end(NB_P_NAPI, t0);
}
