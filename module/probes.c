// SPDX-License-Identifier: GPL-2.0
/*
 * probes.c - attaching to the kernel and reporting how.
 *
 * Every attach point is optional: one that cannot be attached is reported
 * as unavailable with the reason, and the rest of netbuf works on.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>

#include "netbuf.h"

enum nb_ptype { NB_T_KPROBE, NB_T_KRETPROBE, NB_T_TRACEPOINT, NB_T_TIMER };

struct nb_probe {
	const char *hook;
	const char *symbol;
	enum nb_ptype type;
	bool active;
	char note[48];
	struct kprobe kp;
	struct kretprobe rp;
	void *tp_func;			/* a tracepoint's handler */
	struct tracepoint *tp;		/* found by name when attached */
};

static const char *const nb_type_name[] = {
	[NB_T_KPROBE] = "kprobe",
	[NB_T_KRETPROBE] = "kretprobe",
	[NB_T_TRACEPOINT] = "tracepoint",
	[NB_T_TIMER] = "timer",
};

static struct nb_probe nb_probes[NB_P_MAX] = {
	[NB_P_COLLAPSE] = {
		.hook = "collapse", .symbol = "tcp_collapse",
		.type = NB_T_KRETPROBE,
		.rp = { .entry_handler = nb_collapse_entry,
			.handler = nb_collapse_ret },
	},
	[NB_P_PRUNE] = {
		.hook = "prune", .symbol = "tcp_prune_queue",
		.type = NB_T_KRETPROBE,
		.rp = { .entry_handler = nb_prunefn_entry,
			.handler = nb_prunefn_ret },
	},
	[NB_P_OFO] = {
		.hook = "ofo_prune", .symbol = "tcp_prune_ofo_queue",
		.type = NB_T_KRETPROBE,
		.rp = { .entry_handler = nb_ofo_entry, .handler = nb_ofo_ret },
	},
	[NB_P_NAPI] = {
		.hook = "napi", .symbol = "napi_poll",
		.type = NB_T_TRACEPOINT, .tp_func = (void *)nb_napi_tp,
	},
	[NB_P_NAPI_TIME] = {
		.hook = "napi_time", .symbol = "softirq_entry",
		.type = NB_T_TRACEPOINT, .tp_func = (void *)nb_softirq_entry,
	},
	[NB_P_NAPI_THREAD] = {
		.hook = "napi_thread", .symbol = "__napi_poll",
		.type = NB_T_KPROBE,
		.kp = { .pre_handler = nb_napi_thread_pre },
	},
	[NB_P_COLLAPSE_SKB] = {
		.hook = "collapse_skb", .symbol = "tcp_collapse_one",
		.type = NB_T_KPROBE,
		.kp = { .pre_handler = nb_collapse_skb_pre },
	},
	[NB_P_OFO_DROP] = {
		.hook = "ofo_drop", .symbol = "kfree_skb",
		.type = NB_T_TRACEPOINT,
	},
	/*
	 * Not an attach point: the per-CPU timer that closes prune episodes
	 * (rcvbuf.c), listed so that its runs and, with timing on, its time
	 * count with the handlers' (what netbuf costs includes it).
	 */
	[NB_P_EP_TIMER] = {
		.hook = "ep_timer", .symbol = "nb_ep_timer",
		.type = NB_T_TIMER,
	},
};

struct nb_tp_find {
	const char *name;
	struct tracepoint *tp;
};

static void nb_tp_match(struct tracepoint *tp, void *priv)
{
	struct nb_tp_find *f = priv;

	if (!strcmp(tp->name, f->name))
		f->tp = tp;
}

/*
 * A tracepoint of the kernel by name: not every one is exported for
 * register_trace_<name>() (softirq_entry is not), all are listed.
 */
static int nb_tp_register(struct nb_probe *p)
{
	struct nb_tp_find f = { .name = p->symbol };

	for_each_kernel_tracepoint(nb_tp_match, &f);
	if (!f.tp)
		return -ENOENT;
	p->tp = f.tp;
	return tracepoint_probe_register(f.tp, p->tp_func, NULL);
}

static void nb_set_error(struct nb_probe *p, const char *what, int err)
{
	p->active = false;
	snprintf(p->note, sizeof(p->note), "%s(%d)",
		 err == -ENOENT ? "symbol_not_found" : what, err);
	pr_info("%s: %s unavailable: %s\n", p->hook, p->symbol, p->note);
}

