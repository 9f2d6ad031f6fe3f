// SPDX-License-Identifier: GPL-2.0
/*
 * queues.c - NAPI per instance: one entry per napi_struct that polls (an RX
 * queue, a channel, a TX completion context), named by the kernel's NAPI
 * id (what SO_INCOMING_NAPI_ID returns), so that a multiqueue device's load
 * shows queue by queue (napi_queues, napi_queue_hist).
 *
 * The napi:napi_poll tracepoint finds a poll's entry in an open-addressing
 * hash of pointers keyed by the napi_struct's address (linear probing, at
 * most NB_Q_PROBE slots), and adds to it with atomics on the entry's own
 * cache lines: the polls of one NAPI instance run one at a time
 * (NAPI_STATE_SCHED), so only the CPU polling it writes them, except when
 * the tracepoint of one poll overlaps the next poll's on another CPU (the
 * tracepoint fires after ->poll() gave the instance back), which the
 * atomics make exact.
 *
 * A poll whose instance has no entry claims one from a small pool of
 * preallocated entries, under a raw spinlock (a probe neither sleeps nor
 * allocates; a work item refills the pool), unless a cap says no
 * (max_napi_queues on the host, max_napi_queues_netns in a namespace), the
 * pool is empty or the device is no longer registered; such polls count in
 * the namespace's unlisted sums (shared atomics), and a later poll tries
 * again. An instance without a NAPI id (TX completion NAPI, drivers that
 * opt out of busy polling) gets an entry too, shown with napi_id 0.
 * max_napi_queues=0 turns all of it off.
 *
 * An entry matches a poll only for the same address, namespace, ifindex
 * and NAPI id. A driver that deleted an instance and made another at the
 * same address (GRO or XDP toggled on a veth, a channel change) gets a new
 * entry; the old one is retired: unhashed, but kept on its namespace's
 * list with its counts, so that a device's entries still sum to its row.
 * Entries go (retired ones too) when their device is unregistered or
 * leaves its namespace, when the namespace is reset or exits: taken off
 * their namespace's list (only that list is walked) and freed after an RCU
 * grace period, so a probe or reader that found one may still use it. A
 * late tracepoint cannot claim an entry for a device being unregistered:
 * its state is checked under nb_q_lock, which the unregistration takes
 * after the state changed (and after synchronize_net()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/netdevice.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>

#include "compat.h"
#include "netbuf.h"

#define NB_Q_PROBE	32			/* slots a lookup looks at */
#define NB_Q_TOMB	((struct nb_queue *)1UL)	/* a removed entry's slot */
#define NB_Q_POOL	32			/* entries kept ready for claims */

unsigned int nb_max_queues __read_mostly = 1024;
unsigned int nb_max_queues_netns __read_mostly = 256;

struct nb_queue {
	/* Read by lookups; set before the entry is published. */
	const struct napi_struct *napi;
	u64 cookie;			/* its device's net->net_cookie */
	struct nb_qns *qns;		/* and that namespace's part */
	struct list_head node;		/* on qns->list (RCU) */
	int ifindex;
	unsigned int napi_id;
	bool hashed;			/* in a slot; under nb_q_lock */
	/* Written by polls, on lines of their own. */
	int cpu ____cacheline_aligned;	/* of the last poll */
	atomic64_t ctr[NB_Q_MAX];
	atomic64_t max_ns;
	atomic64_t pkts_max;
	atomic64_t ns_bucket[NB_HBUCKETS];
	atomic64_t pkts_bucket[NB_PKT_BUCKETS];
	struct rcu_head rcu;		/* freed through it */
};

static struct nb_queue __rcu **nb_q_slot __read_mostly;
static unsigned int nb_q_mask __read_mostly;
static struct kmem_cache *nb_q_cache __read_mostly;
static size_t nb_q_bytes __read_mostly;		/* an entry, as allocated */

static DEFINE_RAW_SPINLOCK(nb_q_lock);
static unsigned int nb_q_count;		/* entries in use; nb_q_lock */
static struct nb_queue *nb_q_pool[NB_Q_POOL];	/* ready; nb_q_lock */
static unsigned int nb_q_pool_n;
static bool nb_q_stopping;		/* unload: no refill any more */

