#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Collapsed skbs exact per namespace while several namespaces collapse at
# once, in task context and in softirq (issue 14). Three namespaces run
# rcvpress's collapse workload over their own loopback at the same time:
# senders' softirqs collapse (NET_RX run at the sender's local_bh_enable
# or in ksoftirqd), and in two of them a helper owns the workload's socket
# locks over and over (pidfd_getfd, then recv(MSG_PEEK) of up to 16 KiB
# in a loop: the lock is held while copying, and nothing is consumed):
# segments arriving meanwhile go to the socket backlog, and release_sock() runs
# their prune and collapse in task context, where a softirq collapse of
# another namespace can nest in it on the same CPU. A kprobe event on
# tcp_collapse with stack traces (tracefs, not netbuf) counts every call
# and tells task context (__release_sock on the stack) from softirq.
# Checked: each namespace's coll_skbs equals its own TcpExt TCPRcvCollapsed
# delta, the namespaces' coll_calls sum to the tracefs count, both
# contexts seen, nothing missed by netbuf's probes.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

L1=nbnl1 L2=nbnl2 L3=nbnl3
NSS="$L1 $L2 $L3"
T=/sys/kernel/tracing
ktap_header
ktap_plan 14
# fail: an environment problem is a failure here, not a skip
fail() { ktap_not_ok "$*"; exit 1; }
nb_require_module
[ -x "$NB_RCVPRESS" ] || fail "no $NB_RCVPRESS (make -C selftests/workload)"
[ -d $T/events ] || fail "no tracefs at $T"
cleanup() {
	echo 0 >$T/events/kprobes/nbcoll/enable 2>/dev/null
	echo 0 >$T/options/stacktrace 2>/dev/null
	echo '-:nbcoll' >>$T/kprobe_events 2>/dev/null
	nb_del_netns $NSS
}
trap cleanup EXIT
nb_reload
nb_del_netns $NSS
for ns in $NSS; do
	ip netns add $ns
	ip -n $ns link set lo up
	nb_ns_noipv6 $ns
done
echo 'p:nbcoll tcp_collapse' >>$T/kprobe_events || fail "kprobe event on tcp_collapse"
echo 8192 >$T/buffer_size_kb
echo >$T/trace
echo 1 >$T/options/stacktrace
echo 1 >$T/events/kprobes/nbcoll/enable
missed0=$(nb_col "" probes collapse nmissed)
skbmissed0=$(nb_col "" probes collapse_skb nmissed)

