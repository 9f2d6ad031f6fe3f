#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prunes under socket memory pressure (issue 14). With net.ipv4.tcp_mem
# far below what a bulk flow needs (a global sysctl on 6.1 and 6.12, not
# per namespace: set in this throw-away guest and restored), sk_rmem_schedule()
# fails while sk_rmem_alloc is still below sk_rcvbuf: tcp_prune_queue()
# runs (PruneCalled) but returns at once, and netbuf's prune hook, which
# opens an episode only above sk_rcvbuf, does not see it begin. Those
# episodes must land in the unknown row's prune_unseen column, and only
# there: counted episodes (prune_calls) plus prune_unseen = PruneCalled,
# counted outcomes still add up, device rows have no prune_unseen (the
# workload: iperf3 over loopback). Then, with tcp_mem restored, rcvpress's
# prune workload prunes above sk_rcvbuf: every episode counted, none
# unseen. netbuf advise warns (topic pressure) on the first, not on the
# second.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

NS=nbmp
ktap_header
ktap_plan 12
fail() { ktap_not_ok "$*"; exit 1; }
nb_require_module
[ -x "$NB_RCVPRESS" ] || fail "no $NB_RCVPRESS (make -C selftests/workload)"
[ -x "$NB_TOOL" ] || fail "no $NB_TOOL (make -C tools)"
# advise -j's pressure findings, "LEVEL TEXT" lines; a failure of advise
# (exit other than 0 or 3) or bad JSON prints a line too
pressure() {
	local out rc
	out=$(ip netns exec $NS "$NB_TOOL" advise -j)
	rc=$?
	if [ $rc != 0 ] && [ $rc != 3 ]; then
		echo "advise failed: exit $rc"
		return
	fi
	python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["format"] == "netbuf-advise/2", d["format"]
for f in d["findings"]:
    if f["topic"] == "pressure":
        print(f["level"], f["text"])' <<<"$out" || echo "advise -j: bad output"
}
mem0=$(sysctl -n net.ipv4.tcp_mem)
cleanup() {
	sysctl -qw net.ipv4.tcp_mem="$mem0"
	nb_del_netns $NS
}
trap cleanup EXIT
nb_reload
nb_del_netns $NS
ip netns add $NS
ip -n $NS link set lo up
nb_ns_noipv6 $NS
t() { nb_col $NS rcvbuf total "$1"; }
u() { nb_col $NS rcvbuf unknown "$1"; }

p0=$(tcpext $NS PruneCalled)
# pages: min, pressure, max; the workload's sockets want hundreds
sysctl -qw net.ipv4.tcp_mem="8 16 32"
nb_iperf $NS $NS 127.0.0.1 5601 -t 2
rc=$?
sysctl -qw net.ipv4.tcp_mem="$mem0"
sleep 0.2
p1=$(tcpext $NS PruneCalled)
ip netns exec $NS cat $NB_PROC/rcvbuf | sed 's/^/# /'
unseen=$(u prune_unseen) counted=$(t prune_calls)
ktap_info "PruneCalled $((p1 - p0)): counted $counted, prune_unseen $unseen (unknown row)"
ktap_eq "iperf3 under pressure exited 0" "$rc" 0
ktap_check "memory pressure made unseen prunes (prune_unseen $unseen > 0)" test "$unseen" -gt 0
ktap_eq "prune_calls + prune_unseen = PruneCalled" $((counted + unseen)) $((p1 - p0))
ktap_eq "total prune_unseen = the unknown row's" "$(t prune_unseen)" "$unseen"
ktap_eq "no device row has prune_unseen" \
	"$(ip netns exec $NS cat $NB_PROC/rcvbuf | awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "prune_unseen") c = i; next }
		$1 != "unknown" && $1 != "total" && $c != 0' | wc -l)" 0
ktap_eq "counted outcomes add up to counted episodes" \
	$(($(t prune_noop) + $(t prune_collapse) + $(t prune_ofo) + $(t prune_drop))) "$counted"
adv=$(pressure)
ktap_info "advise: $adv"
ktap_check "advise warns of memory pressure with the count ($unseen)" \
	grep -q "^warn $unseen prune episodes ran under socket memory pressure" <<<"$adv"

# tcp_mem back to normal: the same workload leaves prune_unseen alone.
ip netns exec $NS bash -c "echo 1 > $NB_PROC/reset"
p0=$(tcpext $NS PruneCalled)
ip netns exec $NS "$NB_RCVPRESS" -m prune -d 2 | sed 's/^/# /'
sleep 0.2
p1=$(tcpext $NS PruneCalled)
ktap_check "without pressure: workload pruned (PruneCalled $((p1 - p0)))" test $((p1 - p0)) -gt 0
ktap_eq "without pressure: prune_calls = PruneCalled" "$(t prune_calls)" $((p1 - p0))
ktap_eq "without pressure: prune_unseen 0" "$(t prune_unseen)" 0
ktap_eq "without pressure: advise has no pressure finding" "$(pressure)" ""
ktap_check "kernel log clean" nb_dmesg_clean
ktap_finished
