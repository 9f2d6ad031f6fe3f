// SPDX-License-Identifier: GPL-2.0
/*
 * rcvbuf.c - receive-buffer pressure: tcp_collapse, the prune path and the
 * out-of-order prune.
 *
 * The prune path. tcp_prune_queue() is inlined into tcp_try_rmem_schedule()
 * on Debian's kernels, so netbuf hooks the function around it with a plain
 * kprobe (no return probe). The kernel runs the prune when
 *   sk_rmem_alloc > sk_rcvbuf || !sk_rmem_schedule(sk, skb, size).
 * The first half is read at entry for the cost of two loads: that opens an
 * episode (a per-CPU, per-context slot). The second half can only fail
 * under socket memory pressure (tcp_mem or a memcg limit), cannot be
 * evaluated without side effects, and then the prune returns at once
 * (sk_rmem_alloc <= sk_rcvbuf): those episodes are counted by reconciling
 * with the kernel's own PruneCalled at read time, as "nothing to do" in the
 * namespace's unknown row (see nb_prune_unattributed()).
 *
 * An episode ends at the last thing the prune does, which netbuf sees from
 * the return probes of tcp_collapse and tcp_prune_ofo_queue; where the prune
 * returns without either (nothing to do, or only the out-of-order queue was
 * collapsed), the episode is closed by the next entry in the same context
 * on the same CPU or by a per-CPU timer a tick later, which the softirq
 * ordering guarantees runs after the episode.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "netbuf.h"

DEFINE_PER_CPU(struct nb_cpu, nb_cpu);
bool nb_prune_direct;

enum nb_outcome { NB_OUT_AUTO, NB_OUT_COLLAPSE, NB_OUT_OFO, NB_OUT_DROP };

static int nb_ctx(void)
{
	if (in_serving_softirq())
		return NB_CTX_SOFTIRQ;
	if (in_task())
		return NB_CTX_TASK;
	return -1;
}

static int nb_sk_ifindex(const struct sock *sk, const struct sk_buff *skb)
{
	if (skb && skb->skb_iif)
		return skb->skb_iif;
	return READ_ONCE(sk->sk_rx_dst_ifindex);
}

/* The open episode of @sk in the current context, if any. */
static struct nb_episode *nb_ep_of(struct nb_cpu *st, const struct sock *sk)
{
	int ctx = nb_ctx();

	if (ctx < 0 || st->ep[ctx].sk != sk)
		return NULL;
	return &st->ep[ctx];
}

/* Interrupts are off. */
static void nb_ep_close(struct nb_episode *ep, enum nb_outcome out)
{
	struct nb_row *row;
	enum nb_ctr c;

	if (out == NB_OUT_AUTO)
		out = ep->collapsed ? NB_OUT_COLLAPSE : NB_OUT_AUTO;
	switch (out) {
	case NB_OUT_COLLAPSE:
		c = NB_C_PRUNE_COLLAPSE;
		break;
	case NB_OUT_OFO:
		c = NB_C_PRUNE_OFO;
		break;
	case NB_OUT_DROP:
		c = NB_C_PRUNE_DROP;
		break;
	default:
		c = NB_C_PRUNE_NOOP;
		break;
	}
	rcu_read_lock();
	row = nb_row_find(ep->cookie, ep->ifindex, false);
	if (row) {
		nb_ctr_add(row, c, 1);
		nb_hist_add(&row->hist[NB_H_PRUNE], ep->t_last - ep->t0);
	}
	rcu_read_unlock();
	ep->sk = NULL;
}

static void nb_ep_open(struct nb_cpu *st, int ctx, struct sock *sk, int ifindex)
{
	struct nb_episode *ep = &st->ep[ctx];
	struct net *net = sock_net(sk);
	struct nb_row *row;
	unsigned long flags;

	local_irq_save(flags);
	if (ep->sk)
		nb_ep_close(ep, NB_OUT_AUTO);
	ep->sk = sk;
	ep->task = current;
	ep->cookie = net->net_cookie;
	ep->ifindex = ifindex;
	ep->t0 = local_clock();
	ep->t_last = ep->t0;
	ep->collapsed = false;
	ep->ofo = false;
	ep->ticks = 0;
	rcu_read_lock();
	row = nb_row_attr(net, ifindex);
	if (row)
		nb_ctr_add(row, NB_C_PRUNE_CALLS, 1);
	rcu_read_unlock();
	if (!timer_pending(&st->timer))
		mod_timer(&st->timer, jiffies + 1);
	local_irq_restore(flags);
}

/*
 * Deferred close. A softirq-context episode is over: softirqs do not nest,
 * so the NET_RX handler that ran it has returned. A task-context episode is
 * over unless this timer interrupted that very task, which may be inside it.
 */
