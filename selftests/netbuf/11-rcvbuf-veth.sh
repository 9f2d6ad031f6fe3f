#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Attribution and out-of-order pruning over a veth pair between two
# namespaces: the receiver's veth row gets everything, exactly the TcpExt
# deltas of its namespace; lo and the sender's rows stay still. The sender
# side runs netem reordering so that the out-of-order queue fills and is
# pruned (OfoPruned) and data is dropped (RcvPruned).
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbva B=nbvb
ktap_header
nb_require_module
[ -x "$NB_RCVPRESS" ] || ktap_skip_all "no $NB_RCVPRESS (make -C selftests/workload)"
modprobe sch_netem 2>/dev/null
trap 'nb_del_netns $A $B' EXIT
nb_load
nb_del_netns $A $B
nb_veth_pair $A $B
ktap_plan 16

# Every hook's nmissed, "hook=N ...": a miss (a handler entered while
# another ran on the CPU) is the one way an event escapes netbuf.
missed() { awk 'NR > 1 && $6 != "-" { printf "%s=%s ", $1, $6 }' $NB_PROC/probes; }
m0=$(missed)
declare -A k0 k1
CTRS="TCPRcvCollapsed PruneCalled RcvPruned OfoPruned"
for c in $CTRS; do k0[$c]=$(tcpext $B "$c"); done
port=5400
# run MODE ADDR ARGS...: receiver in B, sender in A.
run() {
	local mode=$1 addr=$2; shift 2
	port=$((port + 1))
	nb_rcvpress $B --mode "$mode" -l "$addr:$port" "$@" >/tmp/nb-rx.out 2>&1 &
	local rx=$!
	nb_rcvpress $A --mode "$mode" -C "$addr:$port" "$@" 2>&1 | sed 's/^/# tx: /'
	wait $rx
	sed 's/^/# rx: /' /tmp/nb-rx.out
}
run collapse 10.77.0.2 -d 3
run prune 10.77.0.2 -d 3
if tc -n $A qdisc add dev a0 root netem delay 5ms reorder 50% 50% 2>/dev/null; then
	run ofo 10.77.0.2 -d 3
	run ofo '[fd77::2]' -d 2
	tc -n $A qdisc del dev a0 root
	netem=1
else
	netem=0
fi
sleep 0.2
for c in $CTRS; do k1[$c]=$(tcpext $B "$c"); done
d() { echo $((k1[$1] - k0[$1])); }
t() { nb_col $B rcvbuf total "$1"; }
v() { nb_col $B rcvbuf b0 "$1"; }

ip netns exec $B cat $NB_PROC/rcvbuf | sed 's/^/# B: /'
ktap_info "nmissed before: $m0"
ktap_info "nmissed after:  $(missed)"
ip netns exec $A cat $NB_PROC/rcvbuf | sed 's/^/# A: /'
ktap_info "netbuf vs TcpExt ($B): coll_skbs $(t coll_skbs)/$(d TCPRcvCollapsed)" \
	"prune_calls $(t prune_calls)/$(d PruneCalled) prune_drop $(t prune_drop)/$(d RcvPruned)" \
	"ofo_calls $(t ofo_calls)/$(d OfoPruned) ofo_segs $(t ofo_segs)"

ktap_check "workload collapsed" test "$(d TCPRcvCollapsed)" -gt 0
if [ $netem = 1 ]; then
	ktap_check "workload pruned out-of-order data (OfoPruned > 0)" test "$(d OfoPruned)" -gt 0
else
	ktap_skip "no netem here: no out-of-order workload"
fi
ktap_eq "coll_skbs = TCPRcvCollapsed" "$(t coll_skbs)" "$(d TCPRcvCollapsed)"
ktap_eq "prune_calls = PruneCalled" "$(t prune_calls)" "$(d PruneCalled)"
ktap_eq "no prune episode unseen (prune_unseen)" "$(t prune_unseen)" 0
ktap_eq "prune_drop = RcvPruned" "$(t prune_drop)" "$(d RcvPruned)"
ktap_eq "ofo_calls = OfoPruned" "$(t ofo_calls)" "$(d OfoPruned)"
ktap_check "ofo_segs >= ofo_calls" test "$(t ofo_segs)" -ge "$(t ofo_calls)"
ktap_eq "outcomes add up to episodes" \
	$(($(v prune_noop) + $(v prune_collapse) + $(v prune_ofo) + $(v prune_drop))) "$(v prune_calls)"
ktap_eq "collapses on b0" "$(v coll_calls)" "$(t coll_calls)"
ktap_eq "prunes on b0" "$(v prune_calls)" "$(t prune_calls)"
ktap_eq "out-of-order prunes on b0" "$(v ofo_calls)" "$(t ofo_calls)"
ktap_eq "nothing on $B's lo" "$(nb_col $B rcvbuf lo coll_calls)/$(nb_col $B rcvbuf lo prune_calls)" 0/0
ktap_eq "nothing in sender namespace $A" "$(nb_col $A rcvbuf total coll_calls)/$(nb_col $A rcvbuf total prune_calls)" 0/0
ktap_eq "$A cannot see $B's rows" "$(nb_has_row $A rcvbuf b0 && echo present || echo absent)" absent
ktap_eq "internal consistency: prune histogram samples + prune_preempted = episodes (b0)" \
	$(($(nb_hist_field $B b0 prune samples) + $(v prune_preempted))) "$(v prune_calls)"
ktap_finished
