// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf events [-f [-i SECS] [-c COUNT]] [IFACE...]: the module's log of
 * slow collapse and prune episodes (/proc/netbuf/events), with the
 * settings of /proc/netbuf/control; -f follows it (poll(2)). Cgroup ids
 * are named by their path under the cgroup2 mount when they can be.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "keys.h"
#include "parse.h"

#define FOLLOW_MIN_GAP 0.1	/* seconds between two reads, at least */

static const struct em_key ctl_keys[CTL_COUNT] = {
	EM_KEY("events_threshold_ns", "threshold", EM_NS, 0),
	EM_KEY("events_max", "records kept", EM_COUNT, 0),
	EM_KEY("events_recorded", "recorded", EM_COUNT, 0),
	EM_KEY("events_lost", "lost", EM_COUNT, 0),
	EM_KEY("timing", "timing", EM_COUNT, 0),
};

static const struct em_key K_CLOCK = EM_KEY("clock", "time", EM_COUNT,
				       EM_K_NOJSON);
static const struct em_key K_KIND = EM_KEY("kind", "kind", EM_COUNT, 0);
static const struct em_key K_DUR = EM_KEY("dur_ns", "dur", EM_NS, 0);
static const struct em_key K_OUTCOME = EM_KEY("outcome", "outcome", EM_COUNT,
	0);
static const struct em_key K_LOCAL = EM_KEY("local", "local", EM_COUNT, 0);
static const struct em_key K_REMOTE = EM_KEY("remote", "remote", EM_COUNT, 0);
static const struct em_key K_RMEM[2] = {
	EM_KEY("rmem_before_bytes", NULL, EM_BYTES, 0),
	EM_KEY("rmem_after_bytes", NULL, EM_BYTES, 0),
};
static const struct em_key K_RCVBUF[2] = {
	EM_KEY("rcvbuf_before_bytes", NULL, EM_BYTES, 0),
	EM_KEY("rcvbuf_after_bytes", NULL, EM_BYTES, 0),
};
static const struct em_key K_RMEM_T = EM_KEY("rmem", "rmem", EM_COUNT,
					EM_K_NOJSON);
static const struct em_key K_RCVBUF_T = EM_KEY("rcvbuf", "rcvbuf", EM_COUNT,
					  EM_K_NOJSON);
static const struct em_key K_SKBS = EM_KEY("skbs", "skbs", EM_COUNT, 0);
static const struct em_key K_BYTES = EM_KEY("bytes", "bytes", EM_BYTES, 0);
static const struct em_key K_CPU = EM_KEY("cpu", "cpu", EM_COUNT, 0);

static void emit_opt(struct emitter *em, const struct em_key *k, long long v)
{
	if (v < 0)
		em_null(em, k);
	else
		em_i64(em, k, v);
}

/* "131088>108800" for tables; one value when it did not change. */
static void before_after(char *buf, size_t n, const long long v[2])
{
	char a[24] = "-", b[24] = "-";

	if (v[0] >= 0)
		snprintf(a, sizeof(a), "%lld", v[0]);
	if (v[1] >= 0)
		snprintf(b, sizeof(b), "%lld", v[1]);
	if (v[0] == v[1])
		snprintf(buf, n, "%s", a);
	else
		snprintf(buf, n, "%s>%s", a, b);
}

static void local_clock(char *buf, size_t n, u64 ns)
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;
	char hms[16];

	if (!localtime_r(&t, &tm) || !strftime(hms, sizeof(hms), "%H:%M:%S",
					       &tm))
		snprintf(hms, sizeof(hms), "-");
	snprintf(buf, n, "%s.%06llu", hms,
		 (unsigned long long)(ns % 1000000000ull / 1000));
}

static void emit_event(struct emitter *em, const struct nb_event *ev,
		       struct nb_cgmap *cg)
{
	char buf[64];
	int i;

	em_row_begin(em, 0);
	keys_time(em, ev->time_ns, 0);
	local_clock(buf, sizeof(buf), ev->time_ns);
	em_str(em, &K_CLOCK, buf);
	em_str(em, &K_KIND, ev->prune ? "prune" : "collapse");
	em_u64(em, &K_DUR, ev->dur_ns);
	em_str(em, &K_OUTCOME, ev->outcome[0] ? ev->outcome : NULL);
	em_str(em, &K_IFACE, ev->iface[0] ? ev->iface : NULL);
	em_i64(em, &K_IFINDEX, ev->ifindex);
	keys_cgroup(em, ev->cgroup, nb_cgmap_path(cg, ev->cgroup));
	em_str(em, &K_LOCAL, ev->local);
	em_str(em, &K_REMOTE, ev->remote);
	for (i = 0; i < 2; i++) {
		emit_opt(em, &K_RMEM[i], ev->rmem[i]);
		emit_opt(em, &K_RCVBUF[i], ev->rcvbuf[i]);
	}
	before_after(buf, sizeof(buf), ev->rmem);
	em_str(em, &K_RMEM_T, buf);
	before_after(buf, sizeof(buf), ev->rcvbuf);
	em_str(em, &K_RCVBUF_T, buf);
	em_u64(em, &K_SKBS, ev->skbs);
	em_u64(em, &K_BYTES, ev->bytes);
	em_u64(em, &K_CPU, ev->cpu);
	em_row_end(em);
}

static int wanted(const struct nb_event *ev, u64 after, char **ifaces,
		  int n)
{
	int i;

	if (ev->time_ns <= after)
		return 0;
	for (i = 0; i < n; i++)
		if (!strcmp(ev->iface, ifaces[i]))
			return 1;
	return n == 0;
}

