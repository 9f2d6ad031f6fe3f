// SPDX-License-Identifier: GPL-2.0
/*
 * table.c - the rows: one per (network namespace, interface).
 *
 * Rows are created where sleeping is allowed (netdevice notifier, pernet
 * init), never in a probe. Probes find them with an RCU hash lookup keyed by
 * (net_cookie, ifindex). A device that goes away keeps its row, marked gone
 * and unhashed (so a device that reuses the ifindex gets a fresh row), until
 * a reset of its namespace or the namespace's end frees it.
 *
 * Each namespace keeps its rows on a list of its own (net_generic data of
 * nb_net_ops), which readers walk under RCU alone (see nb_net_rows() in
 * netbuf.h): a reader never takes nb_lock, which the netdevice notifier
 * takes under RTNL. Writers hold nb_lock; besides the namespace's list,
 * they keep every row on one of two host-wide lists: nb_rows (live, unknown
 * and backlog rows) and nb_gone (gone rows, oldest gone first, for
 * eviction). A namespace's end and reset walk that namespace's rows only.
 *
 * Limits: at most max_ifaces interface rows on the host, at most
 * max_ifaces_netns in one namespace, at most max_ifaces unknown rows.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/rculist.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <net/snmp.h>
#include <net/ip.h>

#include "netbuf.h"

#define NB_HASH_BITS	10

DEFINE_MUTEX(nb_lock);
static LIST_HEAD(nb_rows);		/* live, unknown and backlog rows */
static LIST_HEAD(nb_gone);		/* gone rows, oldest gone first */
static DEFINE_SEQLOCK(nb_name_lock);	/* renames against readers */
static unsigned int nb_tabns_id;
struct nb_row *nb_backlog_row;
static struct kmem_cache *nb_row_cache;
atomic_t nb_nrows = ATOMIC_INIT(0);		/* device rows (capped) */
atomic_long_t nb_mem_bytes = ATOMIC_LONG_INIT(0);
atomic_long_t nb_lost = ATOMIC_LONG_INIT(0);	/* events with no row at all */
atomic_t nb_untracked_devs = ATOMIC_INIT(0);	/* devices refused by the cap */
atomic_t nb_gen = ATOMIC_INIT(0);		/* bumped whenever a row is unhashed */
atomic_long_t nb_evicted = ATOMIC_LONG_INIT(0);	/* gone rows folded away */
atomic_t nb_napi_rows = ATOMIC_INIT(0);		/* rows with a per-CPU NAPI part */
atomic_t nb_unknown_rows = ATOMIC_INIT(0);	/* namespaces' unknown rows */

/* A namespace's table: net_generic data of nb_net_ops. */
struct nb_tabns {
	struct list_head rows;		/* its rows (RCU; writers: nb_lock) */
	unsigned int nrows;		/* its interface rows, gone ones too */
	struct nb_qns qns;		/* its NAPI instances (queues.c) */
};

static struct nb_tabns *nb_tabns_of(const struct net *net)
{
	return net_generic(net, nb_tabns_id);
}

struct nb_qns *nb_qns_of(const struct net *net)
{
	return &nb_tabns_of(net)->qns;
}

struct list_head *nb_net_rows(const struct net *net)
{
	return &nb_tabns_of(net)->rows;
}

/* @row's name into @buf (IFNAMSIZ bytes), whole even during a rename. */
void nb_row_name(const struct nb_row *row, char *buf)
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&nb_name_lock);
		memcpy(buf, row->name, IFNAMSIZ);
	} while (read_seqretry(&nb_name_lock, seq));
	buf[IFNAMSIZ - 1] = '\0';
}

static struct hlist_head nb_hash[1 << NB_HASH_BITS];

/* What the netbuf_row cache hands out per row (cache-line aligned). */
size_t nb_row_bytes(void)
{
	return ALIGN(sizeof(struct nb_row), cache_line_size());
}

size_t nb_row_pcpu_bytes(void)
{
	return sizeof(struct nb_napi_pcpu);
}

/*
 * The most rows can cost: max_ifaces interface rows, of which at most
 * NB_NAPI_PCPU_ROWS with a per-CPU NAPI part, and max_ifaces unknown rows
 * (one per namespace). The backlog row is not in it.
 */
