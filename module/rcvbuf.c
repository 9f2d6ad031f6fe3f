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
 * episode (in task context, a slot keyed by the socket; in softirq, the
 * CPU's slot). The second half can only fail
 * under socket memory pressure (tcp_mem or a memcg limit), cannot be
 * evaluated without side effects, and then the prune returns at once
 * (sk_rmem_alloc <= sk_rcvbuf): those episodes are not counted; the
 * unknown row shows how many there were, the kernel's own PruneCalled
 * minus the episodes counted, in a column of its own (prune_unseen, see
 * nb_prune_unattributed()).
 *
 * An episode ends at the last thing the prune does, which netbuf sees from
 * the return probes of tcp_collapse and tcp_prune_ofo_queue; where the prune
 * returns without either (nothing to do, or only the out-of-order queue was
 * collapsed), the episode is closed by the next prune of the same socket
 * (softirq: the next entry on the same CPU) or by a per-CPU timer a tick
 * later, which the softirq ordering guarantees runs after a softirq
 * episode, and which keeps a task-context one open while its socket is
 * owned.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/kprobes.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/skbuff.h>
#include <net/ip.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "compat.h"
#include "netbuf.h"

DEFINE_PER_CPU(struct nb_cpu, nb_cpu);
DEFINE_STATIC_KEY_FALSE(nb_timing);
bool nb_prune_direct;

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

/*
 * Context switches of the running task: a probed call or an episode whose
 * task was switched out in it (preempted, under preempt=full or
 * PREEMPT_RT; it may have migrated too) has a wall time that is not the
 * kernel's work. Its counts are exact; its time goes to no histogram, sum
 * or event, and it is counted in coll_preempted or prune_preempted. On
 * other kernels nothing in these calls switches (they never sleep, and a
 * softirq run leaves the counts of the task it interrupted alone).
 */
static unsigned long nb_csw(void)
{
	return READ_ONCE(current->nvcsw) + READ_ONCE(current->nivcsw);
}

/*
 * Task-context episodes, keyed by socket. A task can be preempted inside a
 * prune (preempt=full, PREEMPT_RT) and resume on another CPU, and other
 * tasks can prune meanwhile on the CPU it left: a per-CPU slot would lose
 * the episode to either. A socket has at most one prune in flight (its
 * owner's lock, or bh_lock_sock with bottom halves off), so its hooks find
 * the episode by the socket wherever they run. A slot holds a reference
 * on the socket and is closed by its home CPU's timer once the socket is
 * no longer owned by a user (the prune is then over: a task-context prune
 * runs in the owner's backlog processing, or with bottom halves off, so
 * that the timer cannot run before it ends), by the next prune of the same
 * socket, or by the prune's own last step. Each slot has a lock, taken
 * with interrupts off: its socket's hooks, a new prune of the socket and
 * the timer. When no slot is free within NB_TEP_DIST of the socket's
 * hash, the episode takes the CPU's task slot as before.
 */
#define NB_TEP_DIST	8

static struct nb_episode *nb_tep;
static unsigned int nb_tep_mask;

/* Reserves a slot; nb_ep_start() fills it. */
#define NB_TEP_BUSY	((struct sock *)1)

static struct nb_episode *nb_tep_find(const struct sock *sk)
{
	unsigned int h = hash_ptr(sk, 32), i;

	for (i = 0; i < NB_TEP_DIST; i++) {
		struct nb_episode *ep = &nb_tep[(h + i) & nb_tep_mask];

		if (READ_ONCE(ep->sk) == sk)
			return ep;
	}
	return NULL;
}

/* A free slot for @sk, reserved (sk NB_TEP_BUSY), or NULL. */
static struct nb_episode *nb_tep_claim(const struct sock *sk)
{
	unsigned int h = hash_ptr(sk, 32), i;

	for (i = 0; i < NB_TEP_DIST; i++) {
		struct nb_episode *ep = &nb_tep[(h + i) & nb_tep_mask];

		if (!READ_ONCE(ep->sk) && !cmpxchg(&ep->sk, NULL, NB_TEP_BUSY))
			return ep;
	}
	return NULL;
}

/*
 * Where the open episode of @sk in the current context would be, if it
 * has one: check ep->sk == sk again once it is held.
 */
static struct nb_episode *nb_ep_find(struct nb_cpu *st, const struct sock *sk)
{
	int ctx = nb_ctx();
	struct nb_episode *ep;

	if (ctx < 0)
		return NULL;
	if (ctx == NB_CTX_TASK) {
		ep = nb_tep_find(sk);
		if (ep)
			return ep;
	}
	return READ_ONCE(st->ep[ctx].sk) == sk ? &st->ep[ctx] : NULL;
}

/* A table slot's lock; a per-CPU slot, interrupts off. */
static void nb_ep_hold(struct nb_episode *ep, unsigned long *flags)
	__acquires(ep)
{
	if (ep->table) {
		raw_spin_lock_irqsave(&ep->lock, *flags);
	} else {
		local_irq_save(*flags);
		__acquire(ep);
	}
}

/* A hook of @ep's own flow runs: was its task switched out meanwhile? */
static void nb_ep_touch(struct nb_episode *ep)
{
	if (ep->task == current && nb_csw() != ep->csw)
		ep->preempted = true;
}

/* Drops the socket reference of a slot closed meanwhile, last. */
static void nb_ep_release(struct nb_episode *ep, unsigned long flags)
	__releases(ep)
{
	struct sock *put = ep->put;

	ep->put = NULL;
	if (ep->table) {
		raw_spin_unlock_irqrestore(&ep->lock, flags);
	} else {
		__release(ep);
		local_irq_restore(flags);
	}
	if (put)
		sock_put(put);
}

/* A slow episode goes to the event log; @sk is NULL when closed late. */
static void nb_ep_log(struct nb_episode *ep, enum nb_outcome out,
		      struct sock *sk)
{
	struct nb_event ev = ep->ev;

	ev.kind = NB_EV_PRUNE;
	ev.outcome = out;
	ev.dur_ns = ep->t_last - ep->t0;
	ev.ifindex = ep->ifindex;
	ev.skbs = ep->skbs;
	if (sk) {
		nb_event_sock_after(&ev, sk);
		ev.bytes = max(ev.rmem0 - ev.rmem1, 0);
	}
	nb_event_commit(&ev);
}

/* The episode is held (nb_ep_hold). @sk: the socket if still safe to use. */
static void nb_ep_close(struct nb_episode *ep, enum nb_outcome out,
			struct sock *sk)
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
		if (ep->preempted)
			nb_ctr_add(row, NB_C_PRUNE_PREEMPTED, 1);
		else
			nb_hist_add(&row->hist[NB_H_PRUNE], ep->t_last - ep->t0);
	}
	rcu_read_unlock();
	if (unlikely(!ep->preempted && nb_event_slow(ep->t_last - ep->t0)))
		nb_ep_log(ep, out, sk);
	if (ep->table) {
		ep->put = ep->sk;
		atomic_dec(&per_cpu_ptr(&nb_cpu, ep->home)->tep_open);
	}
	WRITE_ONCE(ep->sk, NULL);
}

