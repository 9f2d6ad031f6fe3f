/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netbuf.h - shared declarations of the netbuf module.
 *
 * A row holds the counters of one (network namespace, interface) pair.
 * Receive-buffer events (collapse, prune) are rare, so their counters are
 * shared atomics in the row; NAPI polls are frequent, so once a device
 * polls, its NAPI counters and histograms are per CPU.
 */
#ifndef _NETBUF_H
#define _NETBUF_H

#include <linux/atomic.h>
#include <linux/if.h>
#include <linux/irqflags.h>
#include <linux/jump_label.h>
#include <linux/sched/clock.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rculist.h>
#include <linux/timer.h>
#include <linux/types.h>
#include <linux/time64.h>

struct kprobe;
struct kretprobe_instance;
struct pt_regs;
struct seq_file;
struct net;
struct net_device;
struct napi_struct;
struct sock;
struct task_struct;
struct file;
struct poll_table_struct;

#define NETBUF_VERSION		"0.1.0"
#define NETBUF_FORMAT		1

/* Bucket 0 holds 0; bucket i >= 1 holds [2^(i-1), 2^i); the last is open. */
#define NB_HBUCKETS		34

struct nb_hist {
	atomic64_t bucket[NB_HBUCKETS];
	atomic64_t sum;
	atomic64_t max;
};

enum nb_hist_kind {
	NB_H_COLLAPSE,		/* ns per tcp_collapse call */
	NB_H_PRUNE,		/* ns per prune episode */
	NB_H_NAPI_NS,		/* ns per NAPI poll */
	NB_H_NAPI_PKTS,		/* packets per NAPI poll */
	NB_H_MAX,
};

/* Shared (non per-CPU) counters of a row. */
enum nb_ctr {
	NB_C_COLL_CALLS,
	NB_C_COLL_SKBS,
	NB_C_COLL_FREED,
	NB_C_PRUNE_CALLS,
	NB_C_PRUNE_NOOP,
	NB_C_PRUNE_COLLAPSE,
	NB_C_PRUNE_OFO,
	NB_C_PRUNE_DROP,
	NB_C_OFO_CALLS,
	NB_C_OFO_SEGS,
	NB_C_OFO_BYTES,
	NB_C_UNTRACKED,
	NB_C_GONE,
	NB_C_COLL_PREEMPTED,
	NB_C_PRUNE_PREEMPTED,
	NB_C_MAX,
};

/* A row's NAPI counters, as summed for reading (and one poll's worth). */
struct nb_napi_ctr {
	u64 polls;
	u64 packets;
	u64 exhausted;
	u64 empty;
	u64 poll_ns;
	u64 max_ns;
	u64 untimed;
	u64 netpoll;		/* netpoll polls (budget 0) */
	u64 busy;		/* busy-poll polls (a task's napi_busy_loop) */
	u64 threaded;		/* polls in the device's NAPI thread */
	u64 untracked;		/* unknown row: polls of cap-refused devices */
	u64 gone;		/* unknown row: polls of unregistered devices */
};

/*
 * napi_pkts buckets kept per CPU: 0, 1, [2,4), ..., [128,256), [256,inf).
 * A poll takes at most its budget: the NAPI weight (64; the kernel warns
 * above that) or net.core.dev_weight for the backlog (64 by default).
 */
#define NB_PKT_BUCKETS		10

/*
 * The NAPI part of a row that polls, per CPU: written only by its own CPU
 * (this_cpu ops, safe against a netpoll poll in a hard interrupt), so no
 * poll writes a cache line another CPU writes. Counters and both NAPI
 * histograms: napi_ns's sum and max are poll_ns and max_ns, napi_pkts's
 * sum is packets. 55 u64, 448 bytes (7 cache lines) per CPU.
 */
struct nb_napi_pcpu {
	u64 polls;
	u64 packets;
	u64 exhausted;
	u64 empty;
	u64 poll_ns;
	u64 max_ns;
	u64 untimed;
	u64 netpoll;
	u64 busy;
	u64 threaded;
	u64 pkts_max;
	u64 ns_bucket[NB_HBUCKETS];
	u64 pkts_bucket[NB_PKT_BUCKETS];
} ____cacheline_aligned;

/* Rows (besides backlog) that may get a per-CPU NAPI part; see README. */
#define NB_NAPI_PCPU_ROWS	512