static int nb_attach(struct nb_probe *p)
{
	int err;

	switch (p->type) {
	case NB_T_KPROBE:
		p->kp.symbol_name = p->symbol;
		err = register_kprobe(&p->kp);
		break;
	case NB_T_KRETPROBE:
		p->rp.kp.symbol_name = p->symbol;
		err = register_kretprobe(&p->rp);
		break;
	default:
		err = nb_tp_register(p);
		break;
	}
	if (err) {
		nb_set_error(p, "register_failed", err);
		return err;
	}
	p->active = true;
	return 0;
}

static void nb_detach(struct nb_probe *p)
{
	if (!p->active)
		return;
	switch (p->type) {
	case NB_T_KPROBE:
		unregister_kprobe(&p->kp);
		break;
	case NB_T_KRETPROBE:
		unregister_kretprobe(&p->rp);
		break;
	case NB_T_TIMER:
		break;		/* nb_ep_flush() stops the timers */
	default:
		tracepoint_probe_unregister(p->tp, p->tp_func, NULL);
		break;
	}
	p->active = false;
}

/*
 * The prune path: tcp_prune_queue where the kernel has it, otherwise the
 * real function it was inlined into, tcp_try_rmem_schedule.
 */
static void nb_attach_prune(void)
{
	struct nb_probe *p = &nb_probes[NB_P_PRUNE];
	int err;

	p->rp.data_size = sizeof(struct sock *);
	err = nb_attach(p);
	if (!err) {
		nb_prune_direct = true;
		return;
	}
	p->symbol = "tcp_try_rmem_schedule";
	p->type = NB_T_KPROBE;
	p->kp.pre_handler = nb_prune_pre;
	if (nb_attach(p))
		return;
	if (err == -ENOENT)
		strscpy(p->note, "tcp_prune_queue_inlined", sizeof(p->note));
	else
		snprintf(p->note, sizeof(p->note), "tcp_prune_queue_error(%d)",
			 err);
	pr_info("prune: tcp_prune_queue %s, hooking tcp_try_rmem_schedule\n",
		err == -ENOENT ? "is inlined" : "cannot be probed");
}

/*
 * NAPI poll timing (see napi.c): from softirq_entry, or a kprobe on
 * __napi_poll where asked or where that tracepoint cannot be had.
 */
static void nb_attach_napi_time(void)
{
	struct nb_probe *p = &nb_probes[NB_P_NAPI_TIME];
	int err = 0;

	if (nb_napi_timing == NB_NT_OFF) {
		strscpy(p->note, "napi_timing=off", sizeof(p->note));
		return;
	}
	if (nb_napi_timing == NB_NT_SOFTIRQ) {
		err = nb_attach(p);
		if (!err)
			return;
	}
	p->symbol = "__napi_poll";
	p->type = NB_T_KPROBE;
	p->kp.pre_handler = nb_napi_time_pre;
	nb_napi_timing = NB_NT_KPROBE;
	if (nb_attach(p) || !err)
		return;
	snprintf(p->note, sizeof(p->note), "softirq_entry_error(%d)", err);
	pr_info("napi_time: softirq_entry unavailable (%d), timing with a kprobe on __napi_poll\n",
		err);
}

/*
 * napi_timing=softirq times threaded NAPI polls with a kprobe on
 * __napi_poll's entry, registered disabled at load and enabled (from a work
 * item: that sleeps) when the napi_poll tracepoint first sees a poll in a
 * device's NAPI thread, so hosts without threaded NAPI never pay for it.
 */
static DEFINE_MUTEX(nb_thread_lock);
static unsigned long nb_thread_req;	/* bit 0: enabling asked for */

static void nb_napi_thread_arm(struct work_struct *work)
{
	struct nb_probe *p = &nb_probes[NB_P_NAPI_THREAD];
	int err;

	mutex_lock(&nb_thread_lock);
	if (p->active && kprobe_disabled(&p->kp)) {
		err = enable_kprobe(&p->kp);
		if (err)
			snprintf(p->note, sizeof(p->note), "enable_failed(%d)",
				 err);
		else
			p->note[0] = 0;
	}
	mutex_unlock(&nb_thread_lock);
}

static DECLARE_WORK(nb_thread_work, nb_napi_thread_arm);

/* From the napi_poll tracepoint, in a NAPI thread: irqs on, may queue. */
void nb_napi_thread_seen(void)
{
	if (!test_bit(0, &nb_thread_req) &&
	    !test_and_set_bit(0, &nb_thread_req))
		schedule_work(&nb_thread_work);
}

static void nb_attach_napi_thread(void)
{
	struct nb_probe *p = &nb_probes[NB_P_NAPI_THREAD];

	if (nb_napi_timing != NB_NT_SOFTIRQ) {
		snprintf(p->note, sizeof(p->note), "napi_timing=%s",
			 nb_napi_timing == NB_NT_OFF ? "off" : "kprobe");
		return;
	}
	p->kp.flags = KPROBE_FLAG_DISABLED;
	if (nb_attach(p))
		return;
	strscpy(p->note, "armed_at_first_threaded_poll", sizeof(p->note));
}