/* Starts the episode in @ep, held and free; counts it on its row. */
static void nb_ep_start(struct nb_episode *ep, struct sock *sk, int ifindex)
{
	struct net *net = sock_net(sk);
	struct nb_row *row;

	WRITE_ONCE(ep->sk, sk);
	ep->task = current;
	ep->cookie = net->net_cookie;
	ep->ifindex = ifindex;
	ep->t0 = local_clock();
	ep->t_last = ep->t0;
	ep->collapsed = false;
	ep->ofo = false;
	ep->preempted = false;
	ep->csw = nb_csw();
	ep->ticks = 0;
	ep->skbs = 0;
	nb_event_sock(&ep->ev, sk);
	rcu_read_lock();
	row = nb_row_rcv(net, ifindex);
	if (row)
		nb_ctr_add(row, NB_C_PRUNE_CALLS, 1);
	rcu_read_unlock();
}

static void nb_ep_open(struct nb_cpu *st, int ctx, struct sock *sk, int ifindex)
{
	struct nb_episode *ep;
	unsigned long flags;

	if (ctx == NB_CTX_TASK) {
		/* The socket's previous prune is over. */
		ep = nb_ep_find(st, sk);
		if (ep) {
			nb_ep_hold(ep, &flags);
			if (ep->sk == sk)
				nb_ep_close(ep, NB_OUT_AUTO, NULL);
			nb_ep_release(ep, flags);
		}
		ep = nb_tep_claim(sk);
		if (ep) {
			nb_ep_hold(ep, &flags);
			sock_hold(sk);
			nb_ep_start(ep, sk, ifindex);
			ep->home = st->cpu;
			atomic_inc(&st->tep_open);
			if (!timer_pending(&st->timer))
				mod_timer(&st->timer, jiffies + 1);
			nb_ep_release(ep, flags);
			return;
		}
	}
	local_irq_save(flags);
	ep = &st->ep[ctx];
	if (ep->sk)
		nb_ep_close(ep, NB_OUT_AUTO, NULL);
	nb_ep_start(ep, sk, ifindex);
	if (!timer_pending(&st->timer))
		mod_timer(&st->timer, jiffies + 1);
	local_irq_restore(flags);
}

