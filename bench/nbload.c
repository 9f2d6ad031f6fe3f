// SPDX-License-Identifier: GPL-2.0
/*
 * nbload - the bulk TCP load of `make bench` for the prune-path hook.
 *
 *   nbload sink -p PORT [-r READ] [-w PASSES] [-b RCVBUF]
 *       Serves one connection after another, forever: reads READ bytes per
 *       recv() (default 4096) and makes PASSES passes over each chunk
 *       (default 0: none), i.e. a receiver that reads slowly, so its
 *       receive queue is rarely empty. After EOF it answers one line,
 *       "rx_bytes=N rx_ns=NS\n" (first byte to EOF), and closes.
 *   nbload source -a ADDR -p PORT [-t SECS] [-s WRITE]
 *       Writes WRITE bytes per send() (default 65536) for SECS seconds
 *       (default 2), shuts down its sending side, waits for the sink's line
 *       and prints "bytes=N secs=S mbps=M".
 *   nbload bpfstats
 *       One line per loaded BPF program: "id=N type=T name=S run_cnt=N
 *       run_time_ns=N" (the counts move while kernel.bpf_stats_enabled=1):
 *       the time bpftrace's programs take, next to netbuf's self_ns.
 *   nbload getppid N
 *       Calls getppid() N times and prints "ns_per_call=X": the yardstick
 *       for the cost of one kprobe hit (bench/run-guest.sh puts a kprobe on
 *       the syscall and compares).
 *
 * A segment that finds the receive queue non-empty and misses the fast path
 * goes through tcp_data_queue() -> tcp_try_rmem_schedule(), netbuf's prune
 * hook; with a large SO_RCVBUF and a reader that keeps up on average, no
 * prune follows (bench/README.md). libc only.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <linux/bpf.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "nbload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: nbload sink -p PORT [-r READ] [-w PASSES] [-b RCVBUF]\n"
		"       nbload source -a ADDR -p PORT [-t SECS] [-s WRITE]\n"
		"       nbload bpfstats\n"
		"       nbload getppid N\n");
	exit(2);
}

static volatile uint32_t sink_sum;	/* keeps the passes from being elided */

static void serve(int fd, size_t rd, int passes)
{
	char *buf = malloc(rd);
	uint64_t bytes = 0;
	int64_t t0 = 0, t1;
	char line[96];
	ssize_t r;
	int len;

	if (!buf)
		die("malloc");
	for (;;) {
		r = recv(fd, buf, rd, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (!t0)
			t0 = now_ns();
		bytes += (uint64_t)r;
		for (int p = 0; p < passes; p++) {
			uint32_t s = 0;

			for (ssize_t i = 0; i < r; i += 64)
				s += (unsigned char)buf[i];
			sink_sum += s;
		}
	}
	t1 = now_ns();
	len = snprintf(line, sizeof(line), "rx_bytes=%llu rx_ns=%lld\n",
		       (unsigned long long)bytes, (long long)(t0 ? t1 - t0 : 0));
	if (write(fd, line, (size_t)len) < 0)
		perror("nbload: write");
	free(buf);
}

static void __attribute__((noreturn)) sink(int port, size_t rd, int passes, int rcvbuf)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	int one = 1, ls, fd;

	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (ls < 0)
		die("socket");
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (rcvbuf > 0 &&
	    setsockopt(ls, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)))
		die("SO_RCVBUF");
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) || listen(ls, 4))
		die("bind/listen");
	for (;;) {
		fd = accept(ls, NULL, NULL);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			die("accept");
		}
		serve(fd, rd, passes);
		close(fd);
	}
}

static int source(const char *addr, int port, double secs, size_t wr)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons((uint16_t)port) };
	char *buf = calloc(1, wr), reply[128];
	unsigned long long rxb = 0;
	long long rxns = 0;
	uint64_t sent = 0;
	int64_t end;
	size_t got = 0;
	ssize_t r;
	int fd, i;

	if (!buf)
		die("calloc");
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		usage();
	for (i = 0;; i++) {	/* the sink may still be starting */
		fd = socket(AF_INET, SOCK_STREAM, 0);
		if (fd < 0)
			die("socket");
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			break;
		if (i >= 50)
			die("connect");
		close(fd);
		usleep(100000);
	}
	end = now_ns() + (int64_t)(secs * 1e9);
	while (now_ns() < end) {
		r = send(fd, buf, wr, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("send");
		}
		sent += (uint64_t)r;
	}
	shutdown(fd, SHUT_WR);
	while (got < sizeof(reply) - 1 &&
	       (r = recv(fd, reply + got, sizeof(reply) - 1 - got, 0)) > 0)
		got += (size_t)r;
	reply[got] = 0;
	close(fd);
	if (sscanf(reply, "rx_bytes=%llu rx_ns=%lld", &rxb, &rxns) != 2 || !rxns) {
		fprintf(stderr, "nbload: no answer from the sink (%s)\n", reply);
		return 1;
	}
	printf("bytes=%llu secs=%.3f mbps=%.2f sent=%llu\n", rxb, rxns / 1e9,
	       rxb * 8.0 / (rxns / 1e3), (unsigned long long)sent);
	return 0;
}

static int calls(long n)
{
	int64_t t0 = now_ns();

	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	printf("ns_per_call=%.1f\n", (double)(now_ns() - t0) / (double)n);
	return 0;
}

static long bpf_sys(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

static int bpfstats(void)
{
	__u32 id = 0;

	for (;;) {
		union bpf_attr a;
		struct bpf_prog_info info;
		int fd;

		memset(&a, 0, sizeof(a));
		a.start_id = id;
		if (bpf_sys(BPF_PROG_GET_NEXT_ID, &a))
			break;
		id = a.next_id;
		memset(&a, 0, sizeof(a));
		a.prog_id = id;
		fd = (int)bpf_sys(BPF_PROG_GET_FD_BY_ID, &a);
		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		memset(&a, 0, sizeof(a));
		a.info.bpf_fd = (__u32)fd;
		a.info.info_len = sizeof(info);
		a.info.info = (__u64)(unsigned long)&info;
		if (!bpf_sys(BPF_OBJ_GET_INFO_BY_FD, &a))
			printf("id=%u type=%u name=%s run_cnt=%llu run_time_ns=%llu\n",
			       info.id, info.type, info.name[0] ? info.name : "-",
			       (unsigned long long)info.run_cnt,
			       (unsigned long long)info.run_time_ns);
		close(fd);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *addr = NULL;
	int port = 0, passes = 0, rcvbuf = 0, c;
	size_t rd = 4096, wr = 65536;
	double secs = 2;

	if (argc < 2)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(argv[1], "bpfstats"))
		return bpfstats();
	if (!strcmp(argv[1], "getppid") && argc == 3)
		return calls(atol(argv[2]));
	optind = 2;
	while ((c = getopt(argc, argv, "a:p:r:w:b:t:s:")) != -1) {
		switch (c) {
		case 'a': addr = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'r': rd = (size_t)atol(optarg); break;
		case 'w': passes = atoi(optarg); break;
		case 'b': rcvbuf = atoi(optarg); break;
		case 't': secs = atof(optarg); break;
		case 's': wr = (size_t)atol(optarg); break;
		default: usage();
		}
	}
	if (port <= 0 || !rd || !wr)
		usage();
	if (!strcmp(argv[1], "sink"))
		sink(port, rd, passes, rcvbuf);
	if (!strcmp(argv[1], "source") && addr)
		return source(addr, port, secs, wr);
	usage();
	return 2;
}
