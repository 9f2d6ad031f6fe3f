// SPDX-License-Identifier: GPL-2.0
/*
 * rcvpress - drive TCP receive-queue collapse and pruning on purpose.
 *
 * The listener's SO_RCVBUF is large (--rcvbuf-big), so the window offered to
 * the sender is large; right after accept (or after --warmup bytes) the
 * receiver shrinks SO_RCVBUF (--rcvbuf-small) and drains slowly
 * (--read-rate).  TCP never takes back window it has offered
 * (tcp_select_window(): "Never shrink the offered window"), so the sender
 * keeps filling the old window, with tiny TCP_NODELAY writes (--segment)
 * whose per-skb overhead is many times their payload.  sk_rmem_alloc passes
 * the new sk_rcvbuf, tcp_try_rmem_schedule() calls tcp_prune_queue(), which
 * collapses the queues (TCPRcvCollapsed) and, when the payload alone is still
 * too much, prunes the out-of-order queue (OfoPruned) and finally drops the
 * incoming segment (RcvPruned).  Out-of-order data needs reordering or loss
 * on the path: see ofo-setup.sh.  --reconnect restarts each connection every
 * so often, because each new connection brings a fresh overrun (6.3+ kernels
 * answer the first drop with a zero window, ending the overrun).
 *
 * One binary: --listen (receiver), --connect (sender), both, or neither
 * (both ends in this process over loopback).  libc + pthreads only.
 * See README.md next to this file.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>		/* isfinite() only: a builtin, no libm */
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS	256
#define IOBUF		(256 * 1024)
#define TICK_NS		5000000LL	/* reader pacing tick: 5 ms */
#define POLL_MS		20		/* longest any thread blocks */

enum mode { MODE_COLLAPSE, MODE_PRUNE, MODE_OFO };
static const char *const mode_names[] = { "collapse", "prune", "ofo" };

/* Per-mode defaults; every field can be overridden on the command line. */
struct mode_defaults {
	int conns;
	double duration;
	long seg;
	long rcvbuf_small;
	long rcvbuf_big;
	long read_rate;
	long warmup;
	double reconnect;
};

static const struct mode_defaults defaults[] = {
	/*                 c  dur  seg small      big        rate      warmup reconnect */
	[MODE_COLLAPSE] = { 2, 3.0, 8,  128 << 10, 208 << 10, 64 << 10, 0,    0 },
	[MODE_PRUNE]    = { 2, 3.0, 8,  4 << 10,   4 << 20, 16 << 10, 0,     0.25 },
	[MODE_OFO]      = { 4, 3.0, 8,  4 << 10,   4 << 20, 16 << 10, 0,     0.25 },
};

struct endpoint {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[INET6_ADDRSTRLEN + 16];
};

struct cfg {
	enum mode mode;
	int have_listen, have_connect;
	struct endpoint listen_ep, connect_ep;
	int conns;
	double duration;
	double grace;
	double wait;
	long seg;
	long rcvbuf_small;
	long rcvbuf_big;
	long read_rate;
	long warmup;
	double reconnect;
	int json;
	int verbose;
	int ipv6;
};

static struct cfg cfg;

/* Totals, updated atomically by the worker threads. */
static uint64_t g_sent, g_rcvd;
static int g_tx_conns;		/* successful connects (all episodes) */
static int g_rx_conns;		/* accepted connections */
static int g_threads;		/* workers and acceptor still running */
static int g_rcvbuf_eff = -1;	/* SO_RCVBUF read back after a shrink */
static int g_rcvbuf_big_eff = -1;	/* ... and before it */
static uint64_t g_warm_bytes;		/* read in the warm-ups (receiver) */
static uint64_t g_warm_ns;		/* time the warm-ups took, summed */
static int listen_fd = -1;

/* All times CLOCK_MONOTONIC ns.  g_end/g_deadline move once, at the first
 * accept, when this process is only the receiver. */
static int64_t g_t0, g_end, g_deadline;
static int g_abort;		/* deadline reached: everybody out */

static const char *prog = "rcvpress";

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

#define vmsg(...) do { if (cfg.verbose) msg(__VA_ARGS__); } while (0)

static void add_u64(uint64_t *p, uint64_t v)
{
	__atomic_add_fetch(p, v, __ATOMIC_RELAXED);
}

static int64_t end_ns(void)
{
	return __atomic_load_n(&g_end, __ATOMIC_ACQUIRE);
}

static double elapsed(void)
{
	return (double)(now_ns() - __atomic_load_n(&g_t0, __ATOMIC_ACQUIRE)) / 1e9;
}

static int64_t deadline_ns(void)
{
	return __atomic_load_n(&g_deadline, __ATOMIC_ACQUIRE);
}

static int aborted(void)
{
	return __atomic_load_n(&g_abort, __ATOMIC_RELAXED) ||
	       now_ns() >= deadline_ns();
}