/*
 * The timer's part of the table: close what @st's CPU opened, unless its
 * socket is still owned (the prune may still run, preempted). True if an
 * episode stays open.
 */
static bool nb_tep_reap(struct nb_cpu *st)
{
	unsigned long flags;
	bool open = false;
	unsigned int i;

	for (i = 0; i <= nb_tep_mask; i++) {
		struct nb_episode *ep = &nb_tep[i];
		struct sock *sk = READ_ONCE(ep->sk);

		if (!sk || sk == NB_TEP_BUSY || READ_ONCE(ep->home) != st->cpu)
			continue;
		nb_ep_hold(ep, &flags);
		if (ep->sk == sk && ep->home == st->cpu) {
			if (sock_owned_by_user_nocheck(sk) &&
			    ++ep->ticks < NB_EP_MAX_TICKS)
				open = true;
			else
				nb_ep_close(ep, NB_OUT_AUTO, NULL);
		}
		nb_ep_release(ep, flags);
	}
	return open;
}

/*
 * Deferred close. A softirq-context episode is over: softirqs do not nest,
 * so the NET_RX handler that ran it has returned. A task-context episode in
 * the CPU's own slot is over unless this timer interrupted that very task,
 * which may be inside it; one in the table, unless its socket is owned.
 */
void nb_ep_timer(struct timer_list *t)
{
	struct nb_cpu *st = nb_timer_container_of(st, t, timer);
	bool dead = st != this_cpu_ptr(&nb_cpu);	/* migrated: CPU offline */
	struct nb_episode *ep;
	unsigned long flags;
	bool again = false;
	u64 t0;

	this_cpu_inc(nb_cpu.hits[NB_P_EP_TIMER]);
	t0 = nb_timing_start();
	local_irq_save(flags);
	ep = &st->ep[NB_CTX_SOFTIRQ];
	if (ep->sk)
		nb_ep_close(ep, NB_OUT_AUTO, NULL);
	ep = &st->ep[NB_CTX_TASK];
	if (ep->sk) {
		if (!dead && ep->task == current && ++ep->ticks < NB_EP_MAX_TICKS)
			again = true;
		else
			nb_ep_close(ep, NB_OUT_AUTO, NULL);
	}
	local_irq_restore(flags);
	if (atomic_read(&st->tep_open) > 0 && nb_tep_reap(st))
		again = true;
	if (again)
		mod_timer(t, jiffies + 1);
	nb_timing_end(NB_P_EP_TIMER, t0);
}

/* Close whatever is open; the caller made sure no probe can run. */
void nb_ep_flush(void)
{
	unsigned long flags;
	unsigned int i;
	int cpu, ctx;

	for_each_possible_cpu(cpu) {
		struct nb_cpu *st = per_cpu_ptr(&nb_cpu, cpu);

		nb_timer_delete_sync(&st->timer);
		local_irq_save(flags);
		for (ctx = 0; ctx < NB_NCTX; ctx++)
			if (st->ep[ctx].sk)
				nb_ep_close(&st->ep[ctx], NB_OUT_AUTO, NULL);
		local_irq_restore(flags);
	}
	for (i = 0; nb_tep && i <= nb_tep_mask; i++) {
		struct nb_episode *ep = &nb_tep[i];

		nb_ep_hold(ep, &flags);
		if (ep->sk && ep->sk != NB_TEP_BUSY)
			nb_ep_close(ep, NB_OUT_AUTO, NULL);
		nb_ep_release(ep, flags);
	}
}