size_t nb_bytes_worst(void)
{
	return 2 * (size_t)nb_max_ifaces * nb_row_bytes() +
	       (size_t)min_t(unsigned int, nb_max_ifaces, NB_NAPI_PCPU_ROWS) *
	       nb_row_pcpu_bytes() * num_possible_cpus() +
	       nb_queues_bytes_worst();
}

static size_t nb_napi_pcpu_size(void)
{
	return nb_row_pcpu_bytes() * num_possible_cpus();
}

/*
 * A row's per-CPU NAPI part is allocated where sleeping is allowed, by this
 * work, once its device has polled (nb_row_want_napi from the napi_poll
 * tracepoint), for at most NB_NAPI_PCPU_ROWS rows: devices that never poll
 * (most veths, tunnels, bridges, VLANs) never cost per-CPU memory. Until
 * then, and past the cap, polls count in the row's shared atomics.
 */
static void nb_napi_alloc_fn(struct work_struct *work)
{
	struct nb_napi_pcpu __percpu *pc;
	struct nb_row *row;

	mutex_lock(&nb_lock);
	list_for_each_entry(row, &nb_rows, node) {
		if (row->napi || !test_bit(0, &row->napi_want) ||
		    (row->flags & (NB_ROW_UNKNOWN | NB_ROW_GONE)))
			continue;
		if (atomic_read(&nb_napi_rows) >= NB_NAPI_PCPU_ROWS)
			break;
		pc = alloc_percpu(struct nb_napi_pcpu);
		if (!pc)
			break;
		row->bytes += nb_napi_pcpu_size();
		atomic_long_add(nb_napi_pcpu_size(), &nb_mem_bytes);
		atomic_inc(&nb_napi_rows);
		/* Zeroed memory before the pointer, for the probes. */
		smp_store_release(&row->napi, pc);
	}
	mutex_unlock(&nb_lock);
}

static DECLARE_WORK(nb_napi_alloc_work, nb_napi_alloc_fn);

/*
 * From the napi_poll tracepoint: @row's device polls and has no per-CPU
 * part yet. Asked once per row; not with interrupts off (netpoll), where
 * queueing work is best left alone: the next ordinary poll asks.
 */
void nb_row_want_napi(struct nb_row *row)
{
	if (irqs_disabled() || test_bit(0, &row->napi_want) ||
	    test_and_set_bit(0, &row->napi_want))
		return;
	schedule_work(&nb_napi_alloc_work);
}

static struct hlist_head *nb_bucket(u64 cookie, int ifindex)
{
	return &nb_hash[hash_64(cookie ^ ((u64)ifindex << 40), NB_HASH_BITS)];
}

/* Caller holds rcu_read_lock (probes run in RCU-sched sections). */
struct nb_row *nb_row_lookup(u64 cookie, int ifindex)
{
	struct nb_row *row;

	hlist_for_each_entry_rcu(row, nb_bucket(cookie, ifindex), hnode)
		if (row->cookie == cookie && row->ifindex == ifindex)
			return row;
	return NULL;
}

/*
 * The row an event of @net on @ifindex counts in: the interface's row, or
 * the namespace's unknown row when @ifindex is 0 or has no row (counted as
 * untracked there). NULL only if the namespace has no unknown row either,
 * which nb_lost records.
 */
struct nb_row *nb_row_attr(struct net *net, int ifindex)
{
	return nb_row_find(net->net_cookie, ifindex, true);
}

/*
 * The row a receive-buffer event of @net on @ifindex counts in. Where the
 * interface has no row, the namespace's unknown row: counted as untracked
 * when the device is there (refused a row by the cap), as gone when it is
 * not any more (a socket's sk_rx_dst_ifindex outlives its device).
 */
struct nb_row *nb_row_rcv(struct net *net, int ifindex)
{
	struct nb_row *row;

	if (ifindex <= 0)
		return nb_row_find(net->net_cookie, 0, false);
	row = nb_row_lookup(net->net_cookie, ifindex);
	if (likely(row))
		return row;
	row = nb_row_find(net->net_cookie, 0, false);
	if (row)
		nb_ctr_add(row, dev_get_by_index_rcu(net, ifindex) ?
			   NB_C_UNTRACKED : NB_C_GONE, 1);
	return row;
}

