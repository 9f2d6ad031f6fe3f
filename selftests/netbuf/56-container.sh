#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real container (issue 15): a user namespace whose uid/gid 0 map to
# 100000 (uid_map and gid_map written by the parent, setgroups denied, so
# container root is uid 100000 to the host, not root), owning a new
# network namespace with a veth (vc0) to the host (vh0). Next to it: an
# ordinary namespace B (veth cbx0/cbx1) and the initial namespace, each
# with a collapse workload of its own. Checks: the container's
# /proc/net/netbuf belongs to its root (100000:100000), the host's to
# global root; inside, /proc/netbuf (the symlink to net/netbuf) and
# `netbuf show` work and show its own interfaces only, its totals equal
# its own TcpExt; no file shows anything of B or the host (rows, events,
# addresses); another namespace's files reached through /proc/PID/net are
# refused; control is refused; reset clears the container and nothing
# else. Strict: anything missing fails, nothing skips.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

B=nbcb B2=nbcb2
CPID= NPID= BPID=
ktap_header
nb_require_module
ktap_plan 35
nb_need 35 unshare nsenter setpriv python3 ip "$NB_RCVPRESS" "$NB_TOOL"

cleanup() {
	[ -n "$NPID" ] && kill "$NPID" 2>/dev/null
	[ -n "$CPID" ] && kill "$CPID" 2>/dev/null
	[ -n "$BPID" ] && kill "$BPID" 2>/dev/null
	ip link del vh0 2>/dev/null
	nb_del_netns $B $B2
	[ -e $NB_PROC/control ] && nb_ctl events_threshold_ns=1000000 && nb_ctl events_max=128
}
trap cleanup EXIT
nb_del_netns $B $B2
nb_reload

# ---- the container ----
# As container runtimes do it: a child makes the user namespace and waits,
# the parent writes its maps, then the network namespace is made by the
# container's root (so that procfs gives its /proc/net to uid 100000: the
# owner is fixed when the network namespace is made, see README).
nb_container 600
cw() {	# cw FILE TEXT: one write by container root; ok or the errno name
	cin bash -c "$(declare -f nb_write); nb_write $1 $(printf '%s' "$2" | od -An -tx1 | tr -d ' \n')"
}
ip link add vh0 type veth peer name vc0 netns "$NPID"
ip addr add 10.84.0.1/24 dev vh0
ip link set vh0 up
cin ip link set lo up
cin ip addr add 10.84.0.2/24 dev vc0
cin ip link set vc0 up
nsenter -t "$NPID" -U -n -- sleep 60 &
pid=$!
for i in $(seq 50); do [ "$(cat /proc/$pid/comm)" = sleep ] && break; sleep 0.1; done
uid=$(awk '/^Uid:/ { print $2 }' /proc/$pid/status)
gid=$(awk '/^Gid:/ { print $2 }' /proc/$pid/status)
kill $pid
ktap_eq "container root is uid/gid 100000 to the host" "$uid/$gid" 100000/100000
ktap_eq "container root is uid 0 inside ($(cin cat /proc/self/uid_map | tr -s ' '))" "$(cin id -u)" 0

# ---- B, an ordinary namespace: cbx0 (10.83.0.1) <-> cbx1 in B2 ----
ip netns add $B
ip netns add $B2
ip link add cbx0 netns $B type veth peer name cbx1 netns $B2
printf '%s\n' "link set lo up" "addr add 10.83.0.1/24 dev cbx0" "link set cbx0 up" | ip -n $B -b -
printf '%s\n' "link set lo up" "addr add 10.83.0.2/24 dev cbx1" "link set cbx1 up" | ip -n $B2 -b -
ip netns exec $B sleep 600 &
BPID=$!