void nb_ep_timer(struct timer_list *t)
{
	struct nb_cpu *st = nb_timer_container_of(st, t, timer);
	bool dead = st != this_cpu_ptr(&nb_cpu);	/* migrated: CPU offline */
	struct nb_episode *ep;
	unsigned long flags;
	bool again = false;

	local_irq_save(flags);
	ep = &st->ep[NB_CTX_SOFTIRQ];
	if (ep->sk)
		nb_ep_close(ep, NB_OUT_AUTO);
	ep = &st->ep[NB_CTX_TASK];
	if (ep->sk) {
		if (!dead && ep->task == current && ++ep->ticks < NB_EP_MAX_TICKS)
			again = true;
		else
			nb_ep_close(ep, NB_OUT_AUTO);
	}
	if (again)
		mod_timer(t, jiffies + 1);
	local_irq_restore(flags);
}

/* Close whatever is open; the caller made sure no probe can run. */
void nb_ep_flush(void)
{
	unsigned long flags;
	int cpu, ctx;

	for_each_possible_cpu(cpu) {
		struct nb_cpu *st = per_cpu_ptr(&nb_cpu, cpu);

		nb_timer_delete_sync(&st->timer);
		local_irq_save(flags);
		for (ctx = 0; ctx < NB_NCTX; ctx++)
			if (st->ep[ctx].sk)
				nb_ep_close(&st->ep[ctx], NB_OUT_AUTO);
		local_irq_restore(flags);
	}
}

/* kprobe on tcp_try_rmem_schedule(sk, skb, size): the inlined prune. */
int nb_prune_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	int ctx = nb_ctx();

	this_cpu_inc(nb_cpu.hits[NB_P_PRUNE]);
	if (unlikely(ctx < 0))
		return 0;
	/* The same context on this CPU is past its previous call. */
	if (unlikely(READ_ONCE(st->ep[ctx].sk))) {
		unsigned long flags;

		local_irq_save(flags);
		if (st->ep[ctx].sk)
			nb_ep_close(&st->ep[ctx], NB_OUT_AUTO);
		local_irq_restore(flags);
	}
	if (likely(atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf)))
		return 0;
	nb_ep_open(st, ctx, sk, nb_sk_ifindex(sk,
		   (struct sk_buff *)regs_get_kernel_argument(regs, 1)));
	return 0;
}

/* kretprobe on tcp_prune_queue, for kernels that keep it out of line. */
int nb_prunefn_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	int ctx = nb_ctx();

	this_cpu_inc(nb_cpu.hits[NB_P_PRUNE]);
	if (ctx < 0)
		return 1;
	nb_ep_open(st, ctx, sk, nb_sk_ifindex(sk, nb_prune_in_skb(regs)));
	*(struct sock **)ri->data = sk;
	return 0;
}

int nb_prunefn_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sock *sk = *(struct sock **)ri->data;
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	struct nb_episode *ep;
	unsigned long flags;

	local_irq_save(flags);
	ep = nb_ep_of(st, sk);
	if (ep) {
		ep->t_last = local_clock();
		if ((int)regs_return_value(regs) < 0)
			nb_ep_close(ep, NB_OUT_DROP);
		else
			nb_ep_close(ep, ep->ofo ? NB_OUT_OFO : NB_OUT_AUTO);
	}
	local_irq_restore(flags);
	return 0;
}

struct nb_collapse_data {
	struct sock *sk;
	u64 t0;
	unsigned long mib0;	/* this CPU's TCPRcvCollapsed at entry */
	u64 soft0;		/* st->soft_collapsed at entry */
	int rmem0;
	bool rcvq;		/* collapsing sk_receive_queue: the prune's last */
};

static unsigned long nb_mib_collapsed(struct sock *sk)
{
	return this_cpu_read(sock_net(sk)->mib.net_statistics->mibs[LINUX_MIB_TCPRCVCOLLAPSED]);
}

/* kretprobe on tcp_collapse(sk, list, root, head, tail, start, end). */
int nb_collapse_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct nb_collapse_data *d = (struct nb_collapse_data *)ri->data;
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	struct nb_episode *ep;

	this_cpu_inc(nb_cpu.hits[NB_P_COLLAPSE]);
	d->sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	d->rcvq = regs_get_kernel_argument(regs, 1) != 0;
	d->rmem0 = atomic_read(&d->sk->sk_rmem_alloc);
	d->mib0 = nb_mib_collapsed(d->sk);
	d->soft0 = st->soft_collapsed;
	ep = nb_ep_of(st, d->sk);
	if (ep)
		ep->collapsed = true;
	d->t0 = local_clock();
	return 0;
}

