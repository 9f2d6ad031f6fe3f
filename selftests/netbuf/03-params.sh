#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Module parameters: each documented in modinfo; out-of-range or malformed
# values refuse the load with a clear kernel log line; in-range ones load
# and show in /sys/module/netbuf/parameters.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

ktap_header
nb_require_module
nb_unload
ktap_plan 26

for p in max_ifaces max_ifaces_netns events_threshold_ns events_max napi_timing \
	max_napi_queues max_napi_queues_netns; do
	ktap_check "modinfo describes $p" bash -c "modinfo -F parm '$NB_KO' | grep -q '^$p:.\+'"
done
# bad VALUE, the kernel log line that must follow. The log is never
# cleared (the guest's log gate reads it whole): only lines that appeared
# during this insmod count.
refuse() {
	local arg=$1 want=$2 n0 new
	n0=$(nb_kernel_log | wc -l)
	if insmod "$NB_KO" "$arg" 2>/dev/null; then
		nb_unload
		ktap_not_ok "$arg refused (it loaded)"
		return
	fi
	sleep 0.2	# the kmsg reader catches up
	new=$(nb_kernel_log | tail -n +$((n0 + 1)) | grep -- "$want" | head -1)
	if [ -n "$new" ]; then
		ktap_ok "$arg refused: $new"
	else
		ktap_not_ok "$arg refused but no new '$want' in the kernel log"
	fi
}
refuse max_ifaces=0 "max_ifaces=0 out of range"
refuse max_ifaces=65537 "max_ifaces=65537 out of range"
refuse max_ifaces=-1 "invalid for parameter"
refuse max_ifaces=abc "invalid for parameter"
refuse max_ifaces_netns=0 "max_ifaces_netns=0 out of range 1..65536"
refuse max_ifaces_netns=65537 "max_ifaces_netns=65537 out of range 1..65536"
refuse max_ifaces_netns=abc "invalid for parameter"
refuse max_napi_queues=65537 "max_napi_queues=65537 out of range 0..65536"
refuse max_napi_queues_netns=0 "max_napi_queues_netns=0 out of range 1..65536"
refuse max_napi_queues_netns=65537 "max_napi_queues_netns=65537 out of range 1..65536"
refuse max_napi_queues=-1 "invalid for parameter"
refuse events_max=0 "events_max=0 out of range"
refuse events_max=257 "events_max=257 out of range"
refuse events_threshold_ns=60000000001 "events_threshold_ns=60000000001 out of range"
refuse napi_timing=fast "napi_timing=fast unknown"
refuse napi_timing= "napi_timing= unknown"
ktap_check "nothing left loaded after refusals" test ! -d /sys/module/netbuf
ktap_check "in-range values load" nb_load max_ifaces=16 max_ifaces_netns=4 events_max=8 events_threshold_ns=5000 napi_timing=kprobe max_napi_queues=0 max_napi_queues_netns=65536
par() { cat /sys/module/netbuf/parameters/"$1"; }
ktap_eq "parameters visible" "$(par max_ifaces)/$(par max_ifaces_netns)/$(par events_max)/$(par napi_timing)/$(par max_napi_queues)/$(par max_napi_queues_netns)" 16/4/8/kprobe/0/65536
nb_unload
nb_load
ktap_finished