# ---- workloads: B, the host (lo), the container last (its events newest) ----
nb_ctl events_threshold_ns=0
nb_ctl events_max=256
crun() {	# the workload in the container, as its root
	cin "$NB_RCVPRESS" "$@"
	local rc=$?
	[ "$rc" = 0 ] || echo "rcvpress in the container $* exited $rc" >>"$NB_RCVPRESS_FAILS"
	return "$rc"
}
tcpext_c() {	# the container's TCPRcvCollapsed
	cin cat /proc/net/netstat | awk '$1 == "TcpExt:" && !h { for (i = 2; i <= NF; i++) k[i] = $i; h = 1; next }
		$1 == "TcpExt:" { for (i = 2; i <= NF; i++) if (k[i] == "TCPRcvCollapsed") print $i; exit }'
}
# listening CMD... PORT: a listener on PORT in the namespace CMD runs in
# (at most 10 s): the sender's short duration leaves no time for retries
listening() {
	local port=${*: -1} i
	set -- "${@:1:$#-1}"
	for i in $(seq 100); do
		"$@" cat /proc/net/tcp | awk -v p=":$(printf '%04X' "$port")" \
			'$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 } END { exit !f }' && return 0
		sleep 0.1
	done
	return 1
}
# burst WHERE PORT SECONDS: WHERE is B, host (lo) or c (the container)
burst() {
	local rx
	case $1 in
	B)	nb_rcvpress $B --mode collapse -l 10.83.0.1:$2 -d $3 >/dev/null 2>&1 &
		rx=$!
		listening ip netns exec $B $2
		nb_rcvpress $B2 --mode collapse -C 10.83.0.1:$2 -d $3 >/dev/null 2>&1 ;;
	host)	nb_rcvpress "" --mode collapse -l 127.0.0.1:$2 -d $3 >/dev/null 2>&1 &
		rx=$!
		listening env $2
		nb_rcvpress "" --mode collapse -C 127.0.0.1:$2 -d $3 >/dev/null 2>&1 ;;
	c)	crun --mode collapse -l 10.84.0.2:$2 -d $3 >/dev/null 2>&1 &
		rx=$!
		listening cin $2
		nb_rcvpress "" --mode collapse -C 10.84.0.2:$2 -d $3 >/dev/null 2>&1 ;;
	esac
	wait $rx
}
k0=$(tcpext_c)
burst B 5911 1.5
burst host 5912 1
burst c 5913 1.5
# The bursts can fill the per-CPU event rings many times over: a short one
# in each, one after the other, leaves records of all three in them.
burst B 5914 0.3
burst host 5915 0.3
burst c 5916 0.3
sleep 0.2
nb_ctl events_threshold_ns=1000000
k1=$(tcpext_c)

# ---- ownership ----
ktap_eq "the container's /proc/net/netbuf files belong to its root, as its /proc/net/dev" \
	"$(stat -L -c '%u:%g' /proc/$NPID/net/netbuf/reset /proc/$NPID/net/netbuf/rcvbuf /proc/$NPID/net/dev | sort -u | tr '\n' ' ')" "100000:100000 "
ktap_eq "the host's belong to global root" \
	"$(stat -L -c '%u:%g' $NB_PROC/reset $NB_PROC/rcvbuf | sort -u | tr '\n' ' ')" "0:0 "
ktap_eq "modes: reset 0200, control 0644, rcvbuf 0444" \
	"$(stat -L -c %a /proc/$NPID/net/netbuf/reset /proc/$NPID/net/netbuf/control /proc/$NPID/net/netbuf/rcvbuf | tr '\n' ' ')" "200 644 444 "

# ---- what the container sees ----
files="control events histograms memory napi napi_queue_hist napi_queues probes rcvbuf reset version"
ktap_eq "container: /proc/netbuf lists every file" "$(cin ls /proc/netbuf/ | tr '\n' ' ')" "$(echo $files) "
rcv=$(cin cat /proc/netbuf/rcvbuf)
rc=$?
echo "$rcv" | sed 's/^/# container: /'
ktap_eq "container: cat /proc/netbuf/rcvbuf works" "$rc" 0
names() { awk 'NR > 1 { print $1 }' | sort -u | tr '\n' ' '; }
ktap_eq "container: rcvbuf rows are its devices" "$(echo "$rcv" | names)" "lo total unknown vc0 "
ktap_check "container: napi rows are its devices, unknown, backlog" bash -c \
	"[ -z \"\$(comm -23 <(echo '$(cin cat /proc/netbuf/napi | names)' | tr ' ' '\n' | sed '/^$/d') <(printf '%s\n' backlog lo total unknown vc0))\" ]"
ktap_check "container: histogram rows are its devices, unknown, backlog" bash -c \
	"[ -z \"\$(comm -23 <(echo '$(cin cat /proc/netbuf/histograms | names)' | tr ' ' '\n' | sed '/^$/d') <(printf '%s\n' backlog lo unknown vc0))\" ]"
skbs=$(echo "$rcv" | awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "coll_skbs") c = i; next } $1 == "total" { print $c }')
ktap_check "container: collapses counted ($skbs skbs)" test "${skbs:-0}" -gt 0
ktap_eq "container: total coll_skbs = its TcpExt TCPRcvCollapsed" "$skbs" $((k1 - k0))
show=$(cin "$NB_TOOL" show 2>&1)
rc=$?
echo "$show" | head -n 30 | sed 's/^/# container: netbuf show: /'
ktap_eq "container: netbuf show works" "$rc" 0
ktap_check "container: netbuf show shows vc0" bash -c "echo '$show' | grep -qw vc0"
ev=$(cin cat /proc/netbuf/events)
ktap_check "container: events on vc0 ($(echo "$ev" | grep -c ' vc0 '))" test "$(echo "$ev" | grep -c ' vc0 ')" -gt 0
ktap_eq "container: every event is its own connection (10.84.0.2)" \
	"$(echo "$ev" | awk 'NR > 1 && index($8, "10.84.0.2:") != 1' | wc -l)" 0