/*
 * Return-probe instances: one per call in flight. Under preempt=full or
 * PREEMPT_RT a task can be preempted inside the probed function, so a
 * CPU can have many (the kernel's default, max(10, 2 * CPUs), counts two
 * per CPU: a task and the softirq nested in it).
 */
static unsigned int nb_maxactive(void)
{
	return max_t(unsigned int, 64, 8 * num_possible_cpus());
}

int nb_probes_init(void)
{
	unsigned int maxactive = nb_maxactive();
	int cpu, err;

	err = nb_inflight_init(maxactive);
	if (err)
		return err;
	for_each_possible_cpu(cpu) {
		per_cpu_ptr(&nb_cpu, cpu)->cpu = cpu;
		timer_setup(&per_cpu_ptr(&nb_cpu, cpu)->timer, nb_ep_timer,
			    TIMER_PINNED);
	}
	nb_probes[NB_P_EP_TIMER].active = true;

	nb_probes[NB_P_COLLAPSE].rp.data_size = nb_collapse_data_size();
	nb_probes[NB_P_OFO].rp.data_size = nb_ofo_data_size();
	nb_probes[NB_P_COLLAPSE].rp.maxactive = maxactive;
	nb_probes[NB_P_OFO].rp.maxactive = maxactive;
	nb_probes[NB_P_PRUNE].rp.maxactive = maxactive;
	/* Count for the calls entered after they are on. */
	nb_probes[NB_P_OFO_DROP].tp_func = nb_kfree_skb_probe();
	if (!nb_attach(&nb_probes[NB_P_OFO_DROP]))
		WRITE_ONCE(nb_ofo_drop_active, true);
	if (!nb_attach(&nb_probes[NB_P_COLLAPSE_SKB]))
		WRITE_ONCE(nb_collapse_skb_active, true);
	/* Handlers of the prune path look at what the others recorded. */
	nb_attach(&nb_probes[NB_P_COLLAPSE]);
	nb_attach(&nb_probes[NB_P_OFO]);
	nb_attach_prune();
	nb_attach_napi_time();
	nb_attach_napi_thread();
	nb_attach(&nb_probes[NB_P_NAPI]);
	return 0;
}

void nb_probes_exit(void)
{
	int i;

	/* Calls entered from now on count from the MIB, not into slots. */
	WRITE_ONCE(nb_collapse_skb_active, false);
	WRITE_ONCE(nb_ofo_drop_active, false);
	for (i = NB_P_MAX - 1; i >= 0; i--)
		if (i != NB_P_NAPI_THREAD)
			nb_detach(&nb_probes[i]);
	/* In-flight tracepoint handlers; kprobe unregistration waits itself. */
	tracepoint_synchronize_unregister();
	/* No napi_poll handler can queue the work any more. */
	cancel_work_sync(&nb_thread_work);
	mutex_lock(&nb_thread_lock);
	nb_detach(&nb_probes[NB_P_NAPI_THREAD]);
	mutex_unlock(&nb_thread_lock);
	nb_ep_flush();
	nb_inflight_exit();
}

static unsigned long nb_hits(int id)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(&nb_cpu, cpu)->hits[id]);
	return sum;
}

static u64 nb_self_ns(int id)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu_ptr(&nb_cpu, cpu)->self_ns[id]);
	return sum;
}

void nb_probes_show(struct seq_file *m)
{
	int i;

	seq_printf(m, "%-10s %-22s %-10s %-11s %12s %8s %12s %s\n", "hook",
		   "symbol", "type", "state", "hits", "nmissed", "self_ns",
		   "note");
	for (i = 0; i < NB_P_MAX; i++) {
		struct nb_probe *p = &nb_probes[i];

		seq_printf(m, "%-10s %-22s %-10s %-11s %12lu ", p->hook,
			   p->symbol, nb_type_name[p->type],
			   p->active ? "active" : "unavailable", nb_hits(i));
		if (p->type == NB_T_KPROBE)
			seq_printf(m, "%8lu", p->kp.nmissed);
		else if (p->type == NB_T_KRETPROBE)
			seq_printf(m, "%8lu", p->rp.nmissed + p->rp.kp.nmissed);
		else
			seq_printf(m, "%8s", "-");
		seq_printf(m, " %12llu %s\n", nb_self_ns(i),
			   p->note[0] ? p->note : "-");
	}
}