/* kprobe on tcp_try_rmem_schedule(sk, skb, size): the inlined prune. */
static int __nb_prune_pre(struct kprobe *p, struct pt_regs *regs)
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
			nb_ep_close(&st->ep[ctx], NB_OUT_AUTO, NULL);
		local_irq_restore(flags);
	}
	if (likely(atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf)))
		return 0;
	nb_ep_open(st, ctx, sk, nb_sk_ifindex(sk,
		   (struct sk_buff *)regs_get_kernel_argument(regs, 1)));
	return 0;
}

NB_TIMED(NB_P_PRUNE, nb_prune_pre, NB_KP_PARAMS, (p, regs))

/* kretprobe on tcp_prune_queue, for kernels that keep it out of line. */
static int __nb_prunefn_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
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

NB_TIMED(NB_P_PRUNE, nb_prunefn_entry, NB_RP_PARAMS, (ri, regs))

static int __nb_prunefn_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sock *sk = *(struct sock **)ri->data;
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	struct nb_episode *ep;
	unsigned long flags;

	ep = nb_ep_find(st, sk);
	if (ep) {
		nb_ep_hold(ep, &flags);
		if (ep->sk == sk) {
			nb_ep_touch(ep);
			ep->t_last = local_clock();
			if ((int)regs_return_value(regs) < 0)
				nb_ep_close(ep, NB_OUT_DROP, sk);
			else
				nb_ep_close(ep, ep->ofo ? NB_OUT_OFO :
					    NB_OUT_AUTO, sk);
		}
		nb_ep_release(ep, flags);
	}
	return 0;
}

NB_TIMED(NB_P_PRUNE, nb_prunefn_ret, NB_RP_PARAMS, (ri, regs))

/*
 * Calls in flight, keyed by socket. tcp_collapse and tcp_prune_ofo_queue
 * run under the socket's lock, so a socket has at most one of them in
 * flight, whatever nests in it on the CPU and wherever its task is
 * preempted to or migrates. Each call claims a slot at entry; what the
 * call frees is counted into its slot by the probes that see each skb
 * go (tcp_collapse_one, the out-of-order prune's drops) and read at
 * return. Sized for twice the kretprobe instances that can exist, so a
 * call with an instance always finds a free slot; lookups start at the
 * socket's hash and go no further than the longest claim ever made.
 */
struct nb_inflight {
	struct sock *sk;
	u32 count;
};

#define NB_FL_MAX_DIST	16

static struct nb_inflight *nb_fl;
static unsigned int nb_fl_mask;
static unsigned int nb_fl_dist;	/* longest probe distance of a claim */
bool nb_collapse_skb_active;

int nb_inflight_init(unsigned int maxactive)
{
	unsigned int n = roundup_pow_of_two(4 * maxactive), i;

	nb_fl = kvcalloc(n, sizeof(*nb_fl), GFP_KERNEL);
	if (!nb_fl)
		return -ENOMEM;
	nb_fl_mask = n - 1;
	/* Task-context episodes: one per task inside a prune, and stale ones. */
	n = roundup_pow_of_two(max_t(unsigned int, 32, 4 * num_possible_cpus()));
	nb_tep = kvcalloc(n, sizeof(*nb_tep), GFP_KERNEL);
	if (!nb_tep) {
		kvfree(nb_fl);
		nb_fl = NULL;
		return -ENOMEM;
	}
	nb_tep_mask = n - 1;
	for (i = 0; i < n; i++) {
		raw_spin_lock_init(&nb_tep[i].lock);
		nb_tep[i].table = true;
	}
	return 0;
}

void nb_inflight_exit(void)
{
	kvfree(nb_tep);
	nb_tep = NULL;
	kvfree(nb_fl);
	nb_fl = NULL;
}

static unsigned int nb_fl_hash(const struct sock *sk)
{
	return hash_ptr(sk, 32) & nb_fl_mask;
}

