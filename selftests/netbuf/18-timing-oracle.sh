#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# An outside timing oracle (issue 14): bpftrace times every tcp_collapse
# (kprobe and kretprobe, start stamps keyed by thread, CPU and nesting
# depth, so a softirq collapse nested in a task's on the same CPU pairs
# right) and counts the napi:napi_poll tracepoint per device, alongside
# netbuf. bpftrace attaches first and netbuf loads after it: kprobes on one
# address run newest-first, so netbuf's handler runs first at entry and at
# return and turns interrupts off, and bpftrace's then runs with them off
# too (no softirq inside it, where netbuf's probes would miss). Phase 1:
# rcvpress's collapse workload across a veth pair (GRO off: every segment
# its own skb, so the queue collapses often). Phase 2: iperf3 with the
# receiver's NAPI on (GRO on at b0, TSO/GSO off at a0). Then: collapse calls
# equal, calls switched out equal (coll_preempted: preempt=full and rt
# kernels), netbuf's collapse p50 and p99 within one log2 bucket of
# bpftrace's over the calls not switched out, and each device's polls equal
# bpftrace's count.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbta B=nbtb
BT=/tmp/nb-oracle.bt
ktap_header
ktap_plan 12
fail() { ktap_not_ok "$*"; exit 1; }
nb_require_module
[ -x "$NB_RCVPRESS" ] || fail "no $NB_RCVPRESS (make -C selftests/workload)"
command -v bpftrace >/dev/null || fail "no bpftrace"
command -v ethtool >/dev/null || fail "no ethtool"
cleanup() {
	[ -n "${bt:-}" ] && kill "$bt" 2>/dev/null
	nb_iperf_kill
	nb_del_netns $A $B
	rm -f $BT
	nb_loaded || nb_load
}
trap cleanup EXIT
nb_unload
nb_del_netns $A $B
nb_veth_pair $A $B
nb_ns_noipv6 $A $B

# One line per tcp_collapse: "C <ns> <switched>", switched 1 when the task
# was switched out in the call (its nvcsw + nivcsw moved: netbuf's test for
# coll_preempted, read here on its own); per device polls at exit (@polls).
# Keyed by thread and nesting depth (a softirq collapse nested in a task's
# runs as that task), and by CPU for the idle tasks, which all have tid 0:
# a preempted task may return on another CPU.
bpftrace -e '
kprobe:tcp_collapse {
	$k = tid == 0 ? cpu + 1 : 0;
	$d = @depth[tid, $k];
	@t0[tid, $k, $d] = nsecs;
	@sw[tid, $k, $d] = curtask->nvcsw + curtask->nivcsw;
	@depth[tid, $k] = $d + 1;
}
kretprobe:tcp_collapse {
	$k = tid == 0 ? cpu + 1 : 0;
	if (@depth[tid, $k] > 0) {
		$d = @depth[tid, $k] - 1;
		@depth[tid, $k] = $d;
		printf("C %llu %d\n", nsecs - @t0[tid, $k, $d],
		       curtask->nvcsw + curtask->nivcsw != @sw[tid, $k, $d]);
		delete(@t0[tid, $k, $d]);
		delete(@sw[tid, $k, $d]);
	}
}
tracepoint:napi:napi_poll { @polls[str(args->dev_name)] = count(); }
END { clear(@t0); clear(@sw); clear(@depth); }' >$BT 2>&1 &
bt=$!
for i in $(seq 600); do grep -q Attaching $BT && break; sleep 0.1; done
grep -q Attaching $BT || { sed 's/^/# /' $BT; fail "bpftrace did not attach in 60 s"; }
nb_load || fail "cannot load netbuf"

