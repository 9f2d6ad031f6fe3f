#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/netns-cost.sh [KO [rtnl|netns]]: what netbuf's tables cost the rest of the
# kernel, in a guest (issue 15 items 6 and 8). Run it with
#   selftests/vm/run -k KVER -t 900 -- bench/netns-cost.sh
# (KO defaults to the runner's $NETBUF_KO; give another build's netbuf.ko
# to compare). Prints "figure NAME VALUE" lines:
#  - rtnl_R_readers_ms: 1000 veth add/del cycles (one `ip -batch`, every
#    add and del under RTNL, each running netbuf's netdevice notifier)
#    with R processes looping `cat /proc/netbuf/rcvbuf /proc/netbuf/napi`
#    meanwhile (R = 0 and 4), with NB_BENCH_DUMMIES (default 500) dummy
#    devices in the namespace so that every read renders that many rows;
#  - netns_exit_ms: 1000 namespaces with 2 interfaces each (lo and a
#    dummy) deleted at once (one ip -batch of netns del), until netbuf holds the
#    rows it held before (memory's rows, polled every 10 ms).
# Single-threaded TCG: the readers take CPU from the add/del loop whatever
# locks they take, so compare the same R across two modules.
set -u
KO=${1:-${NETBUF_KO:?no module given}}
WHAT=${2:-all}
CYCLES=${NB_BENCH_CYCLES:-1000}
NETNS=${NB_BENCH_NETNS:-1000}
DUMMIES=${NB_BENCH_DUMMIES:-500}
P=/proc/netbuf
now_ms() { echo $(($(date +%s%N) / 1000000)); }
mem() { awk -v k="$1" '$1 == k { print $2 }' $P/memory; }

insmod "$KO" || exit 1
modprobe veth || exit 1
modprobe dummy || exit 1
for i in $(seq "$DUMMIES"); do echo "link add bd$i type dummy"; done | ip -batch - || exit 1
echo "rows $(mem rows) after $DUMMIES dummies"

batch=$(mktemp)
for i in $(seq "$CYCLES"); do
	echo "link add bv0 type veth peer name bv1"
	echo "link del bv0"
done >"$batch"

for r in 0 4; do
	[ "$WHAT" = netns ] && break
	pids=()
	for i in $(seq "$r"); do
		(while :; do cat $P/rcvbuf $P/napi >/dev/null; done) &
		pids+=($!)
	done
	sleep 1
	t0=$(now_ms)
	ip -batch "$batch" || exit 1
	t1=$(now_ms)
	[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" && wait "${pids[@]}" 2>/dev/null
	echo "figure rtnl_${r}_readers_ms $((t1 - t0))"
done

for i in $(seq "$DUMMIES"); do echo "link del bd$i"; done | ip -batch - || exit 1
[ "$WHAT" = rtnl ] && exit 0
rows0=$(mem rows)
for i in $(seq "$NETNS"); do
	ip netns add bn$i || exit 1
	ip -n bn$i link add d0 type dummy || exit 1
done
echo "rows $(mem rows) with $NETNS namespaces (before: $rows0)"
for i in $(seq "$NETNS"); do echo "netns del bn$i"; done >"$batch"
t0=$(now_ms)
ip -batch "$batch" || exit 1
t1=$(now_ms)
while [ "$(mem rows)" != "$rows0" ]; do sleep 0.01; done
t2=$(now_ms)
echo "figure netns_del_cmds_ms $((t1 - t0))"
echo "figure netns_exit_ms $((t2 - t0))"
rmmod netbuf
