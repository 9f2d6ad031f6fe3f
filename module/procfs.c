// SPDX-License-Identifier: GPL-2.0
/*
 * procfs.c - /proc/net/netbuf: text files in the manner of /proc/net/dev.
 *
 * Every network namespace has its own directory /proc/net/netbuf, made by
 * pernet init under net->proc_net, so its files belong to the root of the
 * user namespace that owns the network namespace (procfs gives entries
 * under /proc/net that owner, see proc_net_ns_init), and a file shows the
 * namespace it belongs to. /proc/netbuf is a symlink to net/netbuf, the
 * way /proc/net is one to self/net: the reader's own namespace.
 *
 * Each file is rendered whole at the first read (single_open), so a reader
 * using tiny buffers or odd offsets still gets one consistent text.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/ctype.h>
#include <linux/module.h>
#include <linux/cpumask.h>
#include <linux/nsproxy.h>
#include <linux/proc_fs.h>
#include <linux/rtnetlink.h>
#include <linux/sched.h>
#include <linux/poll.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/utsname.h>
#include <generated/utsrelease.h>
#include <net/net_namespace.h>

#include "netbuf.h"

static struct proc_dir_entry *nb_link;	/* /proc/netbuf -> net/netbuf */

static const char *nb_row_state(const struct nb_row *row)
{
	unsigned int flags = READ_ONCE(row->flags);

	if (flags & (NB_ROW_UNKNOWN | NB_ROW_BACKLOG))
		return "-";
	return flags & NB_ROW_GONE ? "gone" : "up";
}

/* @ino: the host-wide files' netns column (its inode number), 0: none. */
static void nb_show_key(struct seq_file *m, const struct nb_row *row,
			unsigned int ino)
{
	char name[IFNAMSIZ];

	nb_row_name(row, name);
	if (ino)
		seq_printf(m, "%10u ", ino);
	seq_printf(m, "%-16s %7d %-5s", name, row->ifindex, nb_row_state(row));
}

/* ---- rcvbuf ---- */

enum nb_rcol {
	R_COLL_CALLS, R_COLL_SKBS, R_COLL_FREED, R_COLL_NS, R_COLL_MAX,
	R_PRUNE_CALLS, R_PRUNE_NOOP, R_PRUNE_COLLAPSE, R_PRUNE_OFO,
	R_PRUNE_DROP, R_PRUNE_NS, R_PRUNE_MAX, R_OFO_CALLS, R_OFO_SEGS,
	R_OFO_BYTES, R_UNTRACKED, R_PRUNE_UNSEEN, R_GONE, R_COLL_PREEMPTED,
	R_PRUNE_PREEMPTED, R_MAX,
};

static const char *const nb_rcol_name[R_MAX] = {
	"coll_calls", "coll_skbs", "coll_freed", "coll_ns", "coll_max_ns",
	"prune_calls", "prune_noop", "prune_collapse", "prune_ofo",
	"prune_drop", "prune_ns", "prune_max_ns", "ofo_calls", "ofo_segs",
	"ofo_bytes", "untracked", "prune_unseen", "gone", "coll_preempted",
	"prune_preempted",
};

