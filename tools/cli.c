// SPDX-License-Identifier: GPL-2.0
/* netbuf: command line parsing, help, and helpers shared by commands. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

enum opt_bit {
	O_JSON = 1u << 0, O_PROM = 1u << 1, O_ZERO = 1u << 2,
	O_INTERVAL = 1u << 3, O_COUNT = 1u << 4, O_FOLLOW = 1u << 5,
	O_TOP = 1u << 6, O_BY = 1u << 7, O_OUTPUT = 1u << 8, O_PROMHIST = 1u << 9,
	O_ALLNETNS = 1u << 10, O_QUEUES = 1u << 11, O_QUEUE = 1u << 12,
	O_NAPI = 1u << 13,
};

#define INTERVAL_MIN 0.1
#define INTERVAL_MAX 3600.0
#define COUNT_MAX 1000000000L

struct command {
	const char *name, *sub;
	unsigned int allowed;
	int zero_interval_ok;		/* baseline save -i 0 */
	int (*run)(const struct nb_opts *o, int argc, char **argv);
	const char *help;
};

static const char main_help[] =
"Usage: netbuf [OPTIONS] [COMMAND [ARGS]]\n"
"\n"
"TCP receive queue collapse/prune and NAPI polling figures per network\n"
"interface, from the netbuf kernel module (/proc/netbuf).\n"
"\n"
"Commands:\n"
"  show [IFACE...]            counters, p50/p99/max, probes, softnet (default)\n"
"  show --queues [IFACE...]   per RX queue: each NAPI instance's polls, packets\n"
"                             and share of its interface's packets\n"
"  watch [IFACE...]           live per-second rates\n"
"  hist [KIND] [IFACE]        log2 histograms as bars; KIND: collapse, prune,\n"
"                             napi, napi_pkts\n"
"  hist napi IFACE --queue N  the same for one RX queue's NAPI instance (or\n"
"                             --napi ID: by its NAPI id)\n"
"  baseline save FILE         measure a period and save it\n"
"  baseline compare FILE      that period next to the current figures\n"
"  advise                     what the figures and sysctls mean\n"
"  events [IFACE...]          the log of slow collapse and prune episodes\n"
"  top                        connections, cgroups or interfaces of that log\n"
"                             ranked by stall time\n"
"  help [COMMAND]             this text, or a command's\n"
"\n"
"Options:\n"
"  -j, --json                 JSON (all but baseline save)\n"
"  -p, --pretty               pretty-printed JSON\n"
"      --prometheus           Prometheus text format (show)\n"
"      --output FILE          show --prometheus: write FILE atomically (for\n"
"                             node_exporter's textfile collector); a failed\n"
"                             run writes netbuf_up 0 there\n"
"      --prom-histograms all|none\n"
"                             show --prometheus: with the histogram families\n"
"                             (default) or without\n"
"      --all-netns            show: every network namespace (the host\n"
"                             admin's view; needs CAP_NET_ADMIN)\n"
"      --queues               show: per RX queue (NAPI instance)\n"
"      --queue N, --napi ID   hist: one NAPI instance of IFACE\n"
"  -z, --zeros                also rows whose counters are all zero\n"
"  -i, --interval SECS        period in seconds, 0.1 to 3600\n"
"  -c, --count N              stop watch (events -f) after N intervals\n"
"  -f, --follow               events: wait for more\n"
"  -n N                       top: show the first N (default 10)\n"
"      --by conn|cgroup|iface top: what to rank (default conn)\n"
"  -h, --help                 help\n"
"  -V, --version              version\n"
"\n"
"Environment: NETBUF_PROC (default /proc/netbuf), NETBUF_PROCNET (/proc/net),\n"
"NETBUF_SYSCTL (/proc/sys), NETBUF_CGROUP_ROOT (the cgroup2 mount). Exit\n"
"status: 0 ok, 1 error, 2 usage error, 3 advise found warnings.\n"
"See netbuf(8).\n";

