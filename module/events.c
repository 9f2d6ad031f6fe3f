// SPDX-License-Identifier: GPL-2.0
/*
 * events.c - a log of slow collapse and prune episodes: which connection,
 * which cgroup, how full its buffer was.
 *
 * Each network namespace has a log of its own: a ring of events_max
 * records, its counts (recorded, lost, and how far its readers have read)
 * and the wait queue its pollers sleep on. A namespace's records, counts
 * and wake-ups never reach a reader of another namespace, and one
 * namespace's episodes cannot push another's records out.
 *
 * Writers (probe handlers, interrupts off) find the log by the namespace
 * cookie with an RCU hash lookup, take a record index with one atomic
 * increment, claim the slot (a cmpxchg on its index word, so two writers
 * never share a slot when the ring wraps under them), fill it and publish
 * the index: no lock. A reader copies a slot and keeps it only if its index
 * is the same before and after. Reading never blocks a writer. Records a
 * writer overwrites before any reader of the namespace read them, and
 * records that found no slot, are counted as lost.
 *
 * Only episodes at or above events_threshold_ns are recorded, so fast
 * episodes pay one comparison.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/hashtable.h>
#include <linux/irq_work.h>
#include <linux/mm.h>
#include <linux/netdevice.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/sock.h>

#include "netbuf.h"

/* A slot's index word while a writer fills it. */
#define NB_SLOT_BUSY	U64_MAX

struct nb_ring {
	atomic64_t head;	/* record indices handed out in this ring */
	u64 seen;		/* first index no reader has read yet */
	unsigned int len;
	size_t bytes;		/* what the allocator handed out */
	struct nb_event rec[];
};

/* One namespace's log: net_generic data of nb_events_net_ops. */
struct nb_evns {
	struct hlist_node hnode;	/* nb_evns_hash (RCU), by cookie */
	struct list_head node;		/* nb_evns_list, under nb_evns_lock */
	u64 cookie;
	struct nb_ring __rcu *ring;	/* NULL if it could not be allocated */
	struct nb_ring *spare;		/* resize: new ring, then the old one */
	atomic64_t recorded;		/* slow episodes of this namespace */
	atomic64_t lost;		/* of them, never read */
	wait_queue_head_t wq;		/* its pollers, and only them */
	struct irq_work work;		/* wakes them from a probe */
	bool dying;			/* unload or exit: poll ends, no waiting */
};

#define NB_EVNS_HASH_BITS	8

static DEFINE_HASHTABLE(nb_evns_hash, NB_EVNS_HASH_BITS);
static LIST_HEAD(nb_evns_list);
static DEFINE_MUTEX(nb_evns_lock);	/* the list, hash inserts, resizes */
static unsigned int nb_evns_id;
static bool nb_events_stopping;		/* under nb_evns_lock */

u64 nb_events_threshold_ns = 1000000;
unsigned int nb_events_max = 32;

static size_t nb_evns_bytes(void)
{
	/* The pernet core kzallocs it: a kmalloc bucket. */
	return kmalloc_size_roundup(sizeof(struct nb_evns));
}

static size_t nb_ring_size(unsigned int len)
{
	return struct_size_t(struct nb_ring, rec, len);
}

/* A ring charged to the memory cgroup of whoever makes it be allocated. */
static struct nb_ring *nb_ring_alloc(unsigned int len)
{
	size_t size = nb_ring_size(len);
	struct nb_ring *r;

	r = kvzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!r)
		return NULL;
	r->len = len;
	r->bytes = is_vmalloc_addr(r) ? PAGE_ALIGN(size) :
					kmalloc_size_roundup(size);
	atomic_long_add(r->bytes, &nb_mem_bytes);
	return r;
}

static void nb_ring_free(struct nb_ring *r)
{
	if (!r)
		return;
	atomic_long_sub(r->bytes, &nb_mem_bytes);
	kvfree(r);
}

static struct nb_evns *nb_evns_of(const struct net *net)
{
	return net_generic(net, nb_evns_id);
}

