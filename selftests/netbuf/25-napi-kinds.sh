#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Polls that are not the NET_RX softirq's (issue 14), on two virtio NICs on
# one qemu hub (selftests/vm/run --nics): the sender NIC stays in the
# initial namespace (netconsole binds devices there only), the receiver
# goes to its own namespace. In each phase the NICs' NAPI packets equal
# their rx_packets deltas exactly, and every poll timed is in napi_ns.
# - netpoll: netconsole on the sender NIC, kernel messages written while a
#   UDP flood fills the NIC's TX ring: netpoll cannot transmit and polls
#   the device's NAPIs itself (poll_one_napi, budget 0). Those polls count
#   in netpoll, untimed, and neither exhausted nor empty.
# - busy polling: a UDP reader with SO_BUSY_POLL on the receiver: its
#   recvmsg polls the NIC's NAPI from the task (napi_busy_loop, budget 8).
#   Those count in busy_poll, untimed, never exhausted.
# - threaded NAPI: `threaded` set on the receiver, TCP to it: every poll
#   runs in the NAPI thread (threaded = polls) and is timed in the default
#   mode by the napi_thread kprobe (untimed only for its missed entries).
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

B=nbkb
ktap_header
ktap_plan 24
fail_all() {
	local i
	for i in $(seq 24); do ktap_not_ok "$1"; done
	exit 1
}
nb_require_module
command -v iperf3 >/dev/null || fail_all "no iperf3"
command -v ethtool >/dev/null || fail_all "no ethtool"
[ "$(nb_virtio_nics | wc -l)" -ge 2 ] ||
	fail_all "needs two virtio-net NICs on one hub (selftests/vm/run --nics)"
nics=($(nb_virtio_nics))
TX=${nics[0]} RX=${nics[1]}
cleanup() {
	[ -n "${flood:-}" ] && kill "$flood" 2>/dev/null
	nb_iperf_kill
	rmmod netconsole 2>/dev/null
	ip -n $B link set "$RX" netns 1 2>/dev/null
	nb_del_netns $B
	ip addr flush dev "$TX" 2>/dev/null
	ip link set "$TX" down 2>/dev/null
	nb_unload
	nb_load
}
trap cleanup EXIT
nb_del_netns $B
nb_reload || fail_all "cannot load netbuf"

ip netns add $B
nb_ns_noipv6 $B
sysctl -qw net.ipv6.conf."$TX".disable_ipv6=1
ip link set "$RX" netns $B
ip -n $B link set lo up
ip addr add 10.78.0.1/24 dev "$TX"
ip -n $B addr add 10.78.0.2/24 dev "$RX"
ip link set "$TX" up
ip -n $B link set "$RX" up
echo warm >/dev/udp/10.78.0.2/9	# ARP; bash's /dev/udp: no ping here
sleep 0.5

np() { nb_col "$1" napi "$2" "$3"; }
COLS="polls packets exhausted empty untimed netpoll busy_poll threaded"
# snap VAR NS DEV: the NAPI columns, rx_packets and napi_ns samples of DEV,
# read until two reads in a row agree (a late packet or poll, e.g. a queued
# netconsole message, must not land between two of the values).
snap_once() {
	echo "$(nb_in "$1" cat $NB_PROC/napi | awk -v d="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$1 == d { split("'"$COLS"'", k, " "); for (j = 1; j in k; j++) printf "%s ", $c[k[j]] }')" \
		"$(nb_sysfs_stat "$1" "$2" rx_packets) $(nb_hist_field "$1" "$2" napi_ns samples)"
}
snap() {
	local a b c i v
	b=$(snap_once "$2" "$3")
	for i in $(seq 20); do
		sleep 0.2
		a=$b b=$(snap_once "$2" "$3")
		[ "$a" = "$b" ] && break
	done
	set -- "$1" $b
	v=$1; shift
	for c in $COLS rx ns; do eval "${v}_$c=$1"; shift; done
}
# d A B COL: B's COL minus A's.
d() { eval "echo \$((${2}_$3 - ${1}_$3))"; }
show() {
	local c s="$1:"
	for c in $COLS rx ns; do s="$s $c $(d "$2" "$3" $c)"; done
	ktap_info "$s"
}

