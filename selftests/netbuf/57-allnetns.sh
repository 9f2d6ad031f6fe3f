#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The host-wide view (issue 15 item 3): /proc/netbuf/all_rcvbuf and
# all_napi in the initial namespace list every namespace's rows, each line
# led by the namespace's inode number (as /proc/PID/ns/net shows it).
# Namespaces: the host; A (veth ca0 <-> ca1 in A2) with a collapse
# workload; B (veth a0 <-> b0 in B2) with NAPI traffic (GRO on at b0, TSO
# and GSO off at a0: every packet b0 takes goes through its NAPI); and a
# real container (user namespace, uid 0 -> 100000 written by the parent)
# with its own network namespace. Checks: every namespace is listed under
# its own inode and its block equals what its own /proc/net/netbuf file
# shows; A's collapsed skbs equal A's TcpExt TCPRcvCollapsed, b0's NAPI
# packets its rx_packets; the files exist only in the initial namespace;
# only CAP_NET_ADMIN in the initial user namespace, from the initial
# network namespace, opens them (not uid 0 without it, not uid 65534, not
# root of another network namespace, not the container's root);
# `netbuf show --all-netns` names A by its ip netns name and the container
# by its process, in -j and --prometheus. Strict: nothing skips.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbaa A2=nbaa2 B=nbab B2=nbab2
CPID= NPID=
ktap_header
nb_require_module
ktap_plan 25
nb_need 25 unshare nsenter setpriv python3 ip iperf3 ethtool "$NB_RCVPRESS" "$NB_TOOL"

cleanup() {
	nb_iperf_kill
	[ -n "$NPID" ] && kill "$NPID" 2>/dev/null
	[ -n "$CPID" ] && kill "$CPID" 2>/dev/null
	nb_del_netns $A $A2 $B $B2
}
trap cleanup EXIT
nb_del_netns $A $A2 $B $B2
nb_reload

# ---- the container, as 56-container makes it ----
nb_container 600
cin ip link set lo up

# ---- A: collapse on ca0 (10.86.0.1) from A2 ----
ip netns add $A
ip netns add $A2
ip link add ca0 netns $A type veth peer name ca1 netns $A2
printf '%s\n' "link set lo up" "addr add 10.86.0.1/24 dev ca0" "link set ca0 up" | ip -n $A -b -
printf '%s\n' "link set lo up" "addr add 10.86.0.2/24 dev ca1" "link set ca1 up" | ip -n $A2 -b -
# ---- B: NAPI on b0 ----
nb_veth_pair $B $B2
nb_ns_noipv6 $B $B2
ip netns exec $B ethtool -K a0 tso off gso off
ip netns exec $B2 ethtool -K b0 gro on

# A loaded host may see no collapse in a 2 s run: up to 3 runs, each
# sender started once its receiver listens.
for port in 5871 5873 5875; do
	nb_rcvpress $A --mode collapse -l 10.86.0.1:$port -d 2 >/dev/null 2>&1 &
	rx=$!
	nb_wait_listen $A $port
	nb_rcvpress $A2 --mode collapse -C 10.86.0.1:$port -d 2 >/dev/null 2>&1
	wait $rx
	sleep 0.3
	[ "$(nb_col $A rcvbuf ca0 coll_skbs)" -gt 0 ] 2>/dev/null && break
	ktap_info "no collapse on ca0 in the run on port $port"
done
rx0=$(nb_sysfs_stat $B2 b0 rx_packets)
napi0=$(ip netns exec $B2 awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "packets") c = i; next } $1 == "b0" { print $c }' $NB_PROC/napi)
nb_iperf $B2 $B 10.77.0.2 5872 -t 2
iperf_rc=$?
sleep 0.5
rx1=$(nb_sysfs_stat $B2 b0 rx_packets)

