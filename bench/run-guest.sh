#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/run-guest.sh - the guest half of `make bench` (see bench/README.md).
# Run by selftests/vm/run --nics --out DIR inside a TCG guest; writes raw
# numbers to $NETBUF_OUT/results-$KVER.txt, which bench/report.py turns
# into the table on the host.
#
# Configurations: none (module unloaded), netbuf (netbuf.ko loaded, self
# timing off), bpftrace (bench/netbuf.bt attached, module unloaded), plus
# "timing" slots (netbuf.ko with timing=1) for the per-handler cost and
# "bttiming" slots (bpftrace with kernel.bpf_stats_enabled=1) for the cost of
# bpftrace's programs; both kinds of timing slot run pinned to CPU 0.
# Workloads, one run each per slot:
#   veth     iperf3 over a veth pair, GRO on at the receiver, TSO/GSO off at
#            the sender (so the receiving veth runs NAPI)
#   virtio   iperf3 between eth0 and eth1 (virtio_net, one qemu hub), each in
#            its own namespace
#   slow     nbload over a second veth pair (MTU 9000, GRO off): a receiver
#            that reads slowly, so most segments take tcp_data_queue's slow
#            path through tcp_try_rmem_schedule (the prune hook) and no prune
#            follows
#   collapse rcvpress --mode collapse over loopback in its own namespace
# The kprobe dispatch yardstick: getppid() loops with and without an armed
# (soft-disabled) tracefs kprobe event on the syscall. Memory: /proc/netbuf/memory, and its
# growth with 64 dummy interfaces.
# Slots run in palindromic double rounds: N M B B M N, then M N B B N M, ...
# (N none, M netbuf, B bpftrace), so a slow drift of the host's speed hits
# every configuration alike, and the two B slots share one bpftrace process
# (its start costs tens of seconds under TCG). Double rounds repeat until
# every throughput median moved by at most NB_BENCH_STABLE percent in the
# last one (after NB_BENCH_MIN_ROUNDS), or the time budget is spent.
#
# Environment: NB_BENCH_QUICK=1 (one double round, one timing slot),
# NB_BENCH_BUDGET (seconds of guest time for the whole script, default 500;
# quick: 200), NB_BENCH_SECS (seconds per run, default 2),
# NB_BENCH_MIN_ROUNDS (default 2), NB_BENCH_MAX_ROUNDS (default 8),
# NB_BENCH_STABLE (percent, default 2).
#
# Every program started here is loaded over 9p under TCG (up to a second
# each), so counters are read with bash builtins, from /proc/PID/net/* of a
# process inside each namespace where possible.

set -u

REPO=${REPO:-$(cd "$(dirname "$0")/.." && pwd)}
KVER=${KVER:-$(uname -r)}
NETBUF_KO=${NETBUF_KO:-$REPO/build/$KVER/netbuf.ko}
OUTDIR=${NETBUF_OUT:-/tmp}
RES=$OUTDIR/results-$KVER.txt
NBLOAD=${NB_NBLOAD:-$REPO/build/bench/nbload}
TPYARD_KO=$REPO/build/bench/tpyard-$KVER/tpyard.ko
RCVPRESS=$REPO/selftests/workload/rcvpress
# the selftests' helpers (nb_ns_noipv6): functions and NB_* settings only
. "$REPO/selftests/lib/netbuf.sh"
BT_SCRIPT=$REPO/bench/netbuf.bt
QUICK=${NB_BENCH_QUICK:-0}
SECS=${NB_BENCH_SECS:-2}
if [ "$QUICK" = 1 ]; then
	BUDGET=${NB_BENCH_BUDGET:-200}
	MIN_ROUNDS=1 MAX_ROUNDS=1
else
	BUDGET=${NB_BENCH_BUDGET:-500}
	MIN_ROUNDS=${NB_BENCH_MIN_ROUNDS:-2}
	MAX_ROUNDS=${NB_BENCH_MAX_ROUNDS:-8}
fi
STABLE=${NB_BENCH_STABLE:-2}
TMPD=/tmp/nbbench
T0=$EPOCHREALTIME
WORKLOADS="veth virtio slow collapse"

NS_VA=nbva NS_VB=nbvb		# veth:   a0 10.77.0.1 -> b0 10.77.0.2
NS_NA=nbna NS_NB=nbnb		# virtio: eth0 10.78.0.1 -> eth1 10.78.0.2
NS_SA=nbsa NS_SB=nbsb		# slow:   c0 10.79.0.1 -> d0 10.79.0.2
NS_C=nbcl			# collapse over lo
SLOW_SINK_ARGS="-r 4096 -w 2"
SLOW_MTU=9000

mkdir -p "$TMPD"
: >"$RES" || { echo "bench: cannot write $RES" >&2; exit 1; }