/* The slot of @sk's call, or -1 if it has none. */
static int nb_fl_claim(struct sock *sk)
{
	unsigned int h = nb_fl_hash(sk), i;

	/*
	 * A bounded walk: past NB_FL_MAX_DIST the call counts from the MIB
	 * instead, so a burst of collisions never makes every later
	 * tcp_collapse_one hit scan far.
	 */
	for (i = 0; i <= nb_fl_mask && i < NB_FL_MAX_DIST; i++) {
		unsigned int slot = (h + i) & nb_fl_mask;

		if (!READ_ONCE(nb_fl[slot].sk) &&
		    !cmpxchg(&nb_fl[slot].sk, NULL, sk)) {
			nb_fl[slot].count = 0;
			while (READ_ONCE(nb_fl_dist) < i) {
				unsigned int d = READ_ONCE(nb_fl_dist);

				if (cmpxchg(&nb_fl_dist, d, i) == d)
					break;
			}
			return slot;
		}
	}
	return -1;
}

/* Only @sk's own call (one flow of control) writes its slot's count. */
static void nb_fl_add(const struct sock *sk, u32 n)
{
	unsigned int h = nb_fl_hash(sk), i, dist = READ_ONCE(nb_fl_dist);

	for (i = 0; i <= dist; i++) {
		struct nb_inflight *f = &nb_fl[(h + i) & nb_fl_mask];

		if (READ_ONCE(f->sk) == sk) {
			f->count += n;
			return;
		}
	}
}

static u32 nb_fl_release(int slot)
{
	u32 n = nb_fl[slot].count;

	/* The count is read before the slot can be claimed again. */
	smp_store_release(&nb_fl[slot].sk, NULL);
	return n;
}

/* kprobe on tcp_collapse_one(sk, skb, list, root): one skb collapsed. */
static int __nb_collapse_skb_pre(struct kprobe *p, struct pt_regs *regs)
{
	this_cpu_inc(nb_cpu.hits[NB_P_COLLAPSE_SKB]);
	nb_fl_add((struct sock *)regs_get_kernel_argument(regs, 0), 1);
	return 0;
}

NB_TIMED(NB_P_COLLAPSE_SKB, nb_collapse_skb_pre, NB_KP_PARAMS, (p, regs))

struct nb_collapse_data {
	struct sock *sk;
	u64 t0;
	unsigned long mib0;	/* this CPU's TCPRcvCollapsed at entry */
	u64 soft0;		/* st->soft_collapsed at entry */
	unsigned long csw;	/* the task's context switches at entry */
	int slot;		/* in nb_fl, or -1: skbs from the MIB */
	int cpu;		/* with slot -1: the CPU whose MIB mib0 is */
	int rmem0;
	bool rcvq;		/* collapsing sk_receive_queue: the prune's last */
};

static unsigned long nb_mib_collapsed(struct sock *sk)
{
	return this_cpu_read(sock_net(sk)->mib.net_statistics->mibs[LINUX_MIB_TCPRCVCOLLAPSED]);
}

/* kretprobe on tcp_collapse(sk, list, root, head, tail, start, end). */
static int __nb_collapse_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct nb_collapse_data *d = (struct nb_collapse_data *)ri->data;
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	struct nb_episode *ep;
	unsigned long flags;

	this_cpu_inc(nb_cpu.hits[NB_P_COLLAPSE]);
	d->sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	d->rcvq = regs_get_kernel_argument(regs, 1) != 0;
	d->rmem0 = atomic_read(&d->sk->sk_rmem_alloc);
	d->slot = READ_ONCE(nb_collapse_skb_active) ? nb_fl_claim(d->sk) : -1;
	if (d->slot < 0) {
		d->cpu = raw_smp_processor_id();
		d->mib0 = nb_mib_collapsed(d->sk);
		d->soft0 = st->soft_collapsed;
		if (nb_ctx() == NB_CTX_TASK)
			st->task_coll_cookie = sock_net(d->sk)->net_cookie;
	}
	ep = nb_ep_find(st, d->sk);
	if (ep) {
		nb_ep_hold(ep, &flags);
		if (ep->sk == d->sk) {
			nb_ep_touch(ep);
			ep->collapsed = true;
		}
		nb_ep_release(ep, flags);
	}
	d->csw = nb_csw();
	d->t0 = local_clock();
	return 0;
}

