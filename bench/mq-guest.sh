#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/mq-guest.sh - the guest half of `make bench-mq` (bench/README.md,
# "Multiqueue"). Run by selftests/vm/run --smp 4 --out DIR: for each module
# build in $MQ_DIR (one directory per netbuf revision, made by bench/mq.sh),
# load it and run three workloads with timing=1, then the same with the
# function_graph tracer on its NAPI handlers, then unload it:
#   1q  a veth pair with one RX queue, GRO on and TSO/GSO off at both ends,
#       one iperf3 flow from CPU 0: one NAPI instance each way;
#   1q4 the 1q pair with 4 flows, client and server k on CPU k: one NAPI
#       instance each way, scheduled on whichever CPU sends while it is idle, with
#       the same 4 busy vCPUs as 4q (so the guest's own slowdown with 4 busy
#       vCPUs under TCG hits both alike);
#   4q  a veth pair with 4 RX queues, the same offloads, 4 iperf3 flows,
#       client k pinned to CPU k and tx-k steered to CPU k (XPS): veth
#       schedules RX queue k's NAPI on CPU k, so 4 instances of one device
#       poll on 4 CPUs at once (the case of issue 18 item 1).
# Per run it writes a "run" line to $NETBUF_OUT/mq-results-KVER.txt (the
# napi and napi_time hooks' hits and self_ns deltas from /proc/netbuf/probes)
# or a "graph" line (count and median, p10, p90 of the traced durations per
# handler), with the receiver's rx_packets delta and the flows' Mbit/s.
# Modules run in palindromic order per round (A B C, then C B A, ...), and
# within a module's slot the workloads run 1q 1q4 4q 4q 1q4 1q, so a drift
# of the host's speed hits all alike.
#
# Environment: NB_MQ_MODS (directory names under $MQ_DIR, in order),
# NB_MQ_ROUNDS (default 3), NB_MQ_SECS (seconds per run, default 1).
# The timing switch and module loads patch kernel text: they happen only
# while no traffic flows (so this also runs under multi-threaded TCG, see
# selftests/vm/README.md).

set -u
REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
KVER=$(uname -r)
MQ_DIR=${NB_MQ_DIR:-$REPO/build/bench/mq-$KVER}
OUTDIR=${NETBUF_OUT:-/tmp}
RES=$OUTDIR/mq-results-$KVER.txt
MODS=${NB_MQ_MODS:-}
ROUNDS=${NB_MQ_ROUNDS:-3}
WLS="1q 1q4 4q 4q 1q4 1q"
SECS=${NB_MQ_SECS:-1}
. "$REPO/selftests/lib/netbuf.sh"

A=nbma B=nbmb Q=4
die() { echo "mq-guest: $*" >&2; echo "error $*" >>"$RES"; exit 1; }

: >"$RES" || exit 1
[ -n "$MODS" ] || die "NB_MQ_MODS is empty"
for m in $MODS; do
	[ -f "$MQ_DIR/$m/netbuf.ko" ] || die "no $MQ_DIR/$m/netbuf.ko"
done
for c in iperf3 ethtool taskset; do
	command -v $c >/dev/null || die "no $c in the guest"
done
# Under -icount, bench/mq.sh boots with maxcpus=1 (6.1's SMP bring-up hangs
# there; hotplug does not): the other CPUs come online here.
for f in /sys/devices/system/cpu/cpu[0-9]*/online; do
	[ "$(cat "$f")" = 1 ] || echo 1 >"$f" || die "cannot online ${f%/online}"
done
[ "$(nproc)" -ge $Q ] || die "$Q vCPUs needed, the guest has $(nproc)"
grep -q '^netbuf ' /proc/modules && die "netbuf is loaded already"

cleanup() {
	pkill -x iperf3 2>/dev/null
	grep -q '^netbuf ' /proc/modules && rmmod netbuf
	nb_del_netns $A $B
}
trap cleanup EXIT

