/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netbuf: the data model. A snapshot is everything one reading of
 * /proc/netbuf, /proc/net/softnet_stat and the sysctls gave, plus the time,
 * the kernel release and the network namespace it was taken in.
 */
#ifndef NB_MODEL_H
#define NB_MODEL_H

#include "emit.h"
#include "nb.h"

#define NB_IFNAME_MAX	32	/* IFNAMSIZ is 16; room for odd names */
#define NB_HIST_BUCKETS	65	/* [0]: v == 0, [k + 1]: 2^k <= v < 2^(k+1) */
#define NB_HIST_OPEN	33	/* the module's last bucket, LOW 2^32: also
				   every larger value (docs/formats.md) */
#define NB_PKTS_OPEN	9	/* napi_pkts' last bucket, LOW 256: also
				   every larger poll (docs/formats.md) */

/* Column indices of /proc/netbuf/rcvbuf (after iface ifindex state). */
enum nb_rcv_col {
	RB_COLL_CALLS, RB_COLL_SKBS, RB_COLL_FREED, RB_COLL_NS, RB_COLL_MAX_NS,
	RB_PRUNE_CALLS, RB_PRUNE_NOOP, RB_PRUNE_COLLAPSE, RB_PRUNE_OFO,
	RB_PRUNE_DROP, RB_PRUNE_NS, RB_PRUNE_MAX_NS,
	RB_OFO_CALLS, RB_OFO_SEGS, RB_OFO_BYTES, RB_UNTRACKED,
	RB_PRUNE_UNSEEN, RB_GONE, RB_COLL_PREEMPTED, RB_PRUNE_PREEMPTED,
	RB_NCOLS
};

/* Column indices of /proc/netbuf/napi. */
enum nb_napi_col {
	NP_POLLS, NP_PACKETS, NP_EXHAUSTED, NP_EMPTY, NP_POLL_NS,
	NP_POLL_MAX_NS, NP_UNTIMED,
	NP_NETPOLL, NP_BUSY_POLL, NP_THREADED, NP_UNTRACKED, NP_GONE,
	NP_NCOLS
};

/* Column indices of /proc/netbuf/napi_queues after its iface ifindex
 * rxqueues napi_id queue cpu: those of napi, for one NAPI instance. */
enum nb_queue_col {
	QC_POLLS, QC_PACKETS, QC_EXHAUSTED, QC_EMPTY, QC_POLL_NS,
	QC_POLL_MAX_NS, QC_UNTIMED, QC_NCOLS
};

#define NB_MAX_COLS RB_NCOLS

enum nb_col_flags {
	NB_COL_MAX = 1u << 0,	/* a maximum, not a counter: no deltas */
	NB_COL_OPT = 1u << 1,	/* absent from older modules' files: 0 */
};

struct nb_col {
	struct em_key k;	/* k.key: the JSON key */
	unsigned int flags;
	const char *col;	/* the column's name in the file */
};

enum nb_rowkind { NB_ROW_IFACE, NB_ROW_PSEUDO, NB_ROW_TOTAL };

/* A table file: rcvbuf or napi. */
struct nb_tabledef {
	const char *file;	/* "rcvbuf" */
	const char *const *pseudo;	/* rows of ifindex 0, in file order */
	size_t npseudo;
	const struct nb_col *cols;
	size_t ncols;
};

struct nb_row {
	char iface[NB_IFNAME_MAX];
	long long ifindex;	/* -1: "-" */
	char state[8];		/* up, gone, - */
	enum nb_rowkind kind;
	u64 v[NB_MAX_COLS];
};

struct nb_table {
	const struct nb_tabledef *def;
	struct nb_row *rows;
	size_t n;
};

enum nb_hkind { NB_H_COLLAPSE, NB_H_PRUNE, NB_H_NAPI_NS, NB_H_NAPI_PKTS,
		NB_H_COUNT };

struct nb_hist {
	u64 samples, sum, max;
	u64 b[NB_HIST_BUCKETS];
};

struct nb_hrow {
	char iface[NB_IFNAME_MAX];
	long long ifindex;
	enum nb_hkind kind;
	struct nb_hist h;
};

struct nb_hkinddef {
	const char *name;	/* as in the histograms file */
	const char *alias;	/* accepted on the command line, or NULL */
	enum em_unit unit;
	int table;		/* 0: rcvbuf, 1: napi */
	int max_col;		/* column holding the exact max, or -1 */
	struct em_key k;	/* Prometheus histogram family */
};

/*
 * A line of napi_queues: one NAPI instance (a napi_struct, named by its
 * kernel NAPI id) of an interface, or the unlisted line (the polls of
 * instances without a line: no NAPI id, or refused by the module's caps).
 */
struct nb_qrow {
	char iface[NB_IFNAME_MAX];
	long long ifindex;	/* -1: "-" (the unlisted line) */
	long long rxqueues;	/* the device's RX queues now; -1: "-" */
	long long napi_id;	/* -1: "-" */
	long long queue;	/* RX queue linked to it; -1: "-" (unknown) */
	long long cpu;		/* CPU of its last poll; -1: "-" */
	int unlisted;
	u64 v[QC_NCOLS];
};

