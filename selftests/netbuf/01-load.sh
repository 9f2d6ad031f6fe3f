#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load, files present, probes sane, unload clean, reload works.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

ktap_header
nb_require_module
nb_unload
ktap_plan 19

ktap_check "insmod" nb_load
for f in version probes rcvbuf napi histograms napi_queues napi_queue_hist memory reset; do
	ktap_check "file $f present" test -e "$NB_PROC/$f"
done

ktap_eq "version built_for is the running kernel" \
	"$(awk '$1 == "built_for" { print $2 }' $NB_PROC/version)" "$(uname -r)"
ktap_eq "format 1" "$(awk '$1 == "format" { print $2 }' $NB_PROC/version)" 1

probes=$(cat $NB_PROC/probes)
ktap_info "probes:"; echo "$probes" | sed 's/^/#   /'
state() { echo "$probes" | awk -v h="$1" '$1 == h { print $2 " " $4 }'; }
ktap_eq "collapse hooked on tcp_collapse" "$(state collapse)" "tcp_collapse active"
# tcp_prune_queue where the kernel has it, else the function it is inlined in.
if grep -qw tcp_prune_queue /proc/kallsyms; then want="tcp_prune_queue active"
else want="tcp_try_rmem_schedule active"; fi
ktap_eq "prune path on the right symbol" "$(state prune)" "$want"
ktap_eq "napi tracepoint" "$(state napi)" "napi_poll active"
ktap_eq "napi timing from a tracepoint (default napi_timing=softirq)" "$(state napi_time)" "softirq_entry active"

ktap_check "rmmod" nb_unload
ktap_check "/proc/netbuf gone after unload" test ! -e "$NB_PROC"
ktap_check "reload" nb_load
ktap_finished
