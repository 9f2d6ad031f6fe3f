#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Attribution over stacked devices (issue 14 item 7). rcvbuf charges an
# episode to skb->skb_iif of the segment that triggered it (else the
# socket's sk_rx_dst_ifindex, itself copied from skb_iif); the napi table
# charges a poll to napi->dev.
#
# Case 1, a VLAN over the veth pair: a0.100 (nsA) <-> b0.100 (nsB), both
# over a0 <-> b0. vlan_do_receive (net/8021q/vlan_core.c) sets skb->dev to
# b0.100 and __netif_receive_skb_core goes round again (another_round),
# which sets skb_iif = b0.100's ifindex: every rcvbuf count of the
# receiving namespace lands on b0.100, none on b0. With GRO on at b0 and
# TSO/GSO off at the sender, b0's own NAPI takes the frames off the veth
# ring: polls land on b0 (napi->dev), none on b0.100, which has no NAPI.
#
# Case 2, a macvlan: mv0 over b0, moved to a third namespace nsC (the
# container set-up). macvlan_handle_frame (drivers/net/macvlan.c) sets
# skb->dev to mv0 and returns RX_HANDLER_ANOTHER: skb_iif = mv0, in nsC's
# table; b0's rows in nsB get no rcvbuf count, its NAPI row the polls.
#
# Oracles: TcpExt deltas of the receiving namespace (TCPRcvCollapsed,
# PruneCalled, RcvPruned) and rx_packets of b0. Strict: a missing tool or
# kernel feature (vlan, macvlan, ethtool) fails every case left.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbqa B=nbqb C=nbqc
PLAN=25
ktap_header
ktap_plan $PLAN

# fail_rest REASON: the cases left cannot run; each fails with REASON.
fail_rest() {
	while [ "$KTAP_N" -lt "$PLAN" ]; do ktap_not_ok "not run: $*"; done
	ktap_finished
}

[ "$(id -u)" = 0 ] || fail_rest "needs root"
[ -f "$NB_KO" ] || fail_rest "no module at $NB_KO (make vmbuild)"
[ -x "$NB_RCVPRESS" ] || fail_rest "no $NB_RCVPRESS (make -C selftests/workload)"
command -v ethtool >/dev/null || fail_rest "no ethtool"
trap 'nb_del_netns $A $B $C' EXIT
nb_load || fail_rest "insmod failed"
nb_del_netns $A $B $C
nb_veth_pair $A $B
ip netns add $C
ip -n $C link set lo up
nb_ns_noipv6 $A $B $C
modprobe 8021q 2>/dev/null
modprobe macvlan 2>/dev/null
ip -n $A link add link a0 name a0.100 type vlan id 100 &&
	ip -n $B link add link b0 name b0.100 type vlan id 100 ||
	fail_rest "cannot make VLAN devices (8021q)"
ip -n $A addr add 10.78.100.1/24 dev a0.100
ip -n $B addr add 10.78.100.2/24 dev b0.100
ip -n $A link set a0.100 up
ip -n $B link set b0.100 up
ethtool_k() { ip netns exec "$1" ethtool -K "$2" "${@:3}"; }
# Every skb a0 sends is eligible for b0's GRO (veth_xmit) only with TSO off
# at a0; the VLAN device's own offloads off too, so nothing depends on
# which of the two segments.
ethtool_k $A a0 tso off gso off && ethtool_k $A a0.100 tso off gso off ||
	fail_rest "cannot turn TSO/GSO off at the sender"
ethtool_k $B b0 gro on || fail_rest "cannot turn GRO on at b0"

