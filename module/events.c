// SPDX-License-Identifier: GPL-2.0
/*
 * events.c - a log of slow collapse and prune episodes: which connection,
 * which cgroup, how full its buffer was.
 *
 * Each CPU owns a ring of events_max records, written only by that CPU with
 * interrupts off, so writers never share a cache line or take a lock.
 * Every slot carries the index of the record in it, zeroed while it is being
 * written: a reader copies a slot and keeps it only if the index is the
 * same before and after. Reading never blocks a writer. Records a writer
 * overwrites before any reader saw them are counted as lost.
 *
 * Only episodes at or above events_threshold_ns are recorded, so fast
 * episodes pay one comparison.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/irq_work.h>
#include <linux/netdevice.h>
#include <linux/percpu.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "netbuf.h"

struct nb_ring {
	u64 head;		/* records ever written on this CPU */
	u64 seen;		/* head when a reader last looked */
	u64 lost;
	struct nb_event rec[];
};

static struct nb_ring __percpu *nb_rings;	/* NULL while resizing */
static unsigned int nb_ring_len;	/* records per CPU of nb_rings */
static DEFINE_MUTEX(nb_ring_lock);	/* resizes */
static atomic64_t nb_events_total = ATOMIC64_INIT(0);
static atomic64_t nb_events_lost_old = ATOMIC64_INIT(0);	/* freed rings */
static DECLARE_WAIT_QUEUE_HEAD(nb_events_wq);

u64 nb_events_threshold_ns = 1000000;
unsigned int nb_events_max = 128;

static void nb_events_wake(struct irq_work *w)
{
	wake_up_interruptible_all(&nb_events_wq);
}

static DEFINE_IRQ_WORK(nb_events_work, nb_events_wake);

static size_t nb_ring_size(unsigned int len)
{
	return sizeof(struct nb_ring) + (size_t)len * sizeof(struct nb_event);
}

/* Fill the parts of @ev that come from the socket. */
void nb_event_sock(struct nb_event *ev, struct sock *sk)
{
	ev->family = sk->sk_family;
	ev->lport = sk->sk_num;
	ev->rport = ntohs(sk->sk_dport);
#if IS_ENABLED(CONFIG_IPV6)
	if (sk->sk_family == AF_INET6) {
		memcpy(ev->laddr, &sk->sk_v6_rcv_saddr, 16);
		memcpy(ev->raddr, &sk->sk_v6_daddr, 16);
	} else
#endif
	{
		memcpy(ev->laddr, &sk->sk_rcv_saddr, 4);
		memcpy(ev->raddr, &sk->sk_daddr, 4);
	}
#ifdef CONFIG_SOCK_CGROUP_DATA
	ev->cgroup = cgroup_id(sock_cgroup_ptr(&sk->sk_cgrp_data));
#endif
	ev->cookie = sock_net(sk)->net_cookie;
	ev->rmem0 = atomic_read(&sk->sk_rmem_alloc);
	ev->rcvbuf0 = READ_ONCE(sk->sk_rcvbuf);
	ev->rmem1 = -1;
	ev->rcvbuf1 = -1;
}

void nb_event_sock_after(struct nb_event *ev, struct sock *sk)
{
	ev->rmem1 = atomic_read(&sk->sk_rmem_alloc);
	ev->rcvbuf1 = READ_ONCE(sk->sk_rcvbuf);
}