# ---- helpers (builtins only) ----

# elapsed: seconds since the start, integer.
elapsed() {
	local now=${EPOCHREALTIME/./} t0=${T0/./}
	echo $(((now - t0) / 1000000))
}

# ms_since T: milliseconds since an $EPOCHREALTIME value.
ms_since() {
	local now=${EPOCHREALTIME/./} t=${1/./}
	echo $(((now - t) / 1000))
}

raw() { echo "$*" >>"$RES"; }
say() { echo "bench[$(elapsed)s]: $*"; }
die() {
	say "FATAL: $*"
	raw "fatal $*"
	exit 1
}

# A short pause without starting sleep(1).
nap() { read -rt "$1" -u 9 _ 2>/dev/null; }
mkfifo "$TMPD/nap" && exec 9<>"$TMPD/nap"

# busy: busy CPU ticks (USER_HZ) of the whole guest so far.
busy() {
	local _c u n s _i _w q sq st _r
	read -r _c u n s _i _w q sq st _r </proc/stat
	echo $((u + n + s + q + sq + st))
}

# nspid NS: one process living in NS (an anchor started by anchor NS).
declare -A NSPID
anchor() {
	ip netns exec "$1" sleep 100000 </dev/null >/dev/null 2>&1 &
	NSPID[$1]=$!
}