struct nb_row *nb_row_find(u64 cookie, int ifindex, bool count_untracked)
{
	struct nb_row *row;

	if (ifindex > 0) {
		row = nb_row_lookup(cookie, ifindex);
		if (likely(row))
			return row;
	}
	row = nb_row_lookup(cookie, 0);
	if (unlikely(!row)) {
		atomic_long_inc(&nb_lost);
		return NULL;
	}
	if (ifindex > 0 && count_untracked)
		nb_ctr_add(row, NB_C_UNTRACKED, 1);
	return row;
}

unsigned long nb_kernel_prune_called(struct net *net)
{
	return snmp_fold_field(net->mib.net_statistics, LINUX_MIB_PRUNECALLED);
}

static struct nb_row *nb_row_alloc(u64 cookie, int ifindex, unsigned int flags,
				   const char *name)
{
	struct nb_row *row;

	row = kmem_cache_zalloc(nb_row_cache, GFP_KERNEL);
	if (!row)
		return NULL;
	row->bytes = nb_row_bytes();
	/* Every CPU polls its backlog: per CPU from the start. */
	if (flags & NB_ROW_BACKLOG) {
		row->napi = alloc_percpu(struct nb_napi_pcpu);
		if (!row->napi) {
			kmem_cache_free(nb_row_cache, row);
			return NULL;
		}
		row->bytes += nb_napi_pcpu_size();
	}
	row->cookie = cookie;
	row->ifindex = ifindex;
	row->flags = flags;
	strscpy(row->name, name, sizeof(row->name));
	INIT_HLIST_NODE(&row->hnode);
	atomic_long_add(row->bytes, &nb_mem_bytes);
	return row;
}

static void nb_row_free(struct nb_row *row)
{
	atomic_long_sub(row->bytes, &nb_mem_bytes);
	if (row->napi && !(row->flags & NB_ROW_BACKLOG))
		atomic_dec(&nb_napi_rows);
	free_percpu(row->napi);
	kmem_cache_free(nb_row_cache, row);
}

static void nb_row_free_rcu(struct rcu_head *head)
{
	nb_row_free(container_of(head, struct nb_row, rcu));
}

/* Caller holds nb_lock. @row is of the namespace whose table is @tn. */
static void nb_row_insert(struct nb_row *row, struct nb_tabns *tn)
{
	row->tn = tn;
	list_add_tail(&row->node, &nb_rows);
	list_add_tail_rcu(&row->nsnode, &tn->rows);
	hlist_add_head_rcu(&row->hnode, nb_bucket(row->cookie, row->ifindex));
}

/* Caller holds nb_lock; the row may still be in use by probes. */
static void nb_row_unhash(struct nb_row *row)
{
	if (!hlist_unhashed(&row->hnode)) {
		hlist_del_init_rcu(&row->hnode);
		atomic_inc(&nb_gen);
	}
}

/* Caller holds nb_lock: a namespace's row out of every list, freed later. */
static void nb_row_destroy(struct nb_row *row)
{
	nb_row_unhash(row);
	list_del(&row->node);
	list_del_rcu(&row->nsnode);
	if (row->flags & NB_ROW_UNKNOWN) {
		atomic_dec(&nb_unknown_rows);
	} else {
		atomic_dec(&nb_nrows);
		row->tn->nrows--;
	}
	call_rcu(&row->rcu, nb_row_free_rcu);
}

static void nb_row_clear(struct nb_row *row)
{
	int cpu, i, k;

	for (i = 0; i < NB_C_MAX; i++)
		atomic64_set(&row->ctr[i], 0);
	for (k = 0; k < NB_H_MAX; k++) {
		for (i = 0; i < NB_HBUCKETS; i++)
			atomic64_set(&row->hist[k].bucket[i], 0);
		atomic64_set(&row->hist[k].sum, 0);
		atomic64_set(&row->hist[k].max, 0);
	}
	for (i = 0; i < NB_N_MAX; i++)
		atomic64_set(&row->napi_shared[i], 0);
	if (row->napi)
		for_each_possible_cpu(cpu)
			memset(per_cpu_ptr(row->napi, cpu), 0,
			       sizeof(struct nb_napi_pcpu));
}

