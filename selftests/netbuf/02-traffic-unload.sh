#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load and unload while TCP traffic runs: iperf3 over loopback and over a
# veth pair between two namespaces. Traffic must go on, the kernel must not
# complain, the module must unload every time.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

CYCLES=${NB_CYCLES:-5}
DUR=${NB_DUR:-600}	# an upper bound: the clients are stopped after the cycles
A=nbta B=nbtb
ktap_header
nb_require_module
command -v iperf3 >/dev/null || ktap_skip_all "no iperf3"
cleanup() {
	kill "$s1" "$s2" "$c1" "$c2" 2>/dev/null
	nb_del_netns $A $B
}
trap cleanup EXIT
nb_unload
nb_veth_pair $A $B
ktap_plan 7

iperf3 -s -1 -p 5301 -D -B 127.0.0.1 >/dev/null 2>&1; s1=$!
ip netns exec $B iperf3 -s -1 -p 5302 -D >/dev/null 2>&1; s2=$!
sleep 0.5
iperf3 -c 127.0.0.1 -p 5301 -t "$DUR" -l 16k >/tmp/nb-lo.out 2>&1 & c1=$!
ip netns exec $A iperf3 -c 10.77.0.2 -p 5302 -t "$DUR" >/tmp/nb-veth.out 2>&1 & c2=$!

# Traffic must be flowing through every cycle, or the cycles prove
# nothing: both clients still running after the last one, and the
# receivers' rx_packets moved while the cycles ran.
sleep 0.5
rx_lo0=$(nb_sysfs_stat "" lo rx_packets) rx_b0=$(nb_sysfs_stat $B b0 rx_packets)
ok=0
for i in $(seq "$CYCLES"); do
	nb_load && sleep 0.3 && cat $NB_PROC/rcvbuf $NB_PROC/napi >/dev/null &&
		nb_unload && ok=$((ok + 1))
done
alive=0
kill -0 "$c1" 2>/dev/null && alive=$((alive + 1))
kill -0 "$c2" 2>/dev/null && alive=$((alive + 1))
rx_lo=$(($(nb_sysfs_stat "" lo rx_packets) - rx_lo0)) rx_b=$(($(nb_sysfs_stat $B b0 rx_packets) - rx_b0))
ktap_eq "load/unload cycles under traffic" "$ok" "$CYCLES"
ktap_eq "both iperf3 clients still running after the last cycle" "$alive" 2
ktap_check "traffic flowed during the cycles (rx_packets: lo +$rx_lo, b0 +$rx_b; > 1000 each)" \
	test "$rx_lo" -gt 1000 -a "$rx_b" -gt 1000
nb_load
sleep 1
ktap_check "module loaded while traffic runs" nb_loaded
# Stopped with SIGINT (iperf3 then prints its summary and exits 1): each
# ran until then without an error of its own.
kill -INT "$c1" "$c2" 2>/dev/null
wait $c1
wait $c2
ran_ok() { grep -q 'sender$' "$1" && ! grep -qi 'error' "$1"; }
ktap_check "iperf3 over loopback ran until stopped, no error" ran_ok /tmp/nb-lo.out
ktap_check "iperf3 over veth ran until stopped, no error" ran_ok /tmp/nb-veth.out
ktap_check "dmesg clean" nb_dmesg_clean
ktap_finished
