// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf - per-interface receive-buffer pressure (TCP collapse and prune)
 * and NAPI work, with latency histograms, under /proc/netbuf.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "netbuf.h"

#define NB_MAX_IFACES_LIMIT	65536

unsigned int nb_max_ifaces = 4096;
module_param_named(max_ifaces, nb_max_ifaces, uint, 0444);
MODULE_PARM_DESC(max_ifaces,
		 "Interfaces tracked with a row of their own, 1..65536 (default 4096); the others count in their namespace's unknown row");

unsigned int nb_max_ifaces_netns = 1024;
module_param_named(max_ifaces_netns, nb_max_ifaces_netns, uint, 0444);
MODULE_PARM_DESC(max_ifaces_netns,
		 "Interface rows one network namespace may hold, gone ones included, 1..65536 (default 1024); its other interfaces count in its unknown row");

module_param_named(max_napi_queues, nb_max_queues, uint, 0444);
MODULE_PARM_DESC(max_napi_queues,
		 "NAPI instances (RX queues) counted one by one in napi_queues, 0..65536 (default 1024; 0: no per-queue view)");

module_param_named(max_napi_queues_netns, nb_max_queues_netns, uint, 0444);
MODULE_PARM_DESC(max_napi_queues_netns,
		 "NAPI instances one network namespace may have in napi_queues, 1..65536 (default 256); the polls of the others count in its unlisted line");

module_param_named(events_threshold_ns, nb_events_threshold_ns, ullong, 0444);
MODULE_PARM_DESC(events_threshold_ns,
		 "Log collapse and prune episodes at least this long, 0..60000000000 ns (default 1000000); changeable in /proc/netbuf/control");

module_param_named(events_max, nb_events_max, uint, 0444);
MODULE_PARM_DESC(events_max,
		 "Records kept per network namespace in the slow-episode log, 1..256 (default 32); changeable in /proc/netbuf/control");

static char *nb_napi_timing_param = "softirq";
module_param_named(napi_timing, nb_napi_timing_param, charp, 0444);
MODULE_PARM_DESC(napi_timing,
		 "How NAPI polls are timed: softirq (default: from tracepoints, no kprobe), kprobe (->poll() alone, threaded NAPI too; a kprobe per poll) or off");

static const char *const nb_napi_timing_names[] = {
	[NB_NT_OFF] = "off",
	[NB_NT_SOFTIRQ] = "softirq",
	[NB_NT_KPROBE] = "kprobe",
};

static int __init nb_check_params(void)
{
	int mode;

	mode = !nb_napi_timing_param ? -EINVAL :
	       match_string(nb_napi_timing_names,
			    ARRAY_SIZE(nb_napi_timing_names),
			    nb_napi_timing_param);
	if (mode < 0) {
		pr_err("napi_timing=%s unknown (softirq, kprobe or off): not loading\n",
		       nb_napi_timing_param ?: "");
		return -EINVAL;
	}
	nb_napi_timing = mode;
	if (nb_max_ifaces < 1 || nb_max_ifaces > NB_MAX_IFACES_LIMIT) {
		pr_err("max_ifaces=%u out of range 1..%u: not loading\n",
		       nb_max_ifaces, NB_MAX_IFACES_LIMIT);
		return -EINVAL;
	}
	if (nb_max_ifaces_netns < 1 ||
	    nb_max_ifaces_netns > NB_MAX_IFACES_LIMIT) {
		pr_err("max_ifaces_netns=%u out of range 1..%u: not loading\n",
		       nb_max_ifaces_netns, NB_MAX_IFACES_LIMIT);
		return -EINVAL;
	}
	if (nb_max_queues > NB_MAX_IFACES_LIMIT) {
		pr_err("max_napi_queues=%u out of range 0..%u: not loading\n",
		       nb_max_queues, NB_MAX_IFACES_LIMIT);
		return -EINVAL;
	}
	if (nb_max_queues_netns < 1 ||
	    nb_max_queues_netns > NB_MAX_IFACES_LIMIT) {
		pr_err("max_napi_queues_netns=%u out of range 1..%u: not loading\n",
		       nb_max_queues_netns, NB_MAX_IFACES_LIMIT);
		return -EINVAL;
	}
	if (nb_events_max < 1 || nb_events_max > NB_EVENTS_MAX_LIMIT) {
		pr_err("events_max=%u out of range 1..%u: not loading\n",
		       nb_events_max, NB_EVENTS_MAX_LIMIT);
		return -EINVAL;
	}
	if (nb_events_threshold_ns > NB_EVENTS_THRESH_LIMIT) {
		pr_err("events_threshold_ns=%llu out of range 0..%llu: not loading\n",
		       nb_events_threshold_ns, NB_EVENTS_THRESH_LIMIT);
		return -EINVAL;
	}
	return 0;
}

static int __init netbuf_init(void)
{
	int err;

	err = nb_check_params();
	if (err)
		return err;
	err = nb_queues_init();
	if (err)
		return err;
	err = nb_table_init();
	if (err)
		goto exit_queues;
	err = nb_events_init();
	if (err)
		goto exit_table;
	err = nb_procfs_init();
	if (err)
		goto exit_events;
	err = nb_probes_init();
	if (err)
		goto exit_procfs;
	pr_info("version %s loaded\n", NETBUF_VERSION);
	return 0;

exit_procfs:
	nb_procfs_exit();
exit_events:
	nb_events_exit();
exit_table:
	nb_table_exit();
exit_queues:
	nb_queues_exit();
	return err;
}

static void __exit netbuf_exit(void)
{
	/* Pollers of events detached while the files are still there. */
	nb_events_stop();
	nb_procfs_exit();
	nb_probes_exit();
	nb_events_exit();
	nb_table_exit();
	nb_queues_exit();
	/*
	 * Every row and event ring adds its size to nb_mem_bytes and takes it
	 * off when freed: anything left is a leak (the selftests' kernel-log
	 * gate turns this line into a failure).
	 */
	if (atomic_long_read(&nb_mem_bytes))
		pr_warn("leak: still holds %ld bytes at unload\n",
			atomic_long_read(&nb_mem_bytes));
	pr_info("unloaded\n");
}

module_init(netbuf_init);
module_exit(netbuf_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("netbuf developers");
MODULE_DESCRIPTION("Per-interface TCP receive-buffer pressure and NAPI statistics");
MODULE_VERSION(NETBUF_VERSION);