# netdev PID DEV: rx_packets of DEV as seen in PID's namespace.
netdev_rx() {
	local line name rxb rxp _r
	while read -r line; do
		line=${line//:/ }
		read -r name rxb rxp _r <<<"$line"
		[ "$name" = "$2" ] && { echo "$rxp"; return 0; }
	done <"/proc/$1/net/dev"
	echo 0
}

# snmp PID FILE PREFIX NAME...: values of the named counters (snmp or
# netstat style: a header line and a value line per PREFIX), in order.
snmp() {
	local pid=$1 file=$2 prefix=$3 line hdr=() val=() i n out=()
	shift 3
	while read -r -a line; do
		[ "${line[0]}" = "$prefix" ] || continue
		if [ ${#hdr[@]} = 0 ]; then hdr=("${line[@]}"); else val=("${line[@]}"); break; fi
	done <"/proc/$pid/net/$file"
	for n in "$@"; do
		for ((i = 1; i < ${#hdr[@]}; i++)); do
			[ "${hdr[i]}" = "$n" ] && break
		done
		out+=("${val[i]:-0}")
	done
	echo "${out[*]}"
}

# probes: "hook hits nmissed self_ns type" per line, from /proc/netbuf/probes.
probes() {
	local hook _sym type _state hits miss self _note
	[ -r /proc/netbuf/probes ] || return 0
	while read -r hook _sym type _state hits miss self _note; do
		[ "$hook" = hook ] && continue
		[ "$miss" = - ] && miss=0
		echo "$hook $hits $miss $self $type"
	done </proc/netbuf/probes
}

# probes_delta BEFORE AFTER: "hook=H hits=.. nmissed=.. self_ns=.. type=T" lines.
probes_delta() {
	local -A h0 m0 s0
	local hook hits miss self type
	while read -r hook hits miss self type; do
		[ -n "$hook" ] || continue
		h0[$hook]=$hits m0[$hook]=$miss s0[$hook]=$self
	done <<<"$1"
	while read -r hook hits miss self type; do
		[ -n "$hook" ] || continue
		echo "hook=$hook hits=$((hits - ${h0[$hook]:-0})) nmissed=$((miss - ${m0[$hook]:-0})) self_ns=$((self - ${s0[$hook]:-0})) type=$type"
	done <<<"$2"
}

# kv_get "k=v k=v ..." KEY
kv_get() {
	local w
	for w in $1; do
		[ "${w%%=*}" = "$2" ] && { echo "${w#*=}"; return 0; }
	done
	echo ""
}

# ---- configurations ----

CUR=none
BT_PID=
BT_N=0

mod_load() {
	[ -d /sys/module/netbuf ] || insmod "$NETBUF_KO" || die "insmod $NETBUF_KO failed"
	echo "timing=$1" >/proc/netbuf/control || die "cannot set timing=$1"
	# what one local_clock() read costs, measured by the module as timing
	# went on: self_ns holds about one per hit, the timing's own
	[ "$1" = 1 ] && raw "clock $(awk '$1 == "timing_clock_ns" { print "ns=" $2 }' /proc/netbuf/control)"
	return 0
}

mod_unload() {
	[ -d /sys/module/netbuf ] || return 0
	rmmod netbuf || die "rmmod netbuf failed"
}

bt_start() {
	local t=$EPOCHREALTIME log i
	BT_N=$((BT_N + 1))
	log=$TMPD/bpftrace.$BT_N.log
	bpftrace "$BT_SCRIPT" >"$log" 2>&1 </dev/null &
	BT_PID=$!
	# Traffic only once every probe is attached: BEGIN runs after that.
	while kill -0 "$BT_PID" 2>/dev/null; do
		grep -q 'netbuf.bt: attached' "$log" 2>/dev/null && break
		nap 0.5
	done
	kill -0 "$BT_PID" 2>/dev/null || { cat "$log"; die "bpftrace exited before attaching"; }
	raw "btstart n=$BT_N ms=$(ms_since "$t")"
	say "bpftrace attached after $(($(ms_since "$t") / 1000)) s"
}

bt_stop() {
	local t=$EPOCHREALTIME
	[ -n "$BT_PID" ] || return 0
	kill -TERM "$BT_PID" 2>/dev/null
	# bpftrace prints its maps and detaches in under a second. One 6.12
	# run stalled for good right after a bpftrace slot (cause not found;
	# no kernel message): waiting here is bounded, 30 s, then SIGKILL
	local i
	for ((i = 0; i < 300; i++)); do
		kill -0 "$BT_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$BT_PID" 2>/dev/null; then
		kill -KILL "$BT_PID" 2>/dev/null
		say "bpftrace did not exit within 30 s of SIGTERM: killed"
	fi
	wait "$BT_PID" 2>/dev/null
	BT_PID=
	raw "btstop n=$BT_N ms=$(ms_since "$t")"
	# The maps it printed: kept with the raw results (last run only in full).
	{
		echo "bpftrace_output n=$BT_N begin"
		cat "$TMPD/bpftrace.$BT_N.log"
		echo "bpftrace_output n=$BT_N end"
	} >"$OUTDIR/bpftrace-$KVER.txt"
}

# set_cfg CFG: none | netbuf | bpftrace | timing
set_cfg() {
	[ "$CUR" = "$1" ] && return 0
	case $1 in
	none) bt_stop; mod_unload ;;
	netbuf) bt_stop; mod_load 0 ;;
	timing) bt_stop; mod_load 1 ;;
	bpftrace) mod_unload; bt_start ;;
	esac
	CUR=$1
	nap 0.5
}

# ---- setup ----

veth_pair() { # NSA NSB DEVA DEVB NET
	ip netns add "$1" && ip netns add "$2" || return 1
	nb_ns_noipv6 "$1" "$2"
	ip link add "$3" netns "$1" type veth peer name "$4" netns "$2" || return 1
	ip -n "$1" addr add "$5.1/24" dev "$3"
	ip -n "$2" addr add "$5.2/24" dev "$4"
	ip -n "$1" link set lo up
	ip -n "$2" link set lo up
	ip -n "$1" link set "$3" up
	ip -n "$2" link set "$4" up
}

setup() {
	local n
	for n in iperf3 bpftrace ethtool; do
		command -v $n >/dev/null || die "$n not installed"
	done
	[ -x "$NBLOAD" ] || die "no $NBLOAD (make bench builds it)"
	[ -x "$RCVPRESS" ] || die "no $RCVPRESS (make -C selftests/workload)"
	[ -f "$NETBUF_KO" ] || die "no $NETBUF_KO"
	mod_unload

	veth_pair $NS_VA $NS_VB a0 b0 10.77.0 || die "veth setup"
	ip netns exec $NS_VA ethtool -K a0 tso off gso off >/dev/null || die "ethtool a0"
	ip netns exec $NS_VB ethtool -K b0 gro on >/dev/null || die "ethtool b0"
	ip netns exec $NS_VB iperf3 -s -D -p 5201 || die "iperf3 server (veth)"

	[ -e /sys/class/net/eth0 ] && [ -e /sys/class/net/eth1 ] ||
		die "no eth0/eth1: run with selftests/vm/run --nics"
	ip netns add $NS_NA && ip netns add $NS_NB || die "netns"
	nb_ns_noipv6 $NS_NA $NS_NB
	ip link set eth0 netns $NS_NA && ip link set eth1 netns $NS_NB || die "moving NICs"
	ip -n $NS_NA addr add 10.78.0.1/24 dev eth0
	ip -n $NS_NB addr add 10.78.0.2/24 dev eth1
	for n in $NS_NA $NS_NB; do ip -n $n link set lo up; done
	ip -n $NS_NA link set eth0 up
	ip -n $NS_NB link set eth1 up
	ip netns exec $NS_NB iperf3 -s -D -p 5201 || die "iperf3 server (virtio)"

	veth_pair $NS_SA $NS_SB c0 d0 10.79.0 || die "slow veth setup"
	ip -n $NS_SA link set c0 mtu $SLOW_MTU
	ip -n $NS_SB link set d0 mtu $SLOW_MTU
	ip netns exec $NS_SA ethtool -K c0 tso off gso off >/dev/null || die "ethtool c0"
	ip netns exec $NS_SB ethtool -K d0 gro off >/dev/null || die "ethtool d0"
	ip netns exec $NS_SB "$NBLOAD" sink -p 5400 $SLOW_SINK_ARGS </dev/null >/dev/null 2>&1 &
	NBSINK_PID=$!

	ip netns add $NS_C || die "netns $NS_C"
	nb_ns_noipv6 $NS_C
	ip -n $NS_C link set lo up

	for n in $NS_VA $NS_VB $NS_NA $NS_NB $NS_SA $NS_SB $NS_C; do anchor $n; done
	# The links come up (virtio's carrier, ARP): one warm-up run each, not
	# recorded; it also pulls every program into the page cache.
	nap 1
	run_veth >/dev/null
	run_virtio >/dev/null
	run_slow >/dev/null
	run_collapse >/dev/null
}

cleanup() {
	[ -n "$BT_PID" ] && kill -TERM "$BT_PID" 2>/dev/null
	[ -n "${NBSINK_PID:-}" ] && kill "$NBSINK_PID" 2>/dev/null
	for p in "${NSPID[@]}"; do kill "$p" 2>/dev/null; done
	ip -n $NS_NA link set eth0 netns 1 2>/dev/null
	ip -n $NS_NB link set eth1 netns 1 2>/dev/null
	for n in $NS_VA $NS_VB $NS_NA $NS_NB $NS_SA $NS_SB $NS_C; do
		ip netns pids $n 2>/dev/null | while read -r p; do kill "$p" 2>/dev/null; done
		ip netns del $n 2>/dev/null
	done
	wait 2>/dev/null
	mod_unload 2>/dev/null
}
trap cleanup EXIT

# ---- workloads: each prints one "key=value ..." line ----

# iperf3_rate FILE: receiver Mbit/s of an `iperf3 -f m` output.
iperf3_rate() {
	local -a f
	local i
	while read -r -a f; do
		[ "${f[-1]}" = receiver ] || continue
		for ((i = 0; i < ${#f[@]}; i++)); do
			[ "${f[i]}" = Mbits/sec ] && { echo "${f[i - 1]}"; return 0; }
		done
	done <"$1"
	echo 0
}

# run_iperf NS_CLIENT ADDR NS_SERVER RXDEV
run_iperf() {
	local b0 b1 p0 p1 t rc mbps
	p0=$(netdev_rx "${NSPID[$3]}" "$4")
	b0=$(busy)
	t=$EPOCHREALTIME
	$PIN ip netns exec "$1" iperf3 -c "$2" -p 5201 -t "$SECS" -f m >"$TMPD/iperf3.out" 2>&1
	rc=$?
	b1=$(busy)
	p1=$(netdev_rx "${NSPID[$3]}" "$4")
	mbps=$(iperf3_rate "$TMPD/iperf3.out")
	[ $rc = 0 ] || { mbps=0; sed 's/^/# iperf3: /' "$TMPD/iperf3.out" >&2; }
	echo "mbps=$mbps busy_ticks=$((b1 - b0)) ms=$(ms_since "$t") pkts=$((p1 - p0))"
}

run_veth() { run_iperf $NS_VA 10.77.0.2 $NS_VB b0; }
run_virtio() { run_iperf $NS_NA 10.78.0.2 $NS_NB eth1; }

run_slow() {
	local pid=${NSPID[$NS_SB]} b0 b1 s0 s1 t out hk0 hk1
	s0=($(snmp "$pid" snmp Tcp: InSegs) $(snmp "$pid" netstat TcpExt: PruneCalled TCPHPHits))
	hk0=$(probes)
	b0=$(busy)
	t=$EPOCHREALTIME
	out=$($PIN ip netns exec $NS_SA "$NBLOAD" source -a 10.79.0.2 -p 5400 -t "$SECS" 2>&1)
	b1=$(busy)
	hk1=$(probes)
	s1=($(snmp "$pid" snmp Tcp: InSegs) $(snmp "$pid" netstat TcpExt: PruneCalled TCPHPHits))
	local hits=0
	[ -n "$hk1" ] && hits=$(probes_delta "$hk0" "$hk1" | while read -r h x _; do
		[ "$h" = hook=prune ] && echo "${x#hits=}"; done)
	echo "mbps=$(kv_get "$out" mbps) busy_ticks=$((b1 - b0)) ms=$(ms_since "$t")" \
		"segs=$((s1[0] - s0[0])) prune_called=$((s1[1] - s0[1]))" \
		"hp_hits=$((s1[2] - s0[2])) hook_hits=${hits:-0}"
}

run_collapse() {
	local b0 b1 t out
	b0=$(busy)
	t=$EPOCHREALTIME
	out=$($PIN ip netns exec $NS_C "$RCVPRESS" --mode collapse -d "$SECS" --grace 0.5 2>/dev/null)
	b1=$(busy)
	echo "busy_ticks=$((b1 - b0)) ms=$(ms_since "$t")" \
		"prune_called=$(kv_get "$out" PruneCalled)" \
		"collapsed=$(kv_get "$out" TCPRcvCollapsed)" \
		"rcv_pruned=$(kv_get "$out" RcvPruned)" \
		"bytes=$(kv_get "$out" bytes_received)"
}

# ---- pinning, for the timing slots ----
# The guest's two vCPUs share one host thread (TCG thread=single): when the
# host thread switches to the other vCPU while one is inside a handler, that
# handler's clock keeps running for the other's whole time slice. With all of
# a timing run's work on CPU 0 the other vCPU sits halted and is not
# switched to, so the handler times are clean. Throughput runs are never
# pinned.
PIN=
declare -A IRQ_AFF

pin_on() {
	local line irq p ns
	PIN="taskset -c 0"
	while read -r line; do
		[[ $line == *virtio*put* ]] || continue
		irq=${line%%:*}
		irq=${irq// /}
		[ -w "/proc/irq/$irq/smp_affinity" ] || continue
		read -r IRQ_AFF[$irq] <"/proc/irq/$irq/smp_affinity"
		echo 1 >"/proc/irq/$irq/smp_affinity" 2>/dev/null
	done </proc/interrupts
	# The servers (iperf3 -D, nbload sink) and the anchors.
	for ns in $NS_VB $NS_NB $NS_SB; do
		for p in $(ip netns pids $ns); do taskset -a -p 1 "$p" >/dev/null 2>&1; done
	done
	[ -n "$BT_PID" ] && taskset -a -p 1 "$BT_PID" >/dev/null 2>&1
}

pin_off() {
	local irq p ns
	PIN=
	for irq in "${!IRQ_AFF[@]}"; do
		echo "${IRQ_AFF[$irq]}" >"/proc/irq/$irq/smp_affinity" 2>/dev/null
	done
	IRQ_AFF=()
	for ns in $NS_VB $NS_NB $NS_SB; do
		for p in $(ip netns pids $ns); do taskset -a -p 3 "$p" >/dev/null 2>&1; done
	done
	[ -n "$BT_PID" ] && taskset -a -p 3 "$BT_PID" >/dev/null 2>&1
}

# ---- slots ----

SLOT=0
# slot CFG ROUND: one run of every workload in configuration CFG.
slot() {
	local cfg=$1 round=$2 wl line summary=
	SLOT=$((SLOT + 1))
	set_cfg "$cfg"
	for wl in $WORKLOADS; do
		line=$(run_$wl)
		raw "run round=$round slot=$SLOT cfg=$cfg wl=$wl $line"
		case $wl in
		collapse) summary+=" $wl=$(kv_get "$line" prune_called)ev" ;;
		*) summary+=" $wl=$(kv_get "$line" mbps)" ;;
		esac
	done
	say "round $round slot $SLOT $cfg:$summary"
}

# napi_rows NS: "dev polls packets poll_ns untimed" of the rows in NS.
napi_rows() {
	ip netns exec "$1" cat /proc/netbuf/napi 2>/dev/null |
		while read -r dev _i _s polls pkts _e _z ns _m untimed _rest; do
			[ "$dev" = iface ] && continue
			echo "$dev $polls $pkts $ns $untimed"
		done
}

# timing_slot N: every workload with netbuf's self-timing on; per workload
# the probes deltas, the NAPI rows of the receiving device and (collapse)
# netbuf's own collapse and prune times.
timing_slot() {
	local n=$1 wl hk0 hk1 line ns dev nr0 nr1 d polls pkts pns untimed
	SLOT=$((SLOT + 1))
	set_cfg timing
	pin_on
	for wl in $WORKLOADS; do
		case $wl in
		veth) ns=$NS_VB dev=b0 ;;
		virtio) ns=$NS_NB dev=eth1 ;;
		slow) ns=$NS_SB dev=d0 ;;
		collapse) ns=$NS_C dev=lo ;;
		esac
		echo 1 | ip netns exec "$ns" tee /proc/netbuf/reset >/dev/null
		nr0=$(napi_rows "$ns")
		hk0=$(probes)
		line=$(run_$wl)
		hk1=$(probes)
		nr1=$(napi_rows "$ns")
		raw "run round=T$n slot=$SLOT cfg=timing wl=$wl $line"
		probes_delta "$hk0" "$hk1" | while read -r l; do
			raw "timing n=$n wl=$wl $l"
		done
		# Deltas: the backlog row is host-wide, a reset leaves it alone.
		local -A p0=() k0=() t0=() u0=()
		while read -r d polls pkts pns untimed; do
			[ -n "$d" ] || continue
			p0[$d]=$polls k0[$d]=$pkts t0[$d]=$pns u0[$d]=$untimed
		done <<<"$nr0"
		while read -r d polls pkts pns untimed; do
			[ "$d" = "$dev" ] || [ "$d" = backlog ] || continue
			raw "napi n=$n wl=$wl dev=$d polls=$((polls - ${p0[$d]:-0}))" \
				"packets=$((pkts - ${k0[$d]:-0})) poll_ns=$((pns - ${t0[$d]:-0}))" \
				"untimed=$((untimed - ${u0[$d]:-0}))"
		done <<<"$nr1"
		ip netns exec "$ns" cat /proc/netbuf/rcvbuf | while read -r row _i _s cc cs _f cns cmax pc _r; do
			[ "$row" = total ] && raw "rcvbuf n=$n wl=$wl coll_calls=$cc coll_skbs=$cs coll_ns=$cns coll_max_ns=$cmax prune_calls=$pc"
		done
	done
	# The same collapse workload with the slow-episode log off (threshold at
	# its maximum): how much of a collapse's cost is the event record.
	local thr
	thr=$(while read -r k v; do [ "$k" = events_threshold_ns ] && echo "$v"; done </proc/netbuf/control)
	echo events_threshold_ns=60000000000 >/proc/netbuf/control
	hk0=$(probes)
	line=$(run_collapse)
	hk1=$(probes)
	echo "events_threshold_ns=${thr:-1000000}" >/proc/netbuf/control
	raw "run round=T$n slot=$SLOT cfg=timing wl=collapse_nolog $line"
	probes_delta "$hk0" "$hk1" | while read -r l; do
		raw "timing n=$n wl=collapse_nolog $l"
	done
	pin_off
	say "timing slot $n done"
}

