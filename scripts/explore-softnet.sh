#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Exploration, not a test (issue 19): backlog drops against
# net.core.netdev_max_backlog and time_squeeze against net.core.netdev_budget,
# one TCP flow (iperf3, T seconds, default 4) over a veth pair nbsa/a0 ->
# nbsb/b0 with TSO and GSO off at a0. First GRO off at b0 (every packet
# through the per-CPU backlog) for each value of BACKLOGS, then GRO on (b0's
# NAPI, weight 64) for each value of BUDGETS. Prints per setting the
# kernel's softnet deltas (processed, dropped, time_squeeze) and the iperf3
# receiver rate. In a guest:
#   selftests/vm/run -k KVER -t 1200 -- scripts/explore-softnet.sh
# The README's figures on doubling netdev_max_backlog (Tune and prove it,
# the rules) came from this script on 2026-12-02.
. selftests/lib/ktap.sh
. selftests/lib/netbuf.sh
nb_reload
A=nbsa B=nbsb
trap 'nb_del_netns $A $B; sysctl -qw net.core.netdev_max_backlog=1000 net.core.netdev_budget=300' EXIT
sn() {
	local p=0 d=0 s=0 a b c r
	while read -r a b c r; do
		p=$((p + 0x$a)) d=$((d + 0x$b)) s=$((s + 0x$c))
	done </proc/net/softnet_stat
	echo "$p $d $s"
}
run() {	# LABEL
	local p0 d0 s0 p1 d1 s1
	read -r p0 d0 s0 < <(sn)
	ip netns exec $B iperf3 -s -1 -p 5700 >/dev/null 2>&1 &
	nb_wait_listen $B 5700
	ip netns exec $A iperf3 -c 10.77.0.2 -p 5700 -t "${T:-4}" >/tmp/explore.$$ 2>&1
	wait
	read -r p1 d1 s1 < <(sn)
	echo "== $1: processed $((p1 - p0)) dropped $((d1 - d0)) squeeze $((s1 - s0))" \
		"$(awk '/receiver/ { print $7, $8 }' /tmp/explore.$$)"
}
nb_del_netns $A $B
nb_veth_pair $A $B
nb_ns_noipv6 $A $B
ip netns exec $A ethtool -K a0 tso off gso off >/dev/null
ip netns exec $B ethtool -K b0 gro off >/dev/null
for q in ${BACKLOGS:-16 32 64 16 128 1000}; do
	sysctl -qw net.core.netdev_max_backlog="$q"
	run "max_backlog $q"
done
sysctl -qw net.core.netdev_max_backlog=1000
ip netns exec $B ethtool -K b0 gro on >/dev/null
for q in ${BUDGETS:-32 64 128 32 300}; do
	sysctl -qw net.core.netdev_budget="$q"
	run "budget $q"
done