static const char show_help[] =
"Usage: netbuf show [-z] [-j|-p|--prometheus [--output FILE]\n"
"                   [--prom-histograms all|none]] [IFACE...]\n"
"       netbuf show --queues [-z] [-j|-p|--prometheus [--output FILE]]\n"
"                   [IFACE...]\n"
"       netbuf show --all-netns [-z] [-j|-p|--prometheus [--output FILE]]\n"
"\n"
"Per interface: tcp_collapse calls and skbs, prune episodes and drops,\n"
"out-of-order prunes, NAPI polls, packets and budget exhaustion, with p50,\n"
"p99 (interpolated in the log2 histograms) and max durations; then the\n"
"probes, per-CPU softnet figures and memory. Rows whose counters are all\n"
"zero are hidden unless -z or named. --prometheus writes every row, for\n"
"node_exporter's textfile collector; --prom-histograms none leaves out\n"
"the histogram families (105 of the 137 series of an interface).\n"
"--all-netns: the host admin's view of every network namespace\n"
"(/proc/netbuf/all_rcvbuf and all_napi: CAP_NET_ADMIN in the initial user\n"
"namespace, from the initial network namespace), each row with the\n"
"namespace's inode number (netns_ino) and, where found, its ip netns name,\n"
"a process in it and that process's cgroup. Counters only: no\n"
"percentiles, probes or softnet.\n"
"--queues: one row per NAPI instance (/proc/netbuf/napi_queues: an RX\n"
"queue's, by its NAPI id) that polled: its RX queue where the kernel links\n"
"it, the CPU of its last poll, polls, packets and their share of the\n"
"interface's, budget exhaustion, mean and max poll time; and the unlisted\n"
"row (polls of instances without a row) when not zero. --prometheus\n"
"exports these rows too (labels napi_id, queue; the CPU as a gauge).\n";

static const char watch_help[] =
"Usage: netbuf watch [-i SECS] [-c COUNT] [-z] [-j|-p] [IFACE...]\n"
"\n"
"Per-second rates every SECS seconds (default 1, 0.1 to 3600): redrawn in\n"
"place on a terminal, one line per interface per interval otherwise (JSON:\n"
"one document per interval). Stops after COUNT intervals, or on Ctrl-C\n"
"(exit status 0).\n";

static const char hist_help[] =
"Usage: netbuf hist [-j|-p] [collapse|prune|napi|napi_pkts] [IFACE]\n"
"       netbuf hist [-j|-p] [napi|napi_pkts] IFACE --queue N|--napi ID\n"
"\n"
"The log2 histograms as bars with the share of each bucket: durations of\n"
"tcp_collapse calls, prune episodes and NAPI polls (napi), and packets per\n"
"NAPI poll (napi_pkts). Default: every histogram of every interface.\n"
"--queue N: those of the NAPI instance of IFACE linked to RX queue N\n"
"(/proc/netbuf/napi_queue_hist; kernels 6.8+ whose driver links queues to\n"
"NAPI instances), --napi ID: of the instance with that NAPI id (always\n"
"known; netbuf show --queues lists them). Without a KIND: both.\n";

static const char baseline_help[] =
"Usage: netbuf baseline save [-i SECS] FILE\n"
"       netbuf baseline compare [-i SECS] [-z] [-j|-p] FILE\n"
"\n"
"save measures SECS seconds (default 5; -i 0: no period, counters only)\n"
"and writes both snapshots to FILE (through FILE.tmp: a failed save writes\n"
"nothing). compare shows, per interface (matched by ifindex: renames are\n"
"shown as such), the rates, p99 and max of that period (before) next to\n"
"those of a fresh period as long (after; -i SECS: of SECS; -i 0: since the\n"
"baseline), each with its sample count, then softnet and the sysctls. No\n"
"percent change below 100 samples. A reboot (boot_id), a reset (counters\n"
"went down) and rows evicted under the cap are said as such. save records\n"
"the proposals advise makes of the period; compare says, per expected\n"
"effect, the bound, before and after with sample counts, and whether it\n"
"held. Workflow: baseline save, apply the proposal, baseline compare.\n";