# bpfstats: "name run_cnt run_time_ns" per loaded BPF program, summed by
# name (bpftrace's kprobe and kretprobe programs on tcp_collapse are both
# called tcp_collapse: together they are the collapse hook, as in netbuf).
bpfstats() {
	"$NBLOAD" bpfstats | while read -r _id _type name cnt ns; do
		echo "${name#name=} ${cnt#run_cnt=} ${ns#run_time_ns=}"
	done
}

# bt_timing_slot N: every workload with bpftrace attached and the kernel's
# BPF run-time statistics on (kernel.bpf_stats_enabled=1): per program, runs
# and ns inside it, the counterpart of netbuf's self_ns.
bt_timing_slot() {
	local n=$1 wl b0 b1 line name cnt ns
	local -A c0 t0
	SLOT=$((SLOT + 1))
	[ "$CUR" = bpftrace ] || return 0
	echo 1 >/proc/sys/kernel/bpf_stats_enabled || { raw "bttiming unavailable=bpf_stats"; return 0; }
	pin_on
	for wl in $WORKLOADS; do
		b0=$(bpfstats)
		line=$(run_$wl)
		b1=$(bpfstats)
		raw "run round=BT$n slot=$SLOT cfg=bttiming wl=$wl $line"
		c0=() t0=()
		while read -r name cnt ns; do
			[ -n "$name" ] || continue
			c0[$name]=$((${c0[$name]:-0} + cnt)) t0[$name]=$((${t0[$name]:-0} + ns))
		done <<<"$b0"
		local -A c1=() t1=()
		while read -r name cnt ns; do
			[ -n "$name" ] || continue
			c1[$name]=$((${c1[$name]:-0} + cnt)) t1[$name]=$((${t1[$name]:-0} + ns))
		done <<<"$b1"
		for name in "${!c1[@]}"; do
			raw "bttiming n=$n wl=$wl prog=$name runs=$((c1[$name] - ${c0[$name]:-0}))" \
				"run_ns=$((t1[$name] - ${t0[$name]:-0}))"
		done
	done
	pin_off
	echo 0 >/proc/sys/kernel/bpf_stats_enabled
	say "bpftrace timing slot $n done"
}

