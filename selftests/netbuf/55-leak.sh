#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# No leak across load/unload cycles (issue 7): 10 x NB_STRESS_SCALE cycles
# (100 at scale 10). Each loads netbuf with rows for ~35 devices, reads
# every file, polls the events file (which pins the module until closed),
# resizes the event log and toggles timing, leaves a gone row (veth
# deleted) and a destroyed namespace behind (rows freed through RCU), and
# unloads. Before and after (caches dropped, RCU flushed): the kernel's
# Slab, SUnreclaim, Percpu and VmallocUsed, the kmalloc caches, the
# kmalloc-2k objects (a row is one), the net_namespace objects (a file
# that forgot to put its namespace would keep one); the module's own
# memory figure must be the same at every load with the same parameters.
# kmemleak is used where the kernel has it (Debian's do not).
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

L=nbll
CYC=$(nb_scaled 10)
ktap_header
nb_require_module
cleanup() {
	nb_del_netns $L nbllx
	nb_load
}
trap cleanup EXIT
nb_del_netns $L nbllx
nb_unload
ktap_plan 11

# ~35 devices with rows: lo and 16 veth pairs in $L
ip netns add $L
for ((k = 0; k < 16; k++)); do echo "link add l$k type veth peer name m$k"; done | ip -n $L -b -

# slab NAME-REGEX: active objects of the matching caches
slab() { awk -v re="$1" '$1 ~ re { s += $2 } END { print s + 0 }' /proc/slabinfo; }
settle() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
	sleep 1	# RCU callbacks, namespace cleanup work
}
measure() {
	settle
	echo "$(nb_meminfo Slab) $(nb_meminfo SUnreclaim) $(nb_meminfo Percpu) $(nb_meminfo VmallocUsed)" \
		"$(nb_slab_kmalloc) $(slab '^kmalloc-(rnd-[0-9]+-)?2k$') $(slab '^net_namespace$')"
}
pypoll='import os, select, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.read(fd, 65536)
p = select.poll(); p.register(fd, select.POLLIN); p.poll(10)
os.close(fd)'
cycle() {	# cycle I: one load/unload, prints the module's bytes at load
	local i=$1 max=$((8 << ($1 % 6)))	# events_max 8..256
	nb_load || { echo "insmod failed"; return 1; }
	local bytes f
	bytes=$(nb_mem bytes)
	for f in $NB_READABLE; do
		while IFS= read -r _; do :; done <"$NB_PROC/$f" || { echo "read $f failed"; return 1; }
	done
	python3 -c "$pypoll" "$NB_PROC/events" || { echo "poll failed"; return 1; }
	echo events_max=$max >$NB_PROC/control && echo timing=1 >$NB_PROC/control &&
		echo timing=0 >$NB_PROC/control || { echo "control failed"; return 1; }
	printf '%s\n' "link add g$i type veth peer name h$i" "link del g$i" "netns add nbllx" "netns del nbllx" | ip -b - ||
		{ echo "ip failed"; return 1; }
	nb_unload || { echo "rmmod failed: $(cat /sys/module/netbuf/refcnt 2>/dev/null)"; return 1; }
	echo "$bytes"
}
# two cycles to warm up (first-use allocations of the kernel: kprobe
# instruction slots, ftrace, proc inodes...)
cycle 100 >/dev/null
cycle 101 >/dev/null
read -r slab0 sunr0 pcpu0 vmal0 kmal0 k2k0 netns0 <<<"$(measure)"
ok=0 bytes_seen=() t0=$EPOCHREALTIME
for ((i = 0; i < CYC; i++)); do
	out=$(cycle $i)
	if [[ $out =~ ^[0-9]+$ ]]; then
		ok=$((ok + 1))
		bytes_seen+=("$out")
	else
		ktap_info "cycle $i: $out"
	fi
done
secs=$(nb_elapsed "$t0")
nb_wait_netns() { local i; for i in $(seq 30); do [ "$(slab '^net_namespace$')" -le "$netns0" ] && return; sleep 1; done; }
nb_wait_netns
read -r slab1 sunr1 pcpu1 vmal1 kmal1 k2k1 netns1 <<<"$(measure)"
nb_load
rows=$(nb_mem rows) bytes=$(nb_mem bytes)
nb_unload
ktap_info "figures: $ok/$CYC load/unload cycles in ${secs}s, $rows rows and $bytes bytes at each load"
ktap_info "figures: before/after kB: Slab $slab0/$slab1, SUnreclaim $sunr0/$sunr1, Percpu $pcpu0/$pcpu1," \
	"VmallocUsed $vmal0/$vmal1, kmalloc caches $kmal0/$kmal1"
ktap_info "figures: before/after objects: kmalloc-2k $k2k0/$k2k1, net_namespace $netns0/$netns1"
ktap_eq "load/unload cycles" "$ok" "$CYC"
# the module's own figure: the same devices at every load, the same bytes
ktap_eq "the module holds the same bytes at every load" \
	"$(printf '%s\n' "${bytes_seen[@]}" | sort -u | tr '\n' ' ')" "$bytes "
# What a leak of a quarter of the module's memory per cycle would add.
# Each cycle also creates and deletes a veth and a namespace, whose own
# slab objects the kernel frees lazily: a quarter of a load per cycle was
# within that noise on 6.12 (+292 kB for 10 cycles). Half a load per cycle
# still catches a leak of the module's memory; the kmalloc-2k check below
# catches a single row a cycle.
budget=$((CYC * bytes / 2 / 1024))
ktap_info "leak budget: $budget kB ($CYC cycles x half of $bytes bytes)"
ktap_check "SUnreclaim grew less than the budget ($((sunr1 - sunr0)) kB)" test $((sunr1 - sunr0)) -lt "$budget"
ktap_check "kmalloc caches grew less than the budget ($((kmal1 - kmal0)) kB)" test $((kmal1 - kmal0)) -lt "$budget"
ktap_check "kmalloc-2k objects grew less than a load's rows ($((k2k1 - k2k0)) < $rows)" test $((k2k1 - k2k0)) -lt "$rows"
ktap_check "Percpu grew less than the budget ($((pcpu1 - pcpu0)) kB)" test $((pcpu1 - pcpu0)) -lt "$budget"
ktap_check "VmallocUsed back (module text and data freed: $((vmal1 - vmal0)) kB)" test $((vmal1 - vmal0)) -lt 64
ktap_eq "no namespace kept alive" "$netns1" "$netns0"
if [ -w /sys/kernel/debug/kmemleak ]; then
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	n=$(grep -c 'netbuf\|nb_' /sys/kernel/debug/kmemleak)
	ktap_eq "kmemleak: nothing of netbuf" "$n" 0
else
	ktap_skip "no kmemleak in this kernel (/sys/kernel/debug/kmemleak)"
fi
ktap_check "module still loads after the cycles" nb_load
ktap_check "kernel log clean" nb_dmesg_clean
ktap_info "figures: whole test ${SECONDS}s (NB_STRESS_SCALE=$NB_STRESS_SCALE)"
ktap_finished