enum nb_napi_field {
	NB_N_POLLS, NB_N_PACKETS, NB_N_EXHAUSTED, NB_N_EMPTY, NB_N_POLL_NS,
	NB_N_MAX_NS, NB_N_UNTIMED, NB_N_NETPOLL, NB_N_BUSY, NB_N_THREADED,
	NB_N_UNTRACKED, NB_N_GONE, NB_N_MAX,
};

/* A NAPI instance's counters (napi_queues; queues.c). */
enum nb_queue_field {
	NB_Q_POLLS, NB_Q_PACKETS, NB_Q_EXHAUSTED, NB_Q_EMPTY, NB_Q_POLL_NS,
	NB_Q_UNTIMED, NB_Q_MAX,
};

/*
 * A namespace's part of the NAPI instance table (in its table's pernet
 * data): its entries, and the polls of its devices that have none.
 */
struct nb_qns {
	struct list_head list;		/* its entries (RCU; writers: nb_q_lock) */
	unsigned int count;		/* under nb_q_lock; read locklessly */
	atomic64_t unlisted[NB_Q_MAX];
	atomic64_t unlisted_max;
};

#define NB_ROW_GONE		BIT(0)	/* device unregistered */
#define NB_ROW_UNKNOWN		BIT(1)	/* the namespace's unattributed row */
#define NB_ROW_BACKLOG		BIT(2)	/* host-wide per-CPU backlog NAPI */

struct nb_tabns;

struct nb_row {
	struct hlist_node hnode;	/* lookup hash (RCU), unhashed when gone */
	/*
	 * nb_rows or nb_gone (writers only, under nb_lock) until the row is
	 * destroyed; then the rcu_head that frees it. Readers never use node.
	 */
	union {
		struct list_head node;
		struct rcu_head rcu;
	};
	struct list_head nsnode;	/* its namespace's rows (RCU) */
	struct nb_tabns *tn;		/* that namespace's table; NULL: backlog */
	u64 cookie;			/* net->net_cookie */
	int ifindex;
	unsigned int flags;		/* NB_ROW_GONE set under nb_lock */
	char name[IFNAMSIZ];		/* read it with nb_row_name() */
	/*
	 * unknown rows: the kernel's PruneCalled at creation or reset, the
	 * resets' count, and the largest prune_unseen shown since, with that
	 * count in its top bits (see nb_prune_unattributed)
	 */
	unsigned long prune_base;
	unsigned int prune_gen;
	atomic64_t unseen_shown;
	size_t bytes;			/* what this row costs, for memory */
	/*
	 * NAPI counters and histograms: per CPU once the row's device polls
	 * (allocated by a work item, see nb_row_want_napi; always for the
	 * backlog row), shared atomics (napi_shared, hist) before that, for
	 * unknown rows and past NB_NAPI_PCPU_ROWS.
	 */
	struct nb_napi_pcpu __percpu *napi;
	unsigned long napi_want;	/* bit 0: per-CPU part asked for */
	atomic64_t napi_shared[NB_N_MAX];
	atomic64_t ctr[NB_C_MAX];
	struct nb_hist hist[NB_H_MAX];
};

/* Attach points, in the order the probes file lists them. */
enum nb_probe_id {
	NB_P_COLLAPSE,
	NB_P_PRUNE,
	NB_P_OFO,
	NB_P_NAPI,
	NB_P_NAPI_TIME,
	NB_P_NAPI_THREAD,
	NB_P_COLLAPSE_SKB,
	NB_P_OFO_DROP,
	NB_P_EP_TIMER,		/* not a probe: netbuf's per-CPU timer */
	NB_P_MAX,
};

#define NB_CTX_TASK		0
#define NB_CTX_SOFTIRQ		1
#define NB_NCTX			2
#define NB_EP_MAX_TICKS		250	/* give up deferring after ~1 s */

enum nb_outcome { NB_OUT_AUTO, NB_OUT_COLLAPSE, NB_OUT_OFO, NB_OUT_DROP };
enum nb_event_kind { NB_EV_COLLAPSE, NB_EV_PRUNE };

#define NB_EVENTS_MAX_LIMIT	256	/* records per namespace */
#define NB_EVENTS_THRESH_LIMIT	(60ULL * NSEC_PER_SEC)

