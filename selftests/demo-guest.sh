#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The guest half of `make demo`: load netbuf, drive collapse, prune and NAPI
# traffic, print what the tool shows.
set -u
cd "$(dirname "$0")/.."
. selftests/lib/netbuf.sh
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Loading netbuf.ko into $(uname -r)"
insmod "$NB_KO" && cat $NB_PROC/version
cat $NB_PROC/probes

say "Receive-buffer pressure: a receiver that shrinks SO_RCVBUF and reads slowly (2 s each, loopback)"
selftests/workload/rcvpress --mode collapse -d 2 | tr ' ' '\n' | grep -E '^(mode|TCPRcvCollapsed|PruneCalled)=' | paste -sd' '
selftests/workload/rcvpress --mode prune -d 2 | tr ' ' '\n' | grep -E '^(mode|PruneCalled|RcvPruned)=' | paste -sd' '

say "NAPI: iperf3 over a veth pair with GRO on (3 s)"
nb_veth_pair nbdemoa nbdemob
ip netns exec nbdemob ethtool -K b0 gro on >/dev/null
ip netns exec nbdemoa ethtool -K a0 tso off gso off >/dev/null
ip netns exec nbdemob iperf3 -s -1 -D >/dev/null
sleep 0.5
ip netns exec nbdemoa iperf3 -c 10.77.0.2 -t 3 | grep -E 'receiver'

say "netbuf show (this namespace)"
tools/netbuf show
say "netbuf show in the receiver's namespace (per interface)"
ip netns exec nbdemob tools/netbuf show
say "netbuf hist collapse"
tools/netbuf hist collapse
say "netbuf advise"
tools/netbuf advise
nb_del_netns nbdemoa nbdemob
rmmod netbuf