# ---- the files ----
ino() { stat -L -c %i "$1"; }
declare -A INO
INO[host]=$(ino /proc/self/ns/net)
for n in $A $A2 $B $B2; do INO[$n]=$(ino /run/netns/$n); done
INO[c]=$(ino /proc/$NPID/ns/net)
ktap_eq "all_rcvbuf and all_napi in the host's /proc/netbuf, mode 0444" \
	"$(stat -L -c '%n %a' $NB_PROC/all_rcvbuf $NB_PROC/all_napi | tr '\n' ' ')" \
	"$NB_PROC/all_rcvbuf 444 $NB_PROC/all_napi 444 "
ktap_eq "not in another namespace's (A, the container)" \
	"$(ip netns exec $A ls $NB_PROC | grep -c '^all_')/$(cin ls /proc/net/netbuf | grep -c '^all_')" 0/0
allr=$(cat $NB_PROC/all_rcvbuf) allrc=$?
alln=$(cat $NB_PROC/all_napi) allnc=$?
echo "$allr" | grep -vE ' 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0$' | sed 's/^/# all_rcvbuf: /'
ktap_eq "host root reads both" "$allrc/$allnc" 0/0
ktap_eq "header: netns, then the per-namespace file's columns" \
	"$(echo "$allr" | head -n 1 | awk '{ $1 = ""; print }' | sed 's/^ //')" \
	"$(head -n 1 $NB_PROC/rcvbuf | tr -s ' ')"
want=$(for n in "${INO[@]}"; do echo "$n"; done | sort -u | tr '\n' ' ')
ktap_check "every namespace's inode is listed (host, A, A2, B, B2, container: $want)" bash -c \
	"[ -z \"\$(comm -23 <(echo '$want' | tr ' ' '\n' | sed '/^\$/d') <(echo '$allr' | awk 'NR > 1 { print \$1 }' | sort -u))\" ]"
ktap_eq "every namespace's block ends with its total row" \
	"$(echo "$allr" | awk 'NR > 1 && $1 != p { if (p && last != "total") bad++ } NR > 1 { p = $1; last = $2 } END { if (last != "total") bad++; print bad + 0 }')" 0
# block INO FILE: that namespace's lines of an all_* file, without the
# netns column; own NAME FILE: its own file. napi: without the backlog
# and total rows (the host-wide backlog row is listed once, in the host's
# block, and moves with any loopback packet of the host between two reads)
block() { echo "$2" | awk -v n="$1" 'NR > 1 && $1 == n { $1 = ""; sub(/^ /, ""); print }'; }
own() {
	local out
	case $1 in
	host) out=$(tail -n +2 $NB_PROC/$2) ;;
	c) out=$(cin tail -n +2 /proc/net/netbuf/$2) ;;
	*) out=$(ip netns exec $1 tail -n +2 $NB_PROC/$2) ;;
	esac
	echo "$out" | tr -s ' ' | if [ "$2" = napi ]; then
		awk '$1 != "backlog" && $1 != "total"'
	else cat; fi
}
bad=
for n in host $A $A2 $B $B2 c; do
	[ "$(block ${INO[$n]} "$allr")" = "$(own $n rcvbuf)" ] || bad="$bad $n"
done
ktap_eq "rcvbuf: each namespace's block = its own /proc/net/netbuf/rcvbuf" "${bad:-none}" none
bad=
for n in host $A $A2 $B $B2 c; do
	b=$(block ${INO[$n]} "$alln")
	b=$(echo "$b" | awk '$1 != "backlog" && $1 != "total"')
	[ "$b" = "$(own $n napi)" ] || { bad="$bad $n"; diff <(echo "$b") <(own $n napi) | sed 's/^/# /'; }
done
ktap_eq "napi: each namespace's block = its own napi file" "${bad:-none}" none
ktap_eq "the backlog row once, in the host's block" \
	"$(echo "$alln" | awk '$2 == "backlog" { print $1 }' | tr '\n' ' ')" "${INO[host]} "