static const char advise_help[] =
"Usage: netbuf advise [-i SECS] [-j|-p]\n"
"\n"
"Reads the figures (since the counters were reset, or of a SECS-second\n"
"measurement) and the sysctls, and says what they mean, each finding\n"
"citing its figures, and proposes a setting where one can help: the sysctl,\n"
"a value computed from the figures and the events log, the expected effect\n"
"and the command (none when the application reads too slowly). The rules\n"
"and thresholds are listed in netbuf(8), ADVICE.\n";

static const char events_help[] =
"Usage: netbuf events [-f [-i SECS] [-c COUNT]] [-j|-p] [IFACE...]\n"
"\n"
"The module's log of slow collapse and prune episodes (at least\n"
"events_threshold_ns long, see /proc/netbuf/control), oldest first: when,\n"
"how long, how a prune ended, the interface, the cgroup (v2 id, and its\n"
"path under the cgroup2 mount when it still exists), the connection and\n"
"the receive memory and buffer before>after. -f waits for more (poll(2),\n"
"or every SECS seconds, default 1) until Ctrl-C or COUNT reads.\n";

static const char top_help[] =
"Usage: netbuf top [-n N] [--by conn|cgroup|iface] [-j|-p]\n"
"\n"
"Ranks the connections (local and remote address and port), cgroups or\n"
"interfaces of the records the events log holds now by their stall time:\n"
"the episodes (prunes, and collapses outside a logged prune: a collapse\n"
"runs within a prune), collapses, prunes, prunes that dropped data, the\n"
"total and the longest duration, and the share of all stall time. The\n"
"first N (default 10).\n";

static const struct command commands[] = {
	{ "show", NULL, O_JSON | O_PROM | O_ZERO | O_OUTPUT | O_PROMHIST |
	  O_ALLNETNS | O_QUEUES, 0,
	  cmd_show,
	  show_help },
	{ "watch", NULL, O_JSON | O_ZERO | O_INTERVAL | O_COUNT, 0,
	  cmd_watch, watch_help },
	{ "hist", NULL, O_JSON | O_QUEUE | O_NAPI, 0, cmd_hist, hist_help },
	{ "baseline", "save", O_INTERVAL, 1, cmd_baseline_save,
	  baseline_help },
	{ "baseline", "compare", O_JSON | O_ZERO | O_INTERVAL, 1,
	  cmd_baseline_compare, baseline_help },
	{ "advise", NULL, O_JSON | O_INTERVAL, 0, cmd_advise, advise_help },
	{ "events", NULL, O_JSON | O_FOLLOW | O_INTERVAL | O_COUNT, 0,
	  cmd_events, events_help },
	{ "top", NULL, O_JSON | O_TOP | O_BY, 0, cmd_top, top_help },
};

/* ---- shared helpers ---- */

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	(void)sig;
	interrupted = 1;
}

void nb_catch_sigint(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
}

int nb_interrupted(void)
{
	return interrupted;
}

int nb_sleep(double secs)
{
	struct timespec ts;
	u64 ns;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ns = (u64)ts.tv_nsec + (u64)(secs * 1e9 + 0.5);
	ts.tv_sec += (time_t)(ns / 1000000000ull);
	ts.tv_nsec = (long)(ns % 1000000000ull);
	while ((r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts,
				    NULL)) == EINTR)
		if (interrupted)
			return -1;
	return interrupted ? -1 : 0;
}

int nb_fail(const struct nb_err *e)
{
	fprintf(stderr, "netbuf: %s\n", e->msg);
	return NB_EXIT_RUNTIME;
}

int nb_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("netbuf: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return NB_EXIT_USAGE;
}

int nb_load(const struct nb_opts *o, struct nb_snapshot *s, int warn)
{
	struct nb_err e;

	if (nb_snapshot_load(&o->paths, s, &e) < 0)
		return nb_fail(&e), -1;
	if (warn)
		nb_snapshot_check_version(s);
	return 0;
}

