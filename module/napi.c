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
 * entry disarms the stamp. Threaded NAPI polls are timed from a kprobe on
 * __napi_poll's entry (napi_thread in the probes file), enabled at the
 * first threaded poll seen, so hosts without threaded NAPI never pay for it.
 *
 * napi_timing=kprobe times ->poll() alone with a kprobe on __napi_poll's
 * entry instead (threaded NAPI included), at the price of a kprobe per poll;
 * there a poll is untimed when the entry kprobe was missed (its nmissed).
 * napi_timing=off times nothing.
 *
 * Netpoll polls (budget 0) and busy polls (a task in napi_busy_loop) are
 * counted in their own columns, never timed, never exhausted or empty, and
 * touch no stamp: a netpoll poll can run inside another poll on its CPU.
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

/*
 * napi_timing=softirq: the kprobe on __napi_poll's entry that times
 * threaded polls, enabled at the first threaded poll (see probes.c). Polls
 * in the NET_RX softirq pass through at the cost of the test.
 */
static int __nb_napi_thread_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	struct napi_struct *napi;

	this_cpu_inc(nb_cpu.hits[NB_P_NAPI_THREAD]);
	if (in_serving_softirq())
		return 0;
	napi = (struct napi_struct *)regs_get_kernel_argument(regs, 0);
	if (current != READ_ONCE(napi->thread) ||
	    !test_bit(NAPI_STATE_SCHED, &napi->state)) {
		st->thr_napi = NULL;
		return 0;
	}
	st->thr_napi = napi;
	st->thr_t0 = local_clock();
	return 0;
}

NB_TIMED(NB_P_NAPI_THREAD, nb_napi_thread_pre, NB_KP_PARAMS, (p, regs))

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

/*
 * The row a poll of @dev counts in. A one-entry per-CPU cache sits in front
 * of the hash: a CPU polls few devices. A device with no row counts in its
 * namespace's unknown row, as untracked when the max_ifaces cap (or a failed
 * allocation) refused it one, as gone once it is being unregistered.
 */
static struct nb_row *nb_napi_row(struct nb_cpu *st, struct net_device *dev,
				  struct nb_napi_ctr *one)
{
	int gen = atomic_read(&nb_gen);
	struct nb_row *row;

	if (!dev)
		return nb_backlog_row;
	if (st->cache_dev == dev && st->cache_gen == gen && st->cache_row)
		return st->cache_row;
	row = nb_row_find(dev_net(dev)->net_cookie, dev->ifindex, false);
	if (row && row->ifindex == dev->ifindex) {
		/* Only a device's own row is cached. */
		st->cache_dev = dev;
		st->cache_row = row;
		st->cache_gen = gen;
	} else if (row && dev->ifindex > 0) {
		if (READ_ONCE(dev->reg_state) == NETREG_REGISTERED)
			one->untracked = 1;
		else
			one->gone = 1;
	}
	return row;
}

/*
 * What kind of poll the napi_poll tracepoint reports: netpoll calls it with
 * budget 0 (poll_one_napi, both kernels); a device's NAPI thread runs
 * __napi_poll in itself; the NET_RX softirq runs in softirq context; what is
 * left with a device is a task busy polling (napi_busy_loop and the last
 * poll of busy_poll_stop; no softirq, and not the device's thread).
 */
enum nb_poll_kind { NB_PK_SOFTIRQ, NB_PK_THREADED, NB_PK_BUSY, NB_PK_NETPOLL };

static enum nb_poll_kind nb_poll_kind(struct napi_struct *napi, int budget)
{
	if (budget <= 0)
		return NB_PK_NETPOLL;
	if (in_serving_softirq())
		return NB_PK_SOFTIRQ;
	if (!napi->dev)		/* backlog threads (PREEMPT_RT 6.12) */
		return NB_PK_SOFTIRQ;
	if (current == READ_ONCE(napi->thread))
		return NB_PK_THREADED;
	return NB_PK_BUSY;
}

/*
 * Did this poll start where netbuf saw it? Then *ns is its duration.
 * Netpoll and busy polls are never timed and touch no stamp: a netpoll
 * poll may run inside another poll (printk from a driver), and must leave
 * that poll's timing alone. In softirq mode a poll inside the NET_RX
 * softirq is timed from the CPU's stamp, and the next poll starts now, so
 * one clock read serves both (the next poll also carries the rest of this
 * handler: a few loads and stores); a threaded poll is timed from the
 * napi_thread kprobe on __napi_poll, armed at the first threaded poll seen.
 */