CTRS="TCPRcvCollapsed PruneCalled RcvPruned"
declare -A k0 k1 s0 s1
port=5700
# run NS ADDR MODE: rcvpress receiver in NS, sender in A.
run() {
	local ns=$1 addr=$2 mode=$3 rx
	port=$((port + 1))
	nb_rcvpress "$ns" --mode "$mode" -l "$addr:$port" -d 3 >/tmp/nb-rx.out 2>&1 &
	rx=$!
	nb_rcvpress $A --mode "$mode" -C "$addr:$port" -d 3 2>&1 | sed 's/^/# tx: /'
	wait $rx
	sed 's/^/# rx: /' /tmp/nb-rx.out
}
# snap 0|1 NS: TcpExt of NS, b0's NAPI row and rx_packets, into k0/s0 or k1/s1.
snap() {
	local c p q
	for c in $CTRS; do
		if [ "$1" = 0 ]; then k0[$c]=$(tcpext "$2" $c); else k1[$c]=$(tcpext "$2" $c); fi
	done
	read -r p q <<<"$(nb_cols $B napi b0 polls packets)"
	if [ "$1" = 0 ]; then
		s0[polls]=$p s0[napi]=$q s0[rxb]=$(nb_sysfs_stat $B b0 rx_packets)
	else
		s1[polls]=$p s1[napi]=$q s1[rxb]=$(nb_sysfs_stat $B b0 rx_packets)
	fi
}
d() { echo $((k1[$1] - k0[$1])); }
ds() { echo $((s1[$1] - s0[$1])); }
# rc NS ROW COLUMN: a column of NS's rcvbuf table.
rc() { nb_col "$1" rcvbuf "$2" "$3"; }

ktap_info "case 1: VLAN b0.100 over veth b0 (ifindex b0 $(nb_col $B rcvbuf b0 ifindex)," \
	"b0.100 $(nb_col $B rcvbuf b0.100 ifindex))"
nb_reset() { ip netns exec "$1" sh -c "echo 1 > $NB_PROC/reset"; }
sleep 0.3
snap 0 $B
run $B 10.78.100.2 collapse
run $B 10.78.100.2 prune
sleep 0.5
snap 1 $B
vl1=$(nb_col $B napi b0.100 polls)/$(nb_col $B napi b0.100 packets)
ip netns exec $B cat $NB_PROC/rcvbuf | sed 's/^/# B: /'
ip netns exec $B cat $NB_PROC/napi | sed 's/^/# B: /'
ktap_info "netbuf b0.100 vs TcpExt($B): coll_skbs $(rc $B b0.100 coll_skbs)/$(d TCPRcvCollapsed)" \
	"prune_calls $(rc $B b0.100 prune_calls)/$(d PruneCalled)" \
	"prune_drop $(rc $B b0.100 prune_drop)/$(d RcvPruned);" \
	"NAPI b0 polls $(ds polls) packets $(ds napi), rx_packets(b0) $(ds rxb)"
ktap_check "workload collapsed ($(d TCPRcvCollapsed) skbs)" test "$(d TCPRcvCollapsed)" -gt 0
ktap_check "workload pruned ($(d PruneCalled) calls)" test "$(d PruneCalled)" -gt 0
ktap_eq "b0.100: coll_skbs = TCPRcvCollapsed" "$(rc $B b0.100 coll_skbs)" "$(d TCPRcvCollapsed)"
ktap_eq "b0.100: prune_calls = PruneCalled" "$(rc $B b0.100 prune_calls)" "$(d PruneCalled)"
ktap_eq "b0.100: prune_drop = RcvPruned" "$(rc $B b0.100 prune_drop)" "$(d RcvPruned)"
ktap_eq "total = b0.100 (coll_calls prune_calls ofo_calls)" \
	"$(nb_cols $B rcvbuf total coll_calls prune_calls ofo_calls)" \
	"$(nb_cols $B rcvbuf b0.100 coll_calls prune_calls ofo_calls)"
ktap_eq "underlying veth b0: no rcvbuf count (coll_calls prune_calls ofo_calls)" \
	"$(nb_cols $B rcvbuf b0 coll_calls prune_calls ofo_calls)" "0 0 0"
ktap_eq "unknown row: nothing, nothing unseen (coll_calls prune_calls prune_unseen)" \
	"$(nb_cols $B rcvbuf unknown coll_calls prune_calls prune_unseen)" "0 0 0"