# A device with no napi row yet has polled 0 times.
np() { local v; v=$(nb_col "$1" napi "$2" polls) || v=0; echo "$v"; }
hist() { nb_in $B cat $NB_PROC/histograms | awk '$1 == "b0" && $3 == "collapse"'; }
sleep 0.5
pb0=$(np $B b0) pa0=$(np $A a0) c0=$(nb_col $B rcvbuf total coll_calls) h0=$(hist)
cp0=$(nb_col $B rcvbuf total coll_preempted)
port=5470
rc=0
for run in 1 2; do
	port=$((port + 1))
	nb_rcvpress $B --mode collapse -c 2 -l 10.77.0.2:$port -d 3 >/tmp/nb-oracle.rx 2>&1 &
	rx=$!
	nb_rcvpress $A --mode collapse -c 2 -C 10.77.0.2:$port -d 3 2>&1 | sed 's/^/# tx: /'
	[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	wait $rx || rc=1
	sed 's/^/# rx: /' /tmp/nb-oracle.rx
done
ip netns exec $A ethtool -K a0 tso off gso off >/dev/null || rc=1
ip netns exec $B ethtool -K b0 gro on >/dev/null || rc=1
nb_iperf $B $A 10.77.0.2 5479 -t 3 || rc=1
sleep 0.5
pb1=$(np $B b0) pa1=$(np $A a0) c1=$(nb_col $B rcvbuf total coll_calls) h1=$(hist)
cp1=$(nb_col $B rcvbuf total coll_preempted)
kill -INT $bt
wait $bt
bt=
grep -v '^C ' $BT | sed 's/^/# bpftrace: /'

bt_calls=$(grep -c '^C ' $BT)
bt_polls() { awk -v d="$1" '$1 == "@polls[" d "]:" { print $2; f = 1 } END { if (!f) print 0 }' $BT; }
# bucket index of a value as netbuf files it: LOW = 2^k for 2^k <= v < 2^(k+1)
# pct Q: bpftrace's Q-quantile (the ceil(Q*n)-th smallest) and its bucket,
# over the calls not switched out (netbuf's histogram holds those).
bt_switched=$(awk '$1 == "C" && $3 == 1' $BT | wc -l)
bt_pct() {
	awk '$1 == "C" && $3 == 0 { print $2 }' $BT | sort -n | awk -v q="$1" '
		{ v[NR] = $1 } END { if (!NR) { print "- -"; exit }
			k = int(q * NR); if (k < q * NR) k++; if (k < 1) k = 1
			b = 0; x = v[k]; while (x >= 2) { x /= 2; b++ }
			print v[k], b }'
}
# netbuf's Q-quantile bucket over the run: bucket deltas h1 - h0.
nb_pct() {
	awk -v q="$1" -v a="$h0" -v b="$h1" 'BEGIN {
		n = split(a, x, " "); for (i = 7; i <= n; i++) { split(x[i], kv, ":"); c[kv[1]] -= kv[2] }
		n = split(b, x, " "); for (i = 7; i <= n; i++) { split(x[i], kv, ":"); c[kv[1]] += kv[2] }
		for (l in c) { tot += c[l]; lows[++m] = l + 0 }
		if (!tot) { print "-"; exit }
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (lows[j] < lows[i]) { t = lows[i]; lows[i] = lows[j]; lows[j] = t }
		k = int(q * tot); if (k < q * tot) k++; if (k < 1) k = 1
		for (i = 1; i <= m; i++) { s += c[lows[i]]; if (s >= k) { l = lows[i]; b = 0; while (l >= 2) { l /= 2; b++ } print b; exit } } }'
}
read -r p50v p50b < <(bt_pct 0.5)
read -r p99v p99b < <(bt_pct 0.99)
n50=$(nb_pct 0.5) n99=$(nb_pct 0.99)
ktap_info "collapse calls: netbuf $((c1 - c0)), bpftrace $bt_calls; switched out: netbuf $((cp1 - cp0)), bpftrace $bt_switched"
ktap_info "collapse p50: bpftrace ${p50v} ns (bucket 2^$p50b), netbuf bucket 2^$n50;" \
	"p99: bpftrace ${p99v} ns (bucket 2^$p99b), netbuf bucket 2^$n99"
ktap_info "b0 polls: netbuf $((pb1 - pb0)), bpftrace $(bt_polls b0); a0 polls: netbuf $((pa1 - pa0)), bpftrace $(bt_polls a0)"
within1() { [ "$1" != - ] && [ "$2" != - ] && [ $(($1 - $2)) -le 1 ] && [ $(($2 - $1)) -le 1 ]; }
ktap_eq "every workload and setup step exited 0" "$rc" 0
ktap_check "the workload collapsed ($bt_calls calls)" test "$bt_calls" -gt 0
ktap_eq "collapse calls: netbuf coll_calls = bpftrace's" $((c1 - c0)) "$bt_calls"
ktap_eq "netbuf's collapse histogram holds every call not preempted (coll_preempted $((cp1 - cp0)))" \
	$(($(echo "$h1" | awk '{ print $4 + 0 }') - $(echo "$h0" | awk '{ print $4 + 0 }') + cp1 - cp0)) "$bt_calls"
ktap_eq "collapse calls switched out: netbuf coll_preempted = bpftrace's" $((cp1 - cp0)) "$bt_switched"
ktap_check "collapse p50 within one log2 bucket (netbuf 2^$n50, bpftrace 2^$p50b)" within1 "$n50" "$p50b"
ktap_check "collapse p99 within one log2 bucket (netbuf 2^$n99, bpftrace 2^$p99b)" within1 "$n99" "$p99b"
ktap_check "b0 polled ($((pb1 - pb0)))" test $((pb1 - pb0)) -gt 0
ktap_eq "b0 polls: netbuf = bpftrace's napi_poll count" $((pb1 - pb0)) "$(bt_polls b0)"
ktap_eq "a0 polls: netbuf = bpftrace's napi_poll count" $((pa1 - pa0)) "$(bt_polls a0)"
ktap_eq "no probe hit missed" "$(awk 'NR > 1 && $6 != "-" { s += $6 } END { print s + 0 }' $NB_PROC/probes)" 0
ktap_check "kernel log clean" nb_dmesg_clean
ktap_finished
