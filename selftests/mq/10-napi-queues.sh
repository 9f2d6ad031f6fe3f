#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The per-RX-queue view (napi_queues, napi_queue_hist) on a multiqueue
# device, in a guest with 4 vCPUs: a veth pair with 4 RX and 4 TX queues,
# GRO on at the receiver b0 (so each RX queue runs its own NAPI instance)
# and TSO/GSO off at the sender a0 (so every skb goes through them: see
# 21-napi-veth.sh). veth passes an skb sent on a0's TX queue k to b0's RX
# queue k and schedules that queue's NAPI on the sending CPU; XPS picks the
# TX queue by the sending CPU. So 4 TCP flows, client k pinned to CPU k:
#   balanced   (tx-k xps_cpus = CPU k): 4 instances of b0 poll;
#   one queue  (tx-0 xps_cpus = all):   one instance takes every packet.
# Oracles: b0's rx_packets (the kernel's) and b0's line in napi. The
# instances of b0 sum exactly to its napi line (polls, packets, exhausted,
# empty, poll_ns, untimed), which equals rx_packets; each instance's
# histograms agree with its counters. Then: another namespace sees none of
# them; a cap (max_napi_queues_netns=2) lists two and counts the rest in
# unlisted, the sum still exact; the entries go with the device.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbqa B=nbqb Q=4
ktap_header
nb_require_module
for c in iperf3 ethtool taskset; do
	command -v $c >/dev/null || { echo "Bail out! no $c in the guest"; exit 1; }