int nb_collapse_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct nb_collapse_data *d = (struct nb_collapse_data *)ri->data;
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	u64 now = local_clock(), skbs;
	struct sock *sk = d->sk;
	struct nb_episode *ep;
	struct nb_row *row;
	unsigned long flags;
	int freed;

	skbs = nb_mib_collapsed(sk) - d->mib0;
	local_irq_save(flags);
	/* Collapses of softirqs that interrupted this task are theirs. */
	if (nb_ctx() == NB_CTX_SOFTIRQ)
		st->soft_collapsed += skbs;
	else
		skbs -= st->soft_collapsed - d->soft0;
	freed = d->rmem0 - atomic_read(&sk->sk_rmem_alloc);
	ep = nb_ep_of(st, sk);
	rcu_read_lock();
	if (ep)
		row = nb_row_find(ep->cookie, ep->ifindex, false);
	else
		row = nb_row_attr(sock_net(sk), nb_sk_ifindex(sk, NULL));
	if (row) {
		nb_ctr_add(row, NB_C_COLL_CALLS, 1);
		nb_ctr_add(row, NB_C_COLL_SKBS, skbs);
		nb_ctr_add(row, NB_C_COLL_FREED, freed > 0 ? freed : 0);
		nb_hist_add(&row->hist[NB_H_COLLAPSE], now - d->t0);
	}
	rcu_read_unlock();
	if (ep) {
		ep->t_last = now;
		/* After the receive queue, the prune checks and maybe ends. */
		if (!nb_prune_direct && d->rcvq &&
		    atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf))
			nb_ep_close(ep, NB_OUT_COLLAPSE);
	}
	local_irq_restore(flags);
	return 0;
}

struct nb_ofo_data {
	struct sock *sk;
	int rmem0;
	int drops0;
	bool own;		/* the prune's own call, not the retry loop's */
};

/* kretprobe on tcp_prune_ofo_queue(sk[, in_skb]). */
int nb_ofo_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct nb_ofo_data *d = (struct nb_ofo_data *)ri->data;
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	struct nb_episode *ep;

	this_cpu_inc(nb_cpu.hits[NB_P_OFO]);
	d->sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	d->rmem0 = atomic_read(&d->sk->sk_rmem_alloc);
	d->drops0 = atomic_read(&d->sk->sk_drops);
	ep = nb_ep_of(st, d->sk);
	/* The prune calls it only while still above sk_rcvbuf. */
	d->own = ep && !ep->ofo && d->rmem0 > READ_ONCE(d->sk->sk_rcvbuf);
	if (d->own)
		ep->ofo = true;
	return 0;
}

int nb_ofo_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct nb_ofo_data *d = (struct nb_ofo_data *)ri->data;
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	bool pruned = regs_return_value(regs) & 0xff;
	struct sock *sk = d->sk;
	struct nb_episode *ep;
	struct nb_row *row;
	unsigned long flags;
	int rmem, freed;

	rmem = atomic_read(&sk->sk_rmem_alloc);
	local_irq_save(flags);
	ep = nb_ep_of(st, sk);
	if (pruned) {
		freed = d->rmem0 - rmem;
		rcu_read_lock();
		if (ep)
			row = nb_row_find(ep->cookie, ep->ifindex, false);
		else
			row = nb_row_attr(sock_net(sk), nb_sk_ifindex(sk, NULL));
		if (row) {
			nb_ctr_add(row, NB_C_OFO_CALLS, 1);
			nb_ctr_add(row, NB_C_OFO_SEGS,
				   atomic_read(&sk->sk_drops) - d->drops0);
			nb_ctr_add(row, NB_C_OFO_BYTES, freed > 0 ? freed : 0);
		}
		rcu_read_unlock();
	}
	if (ep && d->own) {
		ep->t_last = local_clock();
		/* Mirrors the prune: still above sk_rcvbuf means RcvPruned. */
		if (!nb_prune_direct)
			nb_ep_close(ep, rmem > READ_ONCE(sk->sk_rcvbuf) ?
				    NB_OUT_DROP : NB_OUT_OFO);
	}
	local_irq_restore(flags);
	return 0;
}

/*
 * Prune episodes of @net that no hook saw begin: the kernel's PruneCalled
 * since the namespace's baseline minus the episodes netbuf counted. They
 * all ended at once with nothing to do (see the top of this file).
 */
u64 nb_prune_unattributed(struct net *net, const struct nb_row *unknown,
			  u64 counted)
{
	unsigned long kernel = nb_kernel_prune_called(net) - unknown->prune_base;

	return kernel > counted ? kernel - counted : 0;
}

size_t nb_collapse_data_size(void)
{
	return sizeof(struct nb_collapse_data);
}

size_t nb_ofo_data_size(void)
{
	return sizeof(struct nb_ofo_data);
}