# ---- netpoll ----
modprobe netconsole "netconsole=6665@10.78.0.1/$TX,6666@10.78.0.2/$(ip -n $B -br link show "$RX" | awk '{ print $3 }')" 2>&1 | sed 's/^/# /'
ethtool -G "$TX" tx 64 >/dev/null 2>&1 && ktap_info "$TX: TX ring 64"
snap t0 "" "$TX"
snap r0 $B "$RX"
# Netpoll polls only when a message finds the TX queue stopped or locked:
# a matter of timing on a loaded host, so up to 5 rounds of flood and
# messages, until the sender's netpoll column moved.
for round in 1 2 3 4 5; do
	ip netns exec $B iperf3 -s -1 -p $((5510 + round)) >/dev/null 2>&1 &
	NB_IPERF_PID=$!
	nb_wait_listen $B $((5510 + round))
	iperf3 -c 10.78.0.2 -p $((5510 + round)) -u -b 0 -l 1200 -t 4 >/tmp/nb-kinds.$$ 2>&1 &
	flood=$!
	sleep 1
	for i in $(seq 150); do
		echo "<4>nb25 netpoll message $i of 150 (round $round), padded to fill the ring faster: ................................................................" >/dev/kmsg
	done
	wait $flood
	flood=
	wait "$NB_IPERF_PID" 2>/dev/null
	NB_IPERF_PID=
	grep -E 'sender|receiver|error' /tmp/nb-kinds.$$ | sed "s/^/# iperf3 (round $round): /"
	rm -f /tmp/nb-kinds.$$
	sleep 0.5
	snap t1 "" "$TX"
	[ "$(d t0 t1 netpoll)" -gt 0 ] && break
	ktap_info "round $round: no netpoll poll of $TX yet"
done
snap r1 $B "$RX"
show "netpoll phase, $TX" t0 t1
show "netpoll phase, $RX" r0 r1
ktap_check "netpoll: $TX polled by netpoll ($(d t0 t1 netpoll))" test "$(d t0 t1 netpoll)" -gt 0
ktap_eq "netpoll: $TX NAPI packets = rx_packets delta" "$(d t0 t1 packets)" "$(d t0 t1 rx)"
ktap_eq "netpoll: $RX NAPI packets = rx_packets delta" "$(d r0 r1 packets)" "$(d r0 r1 rx)"
ktap_check "netpoll: $RX got the flood ($(d r0 r1 rx) > 1000)" test "$(d r0 r1 rx)" -gt 1000
ktap_eq "netpoll: $TX exhausted (no poll of it had 64 packets)" "$(d t0 t1 exhausted)" 0
ktap_check "netpoll: $TX empty ($(d t0 t1 empty)) <= polls - netpoll ($(($(d t0 t1 polls) - $(d t0 t1 netpoll))))" \
	test "$(d t0 t1 empty)" -le $(($(d t0 t1 polls) - $(d t0 t1 netpoll)))
ktap_eq "netpoll: $TX untimed = netpoll polls" "$(d t0 t1 untimed)" "$(d t0 t1 netpoll)"
ktap_eq "internal consistency: netpoll: $TX napi_ns samples = polls - untimed" "$(d t0 t1 ns)" $(($(d t0 t1 polls) - $(d t0 t1 untimed)))
rmmod netconsole

# ---- busy polling ----
cat >/tmp/nb-busy.py <<'EOF'
import socket, sys, time
import struct
# A blocking socket (no Python timeout: that would poll(2) first and call
# recv only once data is there), so recv busy polls while the queue is empty.
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 46, 200)	# SO_BUSY_POLL, us
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 3, 0))
s.bind(("10.78.0.2", 7000))
n = 0
open("/tmp/nb-busy.ready", "w").close()
try:
    while True:
        s.recv(2048)
        n += 1
except OSError:
    pass
print(n)
EOF
cat >/tmp/nb-send.py <<'EOF'
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(6000):
    s.sendto(b"x" * 100, ("10.78.0.2", 7000))
    if i % 50 == 0:
        time.sleep(0.002)
EOF
rm -f /tmp/nb-busy.ready
snap r0 $B "$RX"
e0=$(nb_hist_bucket $B "$RX" napi_pkts 64)
ip netns exec $B python3 /tmp/nb-busy.py >/tmp/nb-busy.out 2>&1 &
busy=$!
for i in $(seq 100); do [ -e /tmp/nb-busy.ready ] && break; sleep 0.1; done
python3 /tmp/nb-send.py
wait $busy
got=$(cat /tmp/nb-busy.out)
sleep 0.3
snap r1 $B "$RX"
show "busy phase, $RX (reader got $got)" r0 r1
ktap_check "busy: the reader received ($got)" test "${got:-0}" -gt 1000 2>/dev/null
ktap_check "busy: $RX polled by busy polling ($(d r0 r1 busy_poll))" test "$(d r0 r1 busy_poll)" -gt 0
ktap_eq "busy: $RX NAPI packets = rx_packets delta" "$(d r0 r1 packets)" "$(d r0 r1 rx)"
# Only a softirq poll can take 64 packets (the NAPI weight), and every one
# that did is exhausted; a busy poll that took its budget of 8 is not.
ktap_eq "busy: $RX exhausted = polls that took 64 (busy polls of 8 are not)" \
	"$(d r0 r1 exhausted)" $(($(nb_hist_bucket $B "$RX" napi_pkts 64) - e0))