# Two pairs between the same namespaces: a0/b0 with 4 queues, a1/b1 with 1.
setup() {
	nb_del_netns $A $B
	ip netns add $A && ip netns add $B || return 1
	nb_ns_noipv6 $A $B
	ip link add a0 numtxqueues $Q numrxqueues $Q netns $A type veth \
		peer name b0 numtxqueues $Q numrxqueues $Q netns $B || return 1
	ip link add a1 netns $A type veth peer name b1 netns $B || return 1
	ip -n $A addr add 10.79.0.1/24 dev a0
	ip -n $B addr add 10.79.0.2/24 dev b0
	ip -n $A addr add 10.79.1.1/24 dev a1
	ip -n $B addr add 10.79.1.2/24 dev b1
	ip -n $A link set lo up
	ip -n $B link set lo up
	# GRO on at both ends (TSO/GSO off at both): the ACKs take a0's NAPI
	# instances too, not the per-CPU backlog, so every poll the handlers
	# see is a veth instance's, and 4q's ACKs use 4 queues as its data do.
	for d in a0 a1; do
		ip netns exec $A ethtool -K $d tso off gso off gro on >/dev/null || return 1
		ip -n $A link set $d up
	done
	for d in b0 b1; do
		ip netns exec $B ethtool -K $d tso off gso off gro on >/dev/null || return 1
		ip -n $B link set $d up
	done
	for k in $(seq 0 $((Q - 1))); do
		ip netns exec $A sh -c "printf %x $((1 << k)) > /sys/class/net/a0/queues/tx-$k/xps_cpus" || return 1
		ip netns exec $B sh -c "printf %x $((1 << k)) > /sys/class/net/b0/queues/tx-$k/xps_cpus" || return 1
	done
	ip netns exec $A bash -c 'echo warm >/dev/udp/10.79.0.2/9; echo warm >/dev/udp/10.79.1.2/9' || return 1
	sleep 0.5
}

# probe HOOK: "hits self_ns" of HOOK in /proc/netbuf/probes; fails when
# the hook is missing or not active.
probe() {
	local hook _sym _type state hits _miss self _note
	while read -r hook _sym _type state hits _miss self _note; do
		[ "$hook" = "$1" ] && [ "$state" = active ] && { echo "$hits $self"; return 0; }
	done </proc/netbuf/probes
	echo "mq-guest: hook $1 missing or not active" >&2
	return 1
}

# flows NFLOWS ADDR DEV: NFLOWS iperf3 flows to ADDR for SECS, client and
# server k on CPU k (the NAPI poll that serves flow k runs there too, so
# its wakeups stay on the CPU); prints "rx_packets_delta mbps" (receiver side, summed).
flows() {
	local n=$1 addr=$2 dev=$3 k pids=() srv=() rx0 rx1 mbps rc=0
	rm -f /tmp/nbmq-flow.*
	for k in $(seq 0 $((n - 1))); do
		ip netns exec $B taskset -c $k iperf3 -s -1 -p $((5700 + k)) >/dev/null 2>&1 &
		srv+=($!)
	done
	for k in $(seq 0 $((n - 1))); do
		nb_wait_listen $B $((5700 + k)) || { kill "${srv[@]}" 2>/dev/null; wait; return 1; }
	done
	rx0=$(nb_sysfs_stat $B "$dev" rx_packets)
	# A client that hangs is cut off; a server whose client failed is
	# killed, so a failed run costs seconds, not the guest's time limit.
	for k in $(seq 0 $((n - 1))); do
		ip netns exec $A taskset -c $k timeout $((SECS + 30)) \
			iperf3 -c "$addr" -p $((5700 + k)) -t "$SECS" -f m >/tmp/nbmq-flow.$k 2>&1 &
		pids+=($!)
	done
	for k in "${pids[@]}"; do wait "$k" || rc=1; done
	[ $rc = 0 ] || kill "${srv[@]}" 2>/dev/null
	for k in "${srv[@]}"; do wait "$k" 2>/dev/null; done
	rx1=$(nb_sysfs_stat $B "$dev" rx_packets)
	[ $rc = 0 ] || { sed 's/^/# /' /tmp/nbmq-flow.* >&2; return 1; }
	mbps=$(cat /tmp/nbmq-flow.* | awk '/receiver/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") s += $i }
		END { printf "%.1f", s }')
	rm -f /tmp/nbmq-flow.*
	echo "$((rx1 - rx0)) $mbps"
}

# workload WL: one run of workload WL (1q, 1q4, 4q); prints what flows does.
workload() {
	case $1 in
	1q) flows 1 10.79.1.2 b1 ;;
	1q4) flows $Q 10.79.1.2 b1 ;;
	4q) flows $Q 10.79.0.2 b0 ;;
	*) return 1 ;;
	esac
}

# run MOD ROUND WL: one run of workload WL with module MOD loaded.
run() {
	local n0 t0 n1 t1 out
	n0=$(probe napi) && t0=$(probe napi_time) ||
		{ echo "failed mod=$1 round=$2 wl=$3 probes" >>"$RES"; return 0; }
	out=$(workload "$3") || { echo "failed mod=$1 round=$2 wl=$3" >>"$RES"; return 0; }
	n1=$(probe napi) && t1=$(probe napi_time) ||
		{ echo "failed mod=$1 round=$2 wl=$3 probes" >>"$RES"; return 0; }
	set -- "$1" "$2" "$3" $n0 $t0 $n1 $t1 $out
	# $4 $5 napi before, $6 $7 napi_time before, $8 $9 napi after,
	# ${10} ${11} napi_time after, ${12} rx packets, ${13} Mbit/s
	echo "run mod=$1 round=$2 wl=$3 napi_hits=$(($8 - $4)) napi_ns=$(($9 - $5))" \
		"nt_hits=$((${10} - $6)) nt_ns=$((${11} - $7)) rx=${12} mbps=${13}" >>"$RES"
}

