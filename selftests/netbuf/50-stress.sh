#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Load/unload cycles under load (issue 7). 10 x NB_STRESS_SCALE cycles (100
# at scale 10) while iperf3 runs over loopback and over a veth pair between
# namespaces, rcvpress's collapse workload runs in a third namespace, and
# four readers loop over every /proc/netbuf file. Each cycle loads (with
# varied parameters), reads every file (and every fifth cycle validates
# each line of them from the veth namespace), writes control and reset,
# and unloads. Traffic must go on (every iperf3 and rcvpress run exits 0), the
# readers must see only well-formed files or no files, the kernel must not
# complain. Then two unloads with a file held open: a plain reader gets EIO
# afterwards; a process waiting in poll() on events must not be left with a
# wait-queue entry in the freed module.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbsa B=nbsb
CYCLES=$(nb_scaled 10)
ktap_header
nb_require_module
command -v iperf3 >/dev/null || ktap_skip_all "no iperf3"
[ -x "$NB_RCVPRESS" ] || ktap_skip_all "no $NB_RCVPRESS"
cleanup() {
	nb_readers_stop
	nb_traffic_stop
	nb_del_netns $A $B
	rm -rf "$NB_RUNDIR"
}
trap cleanup EXIT
nb_unload
nb_del_netns $A $B
nb_veth_pair $A $B
ktap_plan 14

nb_mem_figures "kernel before the cycles"
nb_traffic_start $A $B
nb_readers_start
sleep 1
params=("" "events_threshold_ns=0" "max_ifaces=2 events_max=1" "events_max=256 events_threshold_ns=1000")
# nb_read_all: every readable file reads whole and starts as documented
# (bash builtins only; the python reader checks every line meanwhile).
nb_read_all() {
	local f first
	for f in $NB_READABLE; do
		first=
		IFS= read -r first <"$NB_PROC/$f" || { echo "$f: read failed"; return 1; }
		case $f:$first in
		version:"netbuf "* | probes:hook* | rcvbuf:iface* | napi:iface* | \
			histograms:iface* | napi_queues:iface* | napi_queue_hist:iface* | \
			memory:rows* | events:time* | control:events_threshold_ns*) ;;
		*) echo "$f starts with '$first'"; return 1 ;;
		esac
	done
}
# usecs since T0 ($EPOCHREALTIME), bash arithmetic only
usecs() { local n=${EPOCHREALTIME/./}; echo $((n - ${1/./})); }
ok=0 bad=0 t0=$EPOCHREALTIME t_ins=0 t_rm=0
for ((i = 0; i < CYCLES; i++)); do
	why=
	t1=$EPOCHREALTIME
	# shellcheck disable=SC2086
	nb_load ${params[i % 4]}
	rc=$?
	t_ins=$((t_ins + $(usecs "$t1")))
	if [ $rc != 0 ]; then
		why="insmod ${params[i % 4]} failed"
	else
		if ! out=$(nb_read_all 2>&1); then
			why="bad file: $out"
		elif ! echo timing=1 >"$NB_PROC/control" || ! echo timing=0 >"$NB_PROC/control"; then
			why="control write failed"
		elif ! echo 1 >"$NB_PROC/reset"; then
			why="reset failed"
		elif [ $((i % 5)) = 4 ] && ! out=$(nb_validate $B 2>&1); then
			why="bad file in $B: $(echo "$out" | head -2 | tr '\n' ' ')"
		fi
		t1=$EPOCHREALTIME
		nb_unload || why="$why rmmod failed"
		t_rm=$((t_rm + $(usecs "$t1")))
	fi
	if [ -z "$why" ]; then
		ok=$((ok + 1))
	else
		bad=$((bad + 1))
		ktap_info "cycle $i: $why"
	fi