ktap_eq "busy: $RX untimed = busy polls" "$(d r0 r1 untimed)" "$(d r0 r1 busy_poll)"
ktap_eq "internal consistency: busy: $RX napi_ns samples = polls - untimed" "$(d r0 r1 ns)" $(($(d r0 r1 polls) - $(d r0 r1 untimed)))
rm -f /tmp/nb-busy.py /tmp/nb-send.py /tmp/nb-busy.out /tmp/nb-busy.ready

# ---- threaded NAPI ----
thr_missed() {
	local m
	m=$(nb_col "" probes napi_thread nmissed)
	[ "$m" = - ] || [ -z "$m" ] && m=0
	echo "$m"
}
ktap_eq "threaded: napi_thread kprobe waits for a threaded poll" \
	"$(nb_col "" probes napi_thread state) $(nb_col "" probes napi_thread note)" "active armed_at_first_threaded_poll"
ip netns exec $B sh -c "echo 1 >/sys/class/net/$RX/threaded"
thr=$(ip netns exec $B cat /sys/class/net/"$RX"/threaded)
# The first threaded poll arms the kprobe, from a work item: enabling an
# ftrace-based kprobe patches text and took up to tens of seconds under TCG
# on a loaded host. Warm up with UDP datagrams until it is armed.
armed=0
for i in $(seq 90); do
	echo warm >/dev/udp/10.78.0.2/9
	if [ "$(nb_col "" probes napi_thread note)" = - ]; then armed=1; break; fi
	sleep 0.5
done
ktap_info "napi_thread armed=$armed after $i warm-up datagrams"
sleep 0.3
m0=$(thr_missed)
snap r0 $B "$RX"
ip netns exec $B iperf3 -s -1 -p 5502 >/dev/null 2>&1 &
NB_IPERF_PID=$!
nb_wait_listen $B 5502
iperf3 -c 10.78.0.2 -p 5502 -t 3 >/tmp/nb-kinds.$$ 2>&1
rc=$?
wait "$NB_IPERF_PID" 2>/dev/null
NB_IPERF_PID=
grep -E 'sender|receiver|error' /tmp/nb-kinds.$$ | sed 's/^/# iperf3: /'
rm -f /tmp/nb-kinds.$$
sleep 0.3
snap r1 $B "$RX"
miss=$(($(thr_missed) - m0))
show "threaded phase, $RX (threaded=$thr, napi_thread missed $miss)" r0 r1
grep -E '^(hook|napi)' $NB_PROC/probes | sed 's/^/# /'
ktap_eq "threaded: iperf3 ran, $RX threaded" "$rc/$thr" 0/1
ktap_eq "threaded: napi_thread kprobe armed" "$(nb_col "" probes napi_thread note)" -
ktap_check "threaded: $RX got the data ($(d r0 r1 rx) > 1000)" test "$(d r0 r1 rx)" -gt 1000
ktap_eq "threaded: $RX NAPI packets = rx_packets delta" "$(d r0 r1 packets)" "$(d r0 r1 rx)"
ktap_eq "threaded: every $RX poll in its thread (threaded = polls)" "$(d r0 r1 threaded)" "$(d r0 r1 polls)"
ktap_check "threaded: $RX timed (untimed $(d r0 r1 untimed) <= missed $miss)" test "$(d r0 r1 untimed)" -le "$miss"
ktap_eq "internal consistency: threaded: $RX napi_ns samples = polls - untimed" "$(d r0 r1 ns)" $(($(d r0 r1 polls) - $(d r0 r1 untimed)))
ktap_check "threaded: $RX poll time > 0" test "$(np $B "$RX" poll_ns)" -gt 0
ktap_check "files well-formed" nb_validate $B
ip netns exec $B sh -c "echo 0 >/sys/class/net/$RX/threaded"
ktap_finished
