#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Prune episodes and collapse calls whose task is preempted or migrates
# (issue 14). The receivers of rcvpress's prune and collapse workloads run
# in namespace B pinned to CPU 0 with two busy loops (two processes that
# never sleep), so the scheduler switches them out often, also while they
# hold their socket and run its backlog's prunes in task context; then the
# same again, free to migrate between CPUs. Checked against TcpExt of B:
# coll_skbs, prune_calls and prune_drop exact; outcomes add up; the
# histograms hold exactly the calls and episodes not preempted
# (coll_preempted, prune_preempted hold the rest). With a preemptible
# kernel (version: preempt full or rt) preemption inside them must have been
# seen (up to three rounds), else the test proved nothing; with
# voluntary or none preemption, nothing in them can switch: both columns 0.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbpra B=nbprb
ktap_header
ktap_plan 11
# fail: an environment problem is a failure here, not a skip
fail() { ktap_not_ok "$*"; exit 1; }
nb_require_module
nb_need 11 "$NB_RCVPRESS" taskset
[ "$(nproc)" -ge 2 ] || fail "needs 2 CPUs, has $(nproc)"
hogs=
cleanup() {
	[ -z "$hogs" ] || kill $hogs 2>/dev/null
	nb_del_netns $A $B
}
trap cleanup EXIT
nb_reload
nb_del_netns $A $B
nb_veth_pair $A $B
model=$(awk '$1 == "preempt" { print $2 }' $NB_PROC/version)
ktap_info "preemption model: $model"

declare -A k0 k1
CTRS="TCPRcvCollapsed PruneCalled RcvPruned"
for c in $CTRS; do k0[$c]=$(tcpext $B "$c"); done
port=5480
# run MODE CPUS: receiver in B on CPUS, sender in A.
run() {
	local mode=$1 cpus=$2 rx
	port=$((port + 1))
	taskset -c "$cpus" ip netns exec $B "$NB_RCVPRESS" --mode "$mode" \
		-l "10.77.0.2:$port" -d 3 --wait 60 >/tmp/nb-prx.out 2>&1 &
	rx=$!
	nb_wait_listen $B $port || echo "receiver of $mode on CPUs $cpus never listened" >>"$NB_RCVPRESS_FAILS"
	nb_rcvpress $A --mode "$mode" -C "10.77.0.2:$port" -d 3 --wait 60 2>&1 | sed 's/^/# tx: /'
	wait $rx || echo "receiver of $mode on CPUs $cpus exited $?" >>"$NB_RCVPRESS_FAILS"
	sed 's/^/# rx: /' /tmp/nb-prx.out
}
t() { nb_col $B rcvbuf total "$1"; }
for round in 1 2 3; do
	for i in 1 2; do
		taskset -c 0 sh -c 'while :; do :; done' &
		hogs+=" $!"
	done
	run prune 0
	run collapse 0
	kill $hogs 2>/dev/null
	wait $hogs 2>/dev/null
	hogs=
	run prune 0,1
	run collapse 0,1
	pre=$(($(t coll_preempted) + $(t prune_preempted)))
	ktap_info "round $round: coll_preempted $(t coll_preempted) prune_preempted $(t prune_preempted)"
	case $model in full | rt) [ "$pre" -gt 0 ] && break ;; *) break ;; esac
done
sleep 0.2
for c in $CTRS; do k1[$c]=$(tcpext $B "$c"); done
d() { echo $((k1[$1] - k0[$1])); }
ip netns exec $B cat $NB_PROC/rcvbuf | sed 's/^/# B: /'
ip netns exec $B cat $NB_PROC/histograms | grep -E '^(b0|total) ' | cut -c1-80 | sed 's/^/# B: /'
ktap_info "netbuf vs TcpExt ($B): coll_skbs $(t coll_skbs)/$(d TCPRcvCollapsed)" \
	"prune_calls $(t prune_calls)/$(d PruneCalled) prune_drop $(t prune_drop)/$(d RcvPruned)"

ktap_check "workload collapsed and pruned with drops" \
	test "$(d TCPRcvCollapsed)" -gt 0 -a "$(d PruneCalled)" -gt 0 -a "$(d RcvPruned)" -gt 0
ktap_eq "coll_skbs = TCPRcvCollapsed" "$(t coll_skbs)" "$(d TCPRcvCollapsed)"
ktap_eq "prune_calls = PruneCalled" "$(t prune_calls)" "$(d PruneCalled)"
ktap_eq "prune_drop = RcvPruned" "$(t prune_drop)" "$(d RcvPruned)"
ktap_eq "outcomes add up to episodes" \
	$(($(t prune_noop) + $(t prune_collapse) + $(t prune_ofo) + $(t prune_drop))) "$(t prune_calls)"
ktap_eq "everything on b0 (collapse calls)" "$(nb_col $B rcvbuf b0 coll_calls)" "$(t coll_calls)"
ktap_eq "everything on b0 (prune episodes)" "$(nb_col $B rcvbuf b0 prune_calls)" "$(t prune_calls)"
ktap_eq "internal consistency: collapse histogram samples + coll_preempted = coll_calls" \
	$(($(nb_hist_field $B b0 collapse samples) + $(t coll_preempted))) "$(t coll_calls)"
ktap_eq "internal consistency: prune histogram samples + prune_preempted = prune_calls" \
	$(($(nb_hist_field $B b0 prune samples) + $(t prune_preempted))) "$(t prune_calls)"
case $model in
full | rt)
	ktap_check "preempted inside collapse calls or prune episodes (preempt $model)" \
		test "$pre" -gt 0
	ktap_check "and episodes not preempted are timed (prune histogram samples > 0)" \
		test "$(nb_hist_field $B b0 prune samples)" -gt 0
	;;
*)
	ktap_eq "preempt $model: no collapse call preempted" "$(t coll_preempted)" 0
	ktap_eq "preempt $model: no prune episode preempted" "$(t prune_preempted)" 0
	;;
esac
ktap_finished