static void nb_rcvbuf_read(const struct nb_row *row, u64 *v)
{
	const struct nb_hist *hc = &row->hist[NB_H_COLLAPSE];
	const struct nb_hist *hp = &row->hist[NB_H_PRUNE];

	v[R_COLL_CALLS] = nb_ctr_read(row, NB_C_COLL_CALLS);
	v[R_COLL_SKBS] = nb_ctr_read(row, NB_C_COLL_SKBS);
	v[R_COLL_FREED] = nb_ctr_read(row, NB_C_COLL_FREED);
	v[R_COLL_NS] = atomic64_read(&hc->sum);
	v[R_COLL_MAX] = atomic64_read(&hc->max);
	v[R_PRUNE_CALLS] = nb_ctr_read(row, NB_C_PRUNE_CALLS);
	v[R_PRUNE_NOOP] = nb_ctr_read(row, NB_C_PRUNE_NOOP);
	v[R_PRUNE_COLLAPSE] = nb_ctr_read(row, NB_C_PRUNE_COLLAPSE);
	v[R_PRUNE_OFO] = nb_ctr_read(row, NB_C_PRUNE_OFO);
	v[R_PRUNE_DROP] = nb_ctr_read(row, NB_C_PRUNE_DROP);
	v[R_PRUNE_NS] = atomic64_read(&hp->sum);
	v[R_PRUNE_MAX] = atomic64_read(&hp->max);
	v[R_OFO_CALLS] = nb_ctr_read(row, NB_C_OFO_CALLS);
	v[R_OFO_SEGS] = nb_ctr_read(row, NB_C_OFO_SEGS);
	v[R_OFO_BYTES] = nb_ctr_read(row, NB_C_OFO_BYTES);
	v[R_UNTRACKED] = nb_ctr_read(row, NB_C_UNTRACKED);
	v[R_PRUNE_UNSEEN] = 0;
	v[R_GONE] = nb_ctr_read(row, NB_C_GONE);
	v[R_COLL_PREEMPTED] = nb_ctr_read(row, NB_C_COLL_PREEMPTED);
	v[R_PRUNE_PREEMPTED] = nb_ctr_read(row, NB_C_PRUNE_PREEMPTED);
}

static void nb_sum_into(u64 *total, const u64 *v, int n, const bool *is_max)
{
	int i;

	for (i = 0; i < n; i++)
		total[i] = is_max[i] ? max(total[i], v[i]) : total[i] + v[i];
}

static void nb_show_vals(struct seq_file *m, const u64 *v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		seq_printf(m, " %llu", v[i]);
	seq_putc(m, '\n');
}

static void nb_show_header(struct seq_file *m, const char *const *names, int n,
			   bool netns)
{
	int i;

	if (netns)
		seq_printf(m, "%10s ", "netns");
	seq_printf(m, "%-16s %7s %-5s", "iface", "ifindex", "state");
	for (i = 0; i < n; i++)
		seq_printf(m, " %s", names[i]);
	seq_putc(m, '\n');
}

static void nb_show_total(struct seq_file *m, const u64 *v, int n,
			  unsigned int ino)
{
	if (ino)
		seq_printf(m, "%10u ", ino);
	seq_printf(m, "%-16s %7s %-5s", "total", "-", "-");
	nb_show_vals(m, v, n);
}

/*
 * Unknown row: the prune episodes no hook saw begin (the kernel's
 * PruneCalled, @prune_called, read before any row, minus the episodes
 * counted in @total and here), in a column of their own: counted episodes
 * stay what the probes saw.
 */
static void nb_rcvbuf_read_row(const struct nb_row *row, u64 *v,
			       const u64 *total, unsigned long prune_called)
{
	nb_rcvbuf_read(row, v);
	if (!(row->flags & NB_ROW_UNKNOWN))
		return;
	v[R_PRUNE_UNSEEN] = nb_prune_unattributed(row, prune_called,
						  total[R_PRUNE_CALLS] +
						  v[R_PRUNE_CALLS]);
}

/* ---- napi ---- */

enum nb_ncol {
	N_POLLS, N_PACKETS, N_EXHAUSTED, N_EMPTY, N_POLL_NS, N_POLL_MAX,
	N_UNTIMED, N_NETPOLL, N_BUSY, N_THREADED, N_UNTRACKED, N_GONE, N_MAX,
};

static const char *const nb_ncol_name[N_MAX] = {
	"polls", "packets", "exhausted", "empty", "poll_ns", "poll_max_ns",
	"untimed", "netpoll", "busy_poll", "threaded", "untracked", "gone",
};

