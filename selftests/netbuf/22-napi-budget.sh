#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# NAPI budget exhaustion (the exhausted column: polls whose work reached the
# budget, i.e. the driver still had packets) shows under a flood and stays
# still when idle.
# - virtio-net (with selftests/vm/run --nics): the per-poll budget is the
#   NAPI weight, virtio_net's napi_weight module parameter (default 64, read
#   at probe time). The driver is reloaded with napi_weight=8, a UDP flood
#   goes from one NIC to the other. With a budget of 8 no poll takes more
#   than 8, so the napi_pkts bucket [8,16) holds exactly the exhausted polls.
#   The driver is reloaded with its defaults at the end.
# - backlog: the per-CPU backlog's budget is net.core.dev_weight (read by
#   process_backlog at each poll); set to 4, TCP over a veth pair with GRO
#   off and TSO/GSO off fills the backlog (segments sent from the ACK
#   softirq queue up behind each other).
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbxa B=nbxb
WEIGHT=8
ktap_header
nb_require_module
command -v iperf3 >/dev/null || ktap_skip_all "no iperf3"
command -v ethtool >/dev/null || ktap_skip_all "no ethtool"
old_weight=$(sysctl -n net.core.dev_weight)
reloaded=0
cleanup() {
	nb_iperf_kill
	nb_virtio_unpair $A $B
	nb_del_netns $A $B
	sysctl -qw net.core.dev_weight="$old_weight"
	if [ $reloaded = 1 ]; then
		rmmod virtio_net 2>/dev/null
		modprobe virtio_net
		nb_wait_virtio_nics 2
	fi
}
trap cleanup EXIT
nb_load
nb_del_netns $A $B
ktap_plan 10

np() { nb_col "$1" napi "$2" "$3"; }

ktap_info "case 1: virtio-net with napi_weight=$WEIGHT, UDP flood"
if [ "$(nb_virtio_nics | wc -l)" -lt 2 ]; then
	for _ in 1 2 3 4 5; do ktap_skip "needs two virtio-net NICs (selftests/vm/run --nics)"; done
elif ! { rmmod virtio_net && reloaded=1 && modprobe virtio_net napi_weight=$WEIGHT &&
	 nb_wait_virtio_nics 2; }; then
	for _ in 1 2 3 4 5; do ktap_skip "cannot reload virtio_net with napi_weight=$WEIGHT"; done
else
	nb_virtio_pair $A $B
	RX=$NB_NIC1
	sleep 0.5
	e0=$(np $B "$RX" exhausted) p0=$(np $B "$RX" polls)
	nb_iperf $B $A 10.78.0.2 5201 -u -b 0 -l 64 -t 2
	iperf_rc=$?
	sleep 0.5
	e1=$(np $B "$RX" exhausted) p1=$(np $B "$RX" polls) k1=$(np $B "$RX" packets)
	sleep 1
	e2=$(np $B "$RX" exhausted) p2=$(np $B "$RX" polls) k2=$(np $B "$RX" packets)
	ip netns exec $B cat $NB_PROC/napi | sed "s/^/# $B: /"
	ip netns exec $B cat $NB_PROC/histograms | grep napi_pkts | sed "s/^/# $B: /"
	ktap_info "$RX flood: polls $((p1 - p0)) exhausted $((e1 - e0));" \
		"idle second: polls $((p2 - p1)) packets $((k2 - k1)) exhausted $((e2 - e1))"
	ktap_eq "iperf3 ran" "$iperf_rc" 0
	ktap_check "exhausted > 0 under the flood ($((e1 - e0)))" test $((e1 - e0)) -gt 0
	ktap_eq "exhausted still over an idle second" $((e2 - e1)) 0
	ktap_eq "no poll took more than the budget (napi_pkts max)" \
		"$(nb_hist_field $B "$RX" napi_pkts max)" $WEIGHT
	ktap_eq "internal consistency: exhausted = polls that took $WEIGHT (napi_pkts bucket $WEIGHT)" \
		"$(nb_hist_bucket $B "$RX" napi_pkts $WEIGHT)" "$(np $B "$RX" exhausted)"
	nb_virtio_unpair $A $B
fi

ktap_info "case 2: backlog with net.core.dev_weight=4, TCP over veth (GRO off)"
nb_veth_pair $A $B
nb_ns_noipv6 $A $B
ip netns exec $A ethtool -K a0 tso off gso off
ip netns exec $B ethtool -K b0 gro off
sysctl -qw net.core.dev_weight=4
sleep 0.3
e0=$(np "" backlog exhausted) p0=$(np "" backlog polls)
nb_iperf $B $A 10.77.0.2 5202 -t 2
iperf_rc=$?
sleep 0.5
e1=$(np "" backlog exhausted) p1=$(np "" backlog polls)
sleep 1
e2=$(np "" backlog exhausted) p2=$(np "" backlog polls)
sysctl -qw net.core.dev_weight="$old_weight"
ktap_info "backlog flood: polls $((p1 - p0)) exhausted $((e1 - e0));" \
	"idle second: polls $((p2 - p1)) exhausted $((e2 - e1))"
ktap_eq "iperf3 ran" "$iperf_rc" 0
ktap_check "backlog exhausted > 0 under the flood ($((e1 - e0)))" test $((e1 - e0)) -gt 0
ktap_eq "backlog exhausted still over an idle second" $((e2 - e1)) 0
ktap_check "internal consistency: exhausted <= polls" test "$(np "" backlog exhausted)" -le "$(np "" backlog polls)"
ktap_check "b0 had no NAPI poll (GRO off)" test "$(np $B b0 polls)" = 0
ktap_finished