/* A histogram of @row as one: its shared atomics plus its per-CPU parts. */
static u64 nb_hist_max(const struct nb_row *row, enum nb_hist_kind k)
{
	u64 m = atomic64_read(&row->hist[k].max), v;
	int cpu;

	if (!row->napi || k < NB_H_NAPI_NS)
		return m;
	for_each_possible_cpu(cpu) {
		const struct nb_napi_pcpu *p = per_cpu_ptr(row->napi, cpu);

		if (k == NB_H_NAPI_NS)
			v = READ_ONCE(p->max_ns);
		else
			v = READ_ONCE(p->pkts_max);
		m = max(m, v);
	}
	return m;
}

static void nb_hist_read_once(const struct nb_row *row, enum nb_hist_kind k,
			      u64 *count, u64 *sum, u64 *max)
{
	const struct nb_hist *h = &row->hist[k];
	int cpu, i;

	for (i = 0; i < NB_HBUCKETS; i++)
		count[i] = atomic64_read(&h->bucket[i]);
	*sum = atomic64_read(&h->sum);
	*max = atomic64_read(&h->max);
	if (!row->napi || k < NB_H_NAPI_NS)
		return;
	for_each_possible_cpu(cpu) {
		const struct nb_napi_pcpu *p = per_cpu_ptr(row->napi, cpu);

		if (k == NB_H_NAPI_NS) {
			for (i = 0; i < NB_HBUCKETS; i++)
				count[i] += READ_ONCE(p->ns_bucket[i]);
			*sum += READ_ONCE(p->poll_ns);
			*max = max(*max, READ_ONCE(p->max_ns));
		} else {
			for (i = 0; i < NB_PKT_BUCKETS; i++)
				count[i] += READ_ONCE(p->pkts_bucket[i]);
			*sum += READ_ONCE(p->packets);
			*max = max(*max, READ_ONCE(p->pkts_max));
		}
	}
}

/*
 * A histogram as one sample at a time leaves it: a writer raises its
 * bucket before its max (x86 keeps that order), so when the max read
 * before the buckets equals the max read after them, every sample up to
 * that max is in the buckets read, and the max lies in the highest
 * non-empty bucket. A few tries; a reader racing a busy writer gets the
 * last read.
 */
void nb_hist_read(const struct nb_row *row, enum nb_hist_kind k,
		  u64 *count, u64 *sum, u64 *max)
{
	int tries;

	for (tries = 0; tries < 8; tries++) {
		u64 before = nb_hist_max(row, k);

		nb_hist_read_once(row, k, count, sum, max);
		if (*max == before)
			return;
	}
}

void nb_napi_sum(const struct nb_row *row, struct nb_napi_ctr *out)
{
	const atomic64_t *sh = row->napi_shared;
	int cpu;

	out->polls = atomic64_read(&sh[NB_N_POLLS]);
	out->packets = atomic64_read(&sh[NB_N_PACKETS]);
	out->exhausted = atomic64_read(&sh[NB_N_EXHAUSTED]);
	out->empty = atomic64_read(&sh[NB_N_EMPTY]);
	out->poll_ns = atomic64_read(&sh[NB_N_POLL_NS]);
	out->max_ns = atomic64_read(&sh[NB_N_MAX_NS]);
	out->untimed = atomic64_read(&sh[NB_N_UNTIMED]);
	out->netpoll = atomic64_read(&sh[NB_N_NETPOLL]);
	out->busy = atomic64_read(&sh[NB_N_BUSY]);
	out->threaded = atomic64_read(&sh[NB_N_THREADED]);
	out->untracked = atomic64_read(&sh[NB_N_UNTRACKED]);
	out->gone = atomic64_read(&sh[NB_N_GONE]);
	if (!row->napi)
		return;
	for_each_possible_cpu(cpu) {
		const struct nb_napi_pcpu *p = per_cpu_ptr(row->napi, cpu);

		out->polls += READ_ONCE(p->polls);
		out->packets += READ_ONCE(p->packets);
		out->exhausted += READ_ONCE(p->exhausted);
		out->empty += READ_ONCE(p->empty);
		out->poll_ns += READ_ONCE(p->poll_ns);
		out->untimed += READ_ONCE(p->untimed);
		out->netpoll += READ_ONCE(p->netpoll);
		out->busy += READ_ONCE(p->busy);
		out->threaded += READ_ONCE(p->threaded);
		out->max_ns = max(out->max_ns, READ_ONCE(p->max_ns));
	}
}