static void nb_napi_read(const struct nb_row *row, u64 *v)
{
	struct nb_napi_ctr s;

	nb_napi_sum(row, &s);
	v[N_POLLS] = s.polls;
	v[N_PACKETS] = s.packets;
	v[N_EXHAUSTED] = s.exhausted;
	v[N_EMPTY] = s.empty;
	v[N_POLL_NS] = s.poll_ns;
	v[N_POLL_MAX] = s.max_ns;
	v[N_UNTIMED] = s.untimed;
	v[N_NETPOLL] = s.netpoll;
	v[N_BUSY] = s.busy;
	v[N_THREADED] = s.threaded;
	v[N_UNTRACKED] = s.untracked;
	v[N_GONE] = s.gone;
}

static void nb_napi_read_row(const struct nb_row *row, u64 *v,
			     const u64 *total, unsigned long prune_called)
{
	nb_napi_read(row, v);
}

/* ---- one renderer for both tables ---- */

struct nb_table {
	const char *const *names;
	int ncols;
	const bool *is_max;		/* columns summed as a max in total */
	void (*read)(const struct nb_row *row, u64 *v, const u64 *total,
		     unsigned long prune_called);
	bool backlog;			/* show the host-wide backlog row */
	bool prune_called;		/* read PruneCalled before the rows */
};

static void nb_table_row(struct seq_file *m, const struct nb_table *tab,
			 unsigned long prune_called, const struct nb_row *row,
			 u64 *total, unsigned int ino)
{
	u64 v[R_MAX];

	tab->read(row, v, total, prune_called);
	nb_sum_into(total, v, tab->ncols, tab->is_max);
	nb_show_key(m, row, ino);
	nb_show_vals(m, v, tab->ncols);
}

/*
 * One namespace's rows: its interfaces, unknown, [backlog], its total.
 * @ino: the netns column of the host-wide files, 0 for a namespace's own.
 * The only walk of the rows both kinds of table file make. Under RCU
 * alone: no lock that the netdevice notifier takes (see nb_net_rows).
 */
static void nb_table_net(struct seq_file *m, const struct nb_table *tab,
			 struct net *net, unsigned int ino, bool backlog)
{
	struct nb_row *row, *unknown = NULL;
	u64 total[R_MAX] = {};
	unsigned long pc;

	/* Before the rows: see nb_prune_unattributed(). */
	pc = tab->prune_called ? nb_kernel_prune_called(net) : 0;
	rcu_read_lock();
	nb_for_each_net_row(row, net) {
		if (row->flags & NB_ROW_UNKNOWN)
			unknown = row;
		else
			nb_table_row(m, tab, pc, row, total, ino);
	}
	if (unknown)
		nb_table_row(m, tab, pc, unknown, total, ino);
	if (backlog && nb_backlog_row)
		nb_table_row(m, tab, pc, nb_backlog_row, total, ino);
	rcu_read_unlock();
	nb_show_total(m, total, tab->ncols, ino);
}

/* A namespace's own file: its interfaces, unknown, [backlog], total. */
static int nb_table_show(struct seq_file *m, const struct nb_table *tab)
{
	nb_show_header(m, tab->names, tab->ncols, false);
	nb_table_net(m, tab, m->private, 0, tab->backlog);
	return 0;
}

/*
 * The host-wide files (all_rcvbuf, all_napi): every namespace's block as
 * its own file shows it, each line led by the namespace's inode number;
 * the host-wide backlog row only once, in the initial namespace's block.
 * net_rwsem keeps the namespaces listed alive (their exit, which removes
 * their rows, runs after they leave the list).
 */
static int nb_table_show_all(struct seq_file *m, const struct nb_table *tab)
{
	struct net *net;

	nb_show_header(m, tab->names, tab->ncols, true);
	down_read(&net_rwsem);
	for_each_net(net)
		nb_table_net(m, tab, net, net->ns.inum,
			     tab->backlog && net_eq(net, &init_net));
	up_read(&net_rwsem);
	return 0;
}

