#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Receive-buffer counters against the kernel's own: after collapse and prune
# workloads over loopback in a fresh namespace, netbuf's namespace totals
# equal the TcpExt deltas exactly, everything lands on lo, outcomes add up,
# histograms agree with the counts.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

NS=nbx
ktap_header
nb_require_module
[ -x "$NB_RCVPRESS" ] || ktap_skip_all "no $NB_RCVPRESS (make -C selftests/workload)"
trap 'nb_del_netns $NS' EXIT
nb_load
nb_del_netns $NS
ip netns add $NS
ip -n $NS link set lo up
ktap_plan 17

declare -A k0 k1
CTRS="TCPRcvCollapsed PruneCalled RcvPruned OfoPruned"
for c in $CTRS; do k0[$c]=$(tcpext $NS "$c"); done
host0=$(nb_col "" rcvbuf lo coll_calls)
nb_rcvpress $NS --mode collapse -d 3 | sed 's/^/# /'
nb_rcvpress $NS --mode prune -d 3 | sed 's/^/# /'
nb_rcvpress $NS --mode prune -6 -d 2 | sed 's/^/# /'
sleep 0.2	# lets deferred episode closes run (a tick)
for c in $CTRS; do k1[$c]=$(tcpext $NS "$c"); done
d() { echo $((k1[$1] - k0[$1])); }
t() { nb_col $NS rcvbuf total "$1"; }
l() { nb_col $NS rcvbuf lo "$1"; }

ip netns exec $NS cat $NB_PROC/rcvbuf | sed 's/^/# /'
ktap_info "netbuf vs TcpExt: coll_skbs $(t coll_skbs)/TCPRcvCollapsed $(d TCPRcvCollapsed)" \
	"prune_calls $(t prune_calls)/PruneCalled $(d PruneCalled)" \
	"prune_drop $(t prune_drop)/RcvPruned $(d RcvPruned)" \
	"ofo_calls $(t ofo_calls)/OfoPruned $(d OfoPruned)"

ktap_check "workload collapsed (TCPRcvCollapsed > 0)" test "$(d TCPRcvCollapsed)" -gt 0
ktap_check "workload pruned (PruneCalled > 0)" test "$(d PruneCalled)" -gt 0
ktap_check "workload dropped (RcvPruned > 0)" test "$(d RcvPruned)" -gt 0
ktap_eq "coll_skbs = TCPRcvCollapsed" "$(t coll_skbs)" "$(d TCPRcvCollapsed)"
ktap_eq "prune_calls = PruneCalled" "$(t prune_calls)" "$(d PruneCalled)"
ktap_eq "no prune episode unseen (prune_unseen)" "$(t prune_unseen)" 0
ktap_eq "prune_drop = RcvPruned" "$(t prune_drop)" "$(d RcvPruned)"
ktap_eq "ofo_calls = OfoPruned" "$(t ofo_calls)" "$(d OfoPruned)"
ktap_eq "outcomes add up to episodes" \
	$(($(t prune_noop) + $(t prune_collapse) + $(t prune_ofo) + $(t prune_drop))) "$(t prune_calls)"
ktap_eq "collapses all on lo" "$(l coll_calls)" "$(t coll_calls)"
ktap_eq "prunes all on lo" "$(l prune_calls)" "$(t prune_calls)"
ktap_eq "internal consistency: collapse histogram samples + coll_preempted = calls (lo)" \
	$(($(nb_hist_field $NS lo collapse samples) + $(l coll_preempted))) "$(l coll_calls)"
ktap_eq "internal consistency: prune histogram samples + prune_preempted = episodes (lo)" \
	$(($(nb_hist_field $NS lo prune samples) + $(l prune_preempted))) "$(l prune_calls)"
ktap_eq "internal consistency: collapse histogram sum = coll_ns" "$(nb_hist_field $NS lo collapse sum)" "$(l coll_ns)"
ktap_check "internal consistency: collapse histogram consistent with max" nb_hist_check $NS lo collapse
ktap_check "internal consistency: prune histogram consistent with max" nb_hist_check $NS lo prune
ktap_eq "the initial namespace's lo row did not move" \
	"$(nb_col "" rcvbuf lo coll_calls)" "$host0"
ktap_finished