declare -A k0 k1
for ns in $NSS; do k0[$ns]=$(tcpext $ns TCPRcvCollapsed); done
# One helper starts the workloads at once (rcvpress collapse over each
# namespace's loopback, output in /tmp/nb-nest.NS) and, on those marked
# :lock, owns the workload's socket locks over and over (pidfd_getfd, then
# recv(MSG_PEEK) in a loop) until the workload ends. Exit status: how many
# workloads failed.
# round: the three workloads once (each namespace's output appended to
# /tmp/nb-nest.NS); exit status non-zero if one failed.
round() {
python3 - "$NB_RCVPRESS" $L1:lock $L2:lock $L3:- <<'PY'
import ctypes, os, socket, subprocess, sys, time
libc = ctypes.CDLL(None, use_errno=True)
rcvpress, procs = sys.argv[1], []
for arg in sys.argv[2:]:
    ns, mode = arg.split(":")
    out = open("/tmp/nb-nest." + ns, "a")
    p = subprocess.Popen(["ip", "netns", "exec", ns, rcvpress, "-m", "collapse",
                          "-c", "2", "-d", "5", "--read-rate", "4K"],
                         stdout=out, stderr=subprocess.STDOUT)
    procs.append((ns, mode, p, os.pidfd_open(p.pid), {}, [0]))
while any(p.poll() is None for _, _, p, _, _, _ in procs):
    for ns, mode, p, pfd, socks, n in procs:
        if mode != "lock" or p.poll() is not None:
            continue
        try:
            fds = os.listdir("/proc/%d/fd" % p.pid)
        except OSError:
            continue
        for f in fds:
            try:
                link = os.readlink("/proc/%d/fd/%s" % (p.pid, f))
            except OSError:
                continue
            if link.startswith("socket:") and link not in socks:
                fd = libc.syscall(438, pfd, int(f), 0)    # pidfd_getfd
                if fd >= 0:
                    socks[link] = socket.socket(fileno=fd)
        for _ in range(20):
            for s in socks.values():
                try:
                    s.recv(16384, socket.MSG_PEEK | socket.MSG_DONTWAIT)
                    n[0] += 1
                except OSError:
                    pass
    time.sleep(0.001)
bad = 0
for ns, mode, p, _, socks, n in procs:
    print("# %s: rcvpress exit %d, lock loop on %d sockets, %d peeks"
          % (ns, p.returncode, len(socks), n[0]))
    bad += p.returncode != 0
sys.exit(bad)
PY
}
# ctx_counts: tcp_collapse calls in the trace, in task context, in softirq;
# the first stack that is neither goes to /tmp/nb-nest-other (a CI run once
# counted 3 of 624 calls in neither, with no stack kept to say why).
ctx_counts() {
	awk -v other=/tmp/nb-nest-other '
	/ nbcoll: / { if (n) ctx(); n++; st = ""; next }
	/^ => / { st = st " " $2 }
	function ctx() {
		if (st ~ / __release_sock/) t++
		else if (st ~ /net_rx_action/) s++
		else if (!o++) print st > other
	}
	END { if (n) ctx(); print n + 0, t + 0, s + 0 }' $T/trace
}
# Task-context collapses are few (a handful a round) and a loaded host
# may see none in a round: up to 8 rounds until both contexts are seen
# (make check's preempt=full leg on 6.1 once saw none in 4 rounds, 621
# softirq collapses; 4 had been enough in every run before).
rm -f /tmp/nb-nest.* /tmp/nb-nest-other
rc=0 rounds=0
for _ in 1 2 3 4 5 6 7 8; do
	rounds=$((rounds + 1))
	round || rc=1
	read -r calls task soft < <(ctx_counts)
	[ "$task" -gt 0 ] && [ "$soft" -gt 0 ] && break
done
sleep 0.2
echo 0 >$T/events/kprobes/nbcoll/enable
for ns in $NSS; do k1[$ns]=$(tcpext $ns TCPRcvCollapsed); done
for ns in $NSS; do sed 's/^/# /' /tmp/nb-nest.$ns; done

# tracefs: one event line per call, then its stack (" => fn+off/len").
read -r calls task soft < <(ctx_counts)
awk "/ nbcoll: /{p=0} / nbcoll: /&&++k<=2{p=1} p" $T/trace | head -60 | sed "s/^/# /"
overrun=$(awk '/^overrun:/ { s += $2 } END { print s + 0 }' $T/per_cpu/cpu*/stats)
sum_calls=0
for ns in $NSS; do
	ip netns exec $ns cat $NB_PROC/rcvbuf | awk '$1 == "total"' | sed "s/^/# $ns: /"
	sum_calls=$((sum_calls + $(nb_col $ns rcvbuf total coll_calls)))
done
ktap_info "tracefs: $calls tcp_collapse calls, $task in task context, $soft in softirq; overrun $overrun; $rounds round(s)"
[ -s /tmp/nb-nest-other ] && ktap_info "a call in neither context, its stack:$(cat /tmp/nb-nest-other)"
rm -f /tmp/nb-nest-other

ktap_eq "every workload exited 0" "$rc" 0
ktap_check "task-context collapses seen ($task)" test "$task" -gt 0
ktap_check "softirq collapses seen ($soft)" test "$soft" -gt 0
ktap_eq "the trace buffer lost nothing" "$overrun" 0
for ns in $NSS; do
	ktap_eq "$ns: coll_skbs = its TCPRcvCollapsed" \
		"$(nb_col $ns rcvbuf total coll_skbs)" $((k1[$ns] - k0[$ns]))
	ktap_check "$ns: collapsed something" test $((k1[$ns] - k0[$ns])) -gt 0
done
ktap_eq "coll_calls of all namespaces = tcp_collapse calls (tracefs)" "$sum_calls" "$calls"
ktap_eq "collapse probe missed nothing" "$(nb_col "" probes collapse nmissed)" "$missed0"
ktap_eq "collapse_skb probe missed nothing" "$(nb_col "" probes collapse_skb nmissed)" "$skbmissed0"
ktap_check "kernel log clean" nb_dmesg_clean
ktap_finished