NB_TIMED(NB_P_COLLAPSE, nb_collapse_entry, NB_RP_PARAMS, (ri, regs))

static void nb_collapse_log(const struct nb_collapse_data *d, struct sock *sk,
			    u64 now, u64 skbs, int freed,
			    const struct nb_episode *ep)
{
	struct nb_event ev = {};

	nb_event_sock(&ev, sk);
	ev.rmem0 = d->rmem0;
	nb_event_sock_after(&ev, sk);
	ev.kind = NB_EV_COLLAPSE;
	ev.dur_ns = now - d->t0;
	ev.ifindex = ep ? ep->ifindex : nb_sk_ifindex(sk, NULL);
	ev.skbs = skbs;
	ev.bytes = max(freed, 0);
	nb_event_commit(&ev);
}

/*
 * Skbs collapsed by a call that had no slot: this CPU's TCPRcvCollapsed
 * of the socket's namespace moved by the call's own skbs and by those of
 * softirq collapses of the same namespace nested in it, which add theirs
 * to st->soft_collapsed. Interrupts are off.
 */
static u64 nb_collapse_mib_skbs(struct nb_cpu *st,
				const struct nb_collapse_data *d)
{
	struct sock *sk = d->sk;
	u64 mib = nb_mib_collapsed(sk), skbs, nested;
	u64 cookie = sock_net(sk)->net_cookie;

	/*
	 * A call that migrated (preempt=full, PREEMPT_RT) read two CPUs'
	 * counters: their difference means nothing, count none rather than
	 * a wrapped figure.
	 */
	if (d->cpu != raw_smp_processor_id() || mib < d->mib0)
		return 0;
	skbs = mib - d->mib0;

	if (nb_ctx() == NB_CTX_SOFTIRQ) {
		if (st->task_coll_cookie == cookie)
			st->soft_collapsed += skbs;
		return skbs;
	}
	nested = st->soft_collapsed - d->soft0;
	st->task_coll_cookie = 0;
	return skbs > nested ? skbs - nested : 0;
}

/* Counts a finished call; @ep: @sk's episode, held, or NULL. */
static void nb_collapse_done(const struct nb_collapse_data *d, u64 now,
			     u64 skbs, int freed, struct nb_episode *ep)
{
	bool preempted = nb_csw() != d->csw;
	struct sock *sk = d->sk;
	struct nb_row *row;

	rcu_read_lock();
	if (ep)
		row = nb_row_find(ep->cookie, ep->ifindex, false);
	else
		row = nb_row_rcv(sock_net(sk), nb_sk_ifindex(sk, NULL));
	if (row) {
		nb_ctr_add(row, NB_C_COLL_CALLS, 1);
		nb_ctr_add(row, NB_C_COLL_SKBS, skbs);
		nb_ctr_add(row, NB_C_COLL_FREED, freed > 0 ? freed : 0);
		if (preempted)
			nb_ctr_add(row, NB_C_COLL_PREEMPTED, 1);
		else
			nb_hist_add(&row->hist[NB_H_COLLAPSE], now - d->t0);
	}
	rcu_read_unlock();
	if (unlikely(!preempted && nb_event_slow(now - d->t0)))
		nb_collapse_log(d, sk, now, skbs, freed, ep);
	if (ep) {
		nb_ep_touch(ep);
		ep->t_last = now;
		ep->skbs += skbs;
		/* After the receive queue, the prune checks and maybe ends. */
		if (!nb_prune_direct && d->rcvq &&
		    atomic_read(&sk->sk_rmem_alloc) <= READ_ONCE(sk->sk_rcvbuf))
			nb_ep_close(ep, NB_OUT_COLLAPSE, sk);
	}
}

static int __nb_collapse_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct nb_collapse_data *d = (struct nb_collapse_data *)ri->data;
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	u64 now = local_clock(), skbs;
	struct sock *sk = d->sk;
	unsigned long flags, epflags;
	struct nb_episode *ep;
	int freed;

	local_irq_save(flags);
	if (d->slot >= 0)
		skbs = nb_fl_release(d->slot);
	else
		skbs = nb_collapse_mib_skbs(st, d);
	freed = d->rmem0 - atomic_read(&sk->sk_rmem_alloc);
	ep = nb_ep_find(st, sk);
	if (ep) {
		nb_ep_hold(ep, &epflags);
		nb_collapse_done(d, now, skbs, freed, ep->sk == sk ? ep : NULL);
		nb_ep_release(ep, epflags);
	} else {
		nb_collapse_done(d, now, skbs, freed, NULL);
	}
	local_irq_restore(flags);
	return 0;
}