/* A line of napi_queue_hist: napi_ns or napi_pkts of one instance. */
struct nb_qhrow {
	char iface[NB_IFNAME_MAX];
	long long ifindex;
	long long napi_id;
	enum nb_hkind kind;
	struct nb_hist h;
};

/* The per-queue view: napi_queues (instances, the unlisted line last), and
 * napi_queue_hist when it was read. */
struct nb_queues {
	struct nb_qrow *rows;
	size_t n;
	struct nb_qhrow *hists;
	size_t nhists;
	int has_hists;
	long long cap_max;	/* memory's napi_queues_max; -1: unknown */
	long long cap_netns_max;	/* napi_queues_netns_max; -1: unknown */
};

struct nb_version {
	char module[128];
	unsigned int format;
	char built_for[128];
	char running[128];
	char preempt[32];	/* "" when the module does not say */
};

struct nb_probe {
	char hook[32];
	char symbol[128];
	char type[32];
	int active;
	int has_hits, has_nmissed;
	u64 hits, nmissed;
	u64 self_ns;		/* time in netbuf's handlers (timing on) */
	char note[128];		/* "" for "-" */
};

enum nb_mem_key { MEM_ROWS, MEM_ROWS_MAX, MEM_ROW_BYTES, MEM_PERCPU_BYTES,
		  MEM_CPUS, MEM_BYTES, MEM_BYTES_WORST, MEM_UNTRACKED_DEVS,
		  MEM_EVICTED, MEM_LOST, MEM_COUNT };

struct nb_cpu {
	unsigned int cpu;
	u64 processed, dropped, squeeze;
	int has_backlog;
	u64 backlog;
};

enum nb_sysctl_id { SC_TCP_RMEM, SC_ADV_WIN_SCALE, SC_BUDGET,
		    SC_BUDGET_USECS, SC_DEV_WEIGHT, SC_MAX_BACKLOG, SC_COUNT };

#define NB_SYSCTL_VALS 3

struct nb_sysctls {
	int present[SC_COUNT];
	char raw[SC_COUNT][64];		/* values joined by one space */
	long long v[SC_COUNT][NB_SYSCTL_VALS];
	unsigned int nv[SC_COUNT];
};

/* Sources kept verbatim, for baseline files. */
enum nb_src { SRC_VERSION, SRC_PROBES, SRC_RCVBUF, SRC_NAPI, SRC_HIST,
	      SRC_MEMORY, SRC_SOFTNET, SRC_COUNT };

struct nb_snapshot {
	struct nb_version ver;
	struct nb_probe *probes;
	size_t nprobes;
	struct nb_table rcvbuf, napi;
	struct nb_hrow *hists;
	size_t nhists;
	u64 mem[MEM_COUNT];
	struct nb_cpu *cpus;
	size_t ncpus;
	unsigned int softnet_cols;	/* 0: softnet_stat not available */
	struct nb_sysctls sysctl;
	u64 realtime_ns, boottime_ns;
	u64 monotonic_ns;	/* not saved in baselines */
	char kernel[128];
	char netns[32];
	char boot_id[40];	/* kernel/random/boot_id; "": unknown */
	char *raw[SRC_COUNT];	/* NULL: source absent (softnet only) */
	size_t rawlen[SRC_COUNT];
	/* read only by the commands that use them (nb_snapshot_load_queues),
	 * not saved in baselines */
	int has_queues;
	struct nb_queues q;
};

/* /proc/netbuf/events: one slow collapse or prune episode. */
struct nb_event {
	char time[32];		/* as in the file: seconds.nanoseconds */
	u64 time_ns;		/* CLOCK_REALTIME */
	int prune;		/* kind: 0 collapse, 1 prune */
	u64 dur_ns;
	char outcome[16];	/* noop collapse ofo drop; "" for "-" */
	char iface[NB_IFNAME_MAX];	/* "" for "-" */
	long long ifindex;
	u64 cgroup;
	char local[64], remote[64];	/* ADDR:PORT, [ADDR6]:PORT */
	long long rmem[2], rcvbuf[2];	/* before, after; -1 for "-" */
	u64 skbs, bytes, cpu;
};

enum nb_ctl_key { CTL_THRESHOLD_NS, CTL_EVENTS_MAX, CTL_RECORDED, CTL_LOST,
		  CTL_TIMING, CTL_COUNT };

extern const char *const nb_ctl_keys[CTL_COUNT];
extern const struct nb_tabledef nb_rcvbuf_def, nb_napi_def;
extern const struct nb_col nb_queue_cols[QC_NCOLS];
extern const struct nb_hkinddef nb_hkinds[NB_H_COUNT];
extern const char *const nb_mem_keys[MEM_COUNT];
extern const char *const nb_src_names[SRC_COUNT];

struct nb_sysctldef {
	const char *name;	/* net.ipv4.tcp_rmem */
	const char *path;	/* net/ipv4/tcp_rmem */
	unsigned int nvals;
};
extern const struct nb_sysctldef nb_sysctls[SC_COUNT];

int nb_hkind_parse(const char *s, enum nb_hkind *k);

/* 1 if every counter of @r (max columns aside) is 0: a row show hides. */
int nb_row_zero(const struct nb_tabledef *d, const struct nb_row *r);
int nb_sysctl_find(const char *name);

#endif