# ---- one-off measurements ----

memory() {
	local k v ns=nbmem i
	set_cfg netbuf
	while read -r k v; do raw "mem $k=$v"; done </proc/netbuf/memory
	# Grow: 64 dummy interfaces in a namespace of their own.
	ip netns add $ns || return 0
	local b0 r0 b1 r1
	read -r _ b0 < <(grep '^bytes ' /proc/netbuf/memory)
	read -r _ r0 < <(grep '^rows ' /proc/netbuf/memory)
	for ((i = 0; i < 64; i++)); do echo "link add nbd$i type dummy"; done >"$TMPD/dummies"
	local s0 s1 p0 p1
	s0=$(slab_objs) p0=$(percpu_kb)
	ip -n $ns -batch "$TMPD/dummies" || true
	nap 1
	read -r _ b1 < <(grep '^bytes ' /proc/netbuf/memory)
	read -r _ r1 < <(grep '^rows ' /proc/netbuf/memory)
	s1=$(slab_objs) p1=$(percpu_kb)
	raw "memgrow rows_before=$r0 bytes_before=$b0 rows_after=$r1 bytes_after=$b1"
	# What the allocators really handed out (other allocations of the
	# dummy devices land in the kmalloc caches; rows in netbuf_row, unless
	# the kernel merged that cache into another of the same size).
	raw "memslab before $s0"
	raw "memslab after $s1"
	raw "mempercpu before_kb=$p0 after_kb=$p1"
	ip netns del $ns
	say "memory: $((r1 - r0)) rows added $((b1 - b0)) bytes"
}

