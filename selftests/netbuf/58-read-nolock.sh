#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# No global lock on the read path (issue 15 item 6): readers of a
# namespace's files walk that namespace's rows under RCU and never take
# nb_lock, the mutex the netdevice notifier takes under RTNL. Seen from
# outside the module: kprobe events on mutex_lock, mutex_lock_interruptible
# and mutex_lock_killable, filtered on nb_lock's address (from
# /proc/kallsyms), count the times anything takes it. Device changes take
# it (the control: the events work); reading every file 20 times, in the
# initial namespace and in another, takes it 0 times. Then the rows'
# lifetime under RCU: 4 readers (dd at 1, 7, 4096-byte reads and python
# with format checks) loop over every file of a namespace while its
# devices come, go and are renamed, its gone rows are reset away and
# other namespaces come and go; every text read is well-formed and the
# kernel log (SLUB poisoning and red zones on) stays clean.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

N=nbrl N2=nbrl2
T=/sys/kernel/tracing
EV="mutex_lock mutex_lock_interruptible mutex_lock_killable"
ktap_header
nb_require_module
ktap_plan 9

cleanup() {
	nb_readers_stop
	if [ -w $T/kprobe_events ]; then
		echo 0 >$T/tracing_on
		for e in $EV; do
			echo 0 >$T/events/nbrl/$e/enable 2>/dev/null
			echo "-:nbrl/$e" >>$T/kprobe_events 2>/dev/null
		done
		echo 1 >$T/tracing_on
	fi
	nb_del_netns $N $N2
	for i in $(seq 8); do ip netns del nbrlx$i 2>/dev/null; done
}
trap cleanup EXIT
nb_del_netns $N $N2
nb_reload
modprobe dummy || true

lockaddr=$(awk '$3 == "nb_lock" && $4 == "[netbuf]" { print "0x" $1; exit }' /proc/kallsyms)
ok=1
[ -n "$lockaddr" ] && [ -w $T/kprobe_events ] || ok=0
if [ $ok = 1 ]; then
	for e in $EV; do
		echo "p:nbrl/$e $e lock=%di:x64" >>$T/kprobe_events || ok=0
		echo "lock == $lockaddr" >$T/events/nbrl/$e/filter || ok=0
		echo 1 >$T/events/nbrl/$e/enable || ok=0
	done
fi
ktap_check "kprobe events on ${EV// /, } for nb_lock (${lockaddr:-not in kallsyms})" test $ok = 1
hits() { grep -vc '^#' $T/trace; }

ip netns add $N
ip -n $N link set lo up
for i in 1 2 3; do ip -n $N link add d$i type dummy; done
ip link add nbrl0 type dummy
echo >$T/trace
ip link add nbrl1 type dummy
ip link del nbrl1
ip -n $N link set d3 name d3x
h=$(hits)
ktap_check "device add, delete and rename take nb_lock ($h times)" test "$h" -ge 3
grep -v '^#' $T/trace | head -3 | sed 's/^/# /'

echo >$T/trace
for i in $(seq 20); do
	for f in $NB_READABLE; do
		cat $NB_PROC/$f >/dev/null || ktap_info "cannot read $f"
		ip netns exec $N cat $NB_PROC/$f >/dev/null || ktap_info "cannot read $f in $N"
	done
done
h=$(hits)
ktap_eq "reading every file 20 times, here and in $N, takes nb_lock 0 times" "$h" 0
[ "$h" = 0 ] || grep -v '^#' $T/trace | head -5 | sed 's/^/# /'

# Rows come and go under readers: RCU keeps what a reader holds alive.
ip netns add $N2
nb_readers_start $N
ktap_check "readers started" nb_readers_wait
t0=$SECONDS
for r in $(seq 5); do
	for i in $(seq 6); do ip -n $N link add c$i type dummy; done
	ip -n $N link set c1 name c1renamed
	ip -n $N link add v$r type veth peer name w$r netns $N2
	for i in 2 3 4 5 6; do ip -n $N link del c$i; done
	ip -n $N link del c1renamed
	ip netns exec $N bash -c "echo 1 >$NB_PROC/reset"
	ip netns add nbrlx$((r % 8 + 1)) 2>/dev/null
	ip netns del nbrlx$(((r + 4) % 8 + 1)) 2>/dev/null
	ip -n $N2 link del w$r
done
nb_readers_stop
ip netns exec $N bash -c "echo 1 >$NB_PROC/reset"	# v5's gone row
ktap_info "5 rounds of churn under readers in $((SECONDS - t0))s"
ktap_check "readers saw no error and no malformed text" nb_readers_report
ktap_check "files well-formed after the churn" nb_validate $N
ktap_eq "$N's rows: lo, d1, d2, d3x and unknown" \
	"$(ip netns exec $N awk 'NR > 1 && $1 != "total" { printf "%s ", $1 }' $NB_PROC/rcvbuf)" "lo d1 d2 d3x unknown "
ip link del nbrl0
nb_del_netns $N $N2
for i in $(seq 8); do ip netns del nbrlx$i 2>/dev/null; done
nb_unload
ktap_check "unloads after the churn" test ! -d /sys/module/netbuf
nb_load
ktap_check "kernel log clean" nb_dmesg_clean
ktap_finished
