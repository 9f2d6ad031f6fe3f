/* SPDX-License-Identifier: GPL-2.0 */
/* netbuf: command line options and the commands. */
#ifndef NB_CLI_H
#define NB_CLI_H

#include <stdio.h>

#include "cgroup.h"
#include "emit.h"
#include "snapshot.h"

struct nb_opts {
	enum em_format fmt;	/* -j, -p, --prometheus; EM_TABLE default */
	int zeros;		/* -z */
	double interval;	/* -i, seconds; 0 when not given */
	int has_interval;
	long count;		/* -c; 0: until interrupted */
	int follow;		/* -f */
	long top;		/* -n; 0 when not given */
	const char *by;		/* --by; NULL when not given */
	const char *output;	/* --output; NULL: stdout */
	int prom_nohist;	/* --prom-histograms none */
	int all_netns;		/* show --all-netns */
	int queues;		/* show --queues */
	long long queue;	/* hist --queue N; -1 when not given */
	long long napi_id;	/* hist --napi ID; -1 when not given */
	struct nb_paths paths;
};

int nb_main(int argc, char **argv);
/* -i: decimal seconds 0.1 .. 3600 (or 0 if zero_ok); -1 if not. */
int nb_parse_interval(const char *s, int zero_ok, double *out);

/* Each returns an exit status; argv holds the positional arguments. */
int cmd_show(const struct nb_opts *o, int argc, char **argv);
int cmd_show_all(const struct nb_opts *o, int argc, char **argv);
int cmd_watch(const struct nb_opts *o, int argc, char **argv);
int cmd_hist(const struct nb_opts *o, int argc, char **argv);
int cmd_baseline_save(const struct nb_opts *o, int argc, char **argv);
int cmd_baseline_compare(const struct nb_opts *o, int argc, char **argv);
int cmd_advise(const struct nb_opts *o, int argc, char **argv);
int cmd_events(const struct nb_opts *o, int argc, char **argv);
int cmd_top(const struct nb_opts *o, int argc, char **argv);

/* The log of /proc/netbuf/events and the settings of control. */
struct nb_evlog {
	u64 ctl[CTL_COUNT];
	struct nb_event *ev;
	size_t n;
	struct nb_cgmap *cg;	/* names the cgroups; NULL: none */
};

/* Check the module and open its events file: the fd, or -1 (said why). */
int nb_evlog_open(const struct nb_opts *o);
/* Read control and the events (from fd's start) into log->ctl, ev, n:
 * 0, or -1 (said why). */
int nb_evlog_read(const struct nb_opts *o, int fd, struct nb_evlog *log);

/* netbuf top: the events log grouped by connection, cgroup or interface. */
enum nb_top_by { NB_TOP_CONN, NB_TOP_CGROUP, NB_TOP_IFACE };

struct nb_top_row {
	const struct nb_event *key;	/* an event of the group */
	u64 episodes;		/* prunes, and collapses outside them */
	u64 collapses, prunes, drops;
	u64 stall_ns;		/* dur_ns of those episodes */
	u64 max_ns;
};

/* "conn", "cgroup", "iface": 0; else -1. */
int nb_top_by_parse(const char *s, enum nb_top_by *by);
/* The groups of log, most stall first; returns how many (free *rows). */
size_t nb_top_build(const struct nb_evlog *log, enum nb_top_by by,
		    struct nb_top_row **rows);

/* The rendering parts, separate from the reading, for unit tests. */
struct nb_view;
/* up and scrape_error, the first two series of every Prometheus output
 * (show, show --queues, show --all-netns): cmd_show.c. */
extern const struct em_key K_UP, K_ERR;
void show_emit(struct emitter *em, const struct nb_snapshot *s,
	       const struct nb_opts *o, char **ifaces, int nifaces);
void hist_emit(struct emitter *em, const struct nb_snapshot *s, int kind,
	       const char *iface);
/* The histograms of IFACE's NAPI instance(s) whose queue is queue (or
 * whose napi_id is napi_id; the other -1), of kind (-1: napi_ns and
 * napi_pkts); s has the per-queue view with its histograms. -1 (nothing
 * emitted, e says why) if no instance matches. */
int hist_queue_emit(struct emitter *em, const struct nb_snapshot *s, int kind,
		    const char *iface, long long queue, long long napi_id,
		    struct nb_err *e);
/* show --queues: the NAPI instances of s (s->has_queues), of ifaces if
 * any. */
void queues_emit(struct emitter *em, const struct nb_snapshot *s,
		 const struct nb_opts *o, char **ifaces, int nifaces);
/* Their rows (a list "queues"), for show's documents: the instances of
 * ifaces (all if none), the unlisted row (when not zero, unless all);
 * prom: and the interfaces' RX queue counts. */
void queues_rows(struct emitter *em, const struct nb_snapshot *s,
		 char **ifaces, int nifaces, int all, int prom);
/* The per-queue view into s: 0, or -1 (said why; an older module's
 * message when it has none). optional: a module without one is no error
 * (1, nothing said). */
int nb_load_queues(const struct nb_opts *o, struct nb_snapshot *s, int hists,
		   int optional);
/* Returns the number of warnings. em NULL: no output; log NULL: no events
 * log; the proposals go to *out (if not NULL; free with
 * nb_proposals_free). */
struct nb_proposals;
unsigned int advise_emit(struct emitter *em, const struct nb_snapshot *s,
			 const struct nb_view *v, const struct nb_evlog *log,
			 struct nb_proposals *out);
/* The proposals as a JSON list and, in tables, notes. */
void proposals_emit(struct emitter *em, const struct nb_proposals *ps);
/* A metric's value for people: "1.00ms", "0.123%", "4.20/s". */
void nb_fmt_metric(char *buf, size_t n, const char *metric, double x);
/* The events log, if the module has one: 1 (in *log; free log->ev), 0 (no
 * events file), -1 (said why). */
int nb_advise_events(const struct nb_opts *o, struct nb_evlog *log);
/* Events newer than *after (and of ifaces, if any), which it advances;
 * returns how many. */
size_t events_emit(struct emitter *em, const struct nb_evlog *log,
		   u64 *after, char **ifaces, int n, int with_control);
/* The first max groups of log by stall time. */
void top_emit(struct emitter *em, const struct nb_evlog *log,
	      enum nb_top_by by, size_t max);

/* Shared by the commands. */
int nb_load(const struct nb_opts *o, struct nb_snapshot *s, int warn);
int nb_fail(const struct nb_err *e);	/* prints, returns NB_EXIT_RUNTIME */
int nb_usage(const char *fmt, ...) NB_PRINTF(1, 2);
int nb_output(struct emitter *em);	/* em_finish to stdout */
/* em_finish to path, atomically (path.tmp, then rename). */
int nb_output_file(const char *path, struct emitter *em);
/* nb_load (warning on a version mismatch), then -1 with a message and s
 * freed if one of the names is not in it. */
int nb_load_ifaces(const struct nb_opts *o, struct nb_snapshot *s,
		   char **ifaces, int n);
int nb_sleep(double secs);		/* -1 when interrupted (SIGINT) */
void nb_catch_sigint(void);
int nb_interrupted(void);

#endif