static int poll_ms_until(int64_t t)
{
	int64_t left = t - now_ns();

	if (left <= 0)
		return 0;
	left = (left + 999999) / 1000000;
	return left > POLL_MS ? POLL_MS : (int)left;
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts;

	if (ns <= 0)
		return;
	ts.tv_sec = ns / 1000000000LL;
	ts.tv_nsec = ns % 1000000000LL;
	nanosleep(&ts, NULL);
}

/* Close with RST: nothing of ours keeps retransmitting after we are gone. */
static void close_abort(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

/* ------------------------------------------------------------------ */
/* Option parsing                                                      */

static void usage(FILE *f)
{
	fprintf(f,
"usage: %s [options]\n"
"Drive TCP receive-queue collapse (TCPRcvCollapsed) and pruning (PruneCalled,\n"
"RcvPruned, OfoPruned) on purpose.\n"
"\n"
"Roles: --listen only = receiver; --connect only = sender; both = both ends in\n"
"this process; neither = both ends in this process over 127.0.0.1 (or ::1\n"
"with -6) on an ephemeral port.\n"
"\n"
"  -l, --listen ADDR:PORT     receive on ADDR:PORT ([v6addr]:PORT for IPv6)\n"
"  -C, --connect ADDR:PORT    send to ADDR:PORT\n"
"  -6, --ipv6                 self mode over ::1 instead of 127.0.0.1\n"
"  -m, --mode MODE            collapse | prune | ofo (default collapse); sets\n"
"                             the defaults below, each can be overridden\n"
"  -c, --connections N        parallel connections (1..%d)\n"
"  -d, --duration SEC         how long to send (fractions ok)\n"
"  -s, --segment BYTES        bytes per send() after warm-up (TCP_NODELAY on)\n"
"      --rcvbuf-small BYTES   SO_RCVBUF set on the accepted socket after the\n"
"                             warm-up (the kernel doubles it); 0 = none: the\n"
"                             socket stays autotuned (net.ipv4.tcp_rmem)\n"
"      --rcvbuf-big BYTES     SO_RCVBUF of the listener, inherited by accepted\n"
"                             sockets until the shrink (sets the window scale);\n"
"                             0 = none (autotuned, net.ipv4.tcp_rmem)\n"
"      --read-rate BYTES/S    receiver drain rate per connection; 0 = read\n"
"                             nothing until the end\n"
"      --warmup BYTES         per connection: bytes sent in 64 KiB writes and\n"
"                             read at full speed before the shrink, so the\n"
"                             advertised window grows (0 = shrink at accept);\n"
"                             give both ends the same value\n"
"      --reconnect SEC        sender: close (RST) each connection after SEC and\n"
"                             open a new one, so every SEC brings a fresh\n"
"                             window overrun (0 = one connection per slot)\n"
"      --grace SEC            after the duration: drain/close time (default 1)\n"
"      --wait SEC             receiver: how long to wait for the first\n"
"                             connection; sender: how long to retry connect\n"
"                             (default 5)\n"
"      --json                 print the summary as one JSON object\n"
"  -v, --verbose              progress on stderr\n"
"  -h, --help                 this text\n"
"\n"
"Sizes take a K, M or G suffix (powers of 1024).\n"
"Mode defaults:\n",
		prog, MAX_CONNS);
	for (int m = 0; m <= MODE_OFO; m++) {
		const struct mode_defaults *d = &defaults[m];

		fprintf(f, "  %-8s -c %d -d %g -s %ld --rcvbuf-small %ld --rcvbuf-big %ld\n"
			"           --read-rate %ld --warmup %ld --reconnect %g\n",
			mode_names[m], d->conns, d->duration, d->seg,
			d->rcvbuf_small, d->rcvbuf_big, d->read_rate, d->warmup,
			d->reconnect);
	}
	fprintf(f,
"\n"
"Summary (stdout, one line, key=value): bytes sent and received, connections,\n"
"duration, and the deltas of this network namespace's TcpExt counters.\n"
"Exit: 0 ok, 1 no connection could be made or a socket error, 2 bad usage.\n");
}

static void __attribute__((noreturn)) bad(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	va_end(ap);
	exit(2);
}

static long parse_size(const char *opt, const char *s, long min, long max)
{
	char *end;
	double v;
	double mul = 1;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v))
		bad("%s: '%s' is not a number", opt, s);
	if (*end) {
		switch (*end) {
		case 'k': case 'K': mul = 1024.0; break;
		case 'm': case 'M': mul = 1024.0 * 1024; break;
		case 'g': case 'G': mul = 1024.0 * 1024 * 1024; break;
		default:
			bad("%s: '%s': unknown suffix (use K, M or G)", opt, s);
		}
		end++;
		if (*end == 'i' || *end == 'I')
			end++;
		if (*end == 'b' || *end == 'B')
			end++;
		if (*end)
			bad("%s: '%s': trailing characters", opt, s);
	}
	v *= mul;
	if (v > 9e18 || v != (double)(long long)v)
		bad("%s: '%s' is not a whole number of bytes", opt, s);
	if (v < (double)min || v > (double)max)
		bad("%s: %s out of range [%ld, %ld]", opt, s, min, max);
	return (long)v;
}