# slab_objs: "netbuf_row=N kmalloc-1k=N kmalloc-2k=N" active objects.
slab_objs() {
	local name active _r out=
	while read -r name active _r; do
		case $name in
		netbuf_row | kmalloc-1k | kmalloc-2k | kmalloc-1024 | kmalloc-2048) out+="$name=$active " ;;
		esac
	done </proc/slabinfo
	echo "$out"
}

percpu_kb() {
	local k v _u
	while read -r k v _u; do
		[ "$k" = Percpu: ] && { echo "$v"; return 0; }
	done </proc/meminfo
}

# dispatch: ns per getppid() bare and with a tracefs kprobe event on it,
# what one ftrace-based kprobe hit costs before any handler of netbuf's runs.
# The event is armed soft-disabled (an enable_event trigger on another event
# registers it in soft mode): the kprobe fires and the event's handler
# returns at once, as close to a bare kprobe as tracefs gets (the trigger
# sits on sched_process_exec with a filter that never matches, so it never
# turns the event on). Where that
# cannot be set up, an enabled event with an always-false filter (which
# also fills a record before discarding it: an upper bound). Alternated, as
# each loop's speed follows the host's load; report.py takes the minima.
dispatch() {
	local T=/sys/kernel/tracing i base kp mode trig arm disarm
	[ -w $T/kprobe_events ] || { raw "dispatch unavailable=no_tracefs"; return 0; }
	set_cfg none
	echo 'p:nbbench/getppid __x64_sys_getppid' >>$T/kprobe_events 2>/dev/null ||
		{ raw "dispatch unavailable=kprobe_event"; return 0; }
	trig=$T/events/sched/sched_process_exec/trigger
	if echo 'enable_event:nbbench:getppid if common_pid < 0' >$trig 2>/dev/null; then
		echo '!enable_event:nbbench:getppid' >$trig
		mode=soft_disabled
		arm() { echo 'enable_event:nbbench:getppid if common_pid < 0' >$trig; }
		disarm() { echo '!enable_event:nbbench:getppid' >$trig; }
	else
		mode=false_filter
		echo 'common_pid < 0' >$T/events/nbbench/getppid/filter
		arm() { echo 1 >$T/events/nbbench/getppid/enable; }
		disarm() { echo 0 >$T/events/nbbench/getppid/enable; }
	fi
	for i in 1 2 3 4 5 6 7; do
		base=$(kv_get "$("$NBLOAD" getppid 100000)" ns_per_call)
		arm
		kp=$(kv_get "$("$NBLOAD" getppid 100000)" ns_per_call)
		disarm
		raw "dispatch i=$i base_ns=$base kprobe_ns=$kp mode=$mode"
	done
	echo '-:nbbench/getppid' >>$T/kprobe_events
	say "dispatch ($mode): base $base ns, with kprobe $kp ns per getppid() (last of 7)"
}