all=$(for f in $files; do [ $f = reset ] || cin cat /proc/netbuf/$f; done; cin "$NB_TOOL" show -j 2>&1)
ktap_eq "container: nothing of B or the host in any file or in netbuf show -j" \
	"$(echo "$all" | grep -cE '(^|[^a-z0-9])(vh0|cbx0|cbx1|eth[0-9])([^a-z0-9]|$)|10\.83\.|127\.0\.0\.1')" 0
ktap_check "B and the host have rows and events of their own (that the container did not see)" bash -c \
	"ip netns exec $B cat $NB_PROC/rcvbuf | grep -q '^cbx0 ' && ip netns exec $B cat $NB_PROC/events | grep -q 10.83.0.1: && grep -q 127.0.0.1: $NB_PROC/events"

# ---- other namespaces' files, through /proc/PID/net ----
ktap_eq "container: the host's rcvbuf (/proc/1/net/netbuf) refused" \
	"$(cin python3 -c 'import errno, sys
try: open(sys.argv[1]).read(); print("ok")
except OSError as e: print(errno.errorcode[e.errno])' /proc/1/net/netbuf/rcvbuf)" EACCES
ktap_eq "container: B's events (/proc/$BPID/net/netbuf) refused" \
	"$(cin python3 -c 'import errno, sys
try: open(sys.argv[1]).read(); print("ok")
except OSError as e: print(errno.errorcode[e.errno])' /proc/$BPID/net/netbuf/events)" EACCES
ktap_eq "non-root on the host: the container's rcvbuf refused" \
	"$(setpriv --reuid=65534 --regid=65534 --clear-groups -- python3 -c 'import errno, sys
try: open(sys.argv[1]).read(); print("ok")
except OSError as e: print(errno.errorcode[e.errno])' /proc/$NPID/net/netbuf/rcvbuf)" EACCES
ktap_check "non-root on the host reads its own namespace's rcvbuf" \
	setpriv --reuid=65534 --regid=65534 --clear-groups -- grep -q '^lo ' $NB_PROC/rcvbuf
ktap_check "host root reads the container's through /proc/$NPID/net/netbuf: vc0, not lo of the host" bash -c \
	"cat /proc/$NPID/net/netbuf/rcvbuf | grep -q '^vc0 ' && ! cat /proc/$NPID/net/netbuf/rcvbuf | grep -q '^vh0 '"

# ---- writes ----
sumC=$(cin cat $NB_PROC/rcvbuf | awk '$1 == "total" { for (i = 4; i <= NF; i++) s += $i; print s }')
sumB=$(nb_rcvbuf_sum $B) sumH=$(nb_rcvbuf_sum "")
ctl0=$(cat $NB_PROC/control | awk '$1 == "events_max" || $1 == "events_threshold_ns" || $1 == "timing"' | tr '\n' ' ')
ktap_eq "container: control refused" "$(cw /proc/netbuf/control events_max=8)" EPERM
ktap_eq "container: the host's control refused" "$(cw /proc/1/net/netbuf/control events_max=8)" EACCES
ktap_eq "container: the host's reset refused" "$(cw /proc/1/net/netbuf/reset 1)" EACCES
ktap_eq "container: B's reset refused" "$(cw /proc/$BPID/net/netbuf/reset 1)" EACCES
ktap_eq "refused writes changed nothing: control" \
	"$(cat $NB_PROC/control | awk '$1 == "events_max" || $1 == "events_threshold_ns" || $1 == "timing"' | tr '\n' ' ')" "$ctl0"
ktap_eq "refused writes changed nothing: B, host" "$(nb_rcvbuf_sum $B)/$(nb_rcvbuf_sum "")" "$sumB/$sumH"
ktap_check "the container has counts to clear ($sumC)" test "${sumC:-0}" -gt 0
ktap_eq "container: echo 1 > /proc/netbuf/reset" "$(cin bash -c "echo 1 > /proc/netbuf/reset" 2>&1 && echo ok)" ok
ktap_eq "the reset cleared the container" \
	"$(cin cat $NB_PROC/rcvbuf | awk '$1 == "total" { for (i = 4; i <= NF; i++) s += $i; print s }')" 0
ktap_eq "and left B and the host alone" "$(nb_rcvbuf_sum $B)/$(nb_rcvbuf_sum "")" "$sumB/$sumH"

# ---- unload with the container alive: its files go with the module ----
nb_ctl events_threshold_ns=1000000
nb_ctl events_max=128
ktap_check "rmmod with the container alive, then no /proc/net/netbuf in it" bash -c \
	"rmmod netbuf && ! nsenter -t $NPID -U -n -- test -e /proc/net/netbuf && ! test -e /proc/netbuf"
nb_load
ktap_check "kernel log clean" nb_dmesg_clean
ktap_info "figures: whole test ${SECONDS}s"
ktap_finished
