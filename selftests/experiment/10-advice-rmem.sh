#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Issue 19: does netbuf's tcp_rmem proposal remove the collapse stalls it
# blames? A receiver whose sockets autotune (no SO_RCVBUF) reads at full
# speed for a warm-up, then stops reading (a stalled application); the
# sender goes on with small TCP_NODELAY writes into the window autotuning
# opened, and resets the connection after NB_EXP_EPISODE s (a peer giving
# up). The queue of small skbs passes the socket's buffer and the kernel
# collapses it: the larger tcp_rmem max, the larger the window, the more
# data queued and collapsed.
#
# 1. calibration: the workload at tcp_rmem max NB_EXP_RMEM_MAX in fresh
#    namespaces; `netbuf advise -j` must propose a tcp_rmem max for the
#    receiver's interface; `netbuf baseline save`, apply the proposal's own
#    command, the workload again, `netbuf baseline compare -j`: every
#    expected effect must hold.
# 2. NB_EXP_ROUNDS rounds, each the workload before (the old max) and after
#    (the proposal) in fresh namespaces, in alternation (after first in even rounds, so a
#    drifting host load weighs on both arms alike): stall time (prune
#    episode time, which includes the collapses in them) summed over the
#    after runs must be at most 10% of the before runs', RcvPruned must not
#    rise, throughput (bytes the application read per second) not lower
#    (mean paired ratio, with its spread). Every run checks netbuf against
#    the kernel: coll_skbs = TCPRcvCollapsed and prune_drop = RcvPruned.
# 3. negative controls: a healthy workload (iperf3) gets no proposal; a
#    slow reader that set SO_RCVBUF itself (rcvpress prune mode) gets
#    findings but no buffer proposal.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