# The function_graph tracer on netbuf's two NAPI tracepoint handlers (the
# same symbols in every revision): a duration per call, so a median per
# call that a vCPU switch inside a few calls cannot move, where self_ns is
# a sum that one switch inside a handler inflates by the other vCPUs' time
# slices (with 4 busy vCPUs on one host thread, often). The durations
# include the graph tracer's own entry/return overhead, the same for all.
T=/sys/kernel/tracing
[ -e $T/current_tracer ] || T=/sys/kernel/debug/tracing
GRAPH_FUNCS="nb_napi_tp nb_softirq_entry"
graph_on() {
	echo 0 >$T/tracing_on
	echo "$GRAPH_FUNCS" >$T/set_ftrace_filter || return 1
	echo 4096 >$T/buffer_size_kb
	echo function_graph >$T/current_tracer || return 1
	echo funcgraph-tail >$T/trace_options
	echo funcgraph-irqs >$T/trace_options
	echo >$T/trace
}
graph_off() {
	echo 0 >$T/tracing_on
	echo nop >$T/current_tracer
	echo >$T/set_ftrace_filter
	echo >$T/trace
}
# graph_stats: per function of GRAPH_FUNCS "calls median_ns p10_ns p90_ns"
# from the trace since it was cleared (leaf lines "f();" and closing lines
# "} /* f */"; the duration column is in us).
graph_stats() {
	local f
	for f in $GRAPH_FUNCS; do
		awk -F'|' -v f="$f" '
			index($2, f) && ($2 ~ /\(\);/ || $2 ~ /\}/) &&
			match($1, /[0-9]+(\.[0-9]+)? us/) {
				printf "%.0f\n", substr($1, RSTART, RLENGTH - 3) * 1000 }' $T/trace |
		sort -n | awk '{ v[NR] = $1 } END {
			if (!NR) { printf "0 0 0 0 "; exit }
			printf "%d %.0f %.0f %.0f ", NR, v[int((NR + 1) / 2)],
				v[int(NR * 0.1) + 1], v[int(NR * 0.9) + 1] }'
	done
	echo
}
# grun MOD ROUND WL: a run with the graph tracer on (timing off).
grun() {
	local out overrun
	echo >$T/trace
	echo 1 >$T/tracing_on
	out=$(workload "$3") ||
		{ echo 0 >$T/tracing_on; echo "failed mod=$1 round=$2 wl=$3 graph" >>"$RES"; return 0; }
	echo 0 >$T/tracing_on
	overrun=$(awk '$1 == "overrun:" { s += $2 } END { print s + 0 }' $T/per_cpu/cpu*/stats)
	set -- "$1" "$2" "$3" $(graph_stats) $out
	echo "graph mod=$1 round=$2 wl=$3 napi_calls=$4 napi_med=$5 napi_p10=$6 napi_p90=$7" \
		"sirq_calls=$8 sirq_med=$9 sirq_p10=${10} sirq_p90=${11} rx=${12} mbps=${13} overrun=$overrun" >>"$RES"
}

setup || die "setup of the veth pairs failed"
echo "kernel $KVER cpus $(nproc) rounds $ROUNDS secs $SECS" >>"$RES"
for m in $MODS; do
	echo "mod $m srcversion $(modinfo -F srcversion "$MQ_DIR/$m/netbuf.ko") $(cat "$MQ_DIR/$m/REV" 2>/dev/null)" >>"$RES"
done
order=($MODS)
for r in $(seq 1 "$ROUNDS"); do
	if [ $((r % 2)) = 0 ]; then
		rev=()
		for ((i = ${#order[@]} - 1; i >= 0; i--)); do rev+=("${order[i]}"); done
		mods=("${rev[@]}")
	else
		mods=("${order[@]}")
	fi
	for m in "${mods[@]}"; do
		insmod "$MQ_DIR/$m/netbuf.ko" || die "insmod $m failed"
		echo timing=1 >/proc/netbuf/control || die "timing=1 refused by $m"
		clk=$(awk '$1 == "timing_clock_ns" { print $2 }' /proc/netbuf/control)
		echo "clock mod=$m round=$r timing_clock_ns=${clk:-0}" >>"$RES"
		for wl in $WLS; do
			run "$m" "$r" "$wl"
		done
		echo timing=0 >/proc/netbuf/control
		if [ "${NB_MQ_GRAPH:-1}" = 1 ]; then
			graph_on || die "function_graph on $GRAPH_FUNCS failed"
			for wl in $WLS; do
				grun "$m" "$r" "$wl"
			done
			graph_off
		fi
		rmmod netbuf || die "rmmod $m failed"
		echo "# round $r $m done" >&2
	done
done
echo "done" >>"$RES"
