#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Nobody can pin the module by polling events: while traffic runs and
# episodes are logged, unprivileged processes wait on /proc/netbuf/events
# with poll(2) (POLLIN, and POLLPRI alone), select(2) (exceptfds alone) and
# epoll, one more holds an epoll set on it and is stopped (SIGSTOP), and
# `netbuf events -f` follows the episodes of B; the module's refcount stays
# 0, rmmod succeeds at once, every waiter wakes with an error/hang-up, then
# reads EIO and exits (no spin), the stopped one, continued after the
# unload, gets EPOLLIN (procfs's answer for a file cut off) and EIO, the
# tool says the module was unloaded and exits 1; the module loads again and
# the kernel log stays clean.
#
# An epoll set reads the events it reports from the file when its task
# runs (ep_send_events()), not from the wake-up: a waiter that runs only
# after the unload finished sees procfs's EPOLLIN for a file cut off, not
# POLLERR|POLLHUP. So each waiter is seen sleeping in its wait before the
# unload, and an epoll waiter may report EPOLLIN only if its first read
# then fails with EIO (it ran after the cut); the stopped one shows that
# case every time.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbua B=nbub
CYCLES=${NB_CYCLES:-3}
RUN=/tmp/nb-evunload
MODES="poll pollpri select epoll epollstop"
ktap_header
nb_require_module
command -v iperf3 >/dev/null || ktap_skip_all "no iperf3"
[ -x "$NB_TOOL" ] || ktap_skip_all "no $NB_TOOL (make -C tools)"
waiters=()
cleanup() {
	if [ ${#waiters[@]} -gt 0 ]; then
		kill -CONT "${waiters[@]}"
		kill "${waiters[@]}"
	fi 2>/dev/null
	nb_traffic_stop
	nb_del_netns $A $B
	[ -e $NB_PROC/control ] && nb_ctl events_threshold_ns=1000000
}
trap cleanup EXIT
nb_load
nb_del_netns $A $B
nb_veth_pair $A $B
rm -rf $RUN; mkdir -p $RUN; chmod 1777 $RUN	# the waiters run as uid 65534
ktap_plan 10

# A waiter, as uid/gid 65534 in namespace A (no episodes there: nothing
# but the unload may end its wait): waits (no timeout) in MODE,
# then writes to RUN/MODE.CYCLE "woke <what the wait returned> <first read>
# then <how reading ended>". Reads go on (0.05 s apart, 20 s at most) until
# one fails: the file is cut off when the module goes.
WAITER=$(cat <<'PY'
import errno, os, select, sys, time
path, mode, out, ready = sys.argv[1:5]
os.setgroups([]); os.setgid(65534); os.setuid(65534)
fd = os.open(path, os.O_RDONLY)
def read():
    try:
        off = 0
        while True:
            b = os.pread(fd, 65536, off)
            if not b:
                return "data"
            off += len(b)
    except OSError as e:
        return errno.errorcode[e.errno]
read()
open(ready, "w").close()
if mode in ("poll", "pollpri"):
    p = select.poll()
    p.register(fd, select.POLLIN if mode == "poll" else select.POLLPRI)
    names = [n for n in ("POLLIN", "POLLPRI", "POLLERR", "POLLHUP")
             if p.poll()[0][1] & getattr(select, n)]
    woke = "|".join(names)
elif mode == "select":
    r, w, x = select.select([], [], [fd])
    woke = "except" if x else "nothing"
else:			# epoll, epollstop
    ep = select.epoll()
    ep.register(fd, select.EPOLLIN)
    names = [n for n in ("EPOLLIN", "EPOLLERR", "EPOLLHUP")
             if ep.poll()[0][1] & getattr(select, n)]
    woke = "|".join(names)
first = res = read()
t0 = time.time()
while res == "data" and time.time() - t0 < 20:
    time.sleep(0.05)
    res = read()
if mode.startswith("epoll"):
    ep.poll(0)      # the set still works with the file cut off
    ep.close()
os.close(fd)
open(out, "w").write("woke %s %s then %s\n" % (woke, first, res))
PY
)

start_waiters() {	# CYCLE
	local m
	waiters=()
	for m in $MODES; do
		ip netns exec $A python3 -c "$WAITER" $NB_PROC/events $m $RUN/$m.$1 $RUN/$m.$1.ready </dev/null &
		waiters+=($!)
	done
	ip netns exec $B setpriv --reuid=65534 --regid=65534 --clear-groups -- \
		"$NB_TOOL" events -f -i 3600 >$RUN/tool.$1.out 2>$RUN/tool.$1.err </dev/null &
	waiters+=($!)
	tool=$!
	for _ in $(seq 1200); do	# python starts slowly on a loaded TCG host
		local all=1 i=0
		for m in $MODES; do
			[ -e $RUN/$m.$1.ready ] && in_wait "${waiters[$i]}" || all=0
			i=$((i + 1))
		done
		[ -s $RUN/tool.$1.out ] || all=0
		[ "$all" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

# PID sleeps in poll(2), select(2) or epoll_wait(2) (x86_64 numbers: poll,
# select, epoll_wait, pselect6, ppoll, epoll_pwait, epoll_pwait2), or is
# stopped (T): only then may the unload race it.
in_wait() {
	local st sc
	st=$(awk '{ print $3 }' /proc/"$1"/stat 2>/dev/null)
	sc=$(awk '{ print $1 }' /proc/"$1"/syscall 2>/dev/null)
	case "$st:$sc" in
	S:7 | S:23 | S:232 | S:270 | S:271 | S:281 | S:441 | T:*) return 0 ;;
	esac
	return 1
}

nb_traffic_start $A $B
started=0 refzero=0 unloaded=0 rmmod_max=0 exited=0 woke_ok=0 tool_ok=0 reloaded=0
for c in $(seq "$CYCLES"); do
	nb_load && nb_ctl events_threshold_ns=0 || break
	start_waiters "$c" && started=$((started + 1))
	stopped=${waiters[4]}	# epollstop, waiting
	kill -STOP "$stopped"
	for _ in $(seq 100); do
		[ "$(awk '{ print $3 }' /proc/$stopped/stat)" = T ] && break
		sleep 0.1
	done
	sleep 1
	ref=$(cat /sys/module/netbuf/refcnt)
	[ "$ref" = 0 ] && refzero=$((refzero + 1)) || ktap_info "cycle $c: refcnt $ref with waiters"
	t0=$EPOCHREALTIME
	rmmod netbuf 2>$RUN/rmmod.$c.err && unloaded=$((unloaded + 1)) ||
		ktap_info "cycle $c: rmmod: $(cat $RUN/rmmod.$c.err)"
	t=$(nb_elapsed "$t0")
	rmmod_max=$(awk -v a="$t" -v b="$rmmod_max" 'BEGIN { print (a > b) ? a : b }')
	kill -CONT "$stopped"
	# Every waiter must be gone within 30 s (the readers' cap is 20 s).
	for _ in $(seq 300); do
		alive=0
		for p in "${waiters[@]}"; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
		[ "$alive" = 0 ] && break
		sleep 0.1
	done
	[ "$alive" = 0 ] && exited=$((exited + 1)) || ktap_info "cycle $c: $alive waiters still running"
	wait "$tool"
	trc=$?
	ok=1
	for m in $MODES; do
		r=$(cat $RUN/$m.$c 2>/dev/null)
		ktap_info "cycle $c: $m: ${r:-no result}"
		# woke with an error or hang-up (select: the except set), and
		# reading ended with EIO
		case "$m:$r" in
		select:"woke except "*" then EIO") ;;
		epollstop:"woke EPOLLIN EIO then EIO") ;;
		epollstop:*) ok=0 ;;
		epoll:"woke EPOLLIN EIO then EIO") ;;
		*:"woke "*POLLERR*POLLHUP*" then EIO") ;;
		*) ok=0 ;;
		esac
	done
	[ "$ok" = 1 ] && woke_ok=$((woke_ok + 1))
	ktap_info "cycle $c: rmmod took ${t}s; tool exit $trc: $(cat $RUN/tool.$c.err)"
	[ "$trc" = 1 ] && [ "$(wc -l <$RUN/tool.$c.err)" = 1 ] &&
		grep -q '^netbuf: events: the netbuf module was unloaded' $RUN/tool.$c.err &&
		tool_ok=$((tool_ok + 1))
	nb_load && reloaded=$((reloaded + 1))