static unsigned int nb_q_hash(const struct napi_struct *napi)
{
	return hash_ptr(napi, 32) & nb_q_mask;
}

/* The hashed entry at @napi's address, or NULL. Under RCU or nb_q_lock. */
static struct nb_queue *nb_q_find(const struct napi_struct *napi)
{
	unsigned int h = nb_q_hash(napi), i;

	for (i = 0; i < NB_Q_PROBE; i++) {
		struct nb_queue *q;

		q = rcu_dereference_check(nb_q_slot[(h + i) & nb_q_mask],
					  rcu_read_lock_sched_held() ||
					  lockdep_is_held(&nb_q_lock));
		if (!q)
			return NULL;
		if (q != NB_Q_TOMB && q->napi == napi)
			return q;
	}
	return NULL;
}

/* Is @q the entry of this poll: same instance, not an address reused? */
static bool nb_q_match(const struct nb_queue *q, struct napi_struct *napi,
		       struct net_device *dev, struct net *net)
{
	return q->napi_id == READ_ONCE(napi->napi_id) &&
	       q->ifindex == dev->ifindex && q->cookie == net->net_cookie;
}

/*
 * Under nb_q_lock: take @q out of the hash. Its slot becomes a tombstone,
 * or empty with the tombstones before it when the slot after it is empty
 * (no lookup passes there).
 */
static void nb_q_unhash(struct nb_queue *q)
{
	unsigned int h = nb_q_hash(q->napi), i, j;

	if (!q->hashed)
		return;
	q->hashed = false;
	for (i = 0; i < NB_Q_PROBE; i++) {
		j = (h + i) & nb_q_mask;
		if (rcu_access_pointer(nb_q_slot[j]) == q)
			break;
	}
	if (WARN_ON_ONCE(i == NB_Q_PROBE))
		return;
	rcu_assign_pointer(nb_q_slot[j], NB_Q_TOMB);
	if (rcu_access_pointer(nb_q_slot[(j + 1) & nb_q_mask]))
		return;
	while (rcu_access_pointer(nb_q_slot[j]) == NB_Q_TOMB) {
		RCU_INIT_POINTER(nb_q_slot[j], NULL);
		j = (j - 1) & nb_q_mask;
	}
}

static void nb_q_refill_fn(struct work_struct *work);
static DECLARE_WORK(nb_q_refill_work, nb_q_refill_fn);

/* From a poll: the pool is low. Not with interrupts off (netpoll). */
static void nb_q_want_refill(void)
{
	if (!irqs_disabled() && !READ_ONCE(nb_q_stopping))
		schedule_work(&nb_q_refill_work);
}

/*
 * A poll found no entry of its own: make one from the pool, retiring an
 * entry that held the address for an instance since deleted. The cheap
 * refusals come first, without the lock, so that a full table, an empty
 * pool or a dying device costs no lock per poll.
 */
static struct nb_queue *nb_q_claim(struct napi_struct *napi,
				   struct net_device *dev, struct net *net)
{
	struct nb_qns *qns = nb_qns_of(net);
	struct nb_queue *q = NULL, *old;
	unsigned long flags;
	unsigned int h, i;

