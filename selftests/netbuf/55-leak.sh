#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# No leak across load/unload cycles (issue 7, issue 13): 20 x NB_STRESS_SCALE
# cycles (200 at scale 10). Each loads netbuf with rows for ~35 devices,
# reads every file, polls the events file, resizes the event log and
# toggles timing, leaves a gone row (veth deleted) and a destroyed
# namespace behind (rows freed through RCU), and unloads.
# Noise is measured, not guessed: a control run does the same churn (the
# veth, the namespace, the reads of the kernel's own files) without netbuf.
# Checks: the kernel's SUnreclaim, Percpu and kmalloc caches grew by no
# more with netbuf than in the control run plus a fixed margin that a leak
# of 16 KiB per load exceeds; while loaded, the netbuf_row cache (its own,
# slab_nomerge) holds exactly the rows /proc/netbuf/memory counts; after
# unload the cache is gone (kmem_cache_destroy leaves a cache that still
# has objects); no namespace is kept alive; the module's memory figure is
# the same at every load; and the module's own "leak: still holds" line
# (printed at unload when its byte count is not 0) turns the run red
# through the kernel-log gate. kmemleak is used where the kernel has it
# (Debian's do not).
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

L=nbll
CYC=$(nb_scaled 20)
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
	echo "$(nb_meminfo SUnreclaim) $(nb_meminfo Percpu) $(nb_meminfo VmallocUsed)" \
		"$(nb_slab_kmalloc) $(slab '^net_namespace$')"
}
pypoll='import os, select, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.read(fd, 65536)
p = select.poll(); p.register(fd, select.POLLIN); p.poll(10)
os.close(fd)'
# churn I: what every cycle does to the kernel besides netbuf: reads of
# the kernel's own files, a veth and a namespace created and destroyed.
churn() {
	local f
	for f in /proc/net/netstat /proc/net/dev /proc/net/softnet_stat /proc/meminfo; do
		while IFS= read -r _; do :; done <"$f"
	done
	python3 -c "$pypoll" /proc/net/dev || { echo "poll failed"; return 1; }
	printf '%s\n' "link add g$1 type veth peer name h$1" "link del g$1" "netns add nbllx" "netns del nbllx" | ip -b - ||
		{ echo "ip failed"; return 1; }
}
cycle() {	# cycle I: one load/unload, prints the module's bytes at load
	local i=$1 max=$((8 << ($1 % 6)))	# events_max 8..256
	nb_load || { echo "insmod failed"; return 1; }
	local bytes rows objs f
	# device rows, the backlog row, one unknown row per namespace (the
	# initial one and those under /run/netns: this test leaves no other)
	local nets=(/run/netns/*)
	bytes=$(nb_mem bytes) rows=$(nb_mem rows) objs=$(slab '^netbuf_row$')
	[ "$objs" = $((rows + 2 + ${#nets[@]})) ] ||
		{ echo "netbuf_row objects $objs != rows $rows + backlog + unknown rows of $((1 + ${#nets[@]})) namespaces"; return 1; }
	for f in $NB_READABLE; do
		while IFS= read -r _; do :; done <"$NB_PROC/$f" || { echo "read $f failed"; return 1; }
	done
	python3 -c "$pypoll" "$NB_PROC/events" || { echo "poll failed"; return 1; }
	echo events_max=$max >$NB_PROC/control && echo timing=1 >$NB_PROC/control &&
		echo timing=0 >$NB_PROC/control || { echo "control failed"; return 1; }
	churn "$i" || return 1
	nb_unload || { echo "rmmod failed: $(cat /sys/module/netbuf/refcnt 2>/dev/null)"; return 1; }
	echo "$bytes"
}
nb_wait_netns() { local i; for i in $(seq 30); do [ "$(slab '^net_namespace$')" -le "$1" ] && return; sleep 1; done; }

# Two cycles of each to warm up (first-use allocations of the kernel:
# kprobe instruction slots, ftrace, proc inodes...).
for i in 1 2 3 4 5; do churn $((100 + i)) >/dev/null; done
cycle 111 >/dev/null
cycle 112 >/dev/null

# Control: the churn alone.
read -r sunr0 pcpu0 vmal0 kmal0 netns0 <<<"$(measure)"
for ((i = 0; i < CYC; i++)); do churn $((200 + i)) >/dev/null || ktap_info "control churn $i failed"; done
nb_wait_netns "$netns0"
read -r sunr1 pcpu1 vmal1 kmal1 netns1 <<<"$(measure)"
# With netbuf.
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
nb_wait_netns "$netns1"
read -r sunr2 pcpu2 vmal2 kmal2 netns2 <<<"$(measure)"
cache_left=$(awk '$1 == "netbuf_row"' /proc/slabinfo | wc -l)
nb_load
rows=$(nb_mem rows) bytes=$(nb_mem bytes)
nb_unload
ctl_sunr=$((sunr1 - sunr0)) ctl_pcpu=$((pcpu1 - pcpu0)) ctl_kmal=$((kmal1 - kmal0))
nb_sunr=$((sunr2 - sunr1)) nb_pcpu=$((pcpu2 - pcpu1)) nb_kmal=$((kmal2 - kmal1))
ktap_info "figures: $ok/$CYC load/unload cycles in ${secs}s, $rows rows and $bytes bytes at each load"
ktap_info "figures: growth over $CYC cycles, control (churn alone) / with netbuf, kB:" \
	"SUnreclaim $ctl_sunr/$nb_sunr, Percpu $ctl_pcpu/$nb_pcpu, kmalloc caches $ctl_kmal/$nb_kmal," \
	"VmallocUsed $((vmal1 - vmal0))/$((vmal2 - vmal1))"
ktap_info "figures: net_namespace objects $netns0/$netns1/$netns2"
ktap_eq "load/unload cycles (netbuf_row objects = device rows + backlog + unknown rows, at each load)" "$ok" "$CYC"
# the module's own figure: the same devices at every load, the same bytes
ktap_eq "the module holds the same bytes at every load" \
	"$(printf '%s\n' "${bytes_seen[@]}" | sort -u | tr '\n' ' ')" "$bytes "
ktap_eq "no netbuf_row cache left after unload" "$cache_left" 0
# A leak of 16 KiB per load is 16 x CYC kB over the run; the margin is a
# quarter of that (at least 32 kB: one percpu or slab page of noise).
margin=$((CYC * 16 / 4)) && [ "$margin" -ge 32 ] || margin=32
ktap_info "leak margin over the control run: $margin kB (a quarter of 16 KiB x $CYC loads)"
ktap_check "SUnreclaim: netbuf's growth $nb_sunr kB <= control $ctl_sunr + $margin" test "$nb_sunr" -le $((ctl_sunr + margin))
ktap_check "kmalloc caches: netbuf's growth $nb_kmal kB <= control $ctl_kmal + $margin" test "$nb_kmal" -le $((ctl_kmal + margin))
ktap_check "Percpu: netbuf's growth $nb_pcpu kB <= control $ctl_pcpu + $margin" test "$nb_pcpu" -le $((ctl_pcpu + margin))
ktap_check "VmallocUsed back (module text and data freed: $((vmal2 - vmal1)) kB)" test $((vmal2 - vmal1)) -le $((vmal1 - vmal0 + 64))
ktap_eq "no namespace kept alive" "$netns2" "$netns1"
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
ktap_check "kernel log clean (no 'leak: still holds' at any unload)" nb_dmesg_clean
ktap_info "figures: whole test ${SECONDS}s (NB_STRESS_SCALE=$NB_STRESS_SCALE)"
ktap_finished
