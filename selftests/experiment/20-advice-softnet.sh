#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 19: do netbuf's softnet proposals remove what they blame? Two
# kinds, each on a host that a tuning made worse, with one TCP flow (iperf3)
# from namespace A to the host over a veth pair (a0 in A, b0 in the
# initial namespace, where the net.core sysctls and the host's NAPI rows
# are): TSO and GSO off at a0, so b0 gets MTU-sized packets.
#
# backlog: GRO off at b0, so every packet goes through the per-CPU
#   backlog; net.core.netdev_max_backlog lowered to NB_EXP_BACKLOG (64):
#   the window the ACK softirq sends at once passes the queue, and packets
#   are dropped. advise must propose net.core.netdev_max_backlog.
# budget: GRO on at b0, so its packets go through b0's NAPI (weight 64);
#   net.core.netdev_budget lowered to NB_EXP_BUDGET (32): a poll of 32
#   packets or more ends its net_rx_action run in a time_squeeze. advise
#   must propose net.core.netdev_budget.
#
# Per kind: 1. calibration: `netbuf baseline save` and `netbuf advise -j`
# over NB_EXP_PERIOD s of the workload, apply the proposal's own command,
# the workload again under `netbuf baseline compare`: every expected effect
# must hold. 2. NB_EXP_ROUNDS rounds of the workload before (the lowered
# value) and after (the proposal), in alternation (after first in even
# rounds, so a drifting host load weighs on both arms alike): what the kind blames
# (backlog drops, time_squeeze: the kernel's /proc/net/softnet_stat)
# summed over the after runs at most 10% of the before runs', RcvPruned
# (TcpExt) not higher, throughput (what the iperf3 server received per
# second) not lower (mean paired ratio with its spread). In the budget
# runs, netbuf's NAPI packets of b0 must equal b0's rx_packets.
# 3. negative controls: the kernel's defaults with the same workloads, and
# GRO on with netdev_budget 128 (above every poll), get no softnet proposal.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

ROUNDS=${NB_EXP_ROUNDS:-5}
LOW_BACKLOG=${NB_EXP_BACKLOG:-64}
LOW_BUDGET=${NB_EXP_BUDGET:-32}
PERIOD=${NB_EXP_PERIOD:-4}
RUN=${NB_EXP_RUN:-4}
A=nbsxa
D=$NB_RUNDIR	# kept when a case failed, to look at
ktap_header
nb_require_module
PLAN=$((16 + 6 * ROUNDS))
ktap_plan $PLAN
nb_need $PLAN iperf3 ethtool python3 ss "$NB_TOOL"
mkdir -p "$D"
old_backlog=$(sysctl -n net.core.netdev_max_backlog)
old_budget=$(sysctl -n net.core.netdev_budget)
pids=()
cleanup() {
	[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
	nb_del_netns $A
	sysctl -qw net.core.netdev_max_backlog="$old_backlog" net.core.netdev_budget="$old_budget"
	[ "$KTAP_NFAIL" = 0 ] && rm -rf "$D"
}
trap cleanup EXIT
nb_reload

# the pair: a0 (10.79.0.1) in A, b0 (10.79.0.2) in the initial namespace
pair() {
	nb_del_netns $A
	ip netns add $A
	ip -n $A link set lo up
	ip link add b0 type veth peer name a0 netns $A
	ip -n $A addr add 10.79.0.1/24 dev a0
	ip addr add 10.79.0.2/24 dev b0
	ip -n $A link set a0 up
	ip link set b0 up
	nb_ns_noipv6 $A
	ip netns exec $A ethtool -K a0 tso off gso off >/dev/null
	ethtool -K b0 gro "$1" >/dev/null
}

softnet() {	# processed dropped squeeze, summed over CPUs
	local p=0 d=0 s=0 a b c r
	while read -r a b c r; do
		p=$((p + 0x$a)) d=$((d + 0x$b)) s=$((s + 0x$c))
	done </proc/net/softnet_stat
	echo "$p $d $s"
}

pruned() { awk '/^TcpExt:/ { if (!h) { for (i = 1; i <= NF; i++) k[i] = $i; h = 1 } else for (i = 1; i <= NF; i++) if (k[i] == "RcvPruned") print $i }' /proc/net/netstat; }

# b0's NAPI packets, its row matched by ifindex (a gone b0 of an earlier
# pair may still be listed)
napi_pkts() {
	awk -v x="$(cat /sys/class/net/b0/ifindex)" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "packets") c = i; next }
		$1 == "b0" && $2 == x { print $c; f = 1 } END { exit !f }' "$NB_PROC/napi" || echo missing
}

