#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The three ways of timing NAPI polls (module parameter napi_timing), on
# one veth pair a0 -> b0 with GRO on at b0 (b0 polls its own NAPI, see
# 21-napi-veth.sh), each mode loaded in turn:
#   softirq  (default) napi_time is irq:softirq_entry; every poll of b0 in
#            the NET_RX softirq is timed (untimed 0); with b0's NAPI
#            threaded (/sys/class/net/b0/threaded) the polls run in a kernel
#            thread, outside any softirq: all counted as threaded, and
#            timed by the napi_thread kprobe on __napi_poll, which the first
#            threaded poll arms (warm-up datagrams do that before iperf3).
#   kprobe   napi_time is a kprobe on __napi_poll: threaded polls are timed
#            too (untimed <= the kprobe's nmissed).
#   off      nothing timed: untimed = polls, napi_ns empty.
# Both timed modes must agree on what they count (polls = xdp_packets-based
# packets) and on the order of the poll time; their mean poll times are
# printed side by side (the softirq mode also charges the NET_RX softirq's
# work between polls to the next poll, see module/napi.c).
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbta B=nbtb
ktap_header
nb_require_module
command -v iperf3 >/dev/null || ktap_skip_all "no iperf3"
command -v ethtool >/dev/null || ktap_skip_all "no ethtool"
trap 'nb_iperf_kill; nb_del_netns $A $B' EXIT

np() { nb_col $B napi b0 "$1"; }
thr_missed() {
	local m
	m=$(nb_col "" probes napi_thread nmissed)
	[ "$m" = - ] || [ -z "$m" ] && m=0
	echo "$m"
}
port=5400
# traffic MODE THREADED: fresh module in MODE, fresh pair, one iperf3 a0 -> b0;
# sets polls, untimed, samples, pns (poll_ns), pkts, xdp, miss, thr, rc,
# threaded, untimed0 (untimed before iperf3) and tmiss (napi_thread's
# entries missed meanwhile).
traffic() {
	local m0
	nb_unload
	nb_load napi_timing="$1" || return 1
	nb_del_netns $A $B
	nb_veth_pair $A $B
	nb_ns_noipv6 $A $B
	ip netns exec $A ethtool -K a0 tso off gso off >/dev/null 2>&1
	ip netns exec $B ethtool -K b0 gro on >/dev/null 2>&1
	thr=0
	if [ "$2" = 1 ]; then
		ip netns exec $B sh -c 'echo 1 >/sys/class/net/b0/threaded' 2>/dev/null &&
			thr=$(ip netns exec $B cat /sys/class/net/b0/threaded)
	fi
	# threaded: a poll arms the napi_thread kprobe (from a work item)
	if [ "$thr" = 1 ] && [ "$1" = softirq ]; then
		for i in $(seq 60); do
			ip netns exec $A bash -c 'echo warm >/dev/udp/10.77.0.2/9'
			[ "$(nb_col "" probes napi_thread note)" = - ] && break
			sleep 0.5
		done
	fi
	sleep 0.3
	m0=$(nb_napi_missed)
	t0=$(thr_missed) untimed0=$(np untimed)
	port=$((port + 1))
	nb_iperf $B $A 10.77.0.2 $port -t 2
	rc=$?
	sleep 0.3
	polls=$(np polls) untimed=$(np untimed) pns=$(np poll_ns) pkts=$(np packets)
	samples=$(nb_hist_field $B b0 napi_ns samples)
	xdp=$(nb_ethtool_sum $B b0 'xdp_packets$')
	miss=$(($(nb_napi_missed) - m0))
	tmiss=$(($(thr_missed) - t0)) threaded=$(np threaded)
	ktap_info "napi_timing=$1 threaded=$thr: polls $polls packets $pkts (xdp_packets $xdp)" \
		"untimed $untimed napi_ns samples $samples poll_ns $pns" \
		"mean $((polls > untimed ? pns / (polls - untimed) : 0)) ns per timed poll;" \
		"napi_time: $(grep '^napi_time' $NB_PROC/probes | tr -s ' ')"
}
mean() { echo $((polls > untimed ? pns / (polls - untimed) : 0)); }

ktap_plan 24

traffic softirq 0
ktap_eq "softirq: iperf3 ran" "$rc" 0
ktap_eq "softirq: napi_time is softirq_entry" "$(nb_napi_timing) $(nb_col "" probes napi_time symbol)" "softirq softirq_entry"
ktap_check "softirq: b0 polled ($polls)" test "$polls" -gt 0
ktap_eq "softirq: NAPI packets = xdp_packets" "$pkts" "$xdp"
ktap_eq "softirq: every poll timed (untimed)" "$untimed" 0
ktap_eq "internal consistency: softirq: napi_ns samples = polls" "$samples" "$polls"
ktap_check "softirq: poll_ns > 0" test "$pns" -gt 0
mean_sirq=$(mean)

traffic kprobe 0
ktap_eq "kprobe: iperf3 ran" "$rc" 0
ktap_eq "kprobe: napi_time is __napi_poll" "$(nb_napi_timing) $(nb_col "" probes napi_time symbol)" "kprobe __napi_poll"
ktap_eq "kprobe: NAPI packets = xdp_packets" "$pkts" "$xdp"
ktap_check "kprobe: untimed ($untimed) <= missed entries ($miss)" test "$untimed" -le "$miss"
ktap_eq "internal consistency: kprobe: napi_ns samples = polls - untimed" "$samples" $((polls - untimed))
mean_kp=$(mean)
ktap_info "mean ns per timed poll of b0: softirq $mean_sirq, kprobe $mean_kp"
# The same work timed two ways: within a factor of 4 of each other (TCG
# timing is noisy; a poll mis-stamped by a stale or foreign start would be
# off by far more).
ktap_check "softirq and kprobe poll times agree within 4x ($mean_sirq vs $mean_kp ns)" \
	test $((mean_sirq * 4)) -ge "$mean_kp" -a $((mean_kp * 4)) -ge "$mean_sirq"

traffic off 0
ktap_eq "off: napi_time unavailable, says why" \
	"$(nb_col "" probes napi_time state) $(nb_col "" probes napi_time note)" "unavailable napi_timing=off"
ktap_check "off: b0 polled ($polls)" test "$polls" -gt 0
ktap_eq "internal consistency: off: every poll untimed, none in napi_ns" "$untimed/$samples/$pns" "$polls/0/0"

traffic softirq 1
if [ "$thr" = 1 ]; then
	ktap_check "threaded, softirq: b0 polled ($polls)" test "$polls" -gt 0
	ktap_eq "threaded, softirq: every poll in b0's thread" "$threaded" "$polls"
	ktap_check "threaded, softirq: timed once armed (untimed $((untimed - untimed0)) <= napi_thread missed $tmiss)" \
		test $((untimed - untimed0)) -le "$tmiss"
	ktap_eq "internal consistency: threaded, softirq: napi_ns samples = polls - untimed" "$samples" $((polls - untimed))
	traffic kprobe 1
	ktap_check "threaded, kprobe: b0 polled ($polls)" test "$polls" -gt 0
	ktap_eq "threaded, kprobe: every poll in b0's thread" "$threaded" "$polls"
	ktap_check "threaded, kprobe: timed (untimed $untimed <= missed $miss)" test "$untimed" -le "$miss"
	ktap_eq "internal consistency: threaded, kprobe: napi_ns samples = polls - untimed" "$samples" $((polls - untimed))
else
	for i in 1 2 3 4 5 6 7 8; do ktap_skip "b0's NAPI cannot be made threaded here"; done
fi
nb_unload
nb_load
ktap_finished