static const bool nb_rcvbuf_is_max[R_MAX] = {
	[R_COLL_MAX] = true, [R_PRUNE_MAX] = true,
};
static const struct nb_table nb_rcvbuf_tab = {
	.names = nb_rcol_name, .ncols = R_MAX, .is_max = nb_rcvbuf_is_max,
	.read = nb_rcvbuf_read_row, .prune_called = true,
};

static const bool nb_napi_is_max[N_MAX] = { [N_POLL_MAX] = true };
static const struct nb_table nb_napi_tab = {
	.names = nb_ncol_name, .ncols = N_MAX, .is_max = nb_napi_is_max,
	.read = nb_napi_read_row, .backlog = true,
};

static int nb_rcvbuf_show(struct seq_file *m, void *unused)
{
	return nb_table_show(m, &nb_rcvbuf_tab);
}

static int nb_napi_show(struct seq_file *m, void *unused)
{
	return nb_table_show(m, &nb_napi_tab);
}

static int nb_all_rcvbuf_show(struct seq_file *m, void *unused)
{
	return nb_table_show_all(m, &nb_rcvbuf_tab);
}

static int nb_all_napi_show(struct seq_file *m, void *unused)
{
	return nb_table_show_all(m, &nb_napi_tab);
}

/* ---- histograms ---- */

static const char *const nb_hist_name[NB_H_MAX] = {
	[NB_H_COLLAPSE] = "collapse",
	[NB_H_PRUNE] = "prune",
	[NB_H_NAPI_NS] = "napi_ns",
	[NB_H_NAPI_PKTS] = "napi_pkts",
};

static void nb_hist_show_row(struct seq_file *m, const struct nb_row *row,
			     int first, int last)
{
	u64 count[NB_HBUCKETS], samples, sum, max;
	char name[IFNAMSIZ];
	int k, i;

	nb_row_name(row, name);
	for (k = first; k <= last; k++) {
		nb_hist_read(row, k, count, &sum, &max);
		samples = 0;
		for (i = 0; i < NB_HBUCKETS; i++)
			samples += count[i];
		if (!samples)
			continue;
		seq_printf(m, "%-16s %7d %-9s %llu %llu %llu", name,
			   row->ifindex, nb_hist_name[k], samples, sum, max);
		for (i = 0; i < NB_HBUCKETS; i++)
			if (count[i])
				seq_printf(m, " %llu:%llu", nb_hist_low(i),
					   count[i]);
		seq_putc(m, '\n');
	}
}

static int nb_hist_show(struct seq_file *m, void *unused)
{
	struct net *net = m->private;
	struct nb_row *row;

	seq_printf(m, "%-16s %7s %-9s %s %s %s %s\n", "iface", "ifindex",
		   "hist", "samples", "sum", "max", "buckets");
	rcu_read_lock();
	nb_for_each_net_row(row, net)
		if (!(row->flags & NB_ROW_UNKNOWN))
			nb_hist_show_row(m, row, 0, NB_H_MAX - 1);
	nb_for_each_net_row(row, net)
		if (row->flags & NB_ROW_UNKNOWN)
			nb_hist_show_row(m, row, 0, NB_H_MAX - 1);
	if (nb_backlog_row)
		nb_hist_show_row(m, nb_backlog_row, NB_H_NAPI_NS,
				 NB_H_NAPI_PKTS);
	rcu_read_unlock();
	return 0;
}

/* ---- version, probes, memory ---- */

static const char *nb_preempt_model(void)
{
	if (preempt_model_rt())
		return "rt";
	if (preempt_model_full())
		return "full";
	if (preempt_model_voluntary())
		return "voluntary";
	return preempt_model_none() ? "none" : "other";
}