int nb_load_ifaces(const struct nb_opts *o, struct nb_snapshot *s,
		   char **ifaces, int n)
{
	int i;

	if (nb_load(o, s, 1) < 0)
		return -1;
	for (i = 0; i < n; i++)
		if (!nb_snapshot_has_iface(s, ifaces[i])) {
			fprintf(stderr, "netbuf: no interface '%s' in "
				"/proc/netbuf (this network namespace)\n",
				ifaces[i]);
			nb_snapshot_free(s);
			return -1;
		}
	return 0;
}

int nb_load_queues(const struct nb_opts *o, struct nb_snapshot *s, int hists,
		   int optional)
{
	struct nb_err e;
	int r = nb_snapshot_load_queues(&o->paths, s, hists, &e);

	if (r == 1 && optional)
		return 1;
	if (r)
		return nb_fail(&e), -1;
	return 0;
}

int nb_output(struct emitter *em)
{
	struct nb_err e;

	if (em_finish(em, stdout, &e) < 0)
		return nb_fail(&e);
	return NB_EXIT_OK;
}

int nb_output_file(const char *path, struct emitter *em)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct nb_err e;
	int r;

	if (!f) {
		em_discard(em);
		nb_errf(&e, "out of memory");
		return nb_fail(&e);
	}
	r = em_finish(em, f, &e);
	fclose(f);
	if (r == 0)
		r = nb_write_atomic(path, buf, len, &e);
	free(buf);
	return r < 0 ? nb_fail(&e) : NB_EXIT_OK;
}

/* ---- options ---- */

struct parsed {
	unsigned int given;
	int json, pretty, prom, help, version;
	const char *interval, *count, *top, *by, *output, *promhist;
	const char *queue, *napi;
};

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "prometheus", no_argument, NULL, 'P' },
	{ "zeros", no_argument, NULL, 'z' },
	{ "interval", required_argument, NULL, 'i' },
	{ "count", required_argument, NULL, 'c' },
	{ "follow", no_argument, NULL, 'f' },
	{ "by", required_argument, NULL, 'B' },
	{ "output", required_argument, NULL, 'O' },
	{ "prom-histograms", required_argument, NULL, 'H' },
	{ "all-netns", no_argument, NULL, 'A' },
	{ "queues", no_argument, NULL, 'Q' },
	{ "queue", required_argument, NULL, 'q' },
	{ "napi", required_argument, NULL, 'N' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int bad_option(int argc, char **argv, int c, const char *where)
{
	const char *arg = optind - 1 < argc ? argv[optind - 1] : "?";

	if (c == ':')
		return nb_usage("option '%s' needs a value (see 'netbuf help%s%s')",
				arg, *where ? " " : "", where);
	if (!strncmp(arg, "--", 2) && strchr(arg, '='))
		return nb_usage("option '%.*s' takes no value (see 'netbuf "
				"help%s%s')", (int)(strchr(arg, '=') - arg),
				arg, *where ? " " : "", where);
	if (optopt && optopt != '?')
		return nb_usage("unknown option '-%c' (see 'netbuf help%s%s')",
				optopt, *where ? " " : "", where);
	return nb_usage("unknown option '%s' (see 'netbuf help%s%s')", arg,
			*where ? " " : "", where);
}

static int parse(int argc, char **argv, const char *optstr,
		 struct parsed *p, const char *where)
{
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstr, long_opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			p->json = 1;
			p->given |= O_JSON;
			break;
		case 'p':
			p->pretty = 1;
			p->given |= O_JSON;
			break;
		case 'P':
			p->prom = 1;
			p->given |= O_PROM;
			break;
		case 'z':
			p->given |= O_ZERO;
			break;
		case 'i':
			p->interval = optarg;
			p->given |= O_INTERVAL;
			break;
		case 'c':
			p->count = optarg;
			p->given |= O_COUNT;
			break;
		case 'f':
			p->given |= O_FOLLOW;
			break;
		case 'n':
			p->top = optarg;
			p->given |= O_TOP;
			break;
		case 'O':
			p->output = optarg;
			p->given |= O_OUTPUT;
			break;
		case 'H':
			p->promhist = optarg;
			p->given |= O_PROMHIST;
			break;
		case 'A':
			p->given |= O_ALLNETNS;
			break;
		case 'Q':
			p->given |= O_QUEUES;
			break;
		case 'q':
			p->queue = optarg;
			p->given |= O_QUEUE;
			break;
		case 'N':
			p->napi = optarg;
			p->given |= O_NAPI;
			break;
		case 'B':
			p->by = optarg;
			p->given |= O_BY;
			break;
		case 'h':
			p->help = 1;
			break;
		case 'V':
			p->version = 1;
			break;
		default:
			return bad_option(argc, argv, c, where);
		}
	}
	return 0;
}