ktap_check "b0's NAPI polled ($(ds polls) polls)" test "$(ds polls)" -gt 0
ktap_eq "NAPI packets(b0) = rx_packets delta(b0)" "$(ds napi)" "$(ds rxb)"
ktap_eq "no NAPI poll charged to b0.100 (polls/packets)" "$vl1" 0/0
ktap_eq "nothing in sender namespace $A" "$(nb_cols $A rcvbuf total coll_calls prune_calls)" "0 0"

ktap_info "case 2: macvlan mv0 over b0, in namespace $C"
if ip -n $B link add link b0 name mv0 type macvlan mode bridge &&
	ip -n $B link set mv0 netns $C; then
	ip -n $C addr add 10.77.0.3/24 dev mv0
	ip -n $C link set mv0 up
	mv=1
else
	mv=0
fi
if [ $mv = 1 ]; then
	nb_reset $B
	sleep 0.3
	snap 0 $C
	run $C 10.77.0.3 collapse
	run $C 10.77.0.3 prune
	sleep 0.5
	snap 1 $C
	mvn=$(nb_col $C napi mv0 polls)/$(nb_col $C napi mv0 packets)
	ip netns exec $C cat $NB_PROC/rcvbuf | sed 's/^/# C: /'
	ip netns exec $B cat $NB_PROC/rcvbuf | sed 's/^/# B: /'
	ktap_info "netbuf mv0 vs TcpExt($C): coll_skbs $(rc $C mv0 coll_skbs)/$(d TCPRcvCollapsed)" \
		"prune_calls $(rc $C mv0 prune_calls)/$(d PruneCalled)" \
		"prune_drop $(rc $C mv0 prune_drop)/$(d RcvPruned);" \
		"NAPI b0 polls $(ds polls) packets $(ds napi), rx_packets(b0) $(ds rxb)"
	ktap_check "workload collapsed in $C ($(d TCPRcvCollapsed) skbs)" test "$(d TCPRcvCollapsed)" -gt 0
	ktap_check "workload pruned in $C ($(d PruneCalled) calls)" test "$(d PruneCalled)" -gt 0
	ktap_eq "mv0: coll_skbs = TCPRcvCollapsed($C)" "$(rc $C mv0 coll_skbs)" "$(d TCPRcvCollapsed)"
	ktap_eq "mv0: prune_calls = PruneCalled($C)" "$(rc $C mv0 prune_calls)" "$(d PruneCalled)"
	ktap_eq "mv0: prune_drop = RcvPruned($C)" "$(rc $C mv0 prune_drop)" "$(d RcvPruned)"
	ktap_eq "$C: unknown row: nothing, nothing unseen (coll_calls prune_calls prune_unseen)" \
		"$(nb_cols $C rcvbuf unknown coll_calls prune_calls prune_unseen)" "0 0 0"
	ktap_eq "lower device's namespace $B: no rcvbuf count since reset (coll_calls prune_calls ofo_calls)" \
		"$(nb_cols $B rcvbuf total coll_calls prune_calls ofo_calls)" "0 0 0"
	ktap_check "b0's NAPI polled ($(ds polls) polls)" test "$(ds polls)" -gt 0
	ktap_eq "NAPI packets(b0) = rx_packets delta(b0)" "$(ds napi)" "$(ds rxb)"
	ktap_eq "no NAPI poll charged to mv0 (polls/packets)" "$mvn" 0/0
else
	ktap_info "cannot make a macvlan over b0 (macvlan module?)"
fi
ktap_eq "the test's own namespaces' rows only: $A cannot see b0.100" \
	"$(nb_has_row $A rcvbuf b0.100 && echo present || echo absent)" absent
ktap_eq "workloads and device set-up ran (macvlan made)" "$mv" 1
[ $mv = 1 ] || fail_rest "no macvlan"
ktap_check "kernel log clean" nb_dmesg_clean
ktap_finished