NB_TIMED(NB_P_COLLAPSE, nb_collapse_ret, NB_RP_PARAMS, (ri, regs))

/*
 * skb:kfree_skb, for the drops of tcp_prune_ofo_queue (reason
 * TCP_OFO_QUEUE_PRUNE, no other caller uses it): each dropped skb's
 * segments, as sk_drops counts them, go to the call in flight on its
 * socket. Every other drop returns at the first test.
 */
bool nb_ofo_drop_active;

static void nb_kfree_skb_tp NB_KFREE_SKB_PARAMS
{
	struct sock *sk;

	if (likely(reason != SKB_DROP_REASON_TCP_OFO_QUEUE_PRUNE))
		return;
	this_cpu_inc(nb_cpu.hits[NB_P_OFO_DROP]);
	sk = nb_kfree_skb_sk(skb);
	if (sk)
		nb_fl_add(sk, max_t(u16, 1, skb_shinfo(skb)->gso_segs));
}

void *nb_kfree_skb_probe(void)
{
	return (void *)nb_kfree_skb_tp;
}

struct nb_ofo_data {
	struct sock *sk;
	int rmem0;
	int drops0;
	int slot;		/* in nb_fl, or -1: segments from sk_drops */
	bool own;		/* the prune's own call, not the retry loop's */
};

/* kretprobe on tcp_prune_ofo_queue(sk[, in_skb]). */
static int __nb_ofo_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct nb_ofo_data *d = (struct nb_ofo_data *)ri->data;
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	struct nb_episode *ep;
	unsigned long flags;

	this_cpu_inc(nb_cpu.hits[NB_P_OFO]);
	d->sk = (struct sock *)regs_get_kernel_argument(regs, 0);
	d->rmem0 = atomic_read(&d->sk->sk_rmem_alloc);
	d->drops0 = atomic_read(&d->sk->sk_drops);
	d->slot = READ_ONCE(nb_ofo_drop_active) ? nb_fl_claim(d->sk) : -1;
	d->own = false;
	ep = nb_ep_find(st, d->sk);
	if (ep) {
		nb_ep_hold(ep, &flags);
		/* The prune calls it only while still above sk_rcvbuf. */
		d->own = ep->sk == d->sk && !ep->ofo &&
			 d->rmem0 > READ_ONCE(d->sk->sk_rcvbuf);
		if (d->own) {
			nb_ep_touch(ep);
			ep->ofo = true;
		}
		nb_ep_release(ep, flags);
	}
	return 0;
}

NB_TIMED(NB_P_OFO, nb_ofo_entry, NB_RP_PARAMS, (ri, regs))

/* Counts a finished call; @ep: @sk's episode, held, or NULL. */
static void nb_ofo_done(const struct nb_ofo_data *d, bool pruned, u32 segs,
			int rmem, struct nb_episode *ep)
{
	struct sock *sk = d->sk;
	struct nb_row *row;
	int freed;

	if (pruned) {
		freed = d->rmem0 - rmem;
		rcu_read_lock();
		if (ep)
			row = nb_row_find(ep->cookie, ep->ifindex, false);
		else
			row = nb_row_rcv(sock_net(sk), nb_sk_ifindex(sk, NULL));
		if (row) {
			nb_ctr_add(row, NB_C_OFO_CALLS, 1);
			nb_ctr_add(row, NB_C_OFO_SEGS, segs);
			nb_ctr_add(row, NB_C_OFO_BYTES, freed > 0 ? freed : 0);
		}
		rcu_read_unlock();
	}
	if (ep && pruned)
		ep->skbs += segs;
	if (ep && d->own) {
		nb_ep_touch(ep);
		ep->t_last = local_clock();
		/* Mirrors the prune: still above sk_rcvbuf means RcvPruned. */
		if (!nb_prune_direct)
			nb_ep_close(ep, rmem > READ_ONCE(sk->sk_rcvbuf) ?
				    NB_OUT_DROP : NB_OUT_OFO, sk);
	}
}