/* Interrupts are off; @ev->dur_ns is at or above the threshold. */
void nb_event_commit(const struct nb_event *ev)
{
	struct nb_ring __percpu *rings;
	struct nb_event *slot;
	struct nb_ring *r;
	u64 idx;

	rcu_read_lock();
	/* Pairs with smp_store_release() in nb_events_resize(). */
	rings = smp_load_acquire(&nb_rings);	/* then nb_ring_len */
	if (!rings)
		goto unlock;
	r = this_cpu_ptr(rings);
	idx = r->head;
	if (idx >= nb_ring_len && idx - nb_ring_len >= READ_ONCE(r->seen))
		r->lost++;
	slot = &r->rec[idx % nb_ring_len];
	WRITE_ONCE(slot->idx, 0);
	/* Readers see idx 0 before any byte of the new record. */
	smp_wmb();
	*slot = *ev;
	slot->idx = 0;
	slot->time_ns = ktime_get_real_ns();
	slot->cpu = smp_processor_id();
	/* The whole record before its index; pairs with the readers' rmb. */
	smp_wmb();
	WRITE_ONCE(slot->idx, idx + 1);
	WRITE_ONCE(r->head, idx + 1);
	atomic64_inc(&nb_events_total);
	irq_work_queue(&nb_events_work);
unlock:
	rcu_read_unlock();
}

u64 nb_events_recorded(void)
{
	return atomic64_read(&nb_events_total);
}

u64 nb_events_lost(void)
{
	struct nb_ring __percpu *rings;
	u64 lost = atomic64_read(&nb_events_lost_old);
	int cpu;

	mutex_lock(&nb_ring_lock);
	rings = nb_rings;
	if (rings)
		for_each_possible_cpu(cpu)
			lost += READ_ONCE(per_cpu_ptr(rings, cpu)->lost);
	mutex_unlock(&nb_ring_lock);
	return lost;
}

int nb_events_resize(unsigned int len)
{
	struct nb_ring __percpu *new, *old;
	int cpu;

	if (len < 1 || len > NB_EVENTS_MAX_LIMIT)
		return -EINVAL;
	new = (struct nb_ring __percpu *)__alloc_percpu(nb_ring_size(len),
						      __alignof__(struct nb_ring));
	if (!new)
		return -ENOMEM;
	mutex_lock(&nb_ring_lock);
	old = nb_rings;
	/* Writers may not see a new length with the old rings: stop them. */
	WRITE_ONCE(nb_rings, NULL);
	synchronize_rcu();
	if (old) {
		for_each_possible_cpu(cpu) {
			struct nb_ring *r = per_cpu_ptr(old, cpu);

			atomic64_add(r->lost, &nb_events_lost_old);
		}
		free_percpu(old);
		atomic_long_sub(nb_ring_size(nb_ring_len) * num_possible_cpus(),
				&nb_mem_bytes);
	}
	nb_ring_len = len;
	nb_events_max = len;
	atomic_long_add(nb_ring_size(len) * num_possible_cpus(), &nb_mem_bytes);
	/* Publish the length (and zeroed rings) before the rings. */
	smp_store_release(&nb_rings, new);
	mutex_unlock(&nb_ring_lock);
	return 0;
}

int nb_events_init(void)
{
	return nb_events_resize(nb_events_max);
}

void nb_events_exit(void)
{
	struct nb_ring __percpu *old;

	irq_work_sync(&nb_events_work);
	mutex_lock(&nb_ring_lock);
	old = nb_rings;
	WRITE_ONCE(nb_rings, NULL);
	mutex_unlock(&nb_ring_lock);
	synchronize_rcu();
	if (old) {
		free_percpu(old);
		atomic_long_sub(nb_ring_size(nb_ring_len) * num_possible_cpus(),
				&nb_mem_bytes);
	}
}

/* ---- reading ---- */

static int nb_event_cmp(const void *a, const void *b)
{
	const struct nb_event *x = a, *y = b;

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return x->cpu - y->cpu;
}

/* Copy out the records of @cookie, oldest first; NULL if none or no memory. */
static struct nb_event *nb_events_snapshot(u64 cookie, size_t *n)
{
	struct nb_ring __percpu *rings;
	struct nb_event *out = NULL;
	size_t cap, cnt = 0;
	int cpu;