/* Positive decimal seconds: digits with at most one point. */
int nb_parse_interval(const char *s, int zero_ok, double *out)
{
	size_t i, digits = 0, points = 0;

	for (i = 0; s[i]; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (s[i] == '.')
			points++;
		else
			return -1;
	}
	if (!digits || points > 1 || i > 20)
		return -1;
	*out = strtod(s, NULL);
	if (zero_ok && *out == 0)
		return 0;
	return *out >= INTERVAL_MIN && *out <= INTERVAL_MAX ? 0 : -1;
}

static int parse_count(const char *s, long *out)
{
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -1;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || *out < 1 || *out > COUNT_MAX ? -1 : 0;
}

/* A decimal number from min to max; -1 if not. */
static int parse_id(const char *s, long long min, long long max,
		    long long *out)
{
	char *end;

	if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 10)
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || *out < min || *out > max ? -1 : 0;
}

static const char *const opt_names[] = { "-j/-p", "--prometheus", "-z",
					  "-i", "-c", "-f", "-n", "--by",
					  "--output", "--prom-histograms",
					  "--all-netns", "--queues", "--queue",
					  "--napi" };

static int make_opts(const struct parsed *p, const struct command *c,
		     struct nb_opts *o)
{
	unsigned int extra = p->given & ~c->allowed;
	const char *name = c->sub ? c->sub : c->name;
	unsigned int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; extra && i < NB_ARRAY_SIZE(opt_names); i++)
		if (extra & (1u << i))
			return nb_usage("option %s does not apply to %s (see "
					"'netbuf help %s')", opt_names[i],
					name, c->name);
	if ((p->json || p->pretty) && p->prom)
		return nb_usage("-j/-p and --prometheus exclude each other");
	o->fmt = p->prom ? EM_PROM : p->pretty ? EM_JSON_PRETTY :
		 p->json ? EM_JSON : EM_TABLE;
	o->zeros = !!(p->given & O_ZERO);
	o->follow = !!(p->given & O_FOLLOW);
	o->all_netns = !!(p->given & O_ALLNETNS);

	if (p->interval && nb_parse_interval(p->interval, c->zero_interval_ok,
					     &o->interval) < 0)
		return nb_usage("bad interval '%s': seconds from 0.1 to 3600%s",
				p->interval, c->zero_interval_ok ? ", or 0" : "");
	o->has_interval = p->interval != NULL;
	if (p->count && parse_count(p->count, &o->count) < 0)
		return nb_usage("bad count '%s': a whole number from 1", p->count);
	if (p->top && parse_count(p->top, &o->top) < 0)
		return nb_usage("bad -n '%s': a whole number from 1", p->top);
	o->by = p->by;
	o->output = p->output;
	if (o->output && o->fmt != EM_PROM)
		return nb_usage("--output goes with --prometheus");
	if (p->promhist && o->fmt != EM_PROM)
		return nb_usage("--prom-histograms goes with --prometheus");
	if (p->promhist && strcmp(p->promhist, "all") &&
	    strcmp(p->promhist, "none"))
		return nb_usage("bad --prom-histograms '%s': all or none",
				p->promhist);
	o->prom_nohist = p->promhist && !strcmp(p->promhist, "none");
	if (o->all_netns && p->promhist)
		return nb_usage("--prom-histograms does not apply to "
				"--all-netns (it has no histograms)");
	o->queues = !!(p->given & O_QUEUES);
	if (o->all_netns && o->queues)
		return nb_usage("--queues and --all-netns exclude each other");
	o->queue = o->napi_id = -1;
	if (p->queue && p->napi)
		return nb_usage("--queue and --napi exclude each other");
	if (p->queue && parse_id(p->queue, 0, 0x7fffffff, &o->queue) < 0)
		return nb_usage("bad --queue '%s': an RX queue index (0, 1, "
				"...)", p->queue);
	if (p->napi && parse_id(p->napi, 1, 0xffffffffll, &o->napi_id) < 0)
		return nb_usage("bad --napi '%s': a NAPI id (a whole number "
				"from 1)", p->napi);
	nb_paths_from_env(&o->paths);
	return 0;
}

