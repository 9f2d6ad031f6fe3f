#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# NAPI on virtio-net: two virtio NICs on one qemu hub (selftests/vm/run
# --nics), each moved into its own namespace, iperf3 TCP from one to the
# other. virtio_net receives only in its NAPI poll and adds what a poll
# received to rx_packets, so netbuf's NAPI packets on each NIC (read in its
# namespace) equal the NIC's rx_packets delta exactly: the data on the
# receiver, the ACKs on the sender. The histograms count every poll; the
# napi_ns one every timed poll. With nothing busy-polling, threaded or
# netpolling here, no poll is untimed when timed from softirq_entry (the
# default); with napi_timing=kprobe a poll is untimed only when the kprobe
# on __napi_poll's entry was missed: that happens when the NET_RX softirq
# runs on an interrupt's exit inside another kprobe's handler
# (kprobe_running(): the entry is skipped and counted in the probe's
# nmissed). nb_untimed_max gives the bound for the mode loaded.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbna B=nbnb
ktap_header
nb_require_module
command -v iperf3 >/dev/null || ktap_skip_all "no iperf3"
[ "$(nb_virtio_nics | wc -l)" -ge 2 ] ||
	ktap_skip_all "needs two virtio-net NICs on one hub (selftests/vm/run --nics)"
trap 'nb_iperf_kill; nb_virtio_unpair $A $B' EXIT
nb_load
nb_del_netns $A $B
miss0=$(nb_napi_missed)
nb_virtio_pair $A $B
TX=$NB_NIC0 RX=$NB_NIC1
ktap_plan 22

# A device moved into a namespace has a fresh row there: the baselines are
# taken after the move and after the link-up polls settled.
sleep 0.5
np() { nb_col "$1" napi "$2" "$3"; }
rx0=$(nb_sysfs_stat $B "$RX" rx_packets) tx0=$(nb_sysfs_stat $A "$TX" rx_packets)
prx0=$(np $B "$RX" packets) ptx0=$(np $A "$TX" packets)
nb_iperf $B $A 10.78.0.2 5201 -t 3
ok=$?
sleep 0.5
rx1=$(nb_sysfs_stat $B "$RX" rx_packets) tx1=$(nb_sysfs_stat $A "$TX" rx_packets)
prx1=$(np $B "$RX" packets) ptx1=$(np $A "$TX" packets)
drx=$((rx1 - rx0)) dtx=$((tx1 - tx0))
miss=$(nb_untimed_max "$miss0")

ip netns exec $A cat $NB_PROC/napi | sed "s/^/# $A: /"
ip netns exec $B cat $NB_PROC/napi | sed "s/^/# $B: /"
ip netns exec $A cat $NB_PROC/histograms | grep napi | sed "s/^/# $A: /"
ip netns exec $B cat $NB_PROC/histograms | grep napi | sed "s/^/# $B: /"
grep -E '^(hook|napi)' $NB_PROC/probes | sed 's/^/# /'
ktap_info "receiver $RX: netbuf packets $((prx1 - prx0)) rx_packets $drx;" \
	"sender $TX: netbuf packets $((ptx1 - ptx0)) rx_packets $dtx;" \
	"untimed $(np $B "$RX" untimed)+$(np $A "$TX" untimed), untimed allowed $miss (napi_timing $(nb_napi_timing))"

ktap_eq "iperf3 ran" "$ok" 0
ktap_check "receiver got the data (rx_packets delta $drx > 1000)" test "$drx" -gt 1000
ktap_eq "receiver $RX: NAPI packets = rx_packets delta" "$((prx1 - prx0))" "$drx"
ktap_eq "sender $TX: NAPI packets = rx_packets delta (ACKs)" "$((ptx1 - ptx0))" "$dtx"
for side in "$B $RX" "$A $TX"; do
	set -- $side
	ns=$1 dev=$2
	polls=$(np $ns "$dev" polls)
	ktap_check "$dev: polls >= 1 ($polls)" test "$polls" -ge 1
	ktap_check "$dev: poll_ns > 0 ($(np $ns "$dev" poll_ns))" test "$(np $ns "$dev" poll_ns)" -gt 0
	untimed=$(np $ns "$dev" untimed)
	ktap_check "$dev: untimed ($untimed) <= allowed ($miss)" test "$untimed" -le "$miss"
	ktap_eq "internal consistency: $dev: napi_ns samples = polls - untimed" "$(nb_hist_field $ns "$dev" napi_ns samples)" $((polls - untimed))
	ktap_eq "internal consistency: $dev: napi_pkts samples = polls" "$(nb_hist_field $ns "$dev" napi_pkts samples)" "$polls"
	ktap_eq "internal consistency: $dev: napi_pkts sum = packets" "$(nb_hist_field $ns "$dev" napi_pkts sum)" "$(np $ns "$dev" packets)"
	ktap_eq "internal consistency: $dev: napi_ns sum = poll_ns" "$(nb_hist_field $ns "$dev" napi_ns sum)" "$(np $ns "$dev" poll_ns)"
	ktap_eq "internal consistency: $dev: napi_ns max = poll_max_ns" "$(nb_hist_field $ns "$dev" napi_ns max)" "$(np $ns "$dev" poll_max_ns)"
done
ktap_check "untimed on both ($(($(np $B "$RX" untimed) + $(np $A "$TX" untimed)))) <= allowed ($miss)" \
	test $(($(np $B "$RX" untimed) + $(np $A "$TX" untimed))) -le "$miss"
ktap_check "internal consistency: $RX: napi_ns histogram consistent with max" nb_hist_check $B "$RX" napi_ns
ktap_finished
