#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The slow-episode log (/proc/netbuf/events, /proc/netbuf/control): with a
# threshold of 0 every episode is recorded and the records match the
# counters; records carry the connection's addresses (IPv4 and IPv6);
# another namespace sees none; overflow is counted as lost; bad control
# writes are refused and change nothing; poll() wakes up on new records;
# a poller does not pin the module: rmmod detaches it (POLLERR|POLLHUP).
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

E=nbe F=nbf
ktap_header
nb_require_module
[ -x "$NB_RCVPRESS" ] || ktap_skip_all "no $NB_RCVPRESS"
# events_recorded and events_lost are of the reader's namespace: $E's
lostE() { ip netns exec $E awk '$1 == "events_lost" { print $2 }' $NB_PROC/control; }
cleanup() {
	nb_del_netns $E $F
	[ -e $NB_PROC/control ] && nb_ctl events_threshold_ns=1000000 && nb_ctl events_max=32
}
trap cleanup EXIT
nb_load
nb_del_netns $E $F
for ns in $E $F; do ip netns add $ns; ip -n $ns link set lo up; done
ktap_plan 29

ktap_eq "default threshold 1 ms" "$(nb_ctlv events_threshold_ns)" 1000000
nb_ctl events_threshold_ns=0
nb_ctl events_max=256
ktap_eq "threshold set to 0" "$(nb_ctlv events_threshold_ns)" 0
lost0=$(lostE)
# The IPv4 run again until the kernel (TcpExt) saw a collapse or a prune
# in it: on a loaded host half a second may bring none, and the checks of
# its records below would then pass on no records at all.
for _ in 1 2 3 4 5; do
	c0=$(($(tcpext $E TCPRcvCollapsed) + $(tcpext $E PruneCalled)))
	out4=$(nb_rcvpress $E --mode collapse -c 1 -d 0.5)
	[ $(($(tcpext $E TCPRcvCollapsed) + $(tcpext $E PruneCalled))) -gt "$c0" ] && break
done
port4=$(echo "$out4" | sed -n 's/.*address=127.0.0.1:\([0-9]*\).*/\1/p')
sleep 0.2
ev4=$(ip netns exec $E cat $NB_PROC/events)
ktap_check "IPv4 run: records exist ($(($(echo "$ev4" | wc -l) - 1)))" test "$(echo "$ev4" | wc -l)" -gt 1
# Half a second: a second of prunes can overflow the namespace's 256 records.
out6=$(nb_rcvpress $E --mode prune -6 -c 1 -d 0.5)
port6=$(echo "$out6" | sed -n 's/.*address=\[::1\]:\([0-9]*\).*/\1/p')
sleep 0.2
ev=$(ip netns exec $E cat $NB_PROC/events)
echo "$ev" | head -4 | sed 's/^/# /'
lost=$(($(lostE) - lost0))
ktap_info "records lost to ring overflow: $lost (capacity $(nb_ctlv events_max) per namespace)"
ncoll=$(echo "$ev" | awk '$2 == "collapse"' | wc -l)
nprune=$(echo "$ev" | awk '$2 == "prune"' | wc -l)
ktap_check "collapse records exist ($ncoll)" test "$ncoll" -gt 0
ktap_check "prune records exist ($nprune)" test "$nprune" -gt 0
# Records read after the IPv4 run, plus IPv6 records still in the ring,
# plus records overwritten unread, are every episode.
n4all=$(($(echo "$ev4" | wc -l) - 1))
n6all=$(echo "$ev" | awk -v p="[::1]:$port6" 'NR > 1 && $8 == p' | wc -l)
# Preempted calls and episodes (preempt=full, PREEMPT_RT) have no duration
# and make no record.
ktap_eq "records + lost = collapse calls + prune episodes, less the preempted" $((n4all + n6all + lost)) \
	$(($(nb_col $E rcvbuf total coll_calls) + $(nb_col $E rcvbuf lo prune_calls) -
		$(nb_col $E rcvbuf total coll_preempted) - $(nb_col $E rcvbuf lo prune_preempted)))
# Drop records of both reads (a record read after the IPv4 run may since be
# overwritten, not lost: it was read). With records lost to overflow, they
# are prune_drop less at most the lost ones.
ndrop=$(printf '%s\n%s\n' "$ev4" "$ev" | awk '$2 == "prune" && $4 == "drop"' | sort -u | wc -l)
pdrop=$(nb_col $E rcvbuf total prune_drop)
if [ "$lost" = 0 ]; then
	ktap_eq "dropped prunes = prune_drop" "$ndrop" "$pdrop"
else
	ktap_check "dropped prunes ($ndrop) = prune_drop ($pdrop) less at most the $lost lost" \
		test "$ndrop" -le "$pdrop" -a $((pdrop - ndrop)) -le "$lost"
