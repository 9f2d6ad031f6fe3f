#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared helpers for netbuf's selftests (run inside a guest by selftests/vm/run).

NB_PROC=${NB_PROC:-/proc/netbuf}
NB_REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
NB_KO=${NETBUF_KO:-$NB_REPO/build/$(uname -r)/netbuf.ko}
NB_RCVPRESS=$NB_REPO/selftests/workload/rcvpress
NB_TOOL=$NB_REPO/tools/netbuf

# Skip the whole test where netbuf.ko cannot be loaded (e.g. on the host).
nb_require_module() {
	[ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
	[ -f "$NB_KO" ] || ktap_skip_all "no module at $NB_KO (build with make vmbuild)"
	[ -d /sys/module ] && [ -e /proc/modules ] || ktap_skip_all "kernel without module support"
}

# nb_rcvpress NS ARGS...: the workload in namespace NS ("" = this one).
# Its exit status is returned and, when not 0, also kept: ktap_finished
# then reports a failed case for it, so a workload that could not run
# (no connection, a socket error) never passes unseen behind a pipe or
# in the background.
NB_RCVPRESS_FAILS=/tmp/nb-rcvpress-failed.$$
nb_rcvpress() {
	local ns=$1 rc
	shift
	nb_in "$ns" "$NB_RCVPRESS" "$@"
	rc=$?
	[ "$rc" = 0 ] || echo "rcvpress ${ns:+in $ns }$* exited $rc" >>"$NB_RCVPRESS_FAILS"
	return "$rc"
}
ktap_pre_finish() {
	local line
	[ -s "$NB_RCVPRESS_FAILS" ] || return 0
	while IFS= read -r line; do ktap_not_ok "workload failed: $line"; done <"$NB_RCVPRESS_FAILS"
	rm -f "$NB_RCVPRESS_FAILS"
}

nb_loaded() { [ -d /sys/module/netbuf ]; }

nb_load() {
	nb_loaded && return 0
	insmod "$NB_KO" "$@"
}

nb_unload() {
	nb_loaded || return 0
	rmmod netbuf
}

nb_reload() { nb_unload && nb_load "$@"; }

# nb_in NS CMD...: run CMD in network namespace NS ("" = current one).
nb_in() {
	local ns=$1; shift
	if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

# nb_col NS FILE ROW COLUMN: a value of a /proc/netbuf table, by header name.
# ROW matches the first field (iface name). A missing file, row or column
# prints "missing:FILE/ROW/COLUMN" and fails: never a silent 0 or "" that
# an assertion could take for a value (nb_has_row asks whether a row is there).
nb_col() {
	local out
	out=$(nb_in "$1" cat "$NB_PROC/$2" 2>/dev/null | awk -v row="$3" -v col="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		c && $1 == row { print $c; found = 1; exit }
		END { exit found ? 0 : 1 }') || { echo "missing:$2/$3/$4"; return 1; }
	echo "$out"
}

# nb_cols NS FILE ROW COL...: several columns of ROW from one read of FILE
# (one seq_file line: a poll cannot land between two of them), space
# separated; "missing:FILE/ROW" and status 1 without the row or a column.
nb_cols() {
	local ns=$1 f=$2 row=$3 out
	shift 3
	out=$(nb_in "$ns" cat "$NB_PROC/$f" 2>/dev/null | awk -v row="$row" -v cols="$*" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 == row { n = split(cols, k, " "); s = ""
			for (j = 1; j <= n; j++) { if (!(k[j] in c)) exit 1; s = s (j > 1 ? " " : "") $c[k[j]] }
			print s; found = 1; exit }
		END { exit found ? 0 : 1 }') || { echo "missing:$f/$row"; return 1; }
	echo "$out"
}

# nb_stable A B: runs the commands A, B, A, B until both A and both B
# outputs agree (at most 40 tries, 0.1 s apart); prints "A's B's". For two
# counters of one flow read apart (a NAPI column and rx_packets): nothing
# counted between them. Status 1 if they never settled.
nb_stable() {
	local i a1 b1 a2 b2
	for i in $(seq 40); do
		a1=$(eval "$1") b1=$(eval "$2") a2=$(eval "$1") b2=$(eval "$2")
		if [ "$a1" = "$a2" ] && [ "$b1" = "$b2" ]; then
			echo "$a2 $b2"
			return 0
		fi
		sleep 0.1
	done
	echo "$a2 $b2"
	return 1
}

# nb_has_row NS FILE ROW: does the table have a row named ROW?
nb_has_row() {
	nb_in "$1" cat "$NB_PROC/$2" | awk -v row="$3" 'NR > 1 && $1 == row { f = 1 } END { exit !f }'
}

# nb_napi_timing: how the loaded module times NAPI polls: "softirq" (from
# the softirq_entry tracepoint), "kprobe" (__napi_poll) or "off".
nb_napi_timing() {
	case "$(nb_col "" probes napi_time state)/$(nb_col "" probes napi_time type)" in
	active/tracepoint) echo softirq ;;
	active/kprobe) echo kprobe ;;
	*) echo off ;;
	esac
}

# nb_napi_missed: napi_time's nmissed (0 for a tracepoint, which has none).
nb_napi_missed() {
	local m
	m=$(nb_col "" probes napi_time nmissed)
	[ "$m" = - ] || [ -z "$m" ] && m=0
	echo "$m"
}

# nb_untimed_max MISSED0: how many polls since nb_napi_missed printed
# MISSED0 may be untimed where nothing busy-polls, runs threaded NAPI or
# netpoll: none when timed from softirq_entry (every such poll ends in the
# NET_RX softirq that stamped its CPU), the entries the __napi_poll kprobe
# missed since then when timed by it.
nb_untimed_max() {
	if [ "$(nb_napi_timing)" = kprobe ]; then
		echo $(($(nb_napi_missed) - $1))
	else
		echo 0
	fi
}

# nb_hist_field NS IFACE KIND FIELD(samples|sum|max)
nb_hist_field() {
	nb_in "$1" cat "$NB_PROC/histograms" | awk -v row="$2" -v kind="$3" -v f="$4" '
		BEGIN { idx["samples"] = 4; idx["sum"] = 5; idx["max"] = 6 }
		$1 == row && $3 == kind { print $(idx[f]); found = 1; exit }
		END { if (!found) print 0 }'
}

# nb_hist_check NS IFACE KIND: buckets add up to samples, and the max is at
# least the lower bound of every non-empty bucket. Prints a reason on failure.
nb_hist_check() {
	nb_in "$1" cat "$NB_PROC/histograms" | awk -v row="$2" -v kind="$3" '
		$1 == row && $3 == kind {
			found = 1; n = 0
			for (i = 7; i <= NF; i++) {
				split($i, kv, ":"); n += kv[2]
				if (kv[1] + 0 > $6 + 0) { print "bucket " kv[1] " above max " $6; bad = 1 }
			}
			if (n != $4) { print "buckets sum " n " != samples " $4; bad = 1 }
		}
		END { exit bad ? 1 : 0 }'
}

# tcpext NS NAME: a TcpExt counter of the namespace.
tcpext() {
	nb_in "$1" cat /proc/net/netstat | awk -v name="$2" '
		$1 == "TcpExt:" && !h { for (i = 2; i <= NF; i++) k[i] = $i; h = 1; next }
		$1 == "TcpExt:" && h { for (i = 2; i <= NF; i++) if (k[i] == name) print $i; exit }'
}

# nb_sysfs_stat NS DEV STAT: /sys/class/net/DEV/statistics/STAT
nb_sysfs_stat() {
	nb_in "$1" cat "/sys/class/net/$2/statistics/$3"
}

# nb_veth_pair NSA NSB: namespaces joined by veth a0 (NSA) <-> b0 (NSB),
# 10.77.0.1/24 and fd77::1/64 on a0, .2 and ::2 on b0.
nb_veth_pair() {
	local a=$1 b=$2
	ip netns add "$a"
	ip netns add "$b"
	ip -n "$a" link set lo up
	ip -n "$b" link set lo up
	ip link add a0 netns "$a" type veth peer name b0 netns "$b"
	ip -n "$a" addr add 10.77.0.1/24 dev a0
	ip -n "$b" addr add 10.77.0.2/24 dev b0
	ip -n "$a" -6 addr add fd77::1/64 dev a0 nodad
	ip -n "$b" -6 addr add fd77::2/64 dev b0 nodad
	ip -n "$a" link set a0 up
	ip -n "$b" link set b0 up
}

nb_del_netns() {
	local ns
	for ns in "$@"; do ip netns del "$ns" 2>/dev/null || true; done
}

# nb_kernel_log: the kernel log since boot: the guest's /dev/kmsg record
# (selftests/vm/guest-init keeps it, whatever dmesg -C did), else dmesg.
NB_KMSG_LOG=/run/netbuf-vm-kmsg.log
nb_kernel_log() {
	if [ -r "$NB_KMSG_LOG" ]; then
		sed -n 's/^[0-9]*,[0-9]*,[0-9]*,[^;]*;//p' "$NB_KMSG_LOG"
	else
		dmesg
	fi
}

# nb_dmesg_clean: no line of the kernel log since boot matches
# selftests/vm/dmesg-bad (warnings, BUG, oops, stalls, slub_debug reports...)
# unless selftests/vm/dmesg-allow lists it; prints the lines that do.
nb_dmesg_clean() {
	local vm=$NB_REPO/selftests/vm hits
	hits=$(nb_kernel_log | grep -aE -f <(grep -vE '^(#|$)' "$vm/dmesg-bad") |
		grep -avE -f <(grep -vE '^(#|$)' "$vm/dmesg-allow"; echo '^$'))
	[ -z "$hits" ] && return 0
	printf '# kernel log: %s\n' "$hits" | head -n 20
	return 1
}

# nb_write FILE HEXBYTES [OFFSET]: one write(2) of the bytes given in hex
# (with pwrite at OFFSET if given); prints "ok" or the errno name.
nb_write() {
	python3 - "$@" <<'PY'
import errno, os, sys
path, data = sys.argv[1], bytes.fromhex(sys.argv[2])
try:
    fd = os.open(path, os.O_WRONLY)
except OSError as e:
    print(errno.errorcode[e.errno]); sys.exit(0)
try:
    if len(sys.argv) > 3:
        os.pwrite(fd, data, int(sys.argv[3]))
    else:
        os.write(fd, data)
    print("ok")
except OSError as e:
    print(errno.errorcode[e.errno])
PY
}

# nb_rcvbuf_sum NS: one number that moves with any rcvbuf counter of NS.
nb_rcvbuf_sum() {
	nb_in "$1" cat "$NB_PROC/rcvbuf" | awk '$1 == "total" { for (i = 4; i <= NF; i++) s += $i; print s }'
}

# ---- NAPI tests (20-23) ----

# nb_virtio_nics: names of the virtio-net devices of the current namespace,
# in ifindex order (selftests/vm/run --nics gives two on one qemu hub).
nb_virtio_nics() {
	local d drv
	for d in /sys/class/net/*; do
		drv=$(readlink "$d/device/driver" 2>/dev/null) || continue
		[ "${drv##*/}" = virtio_net ] && echo "$(cat "$d/ifindex") ${d##*/}"
	done | sort -n | awk '{ print $2 }'
}

# nb_wait_virtio_nics N: wait (up to 10 s) until the current namespace has N
# virtio-net devices (a deleted namespace gives its devices back
# asynchronously; a reloaded driver probes them asynchronously).
nb_wait_virtio_nics() {
	local i
	for i in $(seq 100); do
		[ "$(nb_virtio_nics | wc -l)" -ge "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# nb_ns_noipv6 NS...: no IPv6 in these namespaces (no ND/MLD chatter that
# could land between two reads of a counter).
nb_ns_noipv6() {
	local ns
	for ns in "$@"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 2>/dev/null
	done
}

# nb_virtio_pair NS0 NS1: the first two virtio-net NICs moved into NS0 and
# NS1 (created here, IPv6 off), 10.78.0.1/24 and 10.78.0.2/24, up.
# Sets NB_NIC0 and NB_NIC1 (the device names). Returns 1 without two NICs.
nb_virtio_pair() {
	local nics
	nics=($(nb_virtio_nics))
	[ ${#nics[@]} -ge 2 ] || return 1
	NB_NIC0=${nics[0]} NB_NIC1=${nics[1]}
	ip netns add "$1"
	ip netns add "$2"
	nb_ns_noipv6 "$1" "$2"
	ip link set "$NB_NIC0" netns "$1"
	ip link set "$NB_NIC1" netns "$2"
	ip -n "$1" link set lo up
	ip -n "$2" link set lo up
	ip -n "$1" addr add 10.78.0.1/24 dev "$NB_NIC0"
	ip -n "$2" addr add 10.78.0.2/24 dev "$NB_NIC1"
	ip -n "$1" link set "$NB_NIC0" up
	ip -n "$2" link set "$NB_NIC1" up
}

# nb_virtio_unpair NS0 NS1: give the NICs back to the initial namespace at
# once (deleting a namespace does that too, but later), then delete both.
nb_virtio_unpair() {
	[ -n "${NB_NIC0:-}" ] && ip -n "$1" link set "$NB_NIC0" netns 1 2>/dev/null
	[ -n "${NB_NIC1:-}" ] && ip -n "$2" link set "$NB_NIC1" netns 1 2>/dev/null
	nb_del_netns "$1" "$2"
}

# nb_need PLAN NAME...: each NAME a command on PATH or (with a /) an
# executable file. If any is missing, all PLAN cases fail saying which (an
# environment problem is a failure) and the test ends.
nb_need() {
	local plan=$1 missing= t i
	shift
	for t in "$@"; do
		case $t in
		*/*) [ -x "$t" ] ;;
		*) command -v "$t" >/dev/null ;;
		esac || missing="$missing $t"
	done
	[ -z "$missing" ] && return 0
	ktap_not_ok "needed here:$missing"
	for i in $(seq $((plan - 1))); do ktap_not_ok "not run: missing$missing"; done
	ktap_finished
}

# nb_container SECS: a container made as runtimes make one: a child makes
# the user namespace and waits, the parent writes its maps (ids 0..65535
# to 100000..165535), then the container's root makes the network
# namespace (procfs gives its /proc/net to uid 100000: a namespace's owner
# is fixed when it is made). Sets CPID (holds the user namespace) and NPID
# (holds the network namespace), both sleeping SECS; the caller kills them.
nb_container() {
	local i
	unshare -U sleep "$1" &
	CPID=$!
	for i in $(seq 100); do
		[ "$(readlink /proc/$CPID/ns/user)" != "$(readlink /proc/self/ns/user)" ] && break
		sleep 0.1
	done
	echo deny >/proc/$CPID/setgroups
	echo "0 100000 65536" >/proc/$CPID/uid_map
	echo "0 100000 65536" >/proc/$CPID/gid_map
	nsenter -t "$CPID" -U -- unshare -n sleep "$1" &
	NPID=$!
	for i in $(seq 100); do
		[ "$(readlink /proc/$NPID/ns/net)" != "$(readlink /proc/self/ns/net)" ] &&
			[ "$(cat /proc/$NPID/comm)" = sleep ] && break
		sleep 0.1
	done
}

# cin CMD...: CMD as the root of nb_container's container (nsenter sets uid
# and gid 0 in its user namespace and drops supplementary groups).
cin() { nsenter -t "$NPID" -U -n -- "$@"; }

# nb_wait_listen NS PORT: wait (up to 10 s) until a TCP socket listens on
# PORT in NS: a program just started there may take a while under TCG.
nb_wait_listen() {
	local i
	for i in $(seq 100); do
		ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# nb_iperf NS_SERVER NS_CLIENT ADDR PORT [CLIENT ARGS...]: one iperf3 run,
# server (one-off) in NS_SERVER, client in NS_CLIENT; its summary lines are
# printed as KTAP comments. Fails if the client fails.
nb_iperf() {
	local srv=$1 cli=$2 addr=$3 port=$4 rc
	shift 4
	ip netns exec "$srv" iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
	NB_IPERF_PID=$!
	nb_wait_listen "$srv" "$port"
	ip netns exec "$cli" iperf3 -c "$addr" -p "$port" "$@" >/tmp/nb-iperf.$$ 2>&1
	rc=$?
	grep -E 'sender|receiver|error' /tmp/nb-iperf.$$ | sed 's/^/# iperf3: /'
	rm -f /tmp/nb-iperf.$$
	[ $rc = 0 ] || kill "$NB_IPERF_PID" 2>/dev/null
	wait "$NB_IPERF_PID" 2>/dev/null
	NB_IPERF_PID=
	return $rc
}

# nb_iperf_kill: stop a server nb_iperf left behind (for traps).
nb_iperf_kill() {
	[ -n "${NB_IPERF_PID:-}" ] && kill "$NB_IPERF_PID" 2>/dev/null
	NB_IPERF_PID=
}

# nb_ethtool_sum NS DEV REGEX: sum of the `ethtool -S DEV` counters whose
# name matches REGEX (e.g. xdp_packets over all of a veth's queues).
nb_ethtool_sum() {
	nb_in "$1" ethtool -S "$2" | awk -v re="$3" '
		{ sub(/:$/, "", $1) } $1 ~ re { s += $2 } END { print s + 0 }'
}

# nb_hist_bucket NS IFACE KIND LOW: the count of one histogram bucket (0 if
# empty or absent).
nb_hist_bucket() {
	nb_in "$1" cat "$NB_PROC/histograms" | awk -v row="$2" -v kind="$3" -v low="$4" '
		$1 == row && $3 == kind { for (i = 7; i <= NF; i++) { split($i, kv, ":"); if (kv[1] == low) n = kv[2] } }
		END { print n + 0 }'
}

# nb_backlog_idle SECS: how many packets the host-wide backlog row took in
# SECS seconds of nothing (0 on a quiet guest).
nb_backlog_idle() {
	local p0
	p0=$(nb_col "" napi backlog packets)
	sleep "$1"
	echo $(($(nb_col "" napi backlog packets) - p0))
}

# ---- stress tests (5x-*.sh) ----
# NB_STRESS_SCALE scales every count: 1 (default) is the bounded form that
# runs in make check, make stress runs 10 (the full counts of issue 7).

NB_STRESS_SCALE=${NB_STRESS_SCALE:-1}
NB_STRESS_PY=$NB_REPO/selftests/lib/nbstress.py
NB_RUNDIR=${NB_RUNDIR:-/tmp/nb-stress.$$}

# nb_scaled N: N times NB_STRESS_SCALE.
nb_scaled() { echo $(($1 * NB_STRESS_SCALE)); }

# nb_kv FILE KEY: the value of KEY in a "key value" file (bash builtins only:
# every program started in a TCG guest costs a tenth of a second or more).
nb_kv() {
	local k v _
	while read -r k v _; do
		[ "$k" = "$2" ] && { echo "$v"; return 0; }
	done <"$1"
	return 1
}

# nb_ctl SETTING: write one setting (KEY=VALUE) to /proc/netbuf/control.
nb_ctl() { echo "$1" >"$NB_PROC/control"; }

# nb_ctlv KEY [NS]: a value of /proc/netbuf/control as NS (default: the
# caller's namespace) reads it; nothing if the key is not there.
nb_ctlv() { nb_in "${2:-}" awk -v k="$1" '$1 == k { print $2 }' "$NB_PROC/control"; }

# nb_mem KEY: a value of /proc/netbuf/memory (of the namespace of the caller).
nb_mem() { nb_kv "$NB_PROC/memory" "$1"; }

# nb_meminfo KEY: /proc/meminfo value in kB (Slab, SUnreclaim, Percpu...).
nb_meminfo() { nb_kv /proc/meminfo "$1:"; }

# nb_slab_kmalloc: kB held by the generic kmalloc caches (active objects
# times object size), where the module's rows and buffers live.
nb_slab_kmalloc() {
	awk '$1 ~ /^kmalloc-/ { s += $2 * $4 } END { printf "%d\n", s / 1024 }' /proc/slabinfo
}

# nb_wait_mem KEY VALUE SECS: wait until /proc/netbuf/memory KEY is VALUE
# (namespaces die asynchronously: their rows go some time after ip netns del).
nb_wait_mem() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(nb_mem "$1")" = "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# nb_rows_state NS STATE: how many rcvbuf rows of NS are in STATE (up|gone).
nb_rows_state() {
	nb_in "$1" cat "$NB_PROC/rcvbuf" | awk -v s="$2" 'NR > 1 && $3 == s { n++ } END { print n + 0 }'
}

# nb_elapsed T0: seconds since T0 (an $EPOCHREALTIME value), 1 decimal.
nb_elapsed() {
	local now=$EPOCHREALTIME
	awk -v a="$1" -v b="$now" 'BEGIN { printf "%.1f\n", b - a }'
}

# Background loops: nb_loop_start NAME CMD... runs CMD again and again
# (NB_LOOP_PAUSE s apart, default 0.3) until nb_loop_stop; each run's status
# goes to a line of $NB_RUNDIR/loop.NAME, its last failing output to
# loop.NAME.err.
NB_LOOP_PIDS=()
nb_loop_start() {
	local name=$1 pause=${NB_LOOP_PAUSE:-0.3}
	shift
	mkdir -p "$NB_RUNDIR"
	: >"$NB_RUNDIR/loop.$name"
	(
		while [ ! -e "$NB_RUNDIR/stop" ]; do
			"$@" >"$NB_RUNDIR/loop.$name.out" 2>&1
			rc=$?
			echo "$rc" >>"$NB_RUNDIR/loop.$name"
			[ "$rc" = 0 ] || cp "$NB_RUNDIR/loop.$name.out" "$NB_RUNDIR/loop.$name.err"
			sleep "$pause"
		done
	) </dev/null &
	NB_LOOP_PIDS+=($!)
}

nb_loop_stop() {
	mkdir -p "$NB_RUNDIR"
	touch "$NB_RUNDIR/stop"
	[ ${#NB_LOOP_PIDS[@]} -gt 0 ] && wait "${NB_LOOP_PIDS[@]}" 2>/dev/null
	NB_LOOP_PIDS=()
	rm -f "$NB_RUNDIR/stop"
}

# nb_loop_runs NAME / nb_loop_fails NAME: runs done, runs that failed.
nb_loop_runs() { awk 'END { print NR }' "$NB_RUNDIR/loop.$1"; }
nb_loop_fails() { awk '$1 != 0 { n++ } END { print n + 0 }' "$NB_RUNDIR/loop.$1"; }

# nb_loop_report NAME: one KTAP comment line about a loop, and its last error.
nb_loop_report() {
	ktap_info "$1: $(nb_loop_runs "$1") runs, $(nb_loop_fails "$1") failed"
	[ -s "$NB_RUNDIR/loop.$1.err" ] && [ "$(nb_loop_fails "$1")" != 0 ] &&
		tail -n 3 "$NB_RUNDIR/loop.$1.err" | sed "s/^/# $1: /"
	return 0
}

# nb_traffic_start NSA NSB: the traffic of the stress tests, each in a loop:
# iperf3 over loopback (initial namespace), iperf3 over the veth pair of
# nb_veth_pair NSA NSB (client in NSA), and rcvpress's collapse workload in
# NSB over loopback (1.5 s runs, 1 s apart). Rates are capped so that the
# 2 vCPUs of a TCG guest keep time for the test itself (NB_IPERF_RATE,
# default 50M each).
nb_traffic_start() {
	local a=$1 b=$2
	iperf3 -s -p 5311 -B 127.0.0.1 </dev/null >/dev/null 2>&1 &
	NB_TRAFFIC_PIDS=($!)
	ip netns exec "$b" iperf3 -s -p 5312 </dev/null >/dev/null 2>&1 &
	NB_TRAFFIC_PIDS+=($!)
	sleep 0.5
	nb_loop_start iperf3-lo iperf3 -c 127.0.0.1 -p 5311 -t 3 -b ${NB_IPERF_RATE:-50M} -l 16k
	nb_loop_start iperf3-veth ip netns exec "$a" iperf3 -c 10.77.0.2 -p 5312 -t 3 -b ${NB_IPERF_RATE:-50M}
	NB_LOOP_PAUSE=1 nb_loop_start collapse ip netns exec "$b" "$NB_RCVPRESS" --mode collapse -d 1.5 -c 2
}

nb_traffic_stop() {
	nb_loop_stop
	[ ${#NB_TRAFFIC_PIDS[@]} -gt 0 ] && kill "${NB_TRAFFIC_PIDS[@]}" 2>/dev/null
	[ ${#NB_TRAFFIC_PIDS[@]} -gt 0 ] && wait "${NB_TRAFFIC_PIDS[@]}" 2>/dev/null
	NB_TRAFFIC_PIDS=()
	return 0
}

# Concurrent readers of every /proc/netbuf file: three dd loops (bs=1, 7 and
# 4096) and a python one (odd chunk sizes, preads at odd offsets, format
# checks), NB_READER_PAUSE seconds (default 0.1) between two files so that
# a 2-vCPU TCG guest keeps time for the rest. nb_readers_start [NS],
# nb_readers_stop, then nb_readers_report prints what they did; it fails if
# a reader saw an error or a bad line. A file missing (module unloaded, or
# unloaded under the reader: ENOENT, EIO) counts as absent, not as an error.
NB_READER_PIDS=()
NB_READABLE="version probes rcvbuf napi histograms napi_queues napi_queue_hist memory events control"
nb_readers_start() {
	local ns=${1:-} bs pause=${NB_READER_PAUSE:-0.1}
	mkdir -p "$NB_RUNDIR"
	for bs in 1 7 4096; do
		(
			ok=0 bad=0 absent=0
			# naps without starting sleep(1): read on a FIFO nobody writes
			mkfifo "$NB_RUNDIR/nap.$bs" && exec 9<>"$NB_RUNDIR/nap.$bs"
			while [ ! -e "$NB_RUNDIR/rstop" ]; do
				for f in $NB_READABLE; do
					if nb_in "$ns" dd if="$NB_PROC/$f" of=/dev/null bs=$bs status=none 2>"$NB_RUNDIR/dd.$bs.last"; then
						ok=$((ok + 1))
						[ "$ok" != 1 ] || : >"$NB_RUNDIR/reader.dd$bs.started"
					elif grep -qE 'No such file|Input/output error' "$NB_RUNDIR/dd.$bs.last"; then
						absent=$((absent + 1))
					else
						bad=$((bad + 1))
						cp "$NB_RUNDIR/dd.$bs.last" "$NB_RUNDIR/dd.$bs.err"
					fi
					read -rt "$pause" -u 9 _
				done
			done
			echo "reads=$ok errors=$bad absent=$absent" >"$NB_RUNDIR/reader.dd$bs"
		) </dev/null &
		NB_READER_PIDS+=($!)
	done
	nb_in "$ns" python3 "$NB_STRESS_PY" readloop "$NB_RUNDIR/reader.py" "$NB_RUNDIR/rstop" "$pause" </dev/null &
	NB_READER_PIDS+=($!)
}

# nb_readers_wait: until every reader has read a file (at most 120 s: on
# a loaded TCG host python alone can take tens of seconds to start).
nb_readers_wait() {
	local i r all
	for ((i = 0; i < 1200; i++)); do
		all=1
		for r in dd1 dd7 dd4096 py; do
			[ -e "$NB_RUNDIR/reader.$r.started" ] || all=0
		done
		[ "$all" = 0 ] || return 0
		sleep 0.1
	done
	return 1
}

nb_readers_stop() {
	mkdir -p "$NB_RUNDIR"
	touch "$NB_RUNDIR/rstop"
	[ ${#NB_READER_PIDS[@]} -gt 0 ] && wait "${NB_READER_PIDS[@]}" 2>/dev/null
	NB_READER_PIDS=()
	rm -f "$NB_RUNDIR/rstop"
}

# nb_readers_report: KTAP comments; status 1 if any reader saw an error.
nb_readers_report() {
	local r line bad=0
	for r in dd1 dd7 dd4096 py; do
		line=$(head -1 "$NB_RUNDIR/reader.$r" 2>/dev/null)
		ktap_info "reader $r: ${line:-no report}"
		case $line in
		*errors=0*) ;;
		*) bad=1 ;;
		esac
		# a reader that never read a file while netbuf was loaded proves nothing
		[[ $line =~ (^|\ )reads=[1-9] ]] || { ktap_info "reader $r read nothing"; bad=1; }
		case $line in
		*badfmt=[1-9]*) bad=1 ;;
		esac
	done
	[ -f "$NB_RUNDIR/reader.py" ] && grep '^msg' "$NB_RUNDIR/reader.py" | head -5 | sed 's/^/# reader py: /'
	for r in 1 7 4096; do
		[ -s "$NB_RUNDIR/dd.$r.err" ] && sed "s/^/# reader dd$r: /" "$NB_RUNDIR/dd.$r.err" | head -2
	done
	return $bad
}

# nb_validate [NS]: every readable /proc/netbuf file is well-formed
# (docs/formats.md, including totals = sum of rows); prints what is wrong.
nb_validate() {
	local ns=${1:-} f files=()
	for f in $NB_READABLE; do files+=("$NB_PROC/$f"); done
	nb_in "$ns" python3 "$NB_STRESS_PY" validate "${files[@]}"
}

# nb_mem_figures: one KTAP comment with the kernel's memory figures.
nb_mem_figures() {
	ktap_info "$1: Slab $(nb_meminfo Slab) kB, SUnreclaim $(nb_meminfo SUnreclaim) kB," \
		"Percpu $(nb_meminfo Percpu) kB, kmalloc caches $(nb_slab_kmalloc) kB"
}