/*
 * Clear @net's counters and forget its gone rows. A reader meanwhile may
 * see some counters cleared and others not yet, as it may see counters
 * that probes are adding to.
 */
void nb_row_reset_net(struct net *net)
{
	struct nb_row *row, *tmp;

	nb_queues_reset_net(net);
	mutex_lock(&nb_lock);
	list_for_each_entry_safe(row, tmp, &nb_tabns_of(net)->rows, nsnode) {
		if (row->flags & NB_ROW_GONE) {
			nb_row_destroy(row);
			continue;
		}
		nb_row_clear(row);
		if (row->flags & NB_ROW_UNKNOWN)
			nb_prune_rebase(row, net);
	}
	mutex_unlock(&nb_lock);
}

void nb_atomic64_max(atomic64_t *a, s64 v)
{
	s64 old = atomic64_read(a);

	while (old < v) {
		s64 seen = atomic64_cmpxchg(a, old, v);

		if (seen == old)
			break;
		old = seen;
	}
}

/* Add @s to the shared NAPI counters of @dst. */
void nb_napi_shared_add(struct nb_row *dst, const struct nb_napi_ctr *s)
{
	atomic64_t *sh = dst->napi_shared;

	atomic64_add(s->polls, &sh[NB_N_POLLS]);
	atomic64_add(s->packets, &sh[NB_N_PACKETS]);
	atomic64_add(s->exhausted, &sh[NB_N_EXHAUSTED]);
	atomic64_add(s->empty, &sh[NB_N_EMPTY]);
	atomic64_add(s->poll_ns, &sh[NB_N_POLL_NS]);
	atomic64_add(s->untimed, &sh[NB_N_UNTIMED]);
	atomic64_add(s->netpoll, &sh[NB_N_NETPOLL]);
	atomic64_add(s->busy, &sh[NB_N_BUSY]);
	atomic64_add(s->threaded, &sh[NB_N_THREADED]);
	atomic64_add(s->untracked, &sh[NB_N_UNTRACKED]);
	atomic64_add(s->gone, &sh[NB_N_GONE]);
	nb_atomic64_max(&sh[NB_N_MAX_NS], s->max_ns);
}

/* Add @src's counts to @dst (its namespace's unknown row). */
static void nb_row_fold(struct nb_row *src, struct nb_row *dst)
{
	u64 count[NB_HBUCKETS], sum, max;
	struct nb_napi_ctr s;
	int i, k;

	for (i = 0; i < NB_C_MAX; i++)
		atomic64_add(atomic64_read(&src->ctr[i]), &dst->ctr[i]);
	for (k = 0; k < NB_H_MAX; k++) {
		struct nb_hist *hd = &dst->hist[k];

		nb_hist_read(src, k, count, &sum, &max);
		for (i = 0; i < NB_HBUCKETS; i++)
			atomic64_add(count[i], &hd->bucket[i]);
		atomic64_add(sum, &hd->sum);
		nb_atomic64_max(&hd->max, max);
	}
	nb_napi_sum(src, &s);
	nb_napi_shared_add(dst, &s);
}

/*
 * Forget gone @row to make room: its counts move to its namespace's
 * unknown row, so no namespace total changes. Caller holds nb_lock.
 */
static void nb_evict(struct nb_row *row)
{
	struct nb_row *unknown;

	rcu_read_lock();
	unknown = nb_row_lookup(row->cookie, 0);
	if (unknown)
		nb_row_fold(row, unknown);
	rcu_read_unlock();
	nb_row_destroy(row);
	atomic_long_inc(&nb_evicted);
}

/*
 * At the host-wide cap: forget the gone row that went first, of whatever
 * namespace. Caller holds nb_lock. False if there is no gone row.
 */
static bool nb_evict_gone(void)
{
	struct nb_row *row;

	row = list_first_entry_or_null(&nb_gone, struct nb_row, node);
	if (!row)
		return false;
	nb_evict(row);
	return true;
}

