#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The per-CPU backlog row: loopback has no NAPI of its own, it hands every
# packet to netif_rx, and the backlog NAPI (process_backlog, napi->dev NULL)
# delivers it. So TCP over lo moves the backlog row's polls and packets
# (packets = lo's rx_packets delta on a quiet host: the row is host-wide),
# lo's own row gets no NAPI poll, and the backlog's histograms (printed
# under iface 'backlog', to every namespace) count every poll (napi_ns:
# every timed poll; none is untimed from softirq_entry, only missed entries
# with napi_timing=kprobe, see 20-napi-virtio.sh).
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

NS=nbbl
ktap_header
nb_require_module
command -v iperf3 >/dev/null || ktap_skip_all "no iperf3"
trap 'nb_iperf_kill; nb_del_netns $NS' EXIT
nb_load
nb_del_netns $NS
ip netns add $NS
ip -n $NS link set lo up
nb_ns_noipv6 $NS
ktap_plan 16

np() { nb_col "$1" napi "$2" "$3"; }
sleep 0.2
idle=$(nb_backlog_idle 1)
p0=$(np "" backlog polls) k0=$(np "" backlog packets) l0=$(nb_sysfs_stat $NS lo rx_packets)
nb_iperf $NS $NS 127.0.0.1 5201 -t 2
iperf_rc=$?
sleep 0.3
p1=$(np "" backlog polls) k1=$(np "" backlog packets) l1=$(nb_sysfs_stat $NS lo rx_packets)
cat $NB_PROC/napi | sed 's/^/# /'
grep backlog $NB_PROC/histograms | sed 's/^/# /'
ktap_info "backlog: polls +$((p1 - p0)) packets +$((k1 - k0)); lo rx_packets +$((l1 - l0))" \
	"(idle second before: backlog +$idle)"

ktap_eq "iperf3 ran" "$iperf_rc" 0
ktap_check "backlog polls moved (+$((p1 - p0)))" test $((p1 - p0)) -gt 0
ktap_check "backlog packets moved (+$((k1 - k0)))" test $((k1 - k0)) -gt 0
ktap_check "backlog packets >= lo rx_packets delta" test $((k1 - k0)) -ge $((l1 - l0))
if [ "$idle" = 0 ]; then
	ktap_eq "backlog packets = lo rx_packets delta (quiet host)" $((k1 - k0)) $((l1 - l0))
else
	ktap_skip "backlog moved by $idle in an idle second: host not quiet"
fi
ktap_eq "lo in $NS: no NAPI poll" "$(np $NS lo polls)/$(np $NS lo packets)" 0/0
ktap_eq "lo in the initial namespace: no NAPI poll" "$(np "" lo polls)" 0
ktap_eq "backlog row seen from $NS too" "$(np $NS backlog polls)" "$(np "" backlog polls)"
polls=$(np "" backlog polls)
untimed=$(np "" backlog untimed) miss=$(nb_untimed_max 0)
ktap_check "backlog: untimed ($untimed) <= allowed since load ($miss, napi_timing $(nb_napi_timing))" \
	test "$untimed" -le "$miss"
ktap_eq "internal consistency: backlog: napi_ns samples = polls - untimed" "$(nb_hist_field "" backlog napi_ns samples)" $((polls - untimed))
ktap_eq "internal consistency: backlog: napi_pkts samples = polls" "$(nb_hist_field "" backlog napi_pkts samples)" "$polls"
ktap_eq "internal consistency: backlog: napi_pkts sum = packets" "$(nb_hist_field "" backlog napi_pkts sum)" "$(np "" backlog packets)"
ktap_eq "internal consistency: backlog: napi_ns sum = poll_ns" "$(nb_hist_field "" backlog napi_ns sum)" "$(np "" backlog poll_ns)"
ktap_eq "internal consistency: backlog: napi_ns max = poll_max_ns" "$(nb_hist_field "" backlog napi_ns max)" "$(np "" backlog poll_max_ns)"
ktap_check "backlog: poll_max_ns >= every non-empty napi_ns bucket's lower bound" \
	nb_hist_check "" backlog napi_ns
ktap_check "backlog histograms shown in $NS too" \
	test "$(nb_hist_field $NS backlog napi_ns samples)" = "$(nb_hist_field "" backlog napi_ns samples)"
ktap_finished