/* One slow episode, as kept in a namespace's ring in events.c. */
struct nb_event {
	u64 idx;		/* record index + 1; 0 while being written */
	u64 time_ns;		/* CLOCK_REALTIME at the end */
	u64 dur_ns;
	u64 cookie;		/* netns */
	u64 cgroup;		/* cgroup v2 id of the socket */
	u8 laddr[16];
	u8 raddr[16];
	u16 lport;
	u16 rport;
	u16 family;
	u8 kind;
	u8 outcome;
	int ifindex;
	int rmem0;		/* sk_rmem_alloc and sk_rcvbuf before ... */
	int rcvbuf0;
	int rmem1;		/* ... and after; -1 when not known */
	int rcvbuf1;
	u32 skbs;
	u32 bytes;
	u32 cpu;
};

/* A prune episode in progress (or over but not yet closed). */
struct nb_episode {
	raw_spinlock_t lock;		/* nb_tep slots only */
	struct sock *sk;		/* NULL: slot free */
	struct sock *put;		/* nb_tep: reference to drop at release */
	struct task_struct *task;	/* per-CPU task slot: its task */
	int home;			/* nb_tep: CPU whose timer closes it */
	bool table;			/* a slot of nb_tep, not per-CPU */
	u64 cookie;
	int ifindex;
	u64 t0;
	u64 t_last;
	bool collapsed;
	bool ofo;
	bool preempted;			/* its task was switched out in it */
	unsigned long csw;		/* its task's context switches at start */
	unsigned int ticks;
	u32 skbs;			/* collapsed or pruned in the episode */
	struct nb_event ev;		/* the socket, taken at the start */
};

struct nb_cpu {
	struct nb_episode ep[NB_NCTX];
	struct timer_list timer;
	int cpu;
	atomic_t tep_open;		/* nb_tep episodes this CPU's timer closes */
	/*
	 * Without the tcp_collapse_one probe, skbs come from this CPU's
	 * TCPRcvCollapsed: the task-context collapse running here (its
	 * namespace) and what softirq collapses of that namespace nested in
	 * it collapsed themselves.
	 */
	u64 task_coll_cookie;
	u64 soft_collapsed;
	struct napi_struct *napi;	/* poll being timed (kprobe mode) */
	u64 napi_t0;			/* its start, or the last stamp */
	struct napi_struct *thr_napi;	/* threaded poll being timed */
	u64 thr_t0;			/* (softirq mode) and its start */
	bool napi_armed;		/* in a NET_RX softirq (softirq mode) */
	struct net_device *cache_dev;	/* last device -> row, for NAPI */
	struct nb_row *cache_row;
	int cache_gen;
	unsigned long hits[NB_P_MAX];
	u64 self_ns[NB_P_MAX];		/* time inside handlers, when timing */
};

DECLARE_PER_CPU(struct nb_cpu, nb_cpu);

/*
 * Self-timing of the handlers (control: timing=1), off by default: a
 * static branch, so it costs a no-op when off.
 */
DECLARE_STATIC_KEY_FALSE(nb_timing);

static inline u64 nb_timing_start(void)
{
	return static_branch_unlikely(&nb_timing) ? local_clock() : 0;
}

static inline void nb_timing_end(int id, u64 t0)
{
	if (static_branch_unlikely(&nb_timing) && t0)
		this_cpu_add(nb_cpu.self_ns[id], local_clock() - t0);
}

/*
 * The kprobe core marks the CPU busy (current_kprobe) while a handler runs
 * and skips, counting nmissed, any kprobe hit on the CPU meanwhile. It runs
 * entry handlers (ftrace) and return handlers (rethook) with interrupts as
 * the probed code had them: in a task, whose backlog processing runs with
 * bottom halves on, an interrupt's exit would run the NET_RX softirq inside
 * the handler, and every probe of that softirq, another socket's whole
 * prune and collapses, would be missed. So a handler entered in a task with
 * interrupts on turns them off and returns with them off: on x86-64 both
 * trampolines restore the probed code's flags (popfq of regs->flags) after
 * the core has cleared current_kprobe, and a pending interrupt is taken
 * there, outside. The int3, optimized-jump and 32-bit paths restore
 * flags as well (iret, popf); this is done on x86-64 only, where each
 * path was read.
 */
static __always_inline void nb_kprobe_hold_irqs(void)
{
#ifdef CONFIG_X86_64
	if (in_task() && !raw_irqs_disabled())
		raw_local_irq_disable();
#endif
}