done
secs=$(nb_elapsed "$t0")
nb_readers_stop
sleep 3.5	# let the traffic run a little longer with the module gone
nb_traffic_stop
nb_mem_figures "kernel after the cycles"
ktap_info "figures: $ok/$CYCLES load/unload cycles in ${secs}s ($(awk -v s="$secs" -v n="$CYCLES" 'BEGIN { printf "%.2f", s / n }') s each), insmod $((t_ins / CYCLES / 1000)) ms and rmmod $((t_rm / CYCLES / 1000)) ms on average; parameters rotated: none, ${params[*]:1}"
for l in iperf3-lo iperf3-veth collapse; do nb_loop_report $l; done
ktap_eq "load/unload cycles under traffic" "$ok" "$CYCLES"
ktap_check "iperf3 over loopback ran" test "$(nb_loop_runs iperf3-lo)" -gt 0
ktap_eq "every iperf3 run over loopback exited 0" "$(nb_loop_fails iperf3-lo)" 0
ktap_check "iperf3 over veth ran" test "$(nb_loop_runs iperf3-veth)" -gt 0
ktap_eq "every iperf3 run over veth exited 0" "$(nb_loop_fails iperf3-veth)" 0
ktap_eq "every collapse workload run exited 0" "$(nb_loop_fails collapse)" 0
ktap_check "readers saw no error and no bad line" nb_readers_report
ktap_check "module unloaded at the end" test ! -e "$NB_PROC"
ktap_check "kernel log clean" nb_dmesg_clean

# A file held open across an unload: reads fail with EIO, close is clean.
nb_load
got=$(python3 - "$NB_PROC/rcvbuf" <<'PY'
import errno, os, subprocess, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
first = os.read(fd, 10)
subprocess.run(["rmmod", "netbuf"], check=True)
try:
    os.pread(fd, 100, 0)
    print("read-ok")
except OSError as e:
    print(errno.errorcode[e.errno])
os.close(fd)
PY
)
ktap_eq "a file open across rmmod reads EIO afterwards" "$got" EIO
ktap_check "unloaded under the open file" test ! -e "$NB_PROC"
ktap_check "reload after that" nb_load

# A process waiting in poll() on /proc/netbuf/events across rmmod. proc
# files do not pin their module, and neither may a poller: rmmod must go
# through, and the waiter (no timeout, no signal) must be woken and
# detached from the module's wait queue before it is freed. Otherwise its
# return from poll() unlinks its entry from freed memory (seen on 6.1:
# "list_del corruption" in remove_wait_queue from poll_freewait), or it
# sleeps on until the guest powers off.
rm -f /tmp/nb-poll-ready /tmp/nb-poll-woke
setsid python3 - "$NB_PROC/events" /tmp/nb-poll-ready /tmp/nb-poll-woke </dev/null >/dev/null 2>&1 <<'PY' &
import os, select, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
while os.read(fd, 65536):
    pass
p = select.poll()
p.register(fd, select.POLLIN)
open(sys.argv[2], "w").close()
ev = p.poll(-1)[0][1]
open(sys.argv[3], "w").write("%#x\n" % ev)
PY
poller=$!
for _ in $(seq 600); do [ -e /tmp/nb-poll-ready ] && break; sleep 0.1; done	# python starts slowly on a loaded TCG host
sleep 0.5
if rmmod netbuf 2>/tmp/nb-rmmod.err; then
	timeout 30 tail --pid=$poller -f /dev/null
	if [ -s /tmp/nb-poll-woke ]; then
		ktap_ok "rmmod went through while a process waited in poll() on events; the waiter woke (revents $(cat /tmp/nb-poll-woke))"
	else
		kill $poller 2>/dev/null
		ktap_not_ok "rmmod went through but the waiter in poll() on events was not woken"
	fi
else
	ktap_not_ok "rmmod refused while a process waits in poll() on events: $(head -1 /tmp/nb-rmmod.err)"
	kill $poller
	wait $poller 2>/dev/null
	nb_unload
fi
ktap_check "kernel log clean after the poller's wake-up" nb_dmesg_clean
ktap_info "figures: whole test ${SECONDS}s (NB_STRESS_SCALE=$NB_STRESS_SCALE)"
ktap_finished