static int nb_version_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "netbuf %s\nformat %d\nbuilt_for %s\nrunning %s\npreempt %s\n",
		   NETBUF_VERSION, NETBUF_FORMAT, UTS_RELEASE,
		   init_utsname()->release, nb_preempt_model());
	return 0;
}

static int nb_probes_file_show(struct seq_file *m, void *unused)
{
	nb_probes_show(m);
	return 0;
}

static int nb_queues_file_show(struct seq_file *m, void *unused)
{
	return nb_queues_show(m, m->private);
}

static int nb_queue_hist_file_show(struct seq_file *m, void *unused)
{
	return nb_queue_hist_show(m, m->private);
}

static int nb_memory_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "rows %d\nrows_max %u\nrow_bytes %zu\npercpu_bytes %zu\ncpus %u\n",
		   atomic_read(&nb_nrows), nb_max_ifaces, nb_row_bytes(),
		   nb_row_pcpu_bytes(), num_possible_cpus());
	seq_printf(m, "unknown_row_bytes %zu\nbytes %ld\nbytes_worst %zu\nuntracked_devs %d\nevicted %ld\nlost %ld\n",
		   nb_row_bytes(), atomic_long_read(&nb_mem_bytes),
		   nb_bytes_worst(), atomic_read(&nb_untracked_devs),
		   atomic_long_read(&nb_evicted), atomic_long_read(&nb_lost));
	seq_printf(m, "napi_rows %d\nnapi_rows_max %u\n",
		   atomic_read(&nb_napi_rows),
		   min_t(unsigned int, nb_max_ifaces, NB_NAPI_PCPU_ROWS));
	seq_printf(m, "rows_netns_max %u\nunknown_rows %d\nunknown_rows_max %u\n",
		   nb_max_ifaces_netns, atomic_read(&nb_unknown_rows),
		   nb_max_ifaces);
	nb_queues_memory_show(m);
	return 0;
}

/* ---- open/release: the file's namespace ---- */

/* The namespace a file of /proc/net/netbuf belongs to. */
static struct net *nb_file_net(const struct file *file)
{
	return pde_data(file_inode(file));
}

/*
 * A referenced namespace for a new reader of @file, or an ERR_PTR. A
 * namespace's files are for its own processes and its admins: another
 * process reaching them through /proc/PID/net (which the kernel does not
 * check) is refused, so nothing of a namespace is shown outside it but to
 * who holds CAP_NET_ADMIN over it.
 */
static struct net *nb_open_get_net(struct file *file)
{
	struct net *net = nb_file_net(file);

	if (net != current->nsproxy->net_ns &&
	    !file_ns_capable(file, net->user_ns, CAP_NET_ADMIN))
		return ERR_PTR(-EACCES);
	/* The namespace may be on its way out: its files go in its exit. */
	return maybe_get_net(net) ?: ERR_PTR(-ENXIO);
}

static int nb_open_net(struct inode *inode, struct file *file,
		       int (*show)(struct seq_file *, void *))
{
	struct net *net = nb_open_get_net(file);
	int err;

	if (IS_ERR(net))
		return PTR_ERR(net);
	err = single_open(file, show, net);
	if (err)
		put_net(net);
	return err;
}

static int nb_release_net(struct inode *inode, struct file *file)
{
	struct net *net = ((struct seq_file *)file->private_data)->private;

	put_net(net);
	return single_release(inode, file);
}

#define NB_SEQ_FILE(name, show)						\
static int name##_open(struct inode *inode, struct file *file)		\
{									\
	return nb_open_net(inode, file, show);				\
}									\
static const struct proc_ops name##_ops = {				\
	.proc_open = name##_open,					\
	.proc_read = seq_read,						\
	.proc_lseek = seq_lseek,					\
	.proc_release = nb_release_net,					\
}