/*
 * NB_TIMED(hook, name, params, args) defines the handler name() that runs
 * __name() and, when timing is on, adds the time it took to hook's self_ns.
 * Every kprobe and kretprobe handler of netbuf is one.
 */
#define NB_TIMED(hook, name, params, args)				\
int name params								\
{									\
	u64 t0;								\
	int ret;							\
									\
	nb_kprobe_hold_irqs();						\
	t0 = nb_timing_start();						\
	ret = __##name args;						\
									\
	nb_timing_end(hook, t0);					\
	return ret;							\
}
#define NB_KP_PARAMS	(struct kprobe *p, struct pt_regs *regs)
#define NB_RP_PARAMS	(struct kretprobe_instance *ri, struct pt_regs *regs)

/* table.c */
extern struct mutex nb_lock;
extern struct nb_row *nb_backlog_row;
extern unsigned int nb_max_ifaces;
extern unsigned int nb_max_ifaces_netns;
extern atomic_t nb_unknown_rows;
extern atomic_t nb_nrows;
extern atomic_long_t nb_mem_bytes;
extern atomic_long_t nb_lost;
extern atomic_t nb_untracked_devs;
extern atomic_t nb_gen;
extern atomic_long_t nb_evicted;
extern atomic_t nb_napi_rows;

int nb_table_init(void);
void nb_table_exit(void);
struct nb_row *nb_row_lookup(u64 cookie, int ifindex);
struct nb_row *nb_row_attr(struct net *net, int ifindex);
struct nb_row *nb_row_rcv(struct net *net, int ifindex);
struct nb_row *nb_row_find(u64 cookie, int ifindex, bool count_untracked);
void nb_row_reset_net(struct net *net);
void nb_row_name(const struct nb_row *row, char *buf);
size_t nb_row_bytes(void);
size_t nb_row_pcpu_bytes(void);
unsigned long nb_kernel_prune_called(struct net *net);

/*
 * Reading a namespace's rows takes no lock. nb_net_rows(@net) lists the
 * rows of @net: its interfaces' rows in the order they were made (gone
 * ones too, flagged NB_ROW_GONE) and its unknown row (NB_ROW_UNKNOWN, the
 * first one, when the namespace has one); never the host-wide backlog row.
 * Walk it with nb_for_each_net_row() inside rcu_read_lock(): writers
 * (netdevice notifier, namespace init and exit, reset, eviction) hold
 * nb_lock, unlink rows with list_del_rcu() and free them through
 * call_rcu(), so a row seen stays valid until rcu_read_unlock(); a row's
 * counters may change meanwhile (probes, a reset), its name with a rename
 * (copy it with nb_row_name()), its flags when its device goes.
 *
 * @net must not have gone through its exit: hold a reference on it (a
 * file of the namespace does), or walk the namespaces with
 * for_each_net_rcu() in the same rcu_read_lock() section, since a
 * namespace's exit methods run only a grace period after it left
 * net_namespace_list:
 *
 *	rcu_read_lock();
 *	for_each_net_rcu(net)
 *		nb_for_each_net_row(row, net)
 *			...;
 *	rcu_read_unlock();
 *
 * Nothing in between may sleep.
 */
struct list_head *nb_net_rows(const struct net *net);

#define nb_for_each_net_row(row, net)					\
	list_for_each_entry_rcu(row, nb_net_rows(net), nsnode)

static inline void nb_ctr_add(struct nb_row *row, enum nb_ctr c, u64 v)
{
	atomic64_add(v, &row->ctr[c]);
}

static inline u64 nb_ctr_read(const struct nb_row *row, enum nb_ctr c)
{
	return atomic64_read(&row->ctr[c]);
}

static inline unsigned int nb_hist_index(u64 v)
{
	unsigned int i = v ? fls64(v) : 0;

	return i < NB_HBUCKETS ? i : NB_HBUCKETS - 1;
}

/* Lower bound of bucket i (see NB_HBUCKETS). */
static inline u64 nb_hist_low(unsigned int i)
{
	return i ? 1ULL << (i - 1) : 0;
}

static inline void nb_hist_add(struct nb_hist *h, u64 v)
{
	s64 old;

	atomic64_inc(&h->bucket[nb_hist_index(v)]);
	atomic64_add(v, &h->sum);
	old = atomic64_read(&h->max);
	while ((u64)old < v) {
		s64 seen = atomic64_cmpxchg(&h->max, old, v);

		if (seen == old)
			break;
		old = seen;
	}
}