done
nb_traffic_stop
ktap_eq "waiters started and waiting (5 in $A, netbuf events -f in $B, all unprivileged)" "$started" "$CYCLES"
ktap_eq "nothing pinned the module (refcnt 0 with every waiter waiting)" "$refzero" "$CYCLES"
ktap_eq "rmmod succeeded with the waiters waiting, under traffic" "$unloaded" "$CYCLES"
ktap_check "rmmod did not wait for the waiters (slowest ${rmmod_max}s, limit 15s)" \
	awk -v t="$rmmod_max" 'BEGIN { exit !(t < 15) }'
ktap_eq "every waiter exited after rmmod" "$exited" "$CYCLES"
ktap_eq "every waiter woke with an error/hang-up (epoll run after the cut: EPOLLIN) and then read EIO" "$woke_ok" "$CYCLES"
ktap_eq "netbuf events -f: 'the netbuf module was unloaded', exit 1" "$tool_ok" "$CYCLES"
ktap_eq "module loaded again after each" "$reloaded" "$CYCLES"
ktap_check "traffic ran throughout without an error" \
	test "$(nb_loop_fails iperf3-lo)$(nb_loop_fails iperf3-veth)$(nb_loop_fails collapse)" = 000 -a \
	"$(nb_loop_runs collapse)" -gt 0
nb_loop_report iperf3-lo; nb_loop_report iperf3-veth; nb_loop_report collapse
ktap_check "kernel log clean" nb_dmesg_clean
ktap_finished