/*
 * At a namespace's limit: forget its oldest gone row. Caller holds
 * nb_lock. False if the namespace has no gone row.
 */
static bool nb_evict_gone_net(struct nb_tabns *tn)
{
	struct nb_row *row;

	list_for_each_entry(row, &tn->rows, nsnode) {
		if (row->flags & NB_ROW_GONE) {
			nb_evict(row);
			return true;
		}
	}
	return false;
}

/* @dev's live row; caller holds nb_lock, which keeps it alive. */
static struct nb_row *nb_dev_row_locked(struct net_device *dev)
{
	struct nb_row *row;

	rcu_read_lock();
	row = nb_row_lookup(dev_net(dev)->net_cookie, dev->ifindex);
	rcu_read_unlock();
	return row;
}

static void nb_dev_register(struct net_device *dev)
{
	struct nb_tabns *tn = nb_tabns_of(dev_net(dev));
	struct nb_row *row;

	mutex_lock(&nb_lock);
	row = nb_dev_row_locked(dev);
	if (row)
		goto unlock;
	if (tn->nrows >= nb_max_ifaces_netns && !nb_evict_gone_net(tn)) {
		atomic_inc(&nb_untracked_devs);
		pr_warn_ratelimited("max_ifaces_netns=%u reached in a namespace: %s counts in its unknown row\n",
				    nb_max_ifaces_netns, dev->name);
		goto unlock;
	}
	if (atomic_read(&nb_nrows) >= nb_max_ifaces && !nb_evict_gone()) {
		atomic_inc(&nb_untracked_devs);
		pr_warn_ratelimited("max_ifaces=%u reached: %s counts in the unknown row\n",
				    nb_max_ifaces, dev->name);
		goto unlock;
	}
	row = nb_row_alloc(dev_net(dev)->net_cookie, dev->ifindex, 0,
			   dev->name);
	if (!row) {
		atomic_inc(&nb_untracked_devs);
		goto unlock;
	}
	atomic_inc(&nb_nrows);
	tn->nrows++;
	nb_row_insert(row, tn);
unlock:
	mutex_unlock(&nb_lock);
}

static void nb_dev_unregister(struct net_device *dev)
{
	struct nb_row *row;

	mutex_lock(&nb_lock);
	row = nb_dev_row_locked(dev);
	if (row) {
		WRITE_ONCE(row->flags, row->flags | NB_ROW_GONE);
		nb_row_unhash(row);
		list_move_tail(&row->node, &nb_gone);
	}
	mutex_unlock(&nb_lock);
}

static void nb_dev_rename(struct net_device *dev)
{
	struct nb_row *row;

	mutex_lock(&nb_lock);
	row = nb_dev_row_locked(dev);
	if (row) {
		write_seqlock(&nb_name_lock);
		strscpy(row->name, dev->name, sizeof(row->name));
		write_sequnlock(&nb_name_lock);
	}
	mutex_unlock(&nb_lock);
}

static int nb_netdev_event(struct notifier_block *nb, unsigned long event,
			   void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	switch (event) {
	case NETDEV_REGISTER:
		nb_dev_register(dev);
		break;
	case NETDEV_UNREGISTER:
		nb_queues_dev_unregister(dev);
		nb_dev_unregister(dev);
		break;
	case NETDEV_CHANGENAME:
		nb_dev_rename(dev);
		break;
	}
	return NOTIFY_DONE;
}

static struct notifier_block nb_netdev_notifier = {
	.notifier_call = nb_netdev_event,
};

/*
 * A new namespace: its table, and its unknown row while there are fewer
 * than max_ifaces of them. Never fails the namespace: without an unknown
 * row, its events that have no interface row count in nb_lost.
 */