	mutex_lock(&nb_ring_lock);
	rings = nb_rings;
	if (!rings)
		goto unlock;
	cap = (size_t)nb_ring_len * num_possible_cpus();
	out = kvmalloc_array(cap, sizeof(*out), GFP_KERNEL);
	if (!out)
		goto unlock;
	for_each_possible_cpu(cpu) {
		struct nb_ring *r = per_cpu_ptr(rings, cpu);
		u64 head = READ_ONCE(r->head), i;

		i = head > nb_ring_len ? head - nb_ring_len : 0;
		for (; i < head; i++) {
			struct nb_event *slot = &r->rec[i % nb_ring_len];
			struct nb_event *ev = &out[cnt];

			if (READ_ONCE(slot->idx) != i + 1)
				continue;
			/* Pairs with the writer's wmb after the record. */
			smp_rmb();
			*ev = *slot;
			/* Pairs with the writer's wmb after zeroing idx. */
			smp_rmb();
			if (READ_ONCE(slot->idx) != i + 1 || ev->cookie != cookie)
				continue;
			cnt++;
		}
		WRITE_ONCE(r->seen, head);
	}
	sort(out, cnt, sizeof(*out), nb_event_cmp, NULL);
unlock:
	mutex_unlock(&nb_ring_lock);
	*n = cnt;
	return out;
}

static const char *const nb_kind_name[] = {
	[NB_EV_COLLAPSE] = "collapse",
	[NB_EV_PRUNE] = "prune",
};

static const char *const nb_outcome_name[] = {
	[NB_OUT_AUTO] = "noop",
	[NB_OUT_COLLAPSE] = "collapse",
	[NB_OUT_OFO] = "ofo",
	[NB_OUT_DROP] = "drop",
};

static void nb_show_addr(struct seq_file *m, const struct nb_event *ev,
			 const u8 *addr, u16 port)
{
	if (ev->family == AF_INET6)
		seq_printf(m, " [%pI6c]:%u", addr, port);
	else
		seq_printf(m, " %pI4:%u", addr, port);
}

static void nb_show_int(struct seq_file *m, int v)
{
	if (v < 0)
		seq_puts(m, " -");
	else
		seq_printf(m, " %d", v);
}

void nb_events_show(struct seq_file *m, struct net *net)
{
	struct nb_event *evs;
	size_t n, i;

	seq_puts(m, "time kind dur_ns outcome iface ifindex cgroup local remote rmem_before rcvbuf_before rmem_after rcvbuf_after skbs bytes cpu\n");
	evs = nb_events_snapshot(net->net_cookie, &n);
	for (i = 0; i < n; i++) {
		const struct nb_event *ev = &evs[i];
		struct net_device *dev;

		seq_printf(m, "%llu.%09llu %s %llu %s", ev->time_ns / NSEC_PER_SEC,
			   ev->time_ns % NSEC_PER_SEC, nb_kind_name[ev->kind],
			   ev->dur_ns, ev->kind == NB_EV_PRUNE ?
			   nb_outcome_name[ev->outcome] : "-");
		rcu_read_lock();
		dev = ev->ifindex ? dev_get_by_index_rcu(net, ev->ifindex) : NULL;
		seq_printf(m, " %s %d %llu", dev ? dev->name : "-", ev->ifindex,
			   ev->cgroup);
		rcu_read_unlock();
		nb_show_addr(m, ev, ev->laddr, ev->lport);
		nb_show_addr(m, ev, ev->raddr, ev->rport);
		nb_show_int(m, ev->rmem0);
		nb_show_int(m, ev->rcvbuf0);
		nb_show_int(m, ev->rmem1);
		nb_show_int(m, ev->rcvbuf1);
		seq_printf(m, " %u %u %u\n", ev->skbs, ev->bytes, ev->cpu);
	}
	kvfree(evs);
}

/* Readable again once a record was added after the reader's last read. */
__poll_t nb_events_poll(struct file *file, u64 seen, poll_table *wait)
{
	poll_wait(file, &nb_events_wq, wait);
	return nb_events_recorded() != seen ? EPOLLIN | EPOLLRDNORM : 0;
}
