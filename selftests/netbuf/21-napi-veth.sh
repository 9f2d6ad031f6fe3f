#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# NAPI on veth. A veth runs its own NAPI only when GRO is on at the receiving
# end (or XDP), and then only for skbs eligible for GRO: with TSO off at the
# sender, all of them (drivers/net/veth.c: veth_xmit, 6.1 and 6.12). What
# the NAPI poll takes off the ring is counted in the receiver's xdp_packets
# (ethtool -S) and in its rx_packets; everything else a veth passes on goes
# through netif_rx, i.e. the per-CPU backlog. A veth's rx_packets is its own
# xdp_packets plus what its peer sent through netif_rx. So, a0 -> b0 with
# GRO on at b0, TSO/GSO off at a0, GRO off at a0 (the default):
#   netbuf NAPI packets(b0) = xdp_packets delta(b0) = rx_packets delta(b0)
#   backlog packets delta  = rx_packets delta(a0)          (the ACKs)
#   i.e. NAPI(b0) + backlog = rx(b0) + rx(a0)
# and with GRO off at b0: no NAPI poll on b0, backlog = rx(b0) + rx(a0).
# The backlog row is host-wide: its equalities hold on a quiet host (the
# guest), checked by watching it stand still for a second first; the
# inequalities hold anywhere. Untimed polls: none from softirq_entry, only
# missed entries with napi_timing=kprobe (see 20-napi-virtio.sh). b0's first
# polls count in its row's shared atomics until its per-CPU part is
# allocated, the rest per CPU: the sums read cover both.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbwa B=nbwb
ktap_header
nb_require_module
command -v iperf3 >/dev/null || ktap_skip_all "no iperf3"
command -v ethtool >/dev/null || ktap_skip_all "no ethtool"
trap 'nb_iperf_kill; nb_del_netns $A $B' EXIT
nb_load
nb_del_netns $A $B
miss0=$(nb_napi_missed)
nb_veth_pair $A $B
nb_ns_noipv6 $A $B
ethtool_k() { ip netns exec "$1" ethtool -K "$2" "${@:3}"; }
ethtool_k $A a0 tso off gso off || ktap_skip_all "cannot turn TSO/GSO off on a0"
ktap_plan 22

np() { nb_col "$1" napi "$2" "$3"; }
bl() { nb_col "" napi backlog packets; }
xdp() { nb_ethtool_sum $B b0 'xdp_packets$'; }
declare -A s0 s1
# snap 0|1: every counter of the relation into s0 or s1, read on a still link.
snap() {
	local -A t
	local k
	t[napi]=$(np $B b0 packets) t[polls]=$(np $B b0 polls)
	t[apolls]=$(np $A a0 polls) t[backlog]=$(bl) t[xdp]=$(xdp)
	t[rxb]=$(nb_sysfs_stat $B b0 rx_packets) t[rxa]=$(nb_sysfs_stat $A a0 rx_packets)
	for k in "${!t[@]}"; do
		if [ "$1" = 0 ]; then s0[$k]=${t[$k]}; else s1[$k]=${t[$k]}; fi
	done
}
d() { echo $((s1[$1] - s0[$1])); }
port=5300
# run: one TCP iperf3 a0 -> b0 between two snapshots; sets idle to what the
# backlog took in the idle second before it (0: a quiet host).
run() {
	sleep 0.3
	idle=$(nb_backlog_idle 1)
	snap 0
	port=$((port + 1))
	nb_iperf $B $A 10.77.0.2 $port -t 3
	iperf_rc=$?
	sleep 0.5
	snap 1
	ktap_info "napi(b0) $(d napi) polls $(d polls), xdp_packets(b0) $(d xdp)," \
		"rx_packets(b0) $(d rxb), rx_packets(a0) $(d rxa), backlog $(d backlog)" \
		"(idle second before: backlog +$idle)"
}

ktap_info "case 1: GRO on at b0, TSO/GSO off at a0"
# A row gets its per-CPU NAPI part once its device polls (issue 18): b0
# does, a0 does not.
nr0=$(nb_mem napi_rows) by0=$(nb_mem bytes)
ethtool_k $B b0 gro on
run
ktap_eq "per-CPU NAPI part for b0 only (napi_rows +1)" $(($(nb_mem napi_rows) - nr0)) 1
ktap_eq "memory grew by percpu_bytes x cpus" $(($(nb_mem bytes) - by0)) $(($(nb_mem percpu_bytes) * $(nb_mem cpus)))
ktap_eq "iperf3 ran" "$iperf_rc" 0
ktap_check "b0 got the data (rx_packets delta $(d rxb) > 1000)" test "$(d rxb)" -gt 1000
ktap_check "b0 NAPI polled ($(d polls) polls)" test "$(d polls)" -gt 0
ktap_eq "NAPI packets(b0) = xdp_packets delta(b0)" "$(d napi)" "$(d xdp)"
ktap_check "NAPI packets(b0) <= rx_packets delta(b0)" test "$(d napi)" -le "$(d rxb)"
ktap_eq "NAPI packets(b0) = rx_packets delta(b0) (TSO off: every skb GRO-eligible)" "$(d napi)" "$(d rxb)"
ktap_check "NAPI packets(b0) + backlog >= rx(b0) + rx(a0)" \
	test $(($(d napi) + $(d backlog))) -ge $(($(d rxb) + $(d rxa)))
if [ "$idle" = 0 ]; then
	ktap_eq "backlog delta = rx_packets delta(a0) (quiet host)" "$(d backlog)" "$(d rxa)"
else
	ktap_skip "backlog moved by $idle in an idle second: host not quiet"
fi
ktap_eq "no NAPI on a0 (GRO off there)" "$(d apolls)" 0
miss=$(nb_untimed_max "$miss0")
untimed=$(np $B b0 untimed)
ktap_check "b0: untimed ($untimed) <= allowed ($miss, napi_timing $(nb_napi_timing))" test "$untimed" -le "$miss"
ktap_eq "internal consistency: b0: napi_ns samples = polls - untimed" "$(nb_hist_field $B b0 napi_ns samples)" $(($(np $B b0 polls) - untimed))
ktap_eq "internal consistency: b0: napi_pkts samples = polls" "$(nb_hist_field $B b0 napi_pkts samples)" "$(np $B b0 polls)"
ktap_eq "internal consistency: b0: napi_pkts sum = packets" "$(nb_hist_field $B b0 napi_pkts sum)" "$(np $B b0 packets)"
ktap_check "internal consistency: b0: napi_ns histogram consistent with max" nb_hist_check $B b0 napi_ns

ktap_info "case 2: GRO off at b0"
ethtool_k $B b0 gro off
run
ktap_eq "iperf3 ran" "$iperf_rc" 0
ktap_check "b0 got the data (rx_packets delta $(d rxb) > 1000)" test "$(d rxb)" -gt 1000
ktap_eq "no NAPI poll on b0" "$(d polls)/$(d napi)" 0/0
ktap_eq "xdp_packets(b0) did not move" "$(d xdp)" 0
ktap_check "backlog >= rx(b0) + rx(a0)" test "$(d backlog)" -ge $(($(d rxb) + $(d rxa)))
if [ "$idle" = 0 ]; then
	ktap_eq "backlog delta = rx(b0) + rx(a0) (quiet host)" "$(d backlog)" $(($(d rxb) + $(d rxa)))
else
	ktap_skip "backlog moved by $idle in an idle second: host not quiet"
fi
ktap_finished