static double parse_secs(const char *opt, const char *s, double min, double max)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno || !isfinite(v))
		bad("%s: '%s' is not a number of seconds", opt, s);
	if (*end == 's' && end[1] == 0)
		end++;
	if (*end)
		bad("%s: '%s': trailing characters", opt, s);
	if (v < min || v > max)
		bad("%s: %s out of range [%g, %g]", opt, s, min, max);
	return v;
}

/* ADDR:PORT, [V6ADDR]:PORT, V6ADDR%IFACE inside brackets; numeric only. */
static void parse_endpoint(const char *opt, const char *s, struct endpoint *ep)
{
	char host[INET6_ADDRSTRLEN + IF_NAMESIZE + 4];
	const char *port, *h = s;
	size_t hl;
	char *end;
	long p;

	memset(ep, 0, sizeof(*ep));
	if (*s == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			bad("%s: '%s': expected [IPV6]:PORT", opt, s);
		h = s + 1;
		hl = (size_t)(rb - h);
		port = rb + 2;
	} else {
		const char *c = strrchr(s, ':');

		if (!c)
			bad("%s: '%s': expected ADDR:PORT", opt, s);
		if (memchr(s, ':', (size_t)(c - s)))
			bad("%s: '%s': put IPv6 addresses in brackets: [ADDR]:PORT", opt, s);
		hl = (size_t)(c - s);
		port = c + 1;
	}
	if (hl == 0 || hl >= sizeof(host))
		bad("%s: '%s': bad address", opt, s);
	memcpy(host, h, hl);
	host[hl] = 0;
	errno = 0;
	p = strtol(port, &end, 10);
	if (!*port || *end || errno || p < 0 || p > 65535)
		bad("%s: '%s': bad port", opt, s);

	if (!strcmp(host, "localhost"))
		strcpy(host, "127.0.0.1");
	{
		struct sockaddr_in *sin = (struct sockaddr_in *)&ep->ss;
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ep->ss;
		char *pct = strchr(host, '%');

		if (!pct && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
			sin->sin_family = AF_INET;
			sin->sin_port = htons((uint16_t)p);
			ep->len = sizeof(*sin);
		} else {
			if (pct)
				*pct++ = 0;
			if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
				bad("%s: '%s': not a numeric IPv4 or IPv6 address", opt, s);
			if (pct) {
				sin6->sin6_scope_id = if_nametoindex(pct);
				if (!sin6->sin6_scope_id)
					bad("%s: '%s': unknown interface '%s'", opt, s, pct);
			}
			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons((uint16_t)p);
			ep->len = sizeof(*sin6);
		}
	}
	snprintf(ep->text, sizeof(ep->text), "%s", s);
}

static void ep_format(struct endpoint *ep)
{
	char a[INET6_ADDRSTRLEN];

	if (ep->ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ep->ss;

		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(ep->text, sizeof(ep->text), "%s:%u", a, ntohs(sin->sin_port));
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ep->ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		snprintf(ep->text, sizeof(ep->text), "[%s]:%u", a, ntohs(sin6->sin6_port));
	}
}