	if (READ_ONCE(nb_q_count) >= nb_max_queues ||
	    READ_ONCE(qns->count) >= nb_max_queues_netns ||
	    READ_ONCE(dev->reg_state) != NETREG_REGISTERED)
		return NULL;
	if (!READ_ONCE(nb_q_pool_n)) {	/* below the cap: room for more */
		nb_q_want_refill();
		return NULL;
	}
	raw_spin_lock_irqsave(&nb_q_lock, flags);
	old = nb_q_find(napi);
	if (old && nb_q_match(old, napi, dev, net)) {
		q = old;	/* claimed meanwhile on another CPU */
		goto unlock;
	}
	if (nb_q_count >= nb_max_queues ||
	    qns->count >= nb_max_queues_netns || !nb_q_pool_n ||
	    READ_ONCE(dev->reg_state) != NETREG_REGISTERED)
		goto unlock;
	if (old)	/* retired: stays listed, with its counts */
		nb_q_unhash(old);
	h = nb_q_hash(napi);
	for (i = 0; i < NB_Q_PROBE; i++) {
		struct nb_queue *s;

		s = rcu_dereference_protected(nb_q_slot[(h + i) & nb_q_mask],
					      lockdep_is_held(&nb_q_lock));
		if (!s || s == NB_Q_TOMB)
			break;
	}
	if (i == NB_Q_PROBE)
		goto unlock;
	q = nb_q_pool[nb_q_pool_n - 1];
	WRITE_ONCE(nb_q_pool_n, nb_q_pool_n - 1);
	q->napi = napi;
	q->cookie = net->net_cookie;
	q->qns = qns;
	q->ifindex = dev->ifindex;
	q->napi_id = READ_ONCE(napi->napi_id);
	q->cpu = smp_processor_id();
	q->hashed = true;
	WRITE_ONCE(nb_q_count, nb_q_count + 1);
	WRITE_ONCE(qns->count, qns->count + 1);
	list_add_tail_rcu(&q->node, &qns->list);
	rcu_assign_pointer(nb_q_slot[(h + i) & nb_q_mask], q);
unlock:
	raw_spin_unlock_irqrestore(&nb_q_lock, flags);
	if (READ_ONCE(nb_q_pool_n) < NB_Q_POOL / 2)
		nb_q_want_refill();
	return q;
}

/*
 * May the pool take one more? Up to NB_Q_POOL entries, never past what the
 * host cap leaves (entries in use and ready stay within max_napi_queues).
 */
static bool nb_q_pool_room(void)
{
	return !READ_ONCE(nb_q_stopping) && READ_ONCE(nb_q_pool_n) < NB_Q_POOL &&
	       READ_ONCE(nb_q_count) + READ_ONCE(nb_q_pool_n) < nb_max_queues;
}

/* The work item that refills the pool (allocating, so never in a probe). */
static void nb_q_refill_fn(struct work_struct *work)
{
	while (nb_q_pool_room()) {
		struct nb_queue *q = kmem_cache_zalloc(nb_q_cache, GFP_KERNEL);
		unsigned long flags;
		bool kept = false;

		if (!q)
			return;
		raw_spin_lock_irqsave(&nb_q_lock, flags);
		if (nb_q_pool_room()) {
			nb_q_pool[nb_q_pool_n] = q;
			WRITE_ONCE(nb_q_pool_n, nb_q_pool_n + 1);
			kept = true;
		}
		raw_spin_unlock_irqrestore(&nb_q_lock, flags);
		if (!kept) {
			kmem_cache_free(nb_q_cache, q);
			return;
		}
		atomic_long_add(nb_q_bytes, &nb_mem_bytes);
	}
}

/*
 * One poll of @napi, its counts in @one (see __nb_napi_tp): into the
 * instance's entry, or the namespace's unlisted sums. Preemption is off.
 */
void nb_queue_poll(struct napi_struct *napi, const struct nb_napi_ctr *one,
		   bool timed)
{
	struct net_device *dev = napi->dev;
	struct nb_queue *q;
	struct net *net;
	atomic64_t *c;

	if (!dev || !nb_max_queues)
		return;
	net = dev_net(dev);
	q = nb_q_find(napi);
	if (unlikely(!q || !nb_q_match(q, napi, dev, net)))
		q = nb_q_claim(napi, dev, net);
	if (unlikely(!q)) {
		struct nb_qns *qns = nb_qns_of(net);

		c = qns->unlisted;
		if (timed)
			nb_atomic64_max(&qns->unlisted_max, one->max_ns);
	} else {
		c = q->ctr;
		/* Buckets before maxima: see nb_queue_hist_show(). */
		if (timed)
			atomic64_inc(&q->ns_bucket[nb_hist_index(one->poll_ns)]);
		atomic64_inc(&q->pkts_bucket[nb_pkt_index(one->packets)]);
		/* Pairs with the smp_rmb() in nb_q_hist_line(). */
		smp_mb__after_atomic();
		if (timed)
			nb_atomic64_max(&q->max_ns, one->max_ns);
		nb_atomic64_max(&q->pkts_max, one->packets);
		if (READ_ONCE(q->cpu) != smp_processor_id())
			WRITE_ONCE(q->cpu, smp_processor_id());
	}
	atomic64_inc(&c[NB_Q_POLLS]);
	if (one->packets)
		atomic64_add(one->packets, &c[NB_Q_PACKETS]);
	if (one->exhausted)
		atomic64_inc(&c[NB_Q_EXHAUSTED]);
	if (one->empty)
		atomic64_inc(&c[NB_Q_EMPTY]);
	if (timed)
		atomic64_add(one->poll_ns, &c[NB_Q_POLL_NS]);
	else
		atomic64_inc(&c[NB_Q_UNTIMED]);
}