NB_SEQ_FILE(nb_version, nb_version_show);
NB_SEQ_FILE(nb_probes, nb_probes_file_show);
NB_SEQ_FILE(nb_rcvbuf, nb_rcvbuf_show);
NB_SEQ_FILE(nb_napi, nb_napi_show);
NB_SEQ_FILE(nb_hist, nb_hist_show);
NB_SEQ_FILE(nb_memory, nb_memory_show);
NB_SEQ_FILE(nb_queues, nb_queues_file_show);
NB_SEQ_FILE(nb_queue_hist, nb_queue_hist_file_show);

/* ---- the host-wide files ---- */

/*
 * all_rcvbuf and all_napi show every namespace: only for the host's admin,
 * CAP_NET_ADMIN in the initial user namespace (by the opener's
 * credentials), from a task in the initial network namespace. Their mode
 * is 0444, so the capability, not the owner, decides: an agent holding
 * CAP_NET_ADMIN under another uid may read them, the host's root without
 * it may not.
 */
static int nb_all_open(struct file *file,
		       int (*show)(struct seq_file *, void *))
{
	if (!net_eq(current->nsproxy->net_ns, &init_net) ||
	    !file_ns_capable(file, &init_user_ns, CAP_NET_ADMIN))
		return -EACCES;
	return single_open(file, show, NULL);
}

static int nb_all_rcvbuf_open(struct inode *inode, struct file *file)
{
	return nb_all_open(file, nb_all_rcvbuf_show);
}

static int nb_all_napi_open(struct inode *inode, struct file *file)
{
	return nb_all_open(file, nb_all_napi_show);
}