/* ---- dispatch ---- */

static const struct command *find_command(const char *name, const char *sub)
{
	size_t i;

	for (i = 0; i < NB_ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name) &&
		    (!commands[i].sub || (sub && !strcmp(commands[i].sub, sub))))
			return &commands[i];
	return NULL;
}

static int help(int argc, char **argv)
{
	size_t i;

	if (argc == 0) {
		fputs(main_help, stdout);
		return NB_EXIT_OK;
	}
	for (i = 0; i < NB_ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, argv[0])) {
			fputs(commands[i].help, stdout);
			return NB_EXIT_OK;
		}
	if (!strcmp(argv[0], "help")) {
		fputs(main_help, stdout);
		return NB_EXIT_OK;
	}
	return nb_usage("help: unknown command '%s'", argv[0]);
}

static int run(const struct command *c, struct parsed *p, int argc,
	       char **argv)
{
	struct nb_opts o;
	int r;

	r = parse(argc, argv, ":jpzfi:c:n:hV", p, c->name);
	if (r)
		return r;
	if (p->help) {
		fputs(c->help, stdout);
		return NB_EXIT_OK;
	}
	if (p->version)
		return nb_usage("--version goes before the command");
	r = make_opts(p, c, &o);
	if (r)
		return r;
	return c->run(&o, argc - optind, argv + optind);
}

static int baseline(struct parsed *p, int argc, char **argv)
{
	const struct command *c;

	if (argc < 2 || argv[1][0] == '-') {
		if (p->help || (argc >= 2 && (!strcmp(argv[1], "-h") ||
					      !strcmp(argv[1], "--help")))) {
			fputs(baseline_help, stdout);
			return NB_EXIT_OK;
		}
		return nb_usage("baseline: expected 'save FILE' or 'compare "
				"FILE' (see 'netbuf help baseline')");
	}
	c = find_command("baseline", argv[1]);
	if (!c)
		return nb_usage("baseline: unknown subcommand '%s' (save or "
				"compare)", argv[1]);
	return run(c, p, argc - 1, argv + 1);
}

int nb_main(int argc, char **argv)
{
	struct parsed p = { 0 };
	const struct command *c;
	char *dflt[] = { (char *)"show", NULL };
	int r;

	r = parse(argc, argv, "+:jpzfi:c:n:hV", &p, "");
	if (r)
		return r;
	if (p.version) {
		printf("netbuf %s (reads /proc/netbuf format %d, baseline "
		       "version %d)\n", NETBUF_VERSION, NB_PROC_FORMAT,
		       NB_BASELINE_VERSION);
		return NB_EXIT_OK;
	}
	argc -= optind;
	argv += optind;
	if (argc == 0 && p.help)
		return help(0, argv);
	if (argc == 0) {
		argc = 1;
		argv = dflt;
	}
	if (!strcmp(argv[0], "help"))
		return help(argc - 1, argv + 1);
	if (!strcmp(argv[0], "baseline"))
		return baseline(&p, argc, argv);
	c = find_command(argv[0], NULL);
	if (!c)
		return nb_usage("unknown command '%s' (see 'netbuf help')",
				argv[0]);
	return run(c, &p, argc, argv);
}