static void nb_q_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(nb_q_cache, container_of(head, struct nb_queue, rcu));
}

/*
 * Remove @net's entries on @ifindex, or every one of @net if @ifindex is 0:
 * its list alone is walked, under nb_q_lock.
 */
static void nb_q_remove_where(struct net *net, int ifindex)
{
	struct nb_qns *qns = nb_qns_of(net);
	struct nb_queue *q, *tmp;
	unsigned long flags;
	unsigned int n = 0;

	raw_spin_lock_irqsave(&nb_q_lock, flags);
	list_for_each_entry_safe(q, tmp, &qns->list, node) {
		if (ifindex && q->ifindex != ifindex)
			continue;
		nb_q_unhash(q);
		list_del_rcu(&q->node);
		WRITE_ONCE(qns->count, qns->count - 1);
		WRITE_ONCE(nb_q_count, nb_q_count - 1);
		call_rcu(&q->rcu, nb_q_free_rcu);
		n++;
	}
	raw_spin_unlock_irqrestore(&nb_q_lock, flags);
	atomic_long_sub(n * nb_q_bytes, &nb_mem_bytes);
}

/* NETDEV_UNREGISTER (also a move to another namespace), under RTNL. */
void nb_queues_dev_unregister(struct net_device *dev)
{
	nb_q_remove_where(dev_net(dev), dev->ifindex);
}

/*
 * A reset of @net, or its exit: its entries go, and its unlisted sums are
 * cleared (a reader meanwhile may see part of them cleared).
 */
void nb_queues_reset_net(struct net *net)
{
	struct nb_qns *qns = nb_qns_of(net);
	int k;

	nb_q_remove_where(net, 0);
	for (k = 0; k < NB_Q_MAX; k++)
		atomic64_set(&qns->unlisted[k], 0);
	atomic64_set(&qns->unlisted_max, 0);
}

/* ---- reading ---- */

struct nb_q_view {
	const struct nb_queue *q;
	int ifindex;
	unsigned int napi_id;
};

static int nb_q_view_cmp(const void *a, const void *b)
{
	const struct nb_q_view *x = a, *y = b;

	if (x->ifindex != y->ifindex)
		return x->ifindex < y->ifindex ? -1 : 1;
	if (x->napi_id != y->napi_id)
		return x->napi_id < y->napi_id ? -1 : 1;
	/* Instances without an id: the same order in both files. */
	if (x->q != y->q)
		return (unsigned long)x->q < (unsigned long)y->q ? -1 : 1;
	return 0;
}

/* Entries one namespace can have: what a reader makes room for. */
static unsigned int nb_q_room(void)
{
	return min(nb_max_queues, nb_max_queues_netns);
}

/*
 * @net's entries, sorted by ifindex and NAPI id, into @v (nb_q_room());
 * how many. Under rcu_read_lock().
 */
static unsigned int nb_q_collect(struct net *net, struct nb_q_view *v)
{
	struct nb_queue *q;
	unsigned int n = 0;

	list_for_each_entry_rcu(q, &nb_qns_of(net)->list, node) {
		if (n == nb_q_room())
			break;
		v[n].q = q;
		v[n].ifindex = q->ifindex;
		v[n].napi_id = q->napi_id;
		n++;
	}
	sort(v, n, sizeof(*v), nb_q_view_cmp, NULL);
	return n;
}