ROUNDS=${NB_EXP_ROUNDS:-5}
MAX=${NB_EXP_RMEM_MAX:-16777216}
WARM=${NB_EXP_WARMUP:-32M}
EPISODE=${NB_EXP_EPISODE:-8}
DUR=${NB_EXP_DURATION:-16}
SEG=${NB_EXP_SEGMENT:-256}
A=nbxa B=nbxb
D=$NB_RUNDIR	# kept when a case failed, to look at
pids=()
ktap_header
nb_require_module
PLAN=$((11 + 4 * ROUNDS))
ktap_plan $PLAN
nb_need $PLAN iperf3 python3 "$NB_RCVPRESS" "$NB_TOOL"
mkdir -p "$D"
cleanup() {
	[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
	nb_iperf_kill 2>/dev/null
	nb_del_netns $A $B
	[ "$KTAP_NFAIL" = 0 ] && rm -rf "$D"
}
trap cleanup EXIT
nb_reload
ktap_info "workload: tcp_rmem max $MAX before; warm-up $WARM, then $SEG-byte writes" \
	"into a stalled reader, a connection reset every ${EPISODE}s, ${DUR}s per run"

# fresh namespaces: counters, events log and autotuning start from nothing
fresh() {
	nb_del_netns $A $B
	nb_veth_pair $A $B
	ip netns exec $B sysctl -qw net.ipv4.tcp_rmem="$1"
}

# run TAG: the workload once in $A -> $B; figures in $D/TAG.fig (key=value):
# netbuf's b0 row, the kernel's TcpExt (through rcvpress) and the reader's
# bytes and seconds. Returns the receiver's status.
run() {
	local tag=$1 rc=0
	ip netns exec $B "$NB_RCVPRESS" --mode collapse -l 10.77.0.2:5601 --rcvbuf-big 0 \
		--rcvbuf-small 0 --warmup "$WARM" --read-rate 0 -d "$DUR" -c 1 --wait 20 \
		>"$D/$tag.rx" 2>&1 &
	local rx=$!
	pids=("$rx")
	nb_wait_listen $B 5601
	ip netns exec $A "$NB_RCVPRESS" --mode collapse -C 10.77.0.2:5601 --warmup "$WARM" \
		-d "$DUR" -c 1 --reconnect "$EPISODE" -s "$SEG" --wait 20 >"$D/$tag.tx" 2>&1 || rc=1
	wait $rx || rc=1
	{
		tail -n 1 "$D/$tag.rx" | tr ' ' '\n' | grep '='
		for c in coll_calls coll_skbs coll_ns coll_max_ns prune_calls prune_drop prune_ns; do
			echo "nb_$c=$(nb_col $B rcvbuf b0 $c)"
		done
		ip netns exec $B "$NB_TOOL" -j show b0 | python3 -c '
import json, sys
r = [x for x in json.load(sys.stdin)["rcvbuf"] if x["iface"] == "b0"][0]
print("nb_coll_p99_ns=%s" % r.get("coll_p99_ns"))'
	} >"$D/$tag.fig"
	[ $rc = 0 ] || sed "s/^/# $tag: /" "$D/$tag.rx" "$D/$tag.tx" | tail -n 6
	return $rc
}

fig() { sed -n "s/^$2=//p" "$D/$1.fig" | head -n 1; }

# oracle checks of one run: netbuf against the kernel's own counters
oracle() {
	local t=$1
	[ "$(fig "$t" nb_coll_skbs)" = "$(fig "$t" TCPRcvCollapsed)" ] &&
		[ "$(fig "$t" nb_prune_drop)" = "$(fig "$t" RcvPruned)" ]
}

# ---- 1. calibration: the proposal, and baseline compare ----
before_rmem="4096 131072 $MAX"
fresh "$before_rmem"
ktap_check "calibration run at tcp_rmem max $MAX" run cal
ip netns exec $B "$NB_TOOL" -j advise >"$D/advise.json"
ip netns exec $B "$NB_TOOL" advise | sed 's/^/# advise: /'
read -r after_rmem cmd < <(python3 - "$D/advise.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
p = [p for p in d["proposals"] if p["sysctl"] == "net.ipv4.tcp_rmem" and p["iface"] == "b0"]
print(p[0]["value"].replace(" ", ","), p[0]["command"]) if p else print("- -")
EOF
)
after_rmem=${after_rmem//,/ }
after_max=${after_rmem##* }
if [[ $after_max =~ ^[0-9]+$ ]] && [ "$after_max" -lt "$MAX" ]; then
	ktap_ok "advise proposes a lower tcp_rmem max for b0 ($after_rmem)"
else
	# nothing to apply: every case that needs the proposal fails
	ktap_not_ok "advise proposes a lower tcp_rmem max for b0 (got '$after_rmem')"
	for ((i = 3; i <= PLAN; i++)); do ktap_not_ok "not run: no proposal to apply"; done
	ktap_finished
fi
ip netns exec $B "$NB_TOOL" baseline save -i 0 "$D/before.nbb"
ip netns exec $B sh -c "$cmd" >/dev/null
ktap_eq "its command set tcp_rmem" \
	"$(ip netns exec $B sysctl -n net.ipv4.tcp_rmem | tr -s ' \t' ' ')" "$after_rmem"
# a p99 verdict needs 100 collapses after the change: up to 20 runs
after_n() {
	ip netns exec $B "$NB_TOOL" -j baseline compare "$D/before.nbb" >"$D/compare.json" &&
		python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
n = [e.get("after_samples") for e in d.get("proposals", []) if e.get("metric") == "coll_p99_ns"]
print(n[0] if n and n[0] is not None else 0)' "$D/compare.json"
}
runs=0 ok=1
while :; do
	runs=$((runs + 1))
	run cal2.$runs || ok=0
	if [ $ok = 0 ] || [ $runs -ge 20 ] || [ "$(after_n)" -ge 100 ]; then break; fi
done
ktap_check "the workload again with the proposal applied ($runs runs, $(after_n) collapses)" test $ok = 1
ip netns exec $B "$NB_TOOL" baseline compare "$D/before.nbb" | grep -A3 '^Proposals' | sed 's/^/# compare: /'
ktap_info "slowest collapses after the change (events log): $(ip netns exec $B awk -v m="$after_max" '$2 == "collapse" && $11 == m { print $3, $10, $11 }' $NB_PROC/events |
	sort -n | tail -n 3 | awk '{ printf "%s%.1f ms (rmem_before %d, rcvbuf %d)", (NR > 1 ? ", " : ""), $1 / 1e6, $2, $3 }')"
ktap_check "baseline compare: every expected effect of the proposal held" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
rows = [e for p in d.get("proposals", []) for e in p.get("effects", [p])]
sys.exit(0 if rows and all(e.get("verdict") == "held" for e in rows) else 1)' "$D/compare.json"

# ---- 2. alternation ----
for ((i = 1; i <= ROUNDS; i++)); do
	sides="before after"
	[ $((i % 2)) = 0 ] && sides="after before"	# a drifting host load weighs on both arms alike
	for side in $sides; do
		if [ $side = before ]; then fresh "$before_rmem"; else fresh "$after_rmem"; fi
		ktap_check "round $i, $side: workload ran" run $side$i
		t=$side$i
		ktap_check "round $i, $side: netbuf = kernel (coll_skbs $(fig $t nb_coll_skbs), TCPRcvCollapsed $(fig $t TCPRcvCollapsed); prune_drop $(fig $t nb_prune_drop), RcvPruned $(fig $t RcvPruned))" \
			oracle $t
	done
done
python3 - "$D" "$ROUNDS" "$(dirname "$0")/../lib" >"$D/verdict" <<'EOF'
import sys
d, n = sys.argv[1], int(sys.argv[2])
sys.path.insert(0, sys.argv[3])
sys.dont_write_bytecode = True
import paired
def fig(t):
    f = {}
    for l in open("%s/%s.fig" % (d, t)):
        k, _, v = l.strip().partition("=")
        f[k] = v
    return f
B = [fig("before%d" % i) for i in range(1, n + 1)]
A = [fig("after%d" % i) for i in range(1, n + 1)]
def tput(f):
    return float(f["warmup_bytes"]) / float(f["warmup_s"])
def ms(f, k):
    return int(f[k]) / 1e6
print("# %-7s %5s %9s %10s %10s %10s %9s %11s" % ("run", "calls", "skbs", "stall_ms",
      "max_ms", "p99_ms", "RcvPruned", "MB/s read"))
print("# (stall_ms: prune episode time, collapses included; MB/s read: the reader's rate while reading, in its warm-ups)")
for t, f in [("before%d" % i, B[i - 1]) for i in range(1, n + 1)] + \
            [("after%d" % i, A[i - 1]) for i in range(1, n + 1)]:
    p99 = f["nb_coll_p99_ns"]
    print("# %-7s %5s %9s %10.1f %10.1f %10s %9s %11.2f" % (t, f["nb_coll_calls"],
          f["nb_coll_skbs"], ms(f, "nb_prune_ns"), ms(f, "nb_coll_max_ns"),
          "%.1f" % (int(p99) / 1e6) if p99 not in ("None", "null", "") else "-",
          f["RcvPruned"], tput(f) / 1e6))
sb = sum(int(f["nb_prune_ns"]) for f in B)
sa = sum(int(f["nb_prune_ns"]) for f in A)
pb = sum(int(f["RcvPruned"]) for f in B)
pa = sum(int(f["RcvPruned"]) for f in A)
fall = 100.0 * (1 - sa / sb) if sb else 0.0
print("# stall time: before %.1f ms, after %.1f ms over %d runs each: %.1f%% less" %
      (sb / 1e6, sa / 1e6, n, fall))
print("# per round (after/before): %s" % " ".join(
      "%.3f" % (int(a["nb_prune_ns"]) / int(b["nb_prune_ns"])) if int(b["nb_prune_ns"]) else "-"
      for a, b in zip(A, B)))
paired.report(pb, pa, [tput(a) / tput(b) for a, b in zip(A, B)])
print("stall_ok=%d" % (sb > 0 and sa * 10 <= sb))
EOF
grep '^#' "$D/verdict"
v() { sed -n "s/^$1=//p" "$D/verdict"; }
ktap_eq "stall time after the proposal is at most 10% of before (summed over $ROUNDS runs)" "$(v stall_ok)" 1
ktap_eq "RcvPruned does not rise (at most $(v pruned_bound): before + 3 sqrt(before) + 1, as advise expects)" "$(v pruned_ok)" 1
ktap_eq "throughput is not lower (paired)" "$(v tput_ok)" 1

# ---- 3. negative controls ----
fresh "$before_rmem"
iperf_rc=0
nb_iperf $B $A 10.77.0.2 5602 -t 5 || iperf_rc=$?
ktap_eq "healthy workload (iperf3 exit status, proposals)" \
	"$iperf_rc $(ip netns exec $B "$NB_TOOL" -j advise | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["proposals"]))')" "0 0"
fresh "$before_rmem"
ip netns exec $B "$NB_RCVPRESS" --mode prune -l 10.77.0.2:5603 -d 3 --wait 20 >"$D/slow.rx" 2>&1 &
slow=$!
pids=("$slow")
nb_wait_listen $B 5603
ip netns exec $A "$NB_RCVPRESS" --mode prune -C 10.77.0.2:5603 -d 3 --wait 20 >"$D/slow.tx" 2>&1
wait $slow
ip netns exec $B "$NB_TOOL" -j advise >"$D/slow.json"
ktap_check "slow reader with SO_RCVBUF: prune drops found ($(nb_col $B rcvbuf b0 prune_drop)), no buffer proposal" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
topics = {f["topic"] for f in d["findings"]}
bufs = [p for p in d["proposals"] if p["sysctl"] == "net.ipv4.tcp_rmem"]
sys.exit(0 if "prune" in topics and not bufs else 1)' "$D/slow.json"
ktap_check "kernel log clean" nb_dmesg_clean
ktap_finished