void nb_row_want_napi(struct nb_row *row);
size_t nb_bytes_worst(void);

static inline unsigned int nb_pkt_index(u64 v)
{
	unsigned int i = v ? fls64(v) : 0;

	return i < NB_PKT_BUCKETS ? i : NB_PKT_BUCKETS - 1;
}

void nb_napi_sum(const struct nb_row *row, struct nb_napi_ctr *out);
void nb_hist_read(const struct nb_row *row, enum nb_hist_kind k,
		  u64 *count, u64 *sum, u64 *max);
void nb_napi_shared_add(struct nb_row *dst, const struct nb_napi_ctr *s);
void nb_atomic64_max(atomic64_t *a, s64 v);

struct nb_qns *nb_qns_of(const struct net *net);

/* queues.c */
extern unsigned int nb_max_queues;
extern unsigned int nb_max_queues_netns;
int nb_queues_init(void);
void nb_queues_exit(void);
void nb_queue_poll(struct napi_struct *napi, const struct nb_napi_ctr *one,
		   bool timed);
void nb_queues_dev_unregister(struct net_device *dev);
void nb_queues_reset_net(struct net *net);
int nb_queues_show(struct seq_file *m, struct net *net);
int nb_queue_hist_show(struct seq_file *m, struct net *net);
void nb_queues_memory_show(struct seq_file *m);
size_t nb_queues_bytes_worst(void);

/* rcvbuf.c */
extern bool nb_prune_direct;
int nb_prune_pre(struct kprobe *p, struct pt_regs *regs);
int nb_prunefn_entry(struct kretprobe_instance *ri, struct pt_regs *regs);
int nb_prunefn_ret(struct kretprobe_instance *ri, struct pt_regs *regs);
int nb_collapse_entry(struct kretprobe_instance *ri, struct pt_regs *regs);
int nb_collapse_ret(struct kretprobe_instance *ri, struct pt_regs *regs);
int nb_ofo_entry(struct kretprobe_instance *ri, struct pt_regs *regs);
int nb_ofo_ret(struct kretprobe_instance *ri, struct pt_regs *regs);
int nb_collapse_skb_pre(struct kprobe *p, struct pt_regs *regs);
extern bool nb_collapse_skb_active;
extern bool nb_ofo_drop_active;
void *nb_kfree_skb_probe(void);
int nb_inflight_init(unsigned int maxactive);
void nb_inflight_exit(void);
size_t nb_collapse_data_size(void);
size_t nb_ofo_data_size(void);
void nb_ep_timer(struct timer_list *t);
void nb_ep_flush(void);
u64 nb_prune_unattributed(const struct nb_row *unknown,
			  unsigned long prune_called, u64 counted);
void nb_prune_rebase(struct nb_row *unknown, struct net *net);

/* napi.c */
enum nb_napi_timing { NB_NT_OFF, NB_NT_SOFTIRQ, NB_NT_KPROBE };
extern int nb_napi_timing;
void nb_softirq_entry(void *data, unsigned int vec);
int nb_napi_time_pre(struct kprobe *p, struct pt_regs *regs);
int nb_napi_thread_pre(struct kprobe *p, struct pt_regs *regs);
void nb_napi_thread_seen(void);
void nb_napi_tp(void *data, struct napi_struct *napi, int work, int budget);

/* probes.c */
int nb_probes_init(void);
void nb_probes_exit(void);
void nb_probes_show(struct seq_file *m);

/* events.c */
extern u64 nb_events_threshold_ns;
extern unsigned int nb_events_max;
int nb_events_init(void);
void nb_events_stop(void);
void nb_events_exit(void);
int nb_events_resize(unsigned int len);
void nb_event_sock(struct nb_event *ev, struct sock *sk);
void nb_event_sock_after(struct nb_event *ev, struct sock *sk);
void nb_event_commit(const struct nb_event *ev);
u64 nb_events_recorded(const struct net *net);
u64 nb_events_lost(const struct net *net);
void nb_events_show(struct seq_file *m, struct net *net);
__poll_t nb_events_poll(struct file *file, struct net *net, u64 seen,
			struct poll_table_struct *wait);

static inline bool nb_event_slow(u64 dur_ns)
{
	return dur_ns >= READ_ONCE(nb_events_threshold_ns);
}

/* procfs.c */
int nb_procfs_init(void);
void nb_procfs_exit(void);

#endif /* _NETBUF_H */