static const struct proc_ops nb_all_rcvbuf_ops = {
	.proc_open = nb_all_rcvbuf_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

static const struct proc_ops nb_all_napi_ops = {
	.proc_open = nb_all_napi_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

/* ---- events ---- */

struct nb_events_file {
	struct net *net;
	u64 seen;		/* the namespace's records when last rendered */
};

static int nb_events_show_file(struct seq_file *m, void *unused)
{
	struct nb_events_file *ef = m->private;

	ef->seen = nb_events_recorded(ef->net);
	nb_events_show(m, ef->net);
	return 0;
}

static int nb_events_open(struct inode *inode, struct file *file)
{
	struct nb_events_file *ef;
	int err;

	ef = kzalloc(sizeof(*ef), GFP_KERNEL);
	if (!ef)
		return -ENOMEM;
	ef->net = nb_open_get_net(file);
	if (IS_ERR(ef->net)) {
		err = PTR_ERR(ef->net);
		kfree(ef);
		return err;
	}
	err = single_open(file, nb_events_show_file, ef);
	if (err) {
		put_net(ef->net);
		kfree(ef);
	}
	return err;
}

static int nb_events_release(struct inode *inode, struct file *file)
{
	struct nb_events_file *ef = ((struct seq_file *)file->private_data)->private;

	put_net(ef->net);
	kfree(ef);
	return single_release(inode, file);
}

/*
 * poll(): readable when the namespace recorded episodes since this file was
 * last rendered; lseek(fd, 0, SEEK_SET) and read again to see them. A
 * poller does not pin the module: at unload, procfs cuts the file off
 * (reads fail with EIO) and events.c detaches the pollers still waiting.
 */
static __poll_t nb_events_file_poll(struct file *file, poll_table *wait)
{
	struct nb_events_file *ef = ((struct seq_file *)file->private_data)->private;

	return nb_events_poll(file, ef->net, ef->seen, wait);
}

static const struct proc_ops nb_events_ops = {
	.proc_open = nb_events_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = nb_events_release,
	.proc_poll = nb_events_file_poll,
};

/* ---- control ---- */

#define NB_CLOCK_READS	128
static u64 nb_timing_clock_ns;		/* see nb_clock_cost() */

/* The event counts are the reader's namespace's. */
static int nb_control_show(struct seq_file *m, void *unused)
{
	struct net *net = m->private;

	seq_printf(m, "events_threshold_ns %llu\nevents_max %u\nevents_recorded %llu\nevents_lost %llu\ntiming %d\ntiming_clock_ns %llu\n",
		   READ_ONCE(nb_events_threshold_ns), READ_ONCE(nb_events_max),
		   nb_events_recorded(net), nb_events_lost(net),
		   static_key_enabled(&nb_timing),
		   READ_ONCE(nb_timing_clock_ns));
	return 0;
}

/*
 * What one local_clock() read costs here, measured when timing is turned
 * on: self_ns includes about one such read per handler run (the timing's
 * own), which a reader of self_ns may take off. The fastest of a few short
 * rounds, irqs off, so that an interrupt or a stolen vCPU does not count.
 */
static u64 nb_clock_cost(void)
{
	u64 best = U64_MAX, t0, t1;
	unsigned long flags;
	int round, i;

	for (round = 0; round < 8; round++) {
		local_irq_save(flags);
		t0 = local_clock();
		for (i = 0; i < NB_CLOCK_READS; i++)
			t1 = local_clock();
		local_irq_restore(flags);
		best = min(best, (t1 - t0) / NB_CLOCK_READS);
		cond_resched();
	}
	return best;
}

/* Exactly "key=value" with an optional trailing newline. */
static int nb_control_apply(char *buf)
{
	char *val = strchr(buf, '=');
	u64 v;
	int err;

	if (!val)
		return -EINVAL;
	*val++ = '\0';
	if (!isdigit(*val))		/* kstrtou64 would take a '+' */
		return -EINVAL;
	err = kstrtou64(val, 10, &v);
	if (err)
		return -EINVAL;
	if (!strcmp(buf, "events_threshold_ns")) {
		if (v > NB_EVENTS_THRESH_LIMIT)
			return -EINVAL;
		WRITE_ONCE(nb_events_threshold_ns, v);
		return 0;
	}
	if (!strcmp(buf, "timing")) {
		if (v > 1)
			return -EINVAL;
		if (v) {
			WRITE_ONCE(nb_timing_clock_ns, nb_clock_cost());
			static_branch_enable(&nb_timing);
		} else {
			static_branch_disable(&nb_timing);
		}
		return 0;
	}
	if (!strcmp(buf, "events_max")) {
		if (v < 1 || v > NB_EVENTS_MAX_LIMIT)
			return -EINVAL;
		return nb_events_resize(v);
	}
	return -EINVAL;
}

static ssize_t nb_control_write(struct file *file, const char __user *ubuf,
				size_t len, loff_t *ppos)
{
	char buf[48];
	size_t n;
	int err;

	/*
	 * Settings are host-wide: only the initial namespace's admin, through
	 * the initial namespace's file (every namespace has one to read).
	 */
	if (!file_ns_capable(file, &init_user_ns, CAP_NET_ADMIN) ||
	    !capable(CAP_NET_ADMIN) || nb_file_net(file) != &init_net)
		return -EPERM;
	if (*ppos != 0 || len == 0 || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	n = len;
	if (buf[n - 1] == '\n')
		buf[--n] = '\0';
	/* No NUL, no second newline: the text is exactly the setting. */
	if (!n || strlen(buf) != n || strchr(buf, '\n'))
		return -EINVAL;
	err = nb_control_apply(buf);
	if (err)
		return err;
	*ppos += len;
	return len;
}

static int nb_control_open(struct inode *inode, struct file *file)
{
	return nb_open_net(inode, file, nb_control_show);
}

static const struct proc_ops nb_control_ops = {
	.proc_open = nb_control_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_write = nb_control_write,
	.proc_release = nb_release_net,
};

/* ---- reset ---- */

/*
 * Clears the file's namespace. No reference is taken: procfs runs this
 * with the entry in use, and the namespace's exit removes the entry
 * (waiting for writers in progress) before the namespace goes.
 */
static ssize_t nb_reset_write(struct file *file, const char __user *ubuf,
			      size_t len, loff_t *ppos)
{
	struct net *net = nb_file_net(file);
	char buf[4];

	if (!file_ns_capable(file, net->user_ns, CAP_NET_ADMIN) ||
	    !ns_capable(net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	if (*ppos != 0 || len == 0 || len > 2)
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	if (buf[0] != '1' || (len == 2 && buf[1] != '\n'))
		return -EINVAL;
	nb_row_reset_net(net);
	*ppos += len;
	return len;
}

static const struct proc_ops nb_reset_ops = {
	.proc_write = nb_reset_write,
	.proc_lseek = noop_llseek,
};

struct nb_file {
	const char *name;
	umode_t mode;
	const struct proc_ops *ops;
};

static const struct nb_file nb_files[] = {
	{ "version", 0444, &nb_version_ops },
	{ "probes", 0444, &nb_probes_ops },
	{ "rcvbuf", 0444, &nb_rcvbuf_ops },
	{ "napi", 0444, &nb_napi_ops },
	{ "histograms", 0444, &nb_hist_ops },
	{ "napi_queues", 0444, &nb_queues_ops },
	{ "napi_queue_hist", 0444, &nb_queue_hist_ops },
	{ "memory", 0444, &nb_memory_ops },
	{ "events", 0444, &nb_events_ops },
	{ "control", 0644, &nb_control_ops },
	{ "reset", 0200, &nb_reset_ops },
};

/* Only in the initial namespace's directory. */
static const struct nb_file nb_init_files[] = {
	{ "all_rcvbuf", 0444, &nb_all_rcvbuf_ops },
	{ "all_napi", 0444, &nb_all_napi_ops },
};

/*
 * A namespace's /proc/net/netbuf. Entries under net->proc_net take its
 * owner (the root of net->user_ns, where mapped) from their parent.
 */
static int __net_init nb_procfs_net_init(struct net *net)
{
	struct proc_dir_entry *dir;
	int i;

	dir = proc_net_mkdir(net, "netbuf", net->proc_net);
	if (!dir)
		goto fail;
	for (i = 0; i < ARRAY_SIZE(nb_files); i++)
		if (!proc_create_data(nb_files[i].name, nb_files[i].mode, dir,
				      nb_files[i].ops, net))
			goto remove_dir;
	for (i = 0; net_eq(net, &init_net) && i < ARRAY_SIZE(nb_init_files); i++)
		if (!proc_create_data(nb_init_files[i].name,
				      nb_init_files[i].mode, dir,
				      nb_init_files[i].ops, net))
			goto remove_dir;
	return 0;

remove_dir:
	remove_proc_subtree("netbuf", net->proc_net);
fail:
	/* The initial namespace's files are the module's: no load without. */
	if (net_eq(net, &init_net))
		return -ENOMEM;
	/* Never fail a new namespace for them: it goes without. */
	pr_warn_ratelimited("no memory for a namespace's /proc/net/netbuf\n");
	return 0;
}

/* Waits for readers and writers in progress, closes files left open. */
static void __net_exit nb_procfs_net_exit(struct net *net)
{
	remove_proc_subtree("netbuf", net->proc_net);
}

static struct pernet_operations nb_procfs_net_ops = {
	.init = nb_procfs_net_init,
	.exit = nb_procfs_net_exit,
};

/*
 * After the table's pernet operations, so a namespace's files go (its
 * exit runs first) before its rows.
 */
int nb_procfs_init(void)
{
	int err;

	err = register_pernet_subsys(&nb_procfs_net_ops);
	if (err)
		return err;
	nb_link = proc_symlink("netbuf", NULL, "net/netbuf");
	if (!nb_link) {
		unregister_pernet_subsys(&nb_procfs_net_ops);
		return -ENOMEM;
	}
	return 0;
}

void nb_procfs_exit(void)
{
	proc_remove(nb_link);
	nb_link = NULL;
	unregister_pernet_subsys(&nb_procfs_net_ops);
}