static int __net_init nb_net_init(struct net *net)
{
	struct nb_tabns *tn = nb_tabns_of(net);
	struct nb_row *row;

	INIT_LIST_HEAD(&tn->rows);
	tn->nrows = 0;
	INIT_LIST_HEAD(&tn->qns.list);
	if (atomic_inc_return(&nb_unknown_rows) > nb_max_ifaces) {
		atomic_dec(&nb_unknown_rows);
		pr_warn_ratelimited("max_ifaces=%u unknown rows reached: a namespace goes without\n",
				    nb_max_ifaces);
		return 0;
	}
	row = nb_row_alloc(net->net_cookie, 0, NB_ROW_UNKNOWN, "unknown");
	if (!row) {
		atomic_dec(&nb_unknown_rows);
		pr_warn_ratelimited("no memory for a namespace's unknown row\n");
		return 0;
	}
	nb_prune_rebase(row, net);
	mutex_lock(&nb_lock);
	nb_row_insert(row, tn);
	mutex_unlock(&nb_lock);
	return 0;
}

/*
 * Namespaces are dying (their devices are gone, their files too): their
 * rows go, each namespace's from its own list, under one nb_lock for the
 * whole batch. Readers still walking a list (a host-wide reader that found
 * the namespace before it was unlisted) see rows unlinked under RCU.
 */
static void __net_exit nb_net_exit_batch(struct list_head *net_exit_list)
{
	struct nb_row *row, *tmp;
	struct nb_tabns *tn;
	struct net *net;

	list_for_each_entry(net, net_exit_list, exit_list)
		nb_queues_reset_net(net);
	mutex_lock(&nb_lock);
	list_for_each_entry(net, net_exit_list, exit_list) {
		tn = nb_tabns_of(net);
		list_for_each_entry_safe(row, tmp, &tn->rows, nsnode)
			nb_row_destroy(row);
	}
	mutex_unlock(&nb_lock);
}

static struct pernet_operations nb_net_ops = {
	.init = nb_net_init,
	.exit_batch = nb_net_exit_batch,
	.id = &nb_tabns_id,
	.size = sizeof(struct nb_tabns),
};

int nb_table_init(void)
{
	int err;

	/*
	 * Rows come from a cache of their own size: from kmalloc, a row
	 * would take the next power of two and `bytes` would understate it.
	 */
	nb_row_cache = kmem_cache_create("netbuf_row", sizeof(struct nb_row),
					 0, SLAB_HWCACHE_ALIGN, NULL);
	if (!nb_row_cache)
		return -ENOMEM;
	nb_backlog_row = nb_row_alloc(0, 0, NB_ROW_BACKLOG, "backlog");
	if (!nb_backlog_row) {
		err = -ENOMEM;
		goto destroy_cache;
	}
	mutex_lock(&nb_lock);
	list_add_tail(&nb_backlog_row->node, &nb_rows);
	mutex_unlock(&nb_lock);

	err = register_pernet_subsys(&nb_net_ops);
	if (err)
		goto free_backlog;
	/* Replays NETDEV_REGISTER for every existing device of every netns. */
	err = register_netdevice_notifier(&nb_netdev_notifier);
	if (err)
		goto unregister_pernet;
	return 0;

unregister_pernet:
	unregister_pernet_subsys(&nb_net_ops);
free_backlog:
	list_del(&nb_backlog_row->node);
	nb_row_free(nb_backlog_row);
	nb_backlog_row = NULL;
destroy_cache:
	kmem_cache_destroy(nb_row_cache);
	return err;
}

/* Called after every probe is gone: nothing can look rows up any more. */
void nb_table_exit(void)
{
	struct nb_row *row, *tmp;

	/* No probe can ask for a per-CPU part any more. */
	cancel_work_sync(&nb_napi_alloc_work);
	unregister_netdevice_notifier(&nb_netdev_notifier);
	unregister_pernet_subsys(&nb_net_ops);
	/* Every namespace's rows went with its exit: the backlog row is left. */
	mutex_lock(&nb_lock);
	list_splice_init(&nb_gone, &nb_rows);
	list_for_each_entry_safe(row, tmp, &nb_rows, node) {
		nb_row_unhash(row);
		list_del(&row->node);
		nb_row_free(row);
	}
	mutex_unlock(&nb_lock);
	nb_backlog_row = NULL;
	/*
	 * Rows freed by pernet exit or reset went through call_rcu.
	 * unregister_pernet_subsys() ends with an rcu_barrier() on 6.1 and
	 * 6.12 already; this one does not depend on that.
	 */
	rcu_barrier();
	kmem_cache_destroy(nb_row_cache);
}