# flow SECS PORT OUT: the iperf3 flow A -> host in the background; the
# server's JSON in OUT. Sets pids.
flow() {
	local i
	iperf3 -s -1 -J -p "$2" >"$3" 2>&1 &
	pids=($!)
	for i in $(seq 100); do
		ss -Hltn "sport = :$2" | grep -q . && break
		sleep 0.1
	done
	ip netns exec $A iperf3 -c 10.79.0.2 -p "$2" -t "$1" >/dev/null 2>&1 &
	pids+=($!)
}

flow_wait() {
	local rc=0 p
	for p in "${pids[@]}"; do wait "$p" || rc=1; done
	pids=()
	return $rc
}

# run TAG: the workload once; figures in $D/TAG.fig (key=value): the
# kernel's softnet and TcpExt deltas, b0's rx_packets and netbuf's NAPI
# packets of b0 (deltas), the server's received bits per second.
run() {
	local tag=$1 rc=0 s0 s1 r0 r1 x0 x1 n0 n1
	s0=$(softnet) r0=$(pruned) x0=$(cat /sys/class/net/b0/statistics/rx_packets) n0=$(napi_pkts)
	flow "$RUN" 5801 "$D/$tag.json"
	flow_wait || rc=1
	s1=$(softnet) r1=$(pruned) x1=$(cat /sys/class/net/b0/statistics/rx_packets) n1=$(napi_pkts)
	python3 - "$D/$tag.json" "$s0" "$s1" >"$D/$tag.fig" <<'EOF' || rc=1
import json, sys
d = json.load(open(sys.argv[1]))
a, b = [list(map(int, x.split())) for x in sys.argv[2:4]]
print("processed=%d\ndropped=%d\nsqueeze=%d" % tuple(y - x for x, y in zip(a, b)))
print("bps=%.0f" % d["end"]["sum_received"]["bits_per_second"])
EOF
	{
		echo "RcvPruned=$((r1 - r0))"
		echo "rx_packets=$((x1 - x0))"
		echo "nb_napi_packets=$((n1 - n0))"
	} >>"$D/$tag.fig"
	return $rc
}

fig() { sed -n "s/^$2=//p" "$D/$1.fig" | head -n 1; }