fi
ktap_eq "records name the interface lo" "$(echo "$ev" | awk 'NR > 1 && $5 != "lo"' | wc -l)" 0
n4=$(echo "$ev4" | awk -v p="127.0.0.1:$port4" 'NR > 1 && $8 == p' | wc -l)
ktap_eq "every IPv4 record carries the receiver's 127.0.0.1:$port4" "$n4" "$(($(echo "$ev4" | wc -l) - 1))"
r4=$(echo "$ev4" | awk -v p="127.0.0.1:$port4" '$8 == p { print $9; exit }')
ktap_check "IPv4 remote end is 127.0.0.1 ($r4)" test "${r4%:*}" = 127.0.0.1
n6=$(echo "$ev" | awk -v p="[::1]:$port6" 'NR > 1 && $8 == p' | wc -l)
ktap_check "IPv6 records carry [::1]:$port6 ($n6)" test "$n6" -gt 0
r6=$(echo "$ev" | awk -v p="[::1]:$port6" '$8 == p { print $9; exit }')
ktap_check "IPv6 remote end is ::1 ($r6)" test "${r6%:*}" = "[::1]"
ktap_eq "every record is IPv4 :$port4 or IPv6 :$port6" \
	"$(echo "$ev" | awk -v a="127.0.0.1:$port4" -v b="[::1]:$port6" 'NR > 1 && $8 != a && $8 != b' | wc -l)" 0
bad=$(echo "$ev" | awk 'NR > 1 && ($3 !~ /^[0-9]+$/ || $10 !~ /^[0-9]+$/ || $11 !~ /^[0-9]+$/)' | wc -l)
ktap_eq "durations and buffer sizes are numbers" "$bad" 0
ktap_eq "namespace $F sees no records" "$(ip netns exec $F cat $NB_PROC/events | wc -l)" 1

for bad in events_max=0 events_max=257 events_max=12x events_threshold_ns=-1 \
	events_threshold_ns=60000000001 foo=1 events_max; do
	got=$(nb_write $NB_PROC/control "$(printf '%s' "$bad" | od -An -tx1 | tr -d ' \n')")
	[ "$got" = EINVAL ] && ktap_ok "control refuses '$bad'" || ktap_not_ok "control refuses '$bad' (got $got)"
done
ktap_eq "refused writes changed nothing" "$(nb_ctlv events_max)/$(nb_ctlv events_threshold_ns)" 256/0
got=$(ip netns exec $F bash -c "$(declare -f nb_write); nb_write $NB_PROC/control $(printf events_max=8 | od -An -tx1 | tr -d ' \n')")
ktap_eq "control refused from another namespace" "$got" EPERM

nb_ctl events_max=1
lost0=$(lostE) pc0=$(tcpext $E PruneCalled)
# Until the kernel counted 3 prune episodes (TcpExt, not netbuf): with one
# slot for the namespace, at least two were overwritten unread. (A loaded
# host may need several runs.)
for _ in 1 2 3 4 5; do
	nb_rcvpress $E --mode collapse -d 1 >/dev/null
	[ $(($(tcpext $E PruneCalled) - pc0)) -ge 3 ] && break
done
ktap_check "overflow counted as lost ($(($(lostE) - lost0)) lost, PruneCalled +$(($(tcpext $E PruneCalled) - pc0)))" \
	test "$(($(lostE) - lost0))" -gt 0 -a $(($(tcpext $E PruneCalled) - pc0)) -ge 3
nb_ctl events_max=32
# poll(): wakes up when a record of its namespace arrives (after the
# poller has read).
rm -f /tmp/nb-poll-ready
ip netns exec $E python3 - $NB_PROC/events /tmp/nb-poll-ready <<'PY' &
import select, sys, os
fd = os.open(sys.argv[1], os.O_RDONLY)
while os.read(fd, 65536):
    pass
p = select.poll(); p.register(fd, select.POLLIN)
# Nothing new yet: poll must say so, or a poll() that is always readable
# would pass the wake-up check below.
if p.poll(0):
    sys.exit(2)
open(sys.argv[2], "w").close()
sys.exit(0 if p.poll(20000) else 1)
PY
poller=$!
for _ in $(seq 600); do [ -e /tmp/nb-poll-ready ] && break; sleep 0.1; done	# python starts slowly on a loaded TCG host
# One run may collapse nothing on a loaded host: run until the poller is
# done (it waits 20 s), at most 5 times.
for _ in 1 2 3 4 5; do
	nb_rcvpress $E --mode collapse -d 1 >/dev/null
	kill -0 $poller 2>/dev/null || break
done
wait $poller
ktap_eq "poll() is empty before a record, then wakes up on a new one" $? 0
# A poller does not pin the module: rmmod goes through, and the poller
# (no timeout) wakes with an error and hang-up, then reads EIO. No new
# record may wake it first: the threshold goes up.
nb_ctl events_threshold_ns=60000000000
rm -f /tmp/nb-poll-ready
python3 - $NB_PROC/events /tmp/nb-poll-ready <<'PY' >/tmp/nb-poll-out &
import errno, os, select, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
while os.read(fd, 65536):
    pass
p = select.poll(); p.register(fd, select.POLLIN)
p.poll(0)
open(sys.argv[2], "w").close()
ev = p.poll()[0][1]
while True:
    try:
        os.pread(fd, 65536, 0)
    except OSError as e:
        err = errno.errorcode[e.errno]
        break
print("%s %s" % ("err+hup" if ev & select.POLLERR and ev & select.POLLHUP else ev, err))
PY
poller=$!
for _ in $(seq 600); do [ -e /tmp/nb-poll-ready ] && break; sleep 0.1; done	# python starts slowly on a loaded TCG host
sleep 0.5
ktap_check "rmmod works while a poller waits" nb_unload
timeout 30 tail --pid=$poller -f /dev/null
ktap_eq "the poller woke with POLLERR|POLLHUP, then read EIO" "$(cat /tmp/nb-poll-out)" "err+hup EIO"
ktap_check "reload after that" nb_load
ktap_finished
