// SPDX-License-Identifier: GPL-2.0
/*
 * tpyard.c - the tracepoint dispatch yardstick of make bench.
 *
 * What one hit of a tracepoint with one probe registered costs the code
 * that hits it, before the probe does anything: the static branch taken,
 * the static call (or iterator) and the call itself. That is how the kernel
 * calls netbuf's napi_poll, softirq_entry and kfree_skb handlers; their
 * self-timing (probes file, self_ns) starts inside the handler and leaves
 * this out. The module defines a tracepoint of its own and, at load, times
 * `loops` hits of it with no probe (the static branch off: the bare loop)
 * and with one empty probe registered, alternating `rounds` times. The
 * figures are left in the read-only parameter `result` as
 * "i=N base_ns=X tp_ns=Y" per round (total ns for `loops` hits); the
 * caller reads them and unloads the module. Nothing else stays behind.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/sched/clock.h>
#include <linux/tracepoint.h>

DECLARE_TRACE(tpyard_hit, TP_PROTO(unsigned long v), TP_ARGS(v));
DEFINE_TRACE(tpyard_hit, TP_PROTO(unsigned long v), TP_ARGS(v));

static unsigned int loops = 1000000;
module_param(loops, uint, 0444);
MODULE_PARM_DESC(loops, "hits per timed loop (1000..100000000)");

static unsigned int rounds = 7;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "alternations of bare and probed loops (1..20)");

static char result[1024];
module_param_string(result, result, sizeof(result), 0444);
MODULE_PARM_DESC(result, "i=N base_ns=X tp_ns=Y per round, for loops hits");

static unsigned long tpyard_sink;

/* The probe: as little as a probe can be, so only the dispatch is left. */
static noinline void tpyard_probe(void *data, unsigned long v)
{
	WRITE_ONCE(tpyard_sink, v);
}

static u64 tpyard_loop(unsigned int n)
{
	unsigned int i;
	u64 t0, t;

	preempt_disable();
	t0 = local_clock();
	for (i = 0; i < n; i++)
		trace_tpyard_hit(i);
	t = local_clock() - t0;
	preempt_enable();
	return t;
}

static int __init tpyard_init(void)
{
	size_t len = 0;
	unsigned int r;
	u64 base, tp;
	int err;

	if (loops < 1000 || loops > 100000000 || rounds < 1 || rounds > 20) {
		pr_err("loops must be 1000..100000000 and rounds 1..20\n");
		return -EINVAL;
	}
	for (r = 1; r <= rounds; r++) {
		base = tpyard_loop(loops);
		err = register_trace_tpyard_hit(tpyard_probe, NULL);
		if (err) {
			pr_err("register_trace_tpyard_hit: %d\n", err);
			return err;
		}
		tp = tpyard_loop(loops);
		unregister_trace_tpyard_hit(tpyard_probe, NULL);
		tracepoint_synchronize_unregister();
		len += scnprintf(result + len, sizeof(result) - len,
				 "i=%u base_ns=%llu tp_ns=%llu\n", r, base, tp);
		cond_resched();
	}
	return 0;
}

static void __exit tpyard_exit(void)
{
}

module_init(tpyard_init);
module_exit(tpyard_exit);
MODULE_DESCRIPTION("make bench: tracepoint dispatch yardstick");
MODULE_LICENSE("GPL");