# kind NAME SYSCTL LOW GRO METRIC: the whole experiment of one kind
kind() {
	local name=$1 sysctl=$2 low=$3 gro=$4 metric=$5 cmd value i side t
	ktap_info "== $name: $sysctl $low, GRO $gro at b0, one TCP flow, ${RUN}s per run"
	pair "$gro"
	# the other sysctl at the kernel's default, not at what the host has
	sysctl -qw net.core.netdev_max_backlog=1000 net.core.netdev_budget=300
	sysctl -qw "$sysctl=$low"
	# ---- 1. calibration ----
	flow $((2 * PERIOD + 2)) 5800 "$D/$name-cal.json"
	sleep 1
	"$NB_TOOL" baseline save -i "$PERIOD" "$D/$name.nbb"
	"$NB_TOOL" -j advise -i "$PERIOD" >"$D/$name-advise.json"
	flow_wait
	python3 -c '
import json, sys
for f in json.load(open(sys.argv[1]))["findings"]:
    if f["topic"] == "softnet":
        print("# advise: %s %s" % (f["level"], f["text"]))' "$D/$name-advise.json"
	read -r value cmd < <(python3 - "$D/$name-advise.json" "$sysctl" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
p = [p for p in d["proposals"] if p["sysctl"] == sys.argv[2]]
print(p[0]["value"], p[0]["command"]) if p else print("- -")
EOF
)
	if [[ $value =~ ^[0-9]+$ ]] && [ "$value" -gt "$low" ]; then
		ktap_ok "$name: advise proposes a larger $sysctl ($value)"
	else
		ktap_not_ok "$name: advise proposes a larger $sysctl (got '$value')"
		local left=$((5 + 2 * ROUNDS))
		[ "$name" = budget ] && left=$((left + 2 * ROUNDS))
		for ((i = 0; i < left; i++)); do
			ktap_not_ok "$name: not run: no proposal to apply"
		done
		return
	fi
	sh -c "$cmd" >/dev/null
	ktap_eq "$name: its command set $sysctl" "$(sysctl -n "$sysctl")" "$value"
	flow $((2 * PERIOD + 2)) 5800 "$D/$name-cal2.json"
	sleep 1
	"$NB_TOOL" -j baseline compare -i "$PERIOD" "$D/$name.nbb" >"$D/$name-compare.json"
	"$NB_TOOL" baseline compare -i "$PERIOD" "$D/$name.nbb" | grep -A4 '^Proposals' | sed "s/^/# compare: /"
	flow_wait
	ktap_check "$name: baseline compare: every expected effect of the proposal held" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
rows = [e for e in d.get("proposals", []) if e.get("sysctl") == sys.argv[2] and e.get("applied") is True]
for e in rows:
    print("# compare -j: %s %s: before %s after %s (%s samples): %s" % (e.get("metric"),
          e.get("expect"), e.get("before"), e.get("after"), e.get("after_samples"), e.get("verdict")))
sys.exit(0 if rows and all(e.get("verdict") == "held" for e in rows) else 1)' "$D/$name-compare.json" "$sysctl"
	# ---- 2. alternation ----
	for ((i = 1; i <= ROUNDS; i++)); do
		sides="before after"
		[ $((i % 2)) = 0 ] && sides="after before"	# a drifting host load weighs on both arms alike
		for side in $sides; do
			t=$name-$side$i
			if [ $side = before ]; then sysctl -qw "$sysctl=$low"; else sysctl -qw "$sysctl=$value"; fi
			ktap_check "$name round $i, $side: workload ran ($(sysctl -n "$sysctl"))" run $t
			[ "$name" = budget ] &&
				ktap_eq "$name round $i, $side: netbuf's NAPI packets of b0 = its rx_packets ($(fig $t rx_packets))" \
					"$(fig $t nb_napi_packets)" "$(fig $t rx_packets)"
		done
	done
	python3 - "$D" "$name" "$ROUNDS" "$metric" "$(dirname "$0")/../lib" >"$D/$name.verdict" <<'EOF'
import sys
d, name, n, metric = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
sys.path.insert(0, sys.argv[5])
sys.dont_write_bytecode = True
import paired
def fig(t):
    return dict(l.strip().partition("=")[::2] for l in open("%s/%s-%s.fig" % (d, name, t)))
B = [fig("before%d" % i) for i in range(1, n + 1)]
A = [fig("after%d" % i) for i in range(1, n + 1)]
print("# %-8s %10s %8s %8s %9s %9s" % ("run", "processed", "dropped", "squeeze", "RcvPruned", "Mbit/s"))
for t, f in [("before%d" % i, B[i - 1]) for i in range(1, n + 1)] + \
            [("after%d" % i, A[i - 1]) for i in range(1, n + 1)]:
    print("# %-8s %10s %8s %8s %9s %9.1f" % (t, f["processed"], f["dropped"], f["squeeze"],
          f["RcvPruned"], float(f["bps"]) / 1e6))
sb = sum(int(f[metric]) for f in B)
sa = sum(int(f[metric]) for f in A)
pb = sum(int(f["RcvPruned"]) for f in B)
pa = sum(int(f["RcvPruned"]) for f in A)
print("# %s: before %d, after %d over %d runs each: %.1f%% less" %
      (metric, sb, sa, n, 100.0 * (1 - sa / sb) if sb else 0.0))
paired.report(pb, pa, [float(a["bps"]) / float(b["bps"]) for a, b in zip(A, B)])
print("fall_ok=%d" % (sb > 0 and sa * 10 <= sb))
EOF
	grep '^#' "$D/$name.verdict"
	v() { sed -n "s/^$1=//p" "$D/$name.verdict"; }
	ktap_eq "$name: $metric after the proposal is at most 10% of before (summed over $ROUNDS runs)" "$(v fall_ok)" 1
	ktap_eq "$name: RcvPruned does not rise (at most $(v pruned_bound))" "$(v pruned_ok)" 1
	ktap_eq "$name: throughput is not lower (paired)" "$(v tput_ok)" 1
	sysctl -qw "$sysctl=$low"
}

kind backlog net.core.netdev_max_backlog "$LOW_BACKLOG" off dropped
sysctl -qw net.core.netdev_max_backlog="$old_backlog"
kind budget net.core.netdev_budget "$LOW_BUDGET" on squeeze
sysctl -qw net.core.netdev_budget="$old_budget"

# ---- 3. negative controls: the kernel's defaults; and a budget of 128,
# above every poll (64 at most) but below the packets per squeeze, where
# the rule before 2026-12-02 proposed a larger budget that did nothing ----
for c in "off 300" "on 300" "on 128"; do
	read -r gro budget <<<"$c"
	sysctl -qw net.core.netdev_max_backlog=1000 net.core.netdev_budget="$budget"
	pair $gro
	flow $((PERIOD + 2)) 5802 "$D/healthy-$gro-$budget.json"
	sleep 1
	"$NB_TOOL" -j advise -i "$PERIOD" >"$D/healthy-$gro-$budget.advise.json"
	flow_wait
	ktap_check "GRO $gro at b0, netdev_max_backlog 1000, netdev_budget $budget: no softnet proposal" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for f in d["findings"]:
    if f["topic"] == "softnet":
        print("# advise: %s %s" % (f["level"], f["text"]))
sys.exit(1 if [p for p in d["proposals"] if p["sysctl"].startswith("net.core.")] else 0)' "$D/healthy-$gro-$budget.advise.json"
done
ktap_check "kernel log clean" nb_dmesg_clean
ktap_finished