static void parse_args(int argc, char **argv)
{
	enum { O_SMALL = 256, O_BIG, O_RATE, O_WARM, O_RECON, O_GRACE, O_WAIT,
	       O_JSON };
	static const struct option lo[] = {
		{ "listen",       required_argument, NULL, 'l' },
		{ "connect",      required_argument, NULL, 'C' },
		{ "ipv6",         no_argument,       NULL, '6' },
		{ "mode",         required_argument, NULL, 'm' },
		{ "connections",  required_argument, NULL, 'c' },
		{ "duration",     required_argument, NULL, 'd' },
		{ "segment",      required_argument, NULL, 's' },
		{ "rcvbuf-small", required_argument, NULL, O_SMALL },
		{ "rcvbuf-big",   required_argument, NULL, O_BIG },
		{ "read-rate",    required_argument, NULL, O_RATE },
		{ "warmup",       required_argument, NULL, O_WARM },
		{ "reconnect",    required_argument, NULL, O_RECON },
		{ "grace",        required_argument, NULL, O_GRACE },
		{ "wait",         required_argument, NULL, O_WAIT },
		{ "json",         no_argument,       NULL, O_JSON },
		{ "verbose",      no_argument,       NULL, 'v' },
		{ "help",         no_argument,       NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* Values given on the command line; -1 = take the mode default. */
	long seg = -1, small = -1, big = -1, rate = -1, warm = -1;
	int conns = -1;
	double dur = -1, recon = -1;
	const char *lopt = NULL, *copt = NULL;
	int o;

	memset(&cfg, 0, sizeof(cfg));
	cfg.grace = 1.0;
	cfg.wait = 5.0;
	opterr = 0;
	while ((o = getopt_long(argc, argv, ":l:C:6m:c:d:s:vh", lo, NULL)) != -1) {
		switch (o) {
		case 'l': lopt = optarg; break;
		case 'C': copt = optarg; break;
		case '6': cfg.ipv6 = 1; break;
		case 'm':
			if (!strcmp(optarg, "collapse"))
				cfg.mode = MODE_COLLAPSE;
			else if (!strcmp(optarg, "prune"))
				cfg.mode = MODE_PRUNE;
			else if (!strcmp(optarg, "ofo"))
				cfg.mode = MODE_OFO;
			else
				bad("--mode: '%s': expected collapse, prune or ofo", optarg);
			break;
		case 'c':
			conns = (int)parse_size("--connections", optarg, 1, MAX_CONNS);
			break;
		case 'd':
			dur = parse_secs("--duration", optarg, 0.01, 3600);
			break;
		case 's':
			seg = parse_size("--segment", optarg, 1, 1 << 20);
			break;
		case O_SMALL:
			small = parse_size("--rcvbuf-small", optarg, 0, INT_MAX / 2);
			break;
		case O_BIG:
			big = parse_size("--rcvbuf-big", optarg, 0, INT_MAX / 2);
			break;
		case O_RATE:
			rate = parse_size("--read-rate", optarg, 0, 1L << 40);
			break;
		case O_WARM:
			warm = parse_size("--warmup", optarg, 0, 1L << 40);
			break;
		case O_RECON:
			recon = parse_secs("--reconnect", optarg, 0, 3600);
			break;
		case O_GRACE:
			cfg.grace = parse_secs("--grace", optarg, 0.1, 600);
			break;
		case O_WAIT:
			cfg.wait = parse_secs("--wait", optarg, 0, 600);
			break;
		case O_JSON: cfg.json = 1; break;
		case 'v': cfg.verbose++; break;
		case 'h': usage(stdout); exit(0);
		case ':': bad("option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				bad("unknown option '-%c'", optopt);
			bad("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad("unexpected argument '%s'", argv[optind]);

	{
		const struct mode_defaults *d = &defaults[cfg.mode];

		cfg.conns = conns > 0 ? conns : d->conns;
		cfg.duration = dur > 0 ? dur : d->duration;
		cfg.seg = seg > 0 ? seg : d->seg;
		cfg.rcvbuf_small = small >= 0 ? small : d->rcvbuf_small;
		cfg.rcvbuf_big = big >= 0 ? big : d->rcvbuf_big;
		cfg.read_rate = rate >= 0 ? rate : d->read_rate;
		cfg.warmup = warm >= 0 ? warm : d->warmup;
		cfg.reconnect = recon >= 0 ? recon : d->reconnect;
	}
	if (lopt) {
		cfg.have_listen = 1;
		parse_endpoint("--listen", lopt, &cfg.listen_ep);
	}
	if (copt) {
		cfg.have_connect = 1;
		parse_endpoint("--connect", copt, &cfg.connect_ep);
		if (!((struct sockaddr_in *)&cfg.connect_ep.ss)->sin_port)
			bad("--connect: '%s': port 0", copt);
	}
	if (cfg.ipv6 && (lopt || copt))
		bad("-6 is for self mode only (give [ADDR]:PORT instead)");
	if (!lopt && !copt) {
		/* self mode: both ends here, loopback, ephemeral port */
		cfg.have_listen = cfg.have_connect = 1;
		parse_endpoint("self", cfg.ipv6 ? "[::1]:0" : "127.0.0.1:0",
			       &cfg.listen_ep);
	}
	if (cfg.rcvbuf_small && cfg.rcvbuf_big && cfg.rcvbuf_small >= cfg.rcvbuf_big)
		msg("warning: --rcvbuf-small %ld >= --rcvbuf-big %ld: nothing to shrink",
		    cfg.rcvbuf_small, cfg.rcvbuf_big);
}

/* ------------------------------------------------------------------ */
/* TcpExt counters of this network namespace                           */

static const char *const ctr_names[] = {
	"PruneCalled", "RcvPruned", "OfoPruned", "TCPRcvCollapsed",
	"TCPOFODrop", "TCPRcvQDrop", "TCPOFOQueue", "TCPBacklogDrop",
	"TCPZeroWindowDrop",
};
#define NCTR (sizeof(ctr_names) / sizeof(ctr_names[0]))

/* Returns 0 and fills v[] (-1 where the kernel lacks a counter). */
static int read_tcpext(long long v[NCTR])
{
	static char buf[65536];
	char *hdr = NULL, *val = NULL, *line, *save = NULL;
	ssize_t n, tot = 0;
	int fd;

	for (size_t i = 0; i < NCTR; i++)
		v[i] = -1;
	fd = open("/proc/net/netstat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + tot, sizeof(buf) - 1 - (size_t)tot)) > 0)
		tot += n;
	close(fd);
	buf[tot] = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "TcpExt:", 7))
			continue;
		if (!hdr)
			hdr = line;
		else if (!val)
			val = line;
	}
	if (!hdr || !val)
		return -1;
	{
		char *hs = NULL, *vs = NULL;
		char *h = strtok_r(hdr + 7, " ", &hs);
		char *x = strtok_r(val + 7, " ", &vs);

		while (h && x) {
			for (size_t i = 0; i < NCTR; i++)
				if (!strcmp(h, ctr_names[i]))
					v[i] = strtoll(x, NULL, 10);
			h = strtok_r(NULL, " ", &hs);
			x = strtok_r(NULL, " ", &vs);
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Receiver                                                            */

static int set_rcvbuf(int fd, long bytes)
{
	int v = (int)bytes;

	return setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v));
}

static int get_rcvbuf(int fd)
{
	int v = -1;
	socklen_t l = sizeof(v);

	getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &l);
	return v;
}

/* Non-blocking read: bytes read, 0 if nothing there; *over set on EOF/error. */
static ssize_t rx_some(int fd, char *buf, size_t want, int *over)
{
	ssize_t r = recv(fd, buf, want, MSG_DONTWAIT);

	if (r > 0) {
		add_u64(&g_rcvd, (uint64_t)r);
		return r;
	}
	if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	*over = 1;	/* EOF, or ECONNRESET from an aborted episode */
	return 0;
}

static void wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = { .fd = fd, .events = ev };

	poll(&p, 1, ms);
}

struct rx_arg {
	int fd;
	int idx;
};

static void *rx_thread(void *arg)
{
	struct rx_arg *ra = arg;
	int fd = ra->fd, idx = ra->idx;
	char *buf = malloc(IOBUF);
	uint64_t warm = 0, got = 0;
	int64_t warm_t0;
	int over = 0, before;

	free(ra);
	if (!buf) {
		msg("rx %d: out of memory", idx);
		over = 1;
	}
	before = get_rcvbuf(fd);
	warm_t0 = now_ns();
	/* Phase 1: warm-up at full speed, so the advertised window grows. */
	while (!over && warm < (uint64_t)cfg.warmup && now_ns() < end_ns()) {
		size_t want = IOBUF;
		ssize_t r;

		if ((uint64_t)cfg.warmup - warm < want)
			want = (size_t)((uint64_t)cfg.warmup - warm);
		r = rx_some(fd, buf, want, &over);
		warm += (uint64_t)r;
		if (!r && !over)
			wait_fd(fd, POLLIN, poll_ms_until(end_ns()));
	}
	got = warm;
	if (cfg.warmup) {
		/* the application's read rate while it reads */
		add_u64(&g_warm_bytes, warm);
		add_u64(&g_warm_ns, (uint64_t)(now_ns() - warm_t0));
	}
	/* Phase 2: shrink; the window already granted stays granted. */
	if (cfg.rcvbuf_small && set_rcvbuf(fd, cfg.rcvbuf_small))
		msg("rx %d: SO_RCVBUF %ld: %s", idx, cfg.rcvbuf_small, strerror(errno));
	__atomic_store_n(&g_rcvbuf_big_eff, before, __ATOMIC_RELAXED);
	__atomic_store_n(&g_rcvbuf_eff, get_rcvbuf(fd), __ATOMIC_RELAXED);
	vmsg("rx %d: SO_RCVBUF %d -> %d after %" PRIu64 " bytes, at %.3f s",
	     idx, before, get_rcvbuf(fd), warm, elapsed());
	/* Phase 3: drain at --read-rate (token bucket, 5 ms ticks). */
	{
		int64_t last = now_ns();
		double tokens = 0;
		double burst = (double)cfg.read_rate * 0.02;	/* 20 ms worth */

		if (burst < 1)
			burst = 1;
		while (!over && now_ns() < end_ns() && !aborted()) {
			int64_t t = now_ns();
			ssize_t r;

			if (cfg.read_rate == 0) {
				/* Only notice EOF/RST; read nothing. */
				struct pollfd p = { .fd = fd, .events = POLLRDHUP };

				if (poll(&p, 1, poll_ms_until(end_ns())) > 0 &&
				    (p.revents & (POLLRDHUP | POLLHUP | POLLERR)))
					break;
				continue;
			}
			tokens += (double)cfg.read_rate * (double)(t - last) / 1e9;
			last = t;
			if (tokens > burst)
				tokens = burst;
			if (tokens < 1) {
				sleep_ns(TICK_NS);
				continue;
			}
			r = rx_some(fd, buf, tokens < IOBUF ? (size_t)tokens : IOBUF,
				    &over);
			tokens -= (double)r;
			got += (uint64_t)r;
			if (!r && !over)
				wait_fd(fd, POLLIN, poll_ms_until(end_ns()) < 5 ?
					poll_ms_until(end_ns()) : 5);
		}
	}
	/* Phase 4: after the duration, drain the rest until EOF or deadline. */
	while (!over && !aborted()) {
		ssize_t r = rx_some(fd, buf, IOBUF, &over);

		got += (uint64_t)r;
		if (!r && !over)
			wait_fd(fd, POLLIN, poll_ms_until(deadline_ns()));
	}
	vmsg("rx %d: %s after %" PRIu64 " bytes", idx, over ? "closed" : "deadline", got);
	free(buf);
	close_abort(fd);
	__atomic_sub_fetch(&g_threads, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int make_listener(void)
{
	int one = 1;
	int fd = socket(cfg.listen_ep.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		msg("socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/*
	 * Before listen(): the window scale offered in the SYN-ACK comes from
	 * it.  SO_RCVBUFFORCE (CAP_NET_ADMIN) goes past net.core.rmem_max, so
	 * the result does not depend on that sysctl; plain SO_RCVBUF otherwise.
	 */
	if (cfg.rcvbuf_big) {
		int v = (int)cfg.rcvbuf_big;

		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) &&
		    set_rcvbuf(fd, cfg.rcvbuf_big))
			msg("listener SO_RCVBUF %ld: %s", cfg.rcvbuf_big, strerror(errno));
		if (get_rcvbuf(fd) < 2 * v)
			msg("warning: listener SO_RCVBUF is %d, not %d (net.core.rmem_max %s)",
			    get_rcvbuf(fd), 2 * v, "caps it without CAP_NET_ADMIN");
	}
	if (bind(fd, (struct sockaddr *)&cfg.listen_ep.ss, cfg.listen_ep.len)) {
		msg("bind %s: %s", cfg.listen_ep.text, strerror(errno));
		close(fd);
		return -1;
	}
	if (listen(fd, MAX_CONNS)) {
		msg("listen: %s", strerror(errno));
		close(fd);
		return -1;
	}
	cfg.listen_ep.len = sizeof(cfg.listen_ep.ss);
	getsockname(fd, (struct sockaddr *)&cfg.listen_ep.ss, &cfg.listen_ep.len);
	ep_format(&cfg.listen_ep);
	vmsg("listening on %s, SO_RCVBUF %d", cfg.listen_ep.text, get_rcvbuf(fd));
	return fd;
}

static void set_times(int64_t t0)
{
	__atomic_store_n(&g_t0, t0, __ATOMIC_RELEASE);
	__atomic_store_n(&g_end, t0 + (int64_t)(cfg.duration * 1e9), __ATOMIC_RELEASE);
	__atomic_store_n(&g_deadline, end_ns() + (int64_t)(cfg.grace * 1e9),
			 __ATOMIC_RELEASE);
}

static int start_worker(void *(*fn)(void *), void *arg)
{
	pthread_attr_t at;
	pthread_t th;
	int e;

	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&at, 256 * 1024);
	__atomic_add_fetch(&g_threads, 1, __ATOMIC_ACQ_REL);
	e = pthread_create(&th, &at, fn, arg);
	pthread_attr_destroy(&at);
	if (e) {
		__atomic_sub_fetch(&g_threads, 1, __ATOMIC_ACQ_REL);
		msg("pthread_create: %s", strerror(e));
		return -1;
	}
	return 0;
}

/* Accept every connection that comes until the end of the duration (the
 * first one within --wait when this process is only the receiver). */
static void *accept_thread(void *arg)
{
	int64_t first_by = *(int64_t *)arg;

	for (;;) {
		int n = __atomic_load_n(&g_rx_conns, __ATOMIC_RELAXED);
		int64_t limit = n ? end_ns() : first_by;
		struct pollfd p = { .fd = listen_fd, .events = POLLIN };
		struct rx_arg *ra;
		int fd;

		if (now_ns() >= limit || __atomic_load_n(&g_abort, __ATOMIC_RELAXED))
			break;
		if (poll(&p, 1, poll_ms_until(limit)) <= 0)
			continue;
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		if (!n && !cfg.have_connect)
			set_times(now_ns());	/* receiver only: clock starts now */
		ra = malloc(sizeof(*ra));
		if (!ra) {
			close_abort(fd);
			continue;
		}
		ra->fd = fd;
		ra->idx = n;
		__atomic_add_fetch(&g_rx_conns, 1, __ATOMIC_RELAXED);
		if (start_worker(rx_thread, ra)) {
			free(ra);
			close_abort(fd);
		}
	}
	__atomic_sub_fetch(&g_threads, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Sender                                                              */

static int connect_once(int64_t limit)
{
	int one = 1;
	int fd = socket(cfg.connect_ep.ss.ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct pollfd p;

	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&cfg.connect_ep.ss, cfg.connect_ep.len) == 0)
		return fd;
	if (errno != EINPROGRESS) {
		int e = errno;

		close(fd);
		return -e;
	}
	p.fd = fd;
	p.events = POLLOUT;
	while (now_ns() < limit && !aborted()) {
		if (poll(&p, 1, poll_ms_until(limit)) > 0) {
			int err = 0;
			socklen_t l = sizeof(err);

			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l);
			if (err) {
				close(fd);
				return -err;
			}
			return fd;
		}
	}
	close(fd);
	return -ETIMEDOUT;
}

/* Connect, retrying while the receiver is not up yet. */
static int connect_retry(int idx, int64_t limit)
{
	int err = ETIMEDOUT;

	while (now_ns() < limit && !aborted()) {
		int fd = connect_once(limit);

		if (fd >= 0)
			return fd;
		err = -fd;
		if (err != ECONNREFUSED && err != ENETUNREACH &&
		    err != EHOSTUNREACH && err != EADDRNOTAVAIL && err != ETIMEDOUT)
			break;
		sleep_ns(50000000LL);
	}
	msg("tx %d: connect %s: %s", idx, cfg.connect_ep.text, strerror(err));
	return -1;
}

static char payload[64 * 1024];	/* never written: shared by all senders */

/* One send(); 0 = keep going, -1 = connection gone. */
static int tx_some(int fd, size_t len, int64_t until)
{
	ssize_t w = send(fd, payload, len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (w > 0) {
		add_u64(&g_sent, (uint64_t)w);
		return 0;
	}
	if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
		wait_fd(fd, POLLOUT, poll_ms_until(until));
		return 0;
	}
	return -1;
}

static void *tx_thread(void *arg)
{
	int idx = (int)(intptr_t)arg;
	int64_t connect_by = g_t0 + (int64_t)(cfg.wait * 1e9);
	int episode = 0;

	if (connect_by > end_ns())
		connect_by = end_ns();
	while (now_ns() < end_ns() && !aborted()) {
		int64_t ep_end = end_ns();
		uint64_t warm = 0;
		int fd = connect_retry(idx, episode ? end_ns() : connect_by);
		int gone = 0;

		if (fd < 0)
			break;
		__atomic_add_fetch(&g_tx_conns, 1, __ATOMIC_RELAXED);
		vmsg("tx %d: episode %d connected at %.3f s", idx, episode,
		     elapsed());
		if (cfg.reconnect > 0) {
			int64_t e = now_ns() + (int64_t)(cfg.reconnect * 1e9);

			if (e < ep_end)
				ep_end = e;
		}
		/* Phase 1: warm-up in 64 KiB writes. */
		while (!gone && warm < (uint64_t)cfg.warmup && now_ns() < ep_end) {
			size_t len = sizeof(payload);
			ssize_t w;

			if ((uint64_t)cfg.warmup - warm < len)
				len = (size_t)((uint64_t)cfg.warmup - warm);
			w = send(fd, payload, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (w > 0) {
				add_u64(&g_sent, (uint64_t)w);
				warm += (uint64_t)w;
			} else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
				wait_fd(fd, POLLOUT, poll_ms_until(ep_end));
			} else {
				gone = 1;
			}
		}
		/* Phase 2: small segments, one send() each, TCP_NODELAY. */
		while (!gone && now_ns() < ep_end)
			gone = tx_some(fd, (size_t)cfg.seg, ep_end) < 0;
		episode++;
		vmsg("tx %d: episode %d over at %.3f s%s", idx, episode - 1,
		     elapsed(), gone ? " (connection gone)" : "");
		if (!gone && now_ns() < end_ns()) {
			/* --reconnect: end this episode at once, start another. */
			close_abort(fd);
			continue;
		}
		/* Phase 3: end of the run; let the receiver drain, then close. */
		if (!gone) {
			char sink[512];

			shutdown(fd, SHUT_WR);
			while (!aborted()) {
				ssize_t r = recv(fd, sink, sizeof(sink), MSG_DONTWAIT);

				if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
					break;
				wait_fd(fd, POLLIN, poll_ms_until(deadline_ns()));
			}
		}
		close_abort(fd);
		break;
	}
	__atomic_sub_fetch(&g_threads, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* ------------------------------------------------------------------ */

static void on_alarm(int sig)
{
	static const char m[] = "rcvpress: hard deadline passed, exiting\n";

	(void)sig;
	if (write(2, m, sizeof(m) - 1) < 0)
		_exit(3);
	_exit(3);
}

static void json_str(const char *k, const char *v)
{
	printf("\"%s\":\"", k);
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			putchar('\\');
		putchar(*v);
	}
	printf("\",");
}

int main(int argc, char **argv)
{
	long long c0[NCTR], c1[NCTR];
	int64_t first_by, t_stop;
	const char *role, *addr;
	int nconn;
	double secs;

	if (argv[0] && strrchr(argv[0], '/'))
		prog = strrchr(argv[0], '/') + 1;
	else if (argv[0])
		prog = argv[0];
	parse_args(argc, argv);
	signal(SIGPIPE, SIG_IGN);
	role = cfg.have_listen && cfg.have_connect ? "both" :
	       cfg.have_listen ? "receiver" : "sender";
	read_tcpext(c0);

	/* Last resort: whatever happens, the process is gone by then. */
	signal(SIGALRM, on_alarm);
	alarm(1 + (unsigned int)(cfg.duration + cfg.grace + 3 +
				 (cfg.have_connect ? 0 : cfg.wait)));

	set_times(now_ns());
	first_by = g_t0 + (int64_t)(cfg.wait * 1e9);
	if (!cfg.have_connect) {
		/* Receiver only: the clock starts at the first accept. */
		__atomic_store_n(&g_end, first_by + (int64_t)(cfg.duration * 1e9),
				 __ATOMIC_RELEASE);
		__atomic_store_n(&g_deadline, end_ns() + (int64_t)(cfg.grace * 1e9),
				 __ATOMIC_RELEASE);
	}
	if (cfg.have_listen) {
		listen_fd = make_listener();
		if (listen_fd < 0)
			return 1;
		if (!cfg.have_connect) {
			msg("listening on %s (mode %s)", cfg.listen_ep.text,
			    mode_names[cfg.mode]);
			fflush(stderr);
		}
		if (start_worker(accept_thread, &first_by))
			return 1;
	}
	if (cfg.have_connect) {
		if (cfg.connect_ep.len == 0)
			cfg.connect_ep = cfg.listen_ep;	/* self mode */
		for (int i = 0; i < cfg.conns; i++)
			if (start_worker(tx_thread, (void *)(intptr_t)i))
				break;
	}

	/* Supervise: everything is over by the deadline (+1 s for stragglers). */
	while (__atomic_load_n(&g_threads, __ATOMIC_ACQUIRE) > 0) {
		int64_t t = now_ns();

		if (t >= deadline_ns())
			__atomic_store_n(&g_abort, 1, __ATOMIC_RELAXED);
		if (t >= deadline_ns() + 1000000000LL) {
			msg("%d thread(s) still busy 1 s after the deadline; exiting anyway",
			    __atomic_load_n(&g_threads, __ATOMIC_RELAXED));
			break;
		}
		sleep_ns(10000000LL);
	}
	__atomic_store_n(&g_abort, 1, __ATOMIC_RELAXED);
	t_stop = now_ns();
	if (listen_fd >= 0)
		close(listen_fd);
	read_tcpext(c1);

	nconn = cfg.have_connect ? g_tx_conns : g_rx_conns;
	addr = cfg.have_connect ? cfg.connect_ep.text : cfg.listen_ep.text;
	secs = (double)(t_stop - g_t0) / 1e9;
	if (secs < 0)
		secs = 0;
	if (cfg.json) {
		printf("{");
		json_str("tool", "rcvpress");
		json_str("mode", mode_names[cfg.mode]);
		json_str("role", role);
		json_str("address", addr);
		printf("\"connections\":%d,\"accepted\":%d,\"parallel\":%d,"
		       "\"duration_s\":%.3f,\"bytes_sent\":%" PRIu64 ","
		       "\"bytes_received\":%" PRIu64 ",\"segment\":%ld,"
		       "\"rcvbuf_small\":%ld,\"rcvbuf_big\":%ld,"
		       "\"rcvbuf_effective\":%d,\"rcvbuf_big_effective\":%d,"
		       "\"read_rate\":%ld,\"warmup\":%ld,\"reconnect_s\":%g,"
		       "\"warmup_bytes\":%" PRIu64 ",\"warmup_s\":%.6f,"
		       "\"tcpext_delta\":{",
		       nconn, g_rx_conns, cfg.conns, secs, g_sent, g_rcvd, cfg.seg,
		       cfg.rcvbuf_small, cfg.rcvbuf_big, g_rcvbuf_eff,
		       g_rcvbuf_big_eff, cfg.read_rate, cfg.warmup, cfg.reconnect,
		       g_warm_bytes, (double)g_warm_ns / 1e9);
		for (size_t i = 0; i < NCTR; i++) {
			printf("\"%s\":", ctr_names[i]);
			if (c0[i] < 0 || c1[i] < 0)
				printf("null");
			else
				printf("%lld", c1[i] - c0[i]);
			printf("%s", i + 1 < NCTR ? "," : "");
		}
		printf("}}\n");
	} else {
		printf("rcvpress mode=%s role=%s address=%s connections=%d "
		       "accepted=%d parallel=%d duration_s=%.3f bytes_sent=%" PRIu64
		       " bytes_received=%" PRIu64 " rcvbuf_big_effective=%d"
		       " rcvbuf_effective=%d warmup_bytes=%" PRIu64 " warmup_s=%.6f",
		       mode_names[cfg.mode], role, addr, nconn, g_rx_conns,
		       cfg.conns, secs, g_sent, g_rcvd, g_rcvbuf_big_eff, g_rcvbuf_eff,
		       g_warm_bytes, (double)g_warm_ns / 1e9);
		for (size_t i = 0; i < NCTR; i++) {
			if (c0[i] < 0 || c1[i] < 0)
				printf(" %s=-", ctr_names[i]);
			else
				printf(" %s=%lld", ctr_names[i], c1[i] - c0[i]);
		}
		printf("\n");
	}
	fflush(stdout);
	if (nconn == 0) {
		msg("no connection could be made");
		_exit(1);
	}
	_exit(0);
}