static bool nb_napi_timed(struct nb_cpu *st, struct napi_struct *napi,
			  enum nb_poll_kind kind, u64 *ns)
{
	u64 now;

	if (kind == NB_PK_NETPOLL || kind == NB_PK_BUSY)
		return false;
	switch (nb_napi_timing) {
	case NB_NT_SOFTIRQ:
		if (kind == NB_PK_THREADED) {
			if (st->thr_napi != napi) {
				nb_napi_thread_seen();
				return false;
			}
			st->thr_napi = NULL;
			*ns = local_clock() - st->thr_t0;
			return true;
		}
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

/* A row without a per-CPU part: its shared atomics. */
static void nb_napi_shared(struct nb_row *row, struct nb_napi_ctr *one,
			   bool timed)
{
	if (!(row->flags & NB_ROW_UNKNOWN))
		nb_row_want_napi(row);
	if (timed)
		nb_hist_add(&row->hist[NB_H_NAPI_NS], one->poll_ns);
	nb_hist_add(&row->hist[NB_H_NAPI_PKTS], one->packets);
	nb_napi_shared_add(row, one);
}

/* Called under rcu_read_lock_sched with preemption off. */
static void __nb_napi_tp(void *data, struct napi_struct *napi, int work,
			 int budget)
{
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	struct nb_napi_pcpu __percpu *pc;
	struct nb_napi_ctr one = {};
	enum nb_poll_kind kind;
	struct nb_row *row;
	u64 pkts = work > 0 ? work : 0;
	bool timed;

	this_cpu_inc(nb_cpu.hits[NB_P_NAPI]);
	kind = nb_poll_kind(napi, budget);
	timed = nb_napi_timed(st, napi, kind, &one.poll_ns);
	if (timed)
		one.max_ns = one.poll_ns;
	else
		one.untimed = 1;
	one.polls = 1;
	one.packets = pkts;
	switch (kind) {
	case NB_PK_NETPOLL:
		one.netpoll = 1;
		break;
	case NB_PK_BUSY:
		one.busy = 1;
		break;
	case NB_PK_THREADED:
		one.threaded = 1;
		fallthrough;
	default:
		one.exhausted = work >= budget;
		one.empty = work <= 0;
		break;
	}
	nb_queue_poll(napi, &one, timed);
	row = nb_napi_row(st, napi->dev, &one);
	if (unlikely(!row))
		return;
	/* Published by nb_napi_alloc_fn with a release store. */
	pc = READ_ONCE(row->napi);
	if (unlikely(!pc)) {
		nb_napi_shared(row, &one, timed);
		return;
	}
	/* This CPU's part only: this_cpu ops, safe against a netpoll poll
	 * in a hard interrupt; no cache line another CPU writes.
	 */
	/* Bucket before max: nb_hist_read() relies on that order. */
	if (timed) {
		this_cpu_add(pc->poll_ns, one.poll_ns);
		this_cpu_inc(pc->ns_bucket[nb_hist_index(one.poll_ns)]);
		if (one.max_ns > this_cpu_read(pc->max_ns))
			this_cpu_write(pc->max_ns, one.max_ns);
	} else {
		this_cpu_inc(pc->untimed);
	}
	this_cpu_inc(pc->polls);
	this_cpu_add(pc->packets, pkts);
	this_cpu_inc(pc->pkts_bucket[nb_pkt_index(pkts)]);
	if (pkts > this_cpu_read(pc->pkts_max))
		this_cpu_write(pc->pkts_max, pkts);
	this_cpu_add(pc->exhausted, one.exhausted);
	this_cpu_add(pc->empty, one.empty);
	if (unlikely(kind != NB_PK_SOFTIRQ)) {
		this_cpu_add(pc->netpoll, one.netpoll);
		this_cpu_add(pc->busy, one.busy);
		this_cpu_add(pc->threaded, one.threaded);
	}
}

void nb_napi_tp(void *data, struct napi_struct *napi, int work, int budget)
{
	u64 t0 = nb_timing_start();

	__nb_napi_tp(data, napi, work, budget);
	nb_timing_end(NB_P_NAPI, t0);
}
