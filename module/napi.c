// SPDX-License-Identifier: GPL-2.0
/*
 * napi.c - NAPI per interface: the napi:napi_poll tracepoint counts every
 * poll (work and budget), a kprobe on __napi_poll's entry times it: the
 * tracepoint fires right after ->poll() returns inside __napi_poll, on the
 * same CPU, with bottom halves off, so a per-CPU (napi, t0) pair is enough.
 * Polls that reach the tracepoint without that entry are counted as
 * untimed: busy polling and netpoll call ->poll() themselves, and the entry
 * kprobe is skipped (its nmissed counts it) when the poll runs in a softirq
 * that interrupted another kprobe's handler on the same CPU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/netdevice.h>
#include <linux/sched/clock.h>

#include "netbuf.h"

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

/* Called under rcu_read_lock_sched with preemption off. */
static void __nb_napi_tp(void *data, struct napi_struct *napi, int work,
			 int budget)
{
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	struct nb_napi_pcpu __percpu *pc;
	struct nb_napi_pcpu one = {};
	struct nb_row *row;
	u64 pkts = work > 0 ? work : 0;

	this_cpu_inc(nb_cpu.hits[NB_P_NAPI]);
	row = nb_napi_row(st, napi->dev);
	if (unlikely(!row))
		return;
	if (likely(st->napi == napi)) {
		one.poll_ns = local_clock() - st->napi_t0;
		one.max_ns = one.poll_ns;
		st->napi = NULL;
		nb_hist_add(&row->hist[NB_H_NAPI_NS], one.poll_ns);
	} else {
		one.untimed = 1;
	}
	one.polls = 1;
	one.packets = pkts;
	one.exhausted = work >= budget;
	one.empty = work <= 0;
	nb_hist_add(&row->hist[NB_H_NAPI_PKTS], pkts);
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