done
[ "$(nproc)" -ge $Q ] || { echo "Bail out! $Q vCPUs needed, the guest has $(nproc) (selftests/vm/run --smp $Q)"; exit 1; }
srv=()
cleanup() {
	[ ${#srv[@]} -gt 0 ] && kill "${srv[@]}" 2>/dev/null
	nb_del_netns $A $B
}
trap cleanup EXIT
ktap_plan 35

mq_pair() {
	nb_del_netns $A $B
	ip netns add $A && ip netns add $B || return 1
	nb_ns_noipv6 $A $B
	ip link add a0 numtxqueues $Q numrxqueues $Q netns $A type veth \
		peer name b0 numtxqueues $Q numrxqueues $Q netns $B || return 1
	ip -n $A addr add 10.78.0.1/24 dev a0
	ip -n $B addr add 10.78.0.2/24 dev b0
	ip -n $A link set lo up
	ip -n $B link set lo up
	ip netns exec $A ethtool -K a0 tso off gso off >/dev/null || return 1
	ip netns exec $B ethtool -K b0 gro on >/dev/null || return 1
	ip -n $A link set a0 up
	ip -n $B link set b0 up
	# ARP resolved before any count is taken (bash's /dev/udp: no ping here)
	ip netns exec $A bash -c 'echo warm >/dev/udp/10.78.0.2/9' || return 1
	sleep 0.5
}

# xps MASK0 MASK1 ...: a0's tx-k xps_cpus.
xps() {
	local k=0 m
	for m in "$@"; do
		ip netns exec $A sh -c "echo $m > /sys/class/net/a0/queues/tx-$k/xps_cpus" || return 1
		k=$((k + 1))
	done
}

# flows: 4 TCP flows a0 -> b0 for 2 s, client k on CPU k; fails if one fails.
flows() {
	local k rc=0 pids=()
	srv=()
	for k in $(seq 0 $((Q - 1))); do
		ip netns exec $B iperf3 -s -1 -p $((5600 + k)) >/dev/null 2>&1 &
		srv+=($!)
	done
	for k in $(seq 0 $((Q - 1))); do
		nb_wait_listen $B $((5600 + k)) || return 1
	done
	for k in $(seq 0 $((Q - 1))); do
		ip netns exec $A taskset -c $k iperf3 -J -c 10.78.0.2 -p $((5600 + k)) -t 2 \
			>/tmp/nbq-flow.$k 2>&1 &
		pids+=($!)
	done
	for k in "${pids[@]}"; do wait "$k" || rc=1; done
	for k in "${srv[@]}"; do wait "$k" 2>/dev/null; done
	srv=()
	[ $rc = 0 ] || grep -h '"error"' /tmp/nbq-flow.* | sed 's/^/# /'
	return $rc
}

# share_gaps: per CPU k, the percent of b0's packets its instance (the one
# polled on CPU k) took, the percent of the bytes flow k (client on CPU k,
# iperf3's count of what the server received) carried, and their distance.
# The vCPUs of a TCG guest do not share the host fairly, so the flows' rates
# differ (one took 57% under load): steering is right when each instance
# carries its own flow's share, whatever that share is.
share_gaps() {
	echo "$Q_LINES" | python3 -c '
import json, sys
q = int(sys.argv[1])
pk = {}
for l in sys.stdin:
    f = l.split()
    if f:
        pk[int(f[2])] = pk.get(int(f[2]), 0) + int(f[4])
by = [json.load(open("/tmp/nbq-flow.%d" % k))["end"]["sum_received"]["bytes"] for k in range(q)]
tp, tb = sum(pk.values()), sum(by)
for k in range(q):
    a, b = 100.0 * pk.get(k, 0) / tp, 100.0 * by[k] / tb
    print("cpu%d %.1f %.1f %.1f" % (k, a, b, abs(a - b)))' $Q
}

rx_b() { nb_sysfs_stat $B b0 rx_packets; }
# reset_b: B's counters cleared, then rx0 and pk0 (rx_packets and b0's napi
# packets) read together on a still link: the baseline of the deltas.
reset_b() {
	ip netns exec $B sh -c "echo 1 > $NB_PROC/reset" || return 1
	read -r rx0 pk0 < <(nb_stable rx_b "nb_col $B napi b0 packets")
}

# snap: one consistent reading on a still link, into globals: Q_LINES (b0's
# napi_queues lines: napi_id queue cpu polls packets exhausted empty poll_ns
# untimed rxqueues), ROW (b0's napi line: the same six counters), UNL
# (unlisted: polls packets), RX (rx_packets), HIST (napi_queue_hist of b0).
snap() {
	local i a b
	for i in $(seq 40); do
		a=$(ip netns exec $B cat $NB_PROC/napi_queues $NB_PROC/napi $NB_PROC/napi_queue_hist; rx_b)
		sleep 0.2
		b=$(ip netns exec $B cat $NB_PROC/napi_queues $NB_PROC/napi $NB_PROC/napi_queue_hist; rx_b)
		[ "$a" = "$b" ] && break
	done
	Q_LINES=$(ip netns exec $B cat $NB_PROC/napi_queues | awk '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 == "b0" { print $c["napi_id"], $c["queue"], $c["cpu"], $c["polls"],
			$c["packets"], $c["exhausted"], $c["empty"], $c["poll_ns"],
			$c["untimed"], $c["rxqueues"] }')
	UNL=$(nb_cols $B napi_queues unlisted polls packets)
	ROW=$(nb_cols $B napi b0 polls packets exhausted empty poll_ns untimed)
	HIST=$(ip netns exec $B cat $NB_PROC/napi_queue_hist | awk '$1 == "b0"')
	RX=$(rx_b)
}

# The instances' sums of polls packets exhausted empty poll_ns untimed.
q_sums() {
	echo "$Q_LINES" | awk '{ for (i = 4; i <= 9; i++) s[i] += $i }
		END { printf "%.0f %.0f %.0f %.0f %.0f %.0f\n", s[4], s[5], s[6], s[7], s[8], s[9] }'
}

# Each instance's histograms agree with its counters: napi_pkts samples =
# polls, its sum = packets; napi_ns samples = polls - untimed, its sum =
# poll_ns. Prints the instances that disagree.
hist_bad() {
	local id queue cpu polls pkts ex em ns unt rxq h
	echo "$Q_LINES" | while read -r id queue cpu polls pkts ex em ns unt rxq; do
		h=$(echo "$HIST" | awk -v id="$id" '$3 == id && $4 == "napi_pkts" { print $5, $6 }')
		[ "$h" = "$polls $pkts" ] || echo "napi $id napi_pkts '$h' vs '$polls $pkts'"
		h=$(echo "$HIST" | awk -v id="$id" '$3 == id && $4 == "napi_ns" { print $5, $6 }')
		[ "$h" = "$((polls - unt)) $ns" ] || [ "$polls" = "$unt" -a -z "$h" ] ||
			echo "napi $id napi_ns '$h' vs '$((polls - unt)) $ns'"
	done
}

nb_load
ktap_check "a veth pair with $Q RX queues, GRO on at b0, TSO off at a0" mq_pair

# ---- balanced: flow k on CPU k, TX queue k, RX queue k ----
xps 1 2 4 8
reset_b
ktap_check "4 flows, client k on CPU k (XPS tx-k = CPU k)" flows
snap
ktap_info "b0 napi_queues (napi_id queue cpu polls packets exhausted empty poll_ns untimed rxqueues):"
echo "$Q_LINES" | sed 's/^/# /'
n=$(echo "$Q_LINES" | grep -c .)
ktap_eq "b0 lists one instance per RX queue" "$n" $Q
ktap_eq "every instance polled and took packets" \
	"$(echo "$Q_LINES" | awk '$4 > 0 && $5 > 0' | grep -c .)" $Q
ktap_eq "NAPI ids distinct and not 0" \
	"$(echo "$Q_LINES" | awk '$1 > 0 { print $1 }' | sort -u | grep -c .)" $Q
ktap_eq "rxqueues is $Q on each line" "$(echo "$Q_LINES" | awk '$10 == 4' | grep -c .)" $Q
ktap_eq "queue is '-' or an RX queue below $Q" \
	"$(echo "$Q_LINES" | awk '$2 == "-" || ($2 ~ /^[0-9]+$/ && $2 < 4)' | grep -c .)" $Q
ktap_eq "instances polled on $Q different CPUs (XPS at work)" \
	"$(echo "$Q_LINES" | awk '{ print $3 }' | sort -u | grep -c .)" $Q
ktap_eq "unlisted: nothing" "$UNL" "0 0"
ktap_eq "instances sum to b0's napi line (polls packets exhausted empty poll_ns untimed)" \
	"$(q_sums)" "$ROW"
ktap_eq "b0's napi packets delta = rx_packets delta (kernel)" $(($(echo "$ROW" | cut -d' ' -f2) - pk0)) $((RX - rx0))
ktap_eq "each instance's histograms agree with its counters" "$(hist_bad)" ""
gaps=$(share_gaps)
ktap_info "per CPU: % of b0's packets, % of the bytes of its flow, distance: $(echo "$gaps" | tr '\n' ';')"
ktap_check "balanced: each instance took its own flow's share of the packets (within 10 points)" \
	test "$(echo "$gaps" | awk 'NF == 4 && $4 <= 10' | grep -c .)" = $Q
ktap_eq "namespace $A sees no line of b0" \
	"$(ip netns exec $A cat $NB_PROC/napi_queues | awk '$1 == "b0"' | grep -c .)" 0
ktap_eq "the initial namespace sees no line of b0" \
	"$(awk '$1 == "b0"' $NB_PROC/napi_queues | grep -c .)" 0
ktap_info "memory: $(grep napi_queue $NB_PROC/memory | tr '\n' ' ')"
ktap_check "memory: napi_queues counts them" test "$(nb_mem napi_queues)" -ge $Q

# ---- GRO off and on at b0: veth deletes its NAPI instances and makes new
# ones (new ids) at the same addresses; the old entries stay, retired ----
ip netns exec $B ethtool -K b0 gro off >/dev/null
ip netns exec $B ethtool -K b0 gro on >/dev/null
ktap_check "4 flows again after GRO off and on" flows
snap
echo "$Q_LINES" | sed 's/^/# /'
ktap_eq "b0 lists the $Q retired instances and the $Q new ones" "$(echo "$Q_LINES" | grep -c .)" $((2 * Q))
ktap_eq "their NAPI ids are distinct" "$(echo "$Q_LINES" | awk '{ print $1 }' | sort -u | grep -c .)" $((2 * Q))
ktap_eq "instances still sum to b0's napi line" "$(q_sums)" "$ROW"
ktap_eq "b0's napi packets delta = rx_packets delta" $(($(echo "$ROW" | cut -d' ' -f2) - pk0)) $((RX - rx0))

# ---- one queue: every CPU's flow on TX queue 0 ----
xps f 0 0 0
reset_b
ktap_check "4 flows, XPS tx-0 = every CPU" flows
snap
echo "$Q_LINES" | sed 's/^/# /'
ktap_eq "one instance took every packet (after the reset)" "$(echo "$Q_LINES" | grep -c .)" 1
ktap_eq "its packets = b0's napi packets; delta = rx_packets delta" \
	"$(echo "$Q_LINES" | awk '{ print $5 }')/$(($(echo "$ROW" | cut -d' ' -f2) - pk0))" \
	"$(echo "$ROW" | cut -d' ' -f2)/$((RX - rx0))"
ktap_eq "instances sum to b0's napi line" "$(q_sums)" "$ROW"
out=$(ip netns exec $B "$NB_TOOL" advise 2>&1)
echo "$out" | sed 's/^/# advise: /'
ktap_check "netbuf advise names the imbalance on b0" \
	bash -c 'grep -qi "imbalance" <<<"$1" && grep -q "b0" <<<"$1"' _ "$out"

# ---- the entries go with the device, its namespace staying ----
before=$(nb_mem napi_queues)
ip -n $A link del a0
ktap_eq "deleting the pair frees its instance (memory napi_queues one less than $before)" \
	"$(nb_mem napi_queues)" $((before - 1))
nb_del_netns $A $B

# ---- a cap: two instances listed, the rest in unlisted ----
nb_reload max_napi_queues_netns=2
ktap_eq "max_napi_queues_netns=2 in memory" "$(nb_mem napi_queues_netns_max)" 2
mq_pair && xps 1 2 4 8 && reset_b
ktap_check "4 flows, balanced, under the cap" flows
snap
echo "$Q_LINES" | sed 's/^/# /'
ktap_info "unlisted: $UNL"
ktap_eq "two instances listed" "$(echo "$Q_LINES" | grep -c .)" 2
ktap_check "unlisted counts the others' polls" test "${UNL%% *}" -gt 0
ktap_eq "listed + unlisted = b0's polls and packets" \
	"$(q_sums | awk -v u="$UNL" '{ split(u, x, " "); print $1 + x[1], $2 + x[2] }')" \
	"$(echo "$ROW" | cut -d' ' -f1-2)"
ktap_eq "b0's napi packets delta = rx_packets delta" $(($(echo "$ROW" | cut -d' ' -f2) - pk0)) $((RX - rx0))
nb_del_netns $A $B
nb_reload
ktap_eq "no instance left after the pair went" "$(nb_mem napi_queues)" 0
ktap_check "kernel log clean" nb_dmesg_clean
ktap_finished