static int __nb_ofo_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct nb_ofo_data *d = (struct nb_ofo_data *)ri->data;
	struct nb_cpu *st = this_cpu_ptr(&nb_cpu);
	bool pruned = regs_return_value(regs) & 0xff;
	unsigned long flags, epflags;
	struct sock *sk = d->sk;
	struct nb_episode *ep;
	int rmem;
	u32 segs;

	rmem = atomic_read(&sk->sk_rmem_alloc);
	if (d->slot >= 0)
		segs = nb_fl_release(d->slot);
	else
		segs = atomic_read(&sk->sk_drops) - d->drops0;
	local_irq_save(flags);
	ep = nb_ep_find(st, sk);
	if (ep) {
		nb_ep_hold(ep, &epflags);
		nb_ofo_done(d, pruned, segs, rmem, ep->sk == sk ? ep : NULL);
		nb_ep_release(ep, epflags);
	} else {
		nb_ofo_done(d, pruned, segs, rmem, NULL);
	}
	local_irq_restore(flags);
	return 0;
}

NB_TIMED(NB_P_OFO, nb_ofo_ret, NB_RP_PARAMS, (ri, regs))

/*
 * Prune episodes that no hook saw begin: the kernel's PruneCalled since the
 * namespace's baseline minus the episodes netbuf counted. They began under
 * socket memory pressure, below sk_rcvbuf (see the top of this file), and
 * ended at once with nothing to do.
 *
 * A counter must not go down. @prune_called is read before any row is
 * summed into @counted, and a hook counts its episode before the kernel
 * counts the prune, so the difference can be short (prunes that ran during
 * the read) but never long; the largest value shown since the last reset
 * is the floor. It is kept with the reset count in its top bits, so that a
 * read that raced with a reset cannot leave an old floor behind.
 */
#define NB_UNSEEN_GEN_SHIFT	48
#define NB_UNSEEN_MASK		(BIT_ULL(NB_UNSEEN_GEN_SHIFT) - 1)

u64 nb_prune_unattributed(const struct nb_row *unknown,
			  unsigned long prune_called, u64 counted)
{
	/* the floor is the one field readers write */
	atomic64_t *shown = (atomic64_t *)&unknown->unseen_shown;
	unsigned int gen = READ_ONCE(unknown->prune_gen);
	u64 tag, v = 0;
	s64 old;
	long kernel;

	smp_rmb();	/* the base of that generation: nb_prune_rebase() */
	kernel = (long)(prune_called - READ_ONCE(unknown->prune_base));
	if (kernel > 0 && (u64)kernel > counted)
		v = min_t(u64, (u64)kernel - counted, NB_UNSEEN_MASK);
	tag = (u64)gen << NB_UNSEEN_GEN_SHIFT;
	old = atomic64_read(shown);
	for (;;) {
		s64 seen;

		if (((u64)old & ~NB_UNSEEN_MASK) != tag)
			return v;	/* a reset meanwhile */
		if (((u64)old & NB_UNSEEN_MASK) >= v)
			return (u64)old & NB_UNSEEN_MASK;
		seen = atomic64_cmpxchg(shown, old, (s64)(tag | v));
		if (seen == old)
			return v;
		old = seen;
	}
}

/*
 * A new baseline for @unknown: created (not yet published) or reset (under
 * nb_lock).
 */
void nb_prune_rebase(struct nb_row *unknown, struct net *net)
{
	unsigned int gen = (unknown->prune_gen + 1) &
			   (unsigned int)(U64_MAX >> NB_UNSEEN_GEN_SHIFT);

	WRITE_ONCE(unknown->prune_base, nb_kernel_prune_called(net));
	smp_wmb();	/* the base before its generation */
	WRITE_ONCE(unknown->prune_gen, gen);
	atomic64_set(&unknown->unseen_shown,
		     (s64)((u64)gen << NB_UNSEEN_GEN_SHIFT));
}

size_t nb_collapse_data_size(void)
{
	return sizeof(struct nb_collapse_data);
}

size_t nb_ofo_data_size(void)
{
	return sizeof(struct nb_ofo_data);
}