/*
 * The name of @q's device: from its row, which renames keep up to date
 * under a seqlock, else (a device without a row) from the device. Under
 * rcu_read_lock().
 */
static void nb_q_name(struct net *net, const struct nb_queue *q, char *name)
{
	struct nb_row *row = nb_row_lookup(q->cookie, q->ifindex);
	struct net_device *dev;

	if (row) {
		nb_row_name(row, name);
		return;
	}
	dev = dev_get_by_index_rcu(net, q->ifindex);
	strscpy(name, dev ? dev->name : "?", IFNAMSIZ);
}

static void nb_q_show_vals(struct seq_file *m, const atomic64_t *c, u64 max)
{
	seq_printf(m, " %llu %llu %llu %llu %llu %llu %llu\n",
		   (u64)atomic64_read(&c[NB_Q_POLLS]),
		   (u64)atomic64_read(&c[NB_Q_PACKETS]),
		   (u64)atomic64_read(&c[NB_Q_EXHAUSTED]),
		   (u64)atomic64_read(&c[NB_Q_EMPTY]),
		   (u64)atomic64_read(&c[NB_Q_POLL_NS]), max,
		   (u64)atomic64_read(&c[NB_Q_UNTIMED]));
}

int nb_queues_show(struct seq_file *m, struct net *net)
{
	struct nb_qns *qns = nb_qns_of(net);
	struct nb_q_view *v;
	char name[IFNAMSIZ];
	unsigned int i, n;

	v = kvmalloc_array(nb_q_room() ?: 1, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	seq_printf(m, "%-16s %7s %8s %7s %5s %4s polls packets exhausted empty poll_ns poll_max_ns untimed\n",
		   "iface", "ifindex", "rxqueues", "napi_id", "queue", "cpu");
	rcu_read_lock();
	n = nb_q_collect(net, v);
	for (i = 0; i < n; i++) {
		const struct nb_queue *q = v[i].q;
		struct net_device *dev;
		unsigned int rxqs = 0;
		int rxq = -1;

		nb_q_name(net, q, name);
		dev = dev_get_by_index_rcu(net, q->ifindex);
		if (dev) {
			rxqs = READ_ONCE(dev->real_num_rx_queues);
			rxq = nb_napi_rxq(dev, q->napi, rxqs);
		}
		seq_printf(m, "%-16s %7d %8u %7u ", name, q->ifindex, rxqs,
			   q->napi_id);
		if (rxq >= 0)
			seq_printf(m, "%5d", rxq);
		else
			seq_printf(m, "%5s", "-");
		seq_printf(m, " %4d", READ_ONCE(q->cpu));
		nb_q_show_vals(m, q->ctr, atomic64_read(&q->max_ns));
	}
	rcu_read_unlock();
	seq_printf(m, "%-16s %7s %8s %7s %5s %4s", "unlisted", "-", "-", "-",
		   "-", "-");
	nb_q_show_vals(m, qns->unlisted, atomic64_read(&qns->unlisted_max));
	kvfree(v);
	return 0;
}

/*
 * One histogram line. Buckets are read first, then (after a barrier
 * pairing with the one in nb_queue_poll()) the sum and the maximum: a
 * poll counted in the buckets has its value in max already. The sum may
 * hold a poll more or less than the buckets.
 */
static void nb_q_hist_line(struct seq_file *m, const char *name,
			   const struct nb_queue *q, const char *hist,
			   const atomic64_t *bucket, int nb, const atomic64_t *sum,
			   const atomic64_t *max)
{
	u64 count[NB_HBUCKETS], samples = 0;
	int i;

	for (i = 0; i < nb; i++) {
		count[i] = atomic64_read(&bucket[i]);
		samples += count[i];
	}
	if (!samples)
		return;
	/* Pairs with the smp_mb__after_atomic() in nb_queue_poll(). */
	smp_rmb();
	seq_printf(m, "%-16s %7d %7u %-9s %llu %llu %llu", name, q->ifindex,
		   q->napi_id, hist, samples, (u64)atomic64_read(sum),
		   (u64)atomic64_read(max));
	for (i = 0; i < nb; i++)
		if (count[i])
			seq_printf(m, " %llu:%llu", nb_hist_low(i), count[i]);
	seq_putc(m, '\n');
}

int nb_queue_hist_show(struct seq_file *m, struct net *net)
{
	struct nb_q_view *v;
	char name[IFNAMSIZ];
	unsigned int i, n;

	v = kvmalloc_array(nb_q_room() ?: 1, sizeof(*v), GFP_KERNEL);
	if (!v)
		return -ENOMEM;
	seq_printf(m, "%-16s %7s %7s %-9s %s %s %s %s\n", "iface", "ifindex",
		   "napi_id", "hist", "samples", "sum", "max", "buckets");
	rcu_read_lock();
	n = nb_q_collect(net, v);
	for (i = 0; i < n; i++) {
		const struct nb_queue *q = v[i].q;

		nb_q_name(net, q, name);
		nb_q_hist_line(m, name, q, "napi_ns", q->ns_bucket,
			       NB_HBUCKETS, &q->ctr[NB_Q_POLL_NS], &q->max_ns);
		nb_q_hist_line(m, name, q, "napi_pkts", q->pkts_bucket,
			       NB_PKT_BUCKETS, &q->ctr[NB_Q_PACKETS],
			       &q->pkts_max);
	}
	rcu_read_unlock();
	kvfree(v);
	return 0;
}

/* The table's slots: allocated at load, whatever polls. */
static size_t nb_q_table_bytes(void)
{
	return (size_t)(nb_q_mask + 1) * sizeof(*nb_q_slot);
}

void nb_queues_memory_show(struct seq_file *m)
{
	seq_printf(m, "napi_queues %u\nnapi_queues_max %u\nnapi_queues_netns_max %u\nnapi_queue_bytes %zu\nnapi_queue_table_bytes %zu\n",
		   READ_ONCE(nb_q_count), nb_max_queues, nb_max_queues_netns,
		   nb_q_bytes, nb_q_table_bytes());
}

/*
 * The slots, and every entry the host cap allows (entries in use and in
 * the pool together never pass it).
 */
size_t nb_queues_bytes_worst(void)
{
	return nb_q_table_bytes() + (size_t)nb_max_queues * nb_q_bytes;
}

/* Before the table's pernet operations and netdevice notifier. */
int nb_queues_init(void)
{
	unsigned int slots = roundup_pow_of_two(max(2 * nb_max_queues, 16U));

	nb_q_cache = kmem_cache_create("netbuf_napi_queue",
				       sizeof(struct nb_queue), 0,
				       SLAB_HWCACHE_ALIGN, NULL);
	if (!nb_q_cache)
		return -ENOMEM;
	nb_q_bytes = ALIGN(sizeof(struct nb_queue), cache_line_size());
	nb_q_slot = kvcalloc(slots, sizeof(*nb_q_slot), GFP_KERNEL);
	if (!nb_q_slot) {
		kmem_cache_destroy(nb_q_cache);
		return -ENOMEM;
	}
	nb_q_mask = slots - 1;
	nb_q_stopping = false;
	atomic_long_add(nb_q_table_bytes(), &nb_mem_bytes);
	/* Ready for the first polls; a failure leaves the work to retry. */
	nb_q_refill_fn(NULL);
	return 0;
}

/*
 * After the probes, the table's pernet operations (every namespace's exit
 * removed its entries) and its notifier are gone.
 */
void nb_queues_exit(void)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&nb_q_lock, flags);
	nb_q_stopping = true;
	raw_spin_unlock_irqrestore(&nb_q_lock, flags);
	cancel_work_sync(&nb_q_refill_work);
	WARN_ON(nb_q_count);
	while (nb_q_pool_n) {
		kmem_cache_free(nb_q_cache, nb_q_pool[--nb_q_pool_n]);
		atomic_long_sub(nb_q_bytes, &nb_mem_bytes);
	}
	rcu_barrier();		/* the entries' nb_q_free_rcu */
	atomic_long_sub(nb_q_table_bytes(), &nb_mem_bytes);
	kvfree(nb_q_slot);
	nb_q_slot = NULL;
	kmem_cache_destroy(nb_q_cache);
}