# tpdispatch: the tracepoint dispatch yardstick (bench/tpyard): ns for a
# million hits of a tracepoint of its own, bare and with one empty probe,
# alternated 7 times in the module; report.py takes the minima. netbuf's
# tracepoint handlers (napi, napi_time, ofo_drop) pay this per hit.
tpdispatch() {
	local l
	[ -f "$TPYARD_KO" ] || { raw "tpdispatch unavailable=no_module"; return 0; }
	set_cfg none
	insmod "$TPYARD_KO" loops=1000000 rounds=7 || { raw "tpdispatch unavailable=insmod"; return 0; }
	while read -r l; do
		[ -n "$l" ] && raw "tpdispatch loops=1000000 $l"
	done </sys/module/tpyard/parameters/result
	rmmod tpyard
	say "tpdispatch: $(tail -1 "$RES")"
}

# medians_line: "wl:cfg=median ..." of mbps over all rounds so far.
medians_line() {
	awk '$1 == "run" && $2 !~ /round=T/ {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		if (f["wl"] == "collapse") next
		k = f["wl"] ":" f["cfg"]; n[k]++; v[k, n[k]] = f["mbps"] + 0
	} END {
		for (k in n) {
			m = n[k]
			for (i = 1; i <= m; i++) a[i] = v[k, i]
			for (i = 2; i <= m; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x }
			med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
			printf "%s=%.3f ", k, med
		}
		print ""
	}' "$RES"
}

