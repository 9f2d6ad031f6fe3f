#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# True parallel vCPUs (issue 13): run by make check in a guest under
# multi-threaded TCG (NETBUF_VM_ACCEL=tcg: one host thread per vCPU), where
# netbuf's handlers, readers and namespace teardown really run at the same
# time on two CPUs. Multi-threaded TCG oopses on kernel text patching even
# without netbuf (selftests/vm/README.md), so nothing here patches text
# while traffic flows: netbuf is loaded once before any traffic, never
# unloaded or re-timed during the run. For NB_MTTCG_SECS (default 45) s:
# iperf3 over loopback and over a veth pair (GRO on at the receiver, so its
# NAPI runs), rcvpress collapse runs in namespace X (never reset: exact vs
# its TcpExt), collapse runs and resets in namespace R, veth and namespace
# churn, and four readers over every file. Then: the readers and loops saw
# no error, X's counts equal X's TcpExt deltas, b0's NAPI packets equal its
# rx_packets delta, and the kernel log is clean.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbma B=nbmb X=nbmx R=nbmr
SECS=${NB_MTTCG_SECS:-45}
ktap_header
nb_require_module
cleanup() {
	nb_readers_stop
	nb_traffic_stop
	nb_del_netns $A $B $X $R nbmc
	rm -rf "$NB_RUNDIR"
}
trap cleanup EXIT
nb_del_netns $A $B $X $R nbmc
# Loaded before any traffic; nothing below loads, unloads or re-times it.
nb_load
nb_veth_pair $A $B
nb_ns_noipv6 $A $B	# no autoconf packets into b0 between two reads
ip netns exec $A ethtool -K a0 tso off gso off
ip netns exec $B ethtool -K b0 gro on
for ns in $X $R; do
	ip netns add $ns
	ip -n $ns link set lo up
done
ktap_plan 10

ncpu=$(grep -c '^processor' /proc/cpuinfo)
ktap_info "vCPUs: $ncpu; accel: multi-threaded TCG (one host thread per vCPU)"
k0_coll=$(tcpext $X TCPRcvCollapsed) k0_prune=$(tcpext $X PruneCalled)
# b0's NAPI packets and rx_packets, read until a packet cannot have come
# in between (ARP still can).
b0_pair() { nb_stable "nb_sysfs_stat $B b0 rx_packets" "nb_col $B napi b0 packets"; }
read -r rx0 napi0 < <(b0_pair)

nb_traffic_start $A $B
NB_LOOP_PAUSE=0.5 nb_loop_start collapse-x nb_rcvpress $X --mode collapse -d 1.5 -c 2
# resets in R between its own collapse runs
reset_r() {
	nb_rcvpress $R --mode collapse -d 1 >/dev/null || return 1
	ip netns exec $R sh -c "echo 1 >$NB_PROC/reset"
}
NB_LOOP_PAUSE=0.2 nb_loop_start reset-r reset_r
# veth and namespace churn
churn() {
	printf '%s\n' "link add mc0 type veth peer name mc1" "link set mc0 up" "link del mc0" \
		"netns add nbmc" "netns del nbmc" | ip -b -
}
NB_LOOP_PAUSE=0.1 nb_loop_start churn churn
nb_readers_start
nb_readers_wait || ktap_info "not every reader had started after 120 s"
sleep "$SECS"
nb_readers_stop
nb_traffic_stop
sleep 1

for l in iperf3-lo iperf3-veth collapse collapse-x reset-r churn; do nb_loop_report $l; done
ktap_check "netbuf loaded throughout" nb_loaded
ktap_check "readers saw no error and no bad line, and read" nb_readers_report
for l in iperf3-veth collapse-x reset-r churn; do
	ktap_check "$l: $(nb_loop_runs $l) runs, none failed" \
		test "$(nb_loop_runs $l)" -gt 0 -a "$(nb_loop_fails $l)" = 0
done
coll=$(($(tcpext $X TCPRcvCollapsed) - k0_coll)) prune=$(($(tcpext $X PruneCalled) - k0_prune))
ktap_info "X: TCPRcvCollapsed +$coll, PruneCalled +$prune"
ktap_eq "X: coll_skbs = TcpExt TCPRcvCollapsed delta" "$(nb_col $X rcvbuf total coll_skbs)" "$coll"
ktap_eq "X: prune_calls = TcpExt PruneCalled delta" "$(nb_col $X rcvbuf total prune_calls)" "$prune"
read -r rx1 napi1 < <(b0_pair)
ktap_eq "b0: NAPI packets = rx_packets delta (GRO on, sender TSO off)" $((napi1 - napi0)) $((rx1 - rx0))
ktap_check "kernel log clean" nb_dmesg_clean
ktap_finished
