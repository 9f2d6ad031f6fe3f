#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The slow-episode log is per network namespace: a process in namespace A
# waiting in poll(2) on its events file is never woken by B's episodes
# (its voluntary context switches do not move: woken at all, it would run
# and sleep again even when poll() returns nothing), and A's events and
# control files count none of B's records; a reader in A does not mark B's
# records read (B's lost count stays exact); B cannot push A's records
# out; A's own records still arrive, every one, and wake A's poller. And
# what a namespace's log costs is what the README says.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbna B=nbnb
RUN=/tmp/nb-evns
ktap_header
nb_require_module
[ -x "$NB_RCVPRESS" ] || ktap_skip_all "no $NB_RCVPRESS"
nrec() { echo $(($(nb_in "$1" cat $NB_PROC/events | wc -l) - 1)); }
nvcsw() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status"; }
pollers=()
cleanup() {
	[ ${#pollers[@]} -gt 0 ] && kill "${pollers[@]}" 2>/dev/null
	nb_del_netns $A $B
	[ -e $NB_PROC/control ] && nb_ctl events_threshold_ns=1000000 && nb_ctl events_max=32
}
trap cleanup EXIT
nb_load
nb_del_netns $A $B
for ns in $A $B; do ip netns add $ns; ip -n $ns link set lo up; done
rm -rf $RUN; mkdir -p $RUN
ktap_plan 18

# A poller: reads the file, then waits in poll(2) with no timeout; each
# return is a line "N U" in its log (N: records in the file then, U:
# distinct records it has read so far).
start_poller() {	# NS NAME
	ip netns exec "$1" python3 - $NB_PROC/events "$RUN/$2" <<'PY' &
import os, select, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
seen = set()
def records():
    os.lseek(fd, 0, os.SEEK_SET)
    data = b""
    while True:
        b = os.read(fd, 65536)
        if not b:
            break
        data += b
    lines = data.splitlines()[1:]
    seen.update(lines)
    return len(lines)
records()
seen.clear()
p = select.poll(); p.register(fd, select.POLLIN)
log = open(sys.argv[2] + ".log", "w", buffering=1)
open(sys.argv[2] + ".ready", "w").close()
while True:
    p.poll()
    n = records()
    log.write("%d %d\n" % (n, len(seen)))
PY
	pollers+=($!)
	for _ in $(seq 600); do [ -e "$RUN/$2.ready" ] && return 0; sleep 0.1; done	# python starts slowly on a loaded TCG host
	return 1
}
# Slow episodes in NS until the kernel (TcpExt) counted a collapse or prune.
episodes() {	# NS RCVPRESS-ARGS...
	local ns=$1 c0 _
	shift
	for _ in 1 2 3 4 5; do
		c0=$(($(tcpext $ns TCPRcvCollapsed) + $(tcpext $ns PruneCalled)))
		nb_rcvpress $ns "$@" >/dev/null
		[ $(($(tcpext $ns TCPRcvCollapsed) + $(tcpext $ns PruneCalled))) -gt "$c0" ] && return 0
	done
	return 1
}

# What a namespace's log costs (README, Memory): 4,288 bytes at events_max 32.
nb_ctl events_max=32
b0=$(nb_mem bytes)
ip netns add nbnc
b1=$(nb_mem bytes)
ip netns del nbnc
# (the rest: its unknown row and its lo's row)
ktap_eq "a new namespace's event log costs 192 + 4096 bytes (memory: +$((b1 - b0)) in all, unknown row $(nb_mem unknown_row_bytes), lo's row $(nb_mem row_bytes))" \
	$((b1 - b0 - $(nb_mem unknown_row_bytes) - $(nb_mem row_bytes))) 4288
nb_ctl events_threshold_ns=0
nb_ctl events_max=256
ktap_check "poller started in $A" start_poller $A pa
pa=${pollers[-1]}
sleep 1
sw0=$(nvcsw $pa)
ktap_check "episodes in $B" episodes $B --mode collapse -c 1 -d 1
sleep 0.5	# the wake-ups are irq_work: long done
recB=$(nb_ctlv events_recorded $B)
ktap_check "$B recorded episodes ($recB)" test "$recB" -gt 0
ktap_eq "$A's poller never woke for $B's episodes (voluntary switches +0)" $(($(nvcsw $pa) - sw0)) 0
ktap_eq "$A's poller never returned" "$(wc -l <$RUN/pa.log)" 0
ktap_eq "$A's events file shows none of $B's records" "$(nrec $A)" 0
ktap_eq "$A's control counts none of $B's records (recorded/lost)" \
	"$(nb_ctlv events_recorded $A)/$(nb_ctlv events_lost $A)" 0/0
ktap_eq "$B's records + lost = recorded" $(($(nrec $B) + $(nb_ctlv events_lost $B))) "$recB"

# seen is per namespace: with 4 slots, B's episodes overwrite B's records
# while a reader in A reads its own file in a loop; all of B's records but
# the last 4 must count as lost (a global seen would let A's reads hide them).
nb_ctl events_max=4
recB0=$(nb_ctlv events_recorded $B) lostB0=$(nb_ctlv events_lost $B)
(while [ ! -e $RUN/stop ]; do ip netns exec $A cat $NB_PROC/events >/dev/null; sleep 0.05; done) &
reader=$!
episodes $B --mode collapse -c 1 -d 1
touch $RUN/stop; wait $reader
dB=$(($(nb_ctlv events_recorded $B) - recB0))
ktap_check "$B recorded more than 4 episodes meanwhile ($dB)" test "$dB" -gt 4
ktap_eq "$A's reads did not mark $B's records read: lost = recorded - 4" \
	$(($(nb_ctlv events_lost $B) - lostB0)) $((dB - 4))
ktap_eq "$B's file keeps its last 4 records" "$(nrec $B)" 4
ktap_eq "$A's poller still never woke (voluntary switches +0)" $(($(nvcsw $pa) - sw0)) 0

# A's own episodes: every one recorded, read, and A's poller woken; B's
# counts do not move.
nb_ctl events_max=256
ktap_check "poller started in $B" start_poller $B pb
pb=${pollers[-1]}
sleep 1
swb=$(nvcsw $pb) recB1=$(nb_ctlv events_recorded $B)
ktap_check "episodes in $A" episodes $A --mode prune -c 1 -d 1
recA=$(nb_ctlv events_recorded $A)
# Every episode recorded, and every record either read by A's poller
# (which reads at each wake-up) or counted lost: wait for its last read.
for _ in $(seq 100); do
	readA=$(tail -1 $RUN/pa.log | awk '{ print $2 }')
	[ $((${readA:-0} + $(nb_ctlv events_lost $A))) = "$recA" ] && break
	sleep 0.1
done
ktap_eq "$A: recorded = collapse calls + prune episodes; = records its poller read + lost" \
	"$recA $((${readA:-0} + $(nb_ctlv events_lost $A)))" \
	"$(($(nb_col $A rcvbuf total coll_calls) + $(nb_col $A rcvbuf lo prune_calls))) $recA"
ktap_check "$A's poller woke up for them ($(wc -l <$RUN/pa.log) returns, read ${readA:-0} of $recA records)" \
	test "$(wc -l <$RUN/pa.log)" -gt 0 -a "${readA:-0}" -gt 0
ktap_eq "$B's poller never woke for $A's episodes; $B's count unchanged" \
	"$(($(nvcsw $pb) - swb)) $(wc -l <$RUN/pb.log) $(nb_ctlv events_recorded $B)" "0 0 $recB1"
ktap_finished