coll=$(echo "$allr" | awk -v n=${INO[$A]} 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "coll_skbs") c = i; next } $1 == n && $2 == "total" { print $c }')
ktap_check "A collapsed under its inode ($coll skbs)" test "${coll:-0}" -gt 0
ktap_eq "A: coll_skbs in the host view = A's TcpExt TCPRcvCollapsed" "$coll" "$(tcpext $A TCPRcvCollapsed)"
ktap_eq "A's ca0 is listed under A's inode only" \
	"$(echo "$allr" | awk '$2 == "ca0" { print $1 }' | tr '\n' ' ')" "${INO[$A]} "
pk=$(echo "$alln" | awk -v n=${INO[$B2]} 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "packets") c = i; next } $1 == n && $2 == "b0" { print $c }')
ktap_eq "iperf3 ran" "$iperf_rc" 0
ktap_info "b0: NAPI packets $napi0 -> $pk, rx_packets $rx0 -> $rx1"
ktap_check "B2's b0 polled ($((pk - napi0)) packets)" test $((pk - napi0)) -gt 1000
ktap_eq "B2: b0's NAPI packets in the host view = its rx_packets (deltas)" $((pk - napi0)) $((rx1 - rx0))

# ---- who may open them ----
try() { python3 -c 'import errno, sys
try: open(sys.argv[1]).read(); print("ok")
except OSError as e: print(errno.errorcode[e.errno])' "$1"; }
export -f try
ktap_eq "uid 65534 in the host namespace: refused" \
	"$(setpriv --reuid=65534 --regid=65534 --clear-groups -- bash -c "try $NB_PROC/all_rcvbuf; try $NB_PROC/all_napi" | tr '\n' ' ')" "EACCES EACCES "
ktap_eq "uid 0 without CAP_NET_ADMIN: refused" \
	"$(setpriv --inh-caps=-net_admin --bounding-set=-net_admin -- bash -c "try $NB_PROC/all_rcvbuf; try $NB_PROC/all_napi" | tr '\n' ' ')" "EACCES EACCES "
ktap_eq "uid 65534 with CAP_NET_ADMIN (an agent's capability): reads" \
	"$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=+net_admin --ambient-caps=+net_admin -- bash -c "try $NB_PROC/all_rcvbuf" )" ok
ktap_eq "root of namespace A, through /proc/1/net/netbuf: refused" \
	"$(ip netns exec $A bash -c "try /proc/1/net/netbuf/all_rcvbuf; try /proc/1/net/netbuf/all_napi" | tr '\n' ' ')" "EACCES EACCES "
ktap_eq "the container's root (uid 100000), through /proc/1/net/netbuf: refused" \
	"$(cin bash -c "try /proc/1/net/netbuf/all_rcvbuf; try /proc/1/net/netbuf/all_napi" | tr '\n' ' ')" "EACCES EACCES "

# ---- the tool ----
js=$("$NB_TOOL" show --all-netns -j)
rc=$?
ktap_eq "netbuf show --all-netns -j" "$rc" 0
ktap_eq "names A by its ip netns name, the container by its process" \
	"$(echo "$js" | python3 -c 'import json, sys
d = json.load(sys.stdin); ns = {n["netns_ino"]: n for n in d["namespaces"]}
print(ns[int(sys.argv[1])]["name"], ns[int(sys.argv[2])]["pid"], ns[int(sys.argv[2])]["name"])' ${INO[$A]} ${INO[c]})" \
	"$A $NPID None"
ktap_check "--prometheus: A's ca0 with its netns_ino label" bash -c \
	"'$NB_TOOL' show --all-netns --prometheus | grep -q '^netbuf_collapse_skbs_total{netns_ino=\"${INO[$A]}\",iface=\"ca0\",ifindex=\"[0-9]*\"} $(echo "$allr" | awk -v n=${INO[$A]} 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "coll_skbs") c = i; next } $1 == n && $2 == "ca0" { print $c }')\$'"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups -- "$NB_TOOL" show --all-netns 2>&1)
ktap_eq "unprivileged: exit 1 and says what it needs" "$?/$(echo "$out" | grep -c CAP_NET_ADMIN)" 1/1
ktap_check "kernel log clean" nb_dmesg_clean
ktap_info "figures: whole test ${SECONDS}s"
ktap_finished