/* Under rcu_read_lock(). */
static struct nb_evns *nb_evns_find(u64 cookie)
{
	struct nb_evns *ns;

	hash_for_each_possible_rcu(nb_evns_hash, ns, hnode, cookie)
		if (ns->cookie == cookie)
			return ns;
	return NULL;
}

static void nb_evns_wake(struct irq_work *w)
{
	struct nb_evns *ns = container_of(w, struct nb_evns, work);

	wake_up_interruptible_poll(&ns->wq, EPOLLIN | EPOLLRDNORM);
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

/* Claim, fill and publish a slot of @r; false if the record is lost. */
static bool nb_ring_put(struct nb_evns *ns, struct nb_ring *r,
			const struct nb_event *ev)
{
	u64 idx = atomic64_fetch_inc(&r->head);
	struct nb_event *slot = &r->rec[idx % r->len];
	u64 old = READ_ONCE(slot->idx);

	/*
	 * The slot holds record old - 1 (or nothing: 0). A newer record or a
	 * writer still busy there means the ring went round under this one:
	 * give up rather than share the slot.
	 */
	if (old > idx || cmpxchg64(&slot->idx, old, NB_SLOT_BUSY) != old)
		return false;
	if (old && old - 1 >= READ_ONCE(r->seen))
		atomic64_inc(&ns->lost);	/* overwritten unread */
	/* Everything but the index word, which says "busy" meanwhile. */
	BUILD_BUG_ON(offsetof(struct nb_event, idx) != 0);
	memcpy((char *)slot + sizeof(slot->idx), (const char *)ev +
	       sizeof(ev->idx), sizeof(*ev) - sizeof(ev->idx));
	slot->time_ns = ktime_get_real_ns();
	slot->cpu = smp_processor_id();
	/* The whole record before its index; pairs with the readers' rmb. */
	smp_store_release(&slot->idx, idx + 1);
	return true;
}

/* Interrupts are off; @ev->dur_ns is at or above the threshold. */
void nb_event_commit(const struct nb_event *ev)
{
	struct nb_evns *ns;
	struct nb_ring *r;

	rcu_read_lock();
	ns = nb_evns_find(ev->cookie);
	if (!ns)		/* the namespace is going away */
		goto unlock;
	r = rcu_dereference(ns->ring);
	if (!r || !nb_ring_put(ns, r, ev))
		atomic64_inc(&ns->lost);
	/* Counted once readable: a reader that saw the count sees the record. */
	atomic64_inc(&ns->recorded);
	/*
	 * The barrier pairs with the one in nb_events_poll(): a poller sees
	 * the count, or is on the queue and woken. No poller, no irq_work.
	 */
	smp_mb__after_atomic();
	if (waitqueue_active(&ns->wq))	/* see the barrier's comment */
		irq_work_queue(&ns->work);
unlock:
	rcu_read_unlock();
}

u64 nb_events_recorded(const struct net *net)
{
	return atomic64_read(&nb_evns_of(net)->recorded);
}

u64 nb_events_lost(const struct net *net)
{
	return atomic64_read(&nb_evns_of(net)->lost);
}

/* Every namespace's ring to @len records (emptied), or none (-ENOMEM). */
int nb_events_resize(unsigned int len)
{
	struct nb_evns *ns;
	int err = 0;

	if (len < 1 || len > NB_EVENTS_MAX_LIMIT)
		return -EINVAL;
	mutex_lock(&nb_evns_lock);
	list_for_each_entry(ns, &nb_evns_list, node) {
		ns->spare = nb_ring_alloc(len);
		if (!ns->spare) {
			err = -ENOMEM;
			goto free_spares;
		}
	}
	list_for_each_entry(ns, &nb_evns_list, node)
		ns->spare = rcu_replace_pointer(ns->ring, ns->spare,
						lockdep_is_held(&nb_evns_lock));
	nb_events_max = len;
	/* No writer or reader is left in the old rings. */
	synchronize_rcu();
free_spares:
	list_for_each_entry(ns, &nb_evns_list, node) {
		nb_ring_free(ns->spare);
		ns->spare = NULL;
	}
	mutex_unlock(&nb_evns_lock);
	return err;
}

static int __net_init nb_events_net_init(struct net *net)
{
	struct nb_evns *ns = nb_evns_of(net);

	ns->cookie = net->net_cookie;
	init_waitqueue_head(&ns->wq);
	init_irq_work(&ns->work, nb_evns_wake);
	atomic_long_add(nb_evns_bytes(), &nb_mem_bytes);
	mutex_lock(&nb_evns_lock);
	ns->dying = nb_events_stopping;
	/* Without a ring the namespace still counts its records, as lost. */
	RCU_INIT_POINTER(ns->ring, nb_ring_alloc(nb_events_max));
	list_add_tail(&ns->node, &nb_evns_list);
	hash_add_rcu(nb_evns_hash, &ns->hnode, ns->cookie);
	mutex_unlock(&nb_evns_lock);
	return 0;
}

/* Writers stop finding the log; the core's synchronize_rcu() follows. */
static void __net_exit nb_events_net_pre_exit(struct net *net)
{
	struct nb_evns *ns = nb_evns_of(net);

	mutex_lock(&nb_evns_lock);
	hash_del_rcu(&ns->hnode);
	list_del(&ns->node);
	mutex_unlock(&nb_evns_lock);
}

/* What poll(2) says once the log is going: every poller's filter has some. */
#define NB_POLL_GONE	(EPOLLIN | EPOLLRDNORM | EPOLLPRI | EPOLLERR | EPOLLHUP)

/*
 * The log is going (module unload, before procfs removes the files; or the
 * namespace's exit) and processes may sit in poll(2), select(2) or an
 * epoll set on an events file. Detach them without waiting for anything of
 * theirs (a close, a timeout): mark the log dying, so that ->poll() answers
 * NB_POLL_GONE at once and adds no entry to the queue any more, and wake
 * the queue with POLLFREE, as wake_up_pollfree() does: epoll, aio and
 * io_uring unhook their entries in the wake-up itself; a poll(2) or
 * select(2) caller, woken, polls the file again, gets NB_POLL_GONE (error,
 * hang-up and priority data: in the filter of every poll and select set),
 * returns and unhooks in poll_freewait(). That takes only the woken task's
 * next run: a TASK_INTERRUPTIBLE sleep in poll(2) does not survive a
 * wake-up, nor a signal or a freeze. So wake until the queue is empty.
 * Then an RCU grace period before the queue's memory may go: epoll may
 * still look at it after POLLFREE (ep_remove_wait_queue()).
 */
static void nb_evns_detach_pollers(struct nb_evns *ns)
{
	bool had = false;

	for (;;) {
		bool empty;

		spin_lock_irq(&ns->wq.lock);
		/* A poller queued after this sees it (nb_events_poll()). */
		WRITE_ONCE(ns->dying, true);
		empty = list_empty(&ns->wq.head);
		spin_unlock_irq(&ns->wq.lock);
		if (empty)
			break;
		had = true;
		__wake_up(&ns->wq, TASK_NORMAL, 0,
			  poll_to_key(NB_POLL_GONE | POLLFREE));
		schedule_timeout_uninterruptible(1);
	}
	if (had)
		synchronize_rcu();
}

/*
 * Module unload, first step, while the files are still there: every log
 * dying and its pollers detached; namespaces made from now on start dying.
 */
void nb_events_stop(void)
{
	struct nb_evns *ns;

	mutex_lock(&nb_evns_lock);
	nb_events_stopping = true;
	list_for_each_entry(ns, &nb_evns_list, node)
		nb_evns_detach_pollers(ns);
	mutex_unlock(&nb_evns_lock);
}

/* Namespace exit or module unload: no writer can find the log any more. */
static void __net_exit nb_events_net_exit(struct net *net)
{
	struct nb_evns *ns = nb_evns_of(net);

	irq_work_sync(&ns->work);
	nb_evns_detach_pollers(ns);
	nb_ring_free(rcu_dereference_protected(ns->ring, true));
	RCU_INIT_POINTER(ns->ring, NULL);
	atomic_long_sub(nb_evns_bytes(), &nb_mem_bytes);
}

static struct pernet_operations nb_events_net_ops = {
	.init = nb_events_net_init,
	.pre_exit = nb_events_net_pre_exit,
	.exit = nb_events_net_exit,
	.id = &nb_evns_id,
	.size = sizeof(struct nb_evns),
};

int nb_events_init(void)
{
	return register_pernet_subsys(&nb_events_net_ops);
}

/* After procfs and the probes are gone. */
void nb_events_exit(void)
{
	unregister_pernet_subsys(&nb_events_net_ops);
}

/* ---- reading ---- */

static int nb_event_cmp(const void *a, const void *b)
{
	const struct nb_event *x = a, *y = b;

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return x->cpu - y->cpu;
}

/* Readers have read @r up to @head (never moves back). */
static void nb_ring_seen(struct nb_ring *r, u64 head)
{
	u64 old = READ_ONCE(r->seen);

	while (old < head) {
		u64 cur = cmpxchg64(&r->seen, old, head);

		if (cur == old)
			break;
		old = cur;
	}
}

/* Copy out the records of @ns, oldest first; NULL if none or no memory. */
static struct nb_event *nb_events_snapshot(struct nb_evns *ns, size_t *n)
{
	struct nb_event *out = NULL;
	unsigned int cap = 0;
	struct nb_ring *r;
	size_t cnt = 0;

	rcu_read_lock();
	r = rcu_dereference(ns->ring);
	if (r)
		cap = r->len;
	rcu_read_unlock();
	if (cap)
		out = kvmalloc_array(cap, sizeof(*out), GFP_KERNEL);
	if (!out)
		goto done;
	rcu_read_lock();
	/* A resize may have come in between: at most cap records. */
	r = rcu_dereference(ns->ring);
	if (r) {
		u64 head = atomic64_read(&r->head), stop = head, i;
		unsigned int len = min(r->len, cap);

		for (i = head > len ? head - len : 0; i < head; i++) {
			struct nb_event *slot = &r->rec[i % r->len];
			struct nb_event *ev = &out[cnt];
			/* Pairs with the writer's release of the index. */
			u64 v = smp_load_acquire(&slot->idx);

			if (v != i + 1) {
				/* Still being written: not read yet. */
				if (v == NB_SLOT_BUSY || v < i + 1)
					stop = min(stop, i);
				continue;
			}
			*ev = *slot;
			/* Pairs with the claim's cmpxchg before the copy. */
			smp_rmb();
			if (READ_ONCE(slot->idx) != i + 1)
				continue;
			cnt++;
		}
		nb_ring_seen(r, stop);
	}
	rcu_read_unlock();
	sort(out, cnt, sizeof(*out), nb_event_cmp, NULL);
done:
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
	evs = nb_events_snapshot(nb_evns_of(net), &n);
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

/*
 * Readable once the namespace recorded more than @seen episodes; error and
 * hang-up once the log is going (see nb_evns_detach_pollers()). The caller
 * holds a reference on @net (its open file does), so the log outlives the
 * call.
 */
__poll_t nb_events_poll(struct file *file, struct net *net, u64 seen,
			poll_table *wait)
{
	struct nb_evns *ns = nb_evns_of(net);

	if (READ_ONCE(ns->dying))
		return NB_POLL_GONE;
	poll_wait(file, &ns->wq, wait);
	/*
	 * Pairs with the barrier in nb_event_commit(); and dying is set under
	 * the queue's lock, which poll_wait() took: if it was set after this
	 * poller was queued, the poller is woken.
	 */
	smp_mb();
	if (READ_ONCE(ns->dying))
		return NB_POLL_GONE;
	return atomic64_read(&ns->recorded) != seen ? EPOLLIN | EPOLLRDNORM : 0;
}