size_t events_emit(struct emitter *em, const struct nb_evlog *log, u64 *after,
		   char **ifaces, int n, int with_control)
{
	size_t i, shown = 0;
	u64 last = *after;

	em_doc_begin(em, "netbuf-events/2");
	if (with_control) {
		em_obj_begin(em, "control", "events log");
		for (i = 0; i < CTL_COUNT; i++)
			em_u64(em, &ctl_keys[i], log->ctl[i]);
		em_obj_end(em);
	}
	em_list_begin(em, "events", NULL, 0);
	for (i = 0; i < log->n; i++) {
		if (!wanted(&log->ev[i], *after, ifaces, n))
			continue;
		emit_event(em, &log->ev[i], log->cg);
		shown++;
		if (log->ev[i].time_ns > last)
			last = log->ev[i].time_ns;
	}
	em_list_end(em);
	if (with_control && !shown)
		em_note(em, "no slow episodes recorded (threshold in "
			"/proc/netbuf/control)");
	em_doc_end(em);
	*after = last;
	return shown;
}

int nb_evlog_read(const struct nb_opts *o, int fd, struct nb_evlog *log)
{
	char path[4096], *buf;
	struct nb_err e;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "%s/control", o->paths.proc);
	if (nb_read_file(path, &buf, &len, &e) < 0)
		return nb_fail(&e), -1;
	r = nb_parse_control(path, buf, len, log->ctl, &e);
	free(buf);
	if (r < 0)
		return nb_fail(&e), -1;
	snprintf(path, sizeof(path), "%s/events", o->paths.proc);
	if (lseek(fd, 0, SEEK_SET) < 0 || nb_read_fd(fd, &buf, &len) < 0) {
		fprintf(stderr, "netbuf: %s: %s\n", path, strerror(errno));
		return -1;
	}
	r = nb_parse_events(path, buf, len, &log->ev, &log->n, &e);
	free(buf);
	if (r < 0)
		return nb_fail(&e), -1;
	return 0;
}

/*
 * Until the module says there is more (poll), SECS pass, or Ctrl-C: 0, -1
 * to stop; 1 when the module hangs up (it is being unloaded).
 */
static int wait_more(int fd, double secs)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	u64 t0 = nb_clock_ns(CLOCK_MONOTONIC);
	int r = poll(&p, 1, (int)(secs * 1000));

	if ((r < 0 && errno == EINTR) || nb_interrupted())
		return -1;
	if (r > 0 && (p.revents & (POLLHUP | POLLERR)))
		return 1;
	if (nb_ns_to_s(nb_clock_ns(CLOCK_MONOTONIC) - t0) < FOLLOW_MIN_GAP)
		return nb_sleep(FOLLOW_MIN_GAP);
	return 0;
}

/*
 * Unloading the module hangs up on pollers of the events file (POLLHUP),
 * then cuts the file off (reads fail with EIO) and /proc/netbuf is gone.
 * Said once, then stop.
 */
static int module_gone(const struct nb_opts *o, int hup)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/version", o->paths.proc);
	if (!hup && (access(path, F_OK) == 0 || errno != ENOENT))
		return 0;
	fprintf(stderr, "netbuf: events: the netbuf module was unloaded "
		"(%s)\n", hup ? "the events file hung up" :
		"its directory is gone");
	return 1;
}

static int run(const struct nb_opts *o, int fd, int follow, char **ifaces,
	       int n)
{
	struct nb_evlog log;
	struct nb_cgmap cg;
	u64 after = 0;
	long i;
	int r = 0;

	nb_cgmap_init(&cg, o->paths.cgroup);
	for (i = 0; !r && (!follow || !o->count || i < o->count); i++) {
		int w = i ? wait_more(fd, o->has_interval ? o->interval : 1) : 0;
		struct emitter *em;

		if (w < 0)
			break;
		if (i && module_gone(o, w > 0)) {
			r = NB_EXIT_RUNTIME;
			break;
		}
		memset(&log, 0, sizeof(log));
		if (nb_evlog_read(o, fd, &log) < 0) {
			r = NB_EXIT_RUNTIME;
			break;
		}
		log.cg = &cg;
		nb_cgmap_stale(&cg);
		em = em_open(o->fmt, i ? EM_O_NOHEADER : 0);
		if (events_emit(em, &log, &after, ifaces, n, i == 0) || i == 0)
			r = nb_output(em);
		else
			em_discard(em);
		free(log.ev);
		if (!follow)
			break;
	}
	nb_cgmap_free(&cg);
	return r;
}

static int check_module(const struct nb_opts *o)
{
	struct nb_snapshot s;

	if (nb_load(o, &s, 1) < 0)
		return -1;
	nb_snapshot_free(&s);
	return 0;
}

int nb_evlog_open(const struct nb_opts *o)
{
	char path[4096];
	int fd;

	if (check_module(o) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/events", o->paths.proc);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fprintf(stderr, "netbuf: %s: %s\n", path, strerror(errno));
	return fd;
}

int cmd_events(const struct nb_opts *o, int argc, char **argv)
{
	int fd, r;

	if (!o->follow && (o->has_interval || o->count))
		return nb_usage("events: -i and -c go with -f (see 'netbuf "
				"help events')");
	fd = nb_evlog_open(o);
	if (fd < 0)
		return NB_EXIT_RUNTIME;
	if (o->follow)
		nb_catch_sigint();
	r = run(o, fd, o->follow, argv, argc);
	close(fd);
	return r;
}