# stable PREV CUR: every median moved by at most STABLE percent.
stable() {
	awk -v p="$1" -v c="$2" -v lim="$STABLE" 'BEGIN {
		np = split(p, a, " "); for (i = 1; i <= np; i++) { split(a[i], kv, "="); old[kv[1]] = kv[2] }
		nc = split(c, b, " "); if (!nc) exit 1
		for (i = 1; i <= nc; i++) {
			split(b[i], kv, "="); if (!(kv[1] in old) || old[kv[1]] <= 0) exit 1
			d = (kv[2] - old[kv[1]]) / old[kv[1]] * 100; if (d < 0) d = -d
			if (d > lim) exit 1
		}
		exit 0
	}'
}

main() {
	local r first second t_round t_r t_b t_bt prev cur ncpu need
	ncpu=$(nproc)
	raw "meta kver=$KVER quick=$QUICK secs=$SECS budget=$BUDGET cpus=$ncpu" \
		"slow_sink=\"$SLOW_SINK_ARGS\" slow_mtu=$SLOW_MTU start=$T0"
	say "kernel $KVER, $ncpu CPUs, budget ${BUDGET}s, ${SECS}s per run, quick=$QUICK"
	setup
	say "setup done"
	memory
	dispatch
	tpdispatch
	NT=1 NBT=0 BT_SLOT=15
	t_r=$EPOCHREALTIME
	timing_slot $NT
	T_SLOT=$(($(ms_since "$t_r") / 1000))
	prev=
	t_round=0
	for ((r = 1; r <= MAX_ROUNDS; r++)); do
		# Room for this double round, the timing slot after it if any, and
		# the last timing slot.
		need=$((t_round + T_SLOT + 10))
		[ $((r % 2)) = 0 ] && need=$((need + T_SLOT))
		((r % 2)) && need=$((need + BT_SLOT))
		if [ $r -gt 1 ] && [ $(($(elapsed) + need)) -gt "$BUDGET" ]; then
			say "budget: no time for double round $r (last took ${t_round}s)"
			raw "stop reason=budget rounds=$((r - 1))"
			break
		fi
		t_r=$EPOCHREALTIME
		if ((r % 2)); then first=none second=netbuf; else first=netbuf second=none; fi
		slot $first $r
		slot $second $r
		slot bpftrace $r
		# The bpftrace process of this round, with BPF statistics on: in
		# the middle, so the round stays a palindrome.
		t_bt=0
		if ((r % 2)); then
			NBT=$((NBT + 1))
			t_b=$EPOCHREALTIME
			bt_timing_slot $NBT
			t_bt=$(($(ms_since "$t_b") / 1000))
			BT_SLOT=$t_bt
		fi
		slot bpftrace $r
		slot $second $r
		slot $first $r
		t_round=$(($(ms_since "$t_r") / 1000 - t_bt))
		# More self-timing samples along the way (the totals are inflated
		# whenever the host descheduled a vCPU inside a handler).
		if [ $((r % 2)) = 0 ] && [ $r -lt "$MAX_ROUNDS" ]; then
			NT=$((NT + 1))
			timing_slot $NT
		fi
		cur=$(medians_line)
		raw "medians round=$r $cur"
		if [ $r -ge "$MIN_ROUNDS" ] && [ -n "$prev" ] && stable "$prev" "$cur"; then
			say "medians stable within ${STABLE}% after double round $r"
			raw "stop reason=stable rounds=$r"
			break
		fi
		prev=$cur
	done
	[ $r -gt "$MAX_ROUNDS" ] && raw "stop reason=max_rounds rounds=$MAX_ROUNDS"
	if [ "$QUICK" != 1 ]; then
		NT=$((NT + 1))
		timing_slot $NT
	fi
	set_cfg none
	# Where the virtio NICs' interrupts went (which CPU polls which NIC).
	while read -r line; do
		[[ $line == *virtio* ]] && raw "irq ${line//[[:space:]]/ }"
	done </proc/interrupts
	raw "end elapsed=$(elapsed)"
	say "done in $(elapsed)s; raw results in $RES"
}

# Exit right after main: bash reads a script as it goes, and this file may
# be edited on the host while a guest runs it.
main "$@"; exit $?
