#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Permissions and isolation (issue 7). Writers: non-root, root without
# CAP_NET_ADMIN, a non-root process handed root's open file, root of a user
# namespace, each on reset and on control: refused (EACCES at open, or
# EPERM) and nothing changes; root of a user namespace may reset only the
# network namespace it owns. Readers: namespaces A and B, each with its own
# veth pair and collapse workload (and veth NAPI where ethtool can turn GRO
# on): A's rcvbuf, napi, histograms and events show nothing of B's
# interfaces or connections and the reverse, each namespace's totals equal
# its own TcpExt deltas (collapsed skbs), the initial namespace sees neither; a file opened
# in A and read from B shows A's rows (the opener's namespace counts).
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbia A2=nbia2 B=nbib B2=nbib2
ktap_header
nb_require_module
[ -x "$NB_RCVPRESS" ] || ktap_skip_all "no $NB_RCVPRESS"
command -v setpriv >/dev/null || ktap_skip_all "no setpriv"
cleanup() {
	nb_del_netns $A $A2 $B $B2
	[ -e $NB_PROC/control ] && nb_ctl events_threshold_ns=1000000 && nb_ctl events_max=128
}
trap cleanup EXIT
nb_del_netns $A $A2 $B $B2
nb_reload
ktap_plan 33

# A: ia0 (10.81.0.1) <-> ia1 in A2; B: ib0 (10.82.0.1) <-> ib1 in B2.
pair() {
	local ns=$1 peer=$2 d=$3 net=$4
	ip netns add "$ns"
	ip netns add "$peer"
	ip link add ${d}0 netns "$ns" type veth peer name ${d}1 netns "$peer"
	printf '%s\n' "link set lo up" "addr add $net.1/24 dev ${d}0" "link set ${d}0 up" | ip -n "$ns" -b -
	printf '%s\n' "link set lo up" "addr add $net.2/24 dev ${d}1" "link set ${d}1 up" | ip -n "$peer" -b -
	nb_ns_noipv6 "$ns" "$peer"
	if command -v ethtool >/dev/null; then
		# veth NAPI at the receiver: GRO on there, no TSO/GSO at the sender
		ip netns exec "$ns" ethtool -K ${d}0 gro on >/dev/null 2>&1
		ip netns exec "$peer" ethtool -K ${d}1 tso off gso off >/dev/null 2>&1
	fi
}
pair $A $A2 ia 10.81.0
pair $B $B2 ib 10.82.0
nb_ctl events_threshold_ns=0
nb_ctl events_max=256
declare -A k0 k1
for ns in $A $B; do k0[$ns]=$(tcpext $ns TCPRcvCollapsed); done
# burst NS PEER ADDR PORT MODE: the workload received in NS from PEER
burst() {
	nb_rcvpress "$1" --mode "$5" -l "$3:$4" -d "${6:-1.5}" >/dev/null 2>&1 &
	local rx=$!
	nb_rcvpress "$2" --mode "$5" -C "$3:$4" -d "${6:-1.5}" >/dev/null 2>&1
	wait $rx
}
# collapse then prune (every prune episode is an event at threshold 0),
# in both at once
{ burst $A $A2 10.81.0.1 5801 collapse; burst $A $A2 10.81.0.1 5803 prune; } &
burst $B $B2 10.82.0.1 5802 collapse
burst $B $B2 10.82.0.1 5804 prune
wait
# The prune bursts can fill a namespace's event log many times over, so
# its collapse records may all be overwritten: a short collapse burst in
# each, one after the other, leaves collapse records in both logs.
burst $A $A2 10.81.0.1 5805 collapse 0.3
burst $B $B2 10.82.0.1 5806 collapse 0.3
sleep 0.2
nb_ctl events_threshold_ns=1000000
for ns in $A $B; do k1[$ns]=$(tcpext $ns TCPRcvCollapsed); done

# ---- isolation ----
# names NS FILE: the first field of every row (header out)
names() { ip netns exec "$1" cat "$NB_PROC/$2" | awk 'NR > 1 { print $1 }' | sort -u | tr '\n' ' '; }
devs() { ip -n "$1" -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }' | sort | tr '\n' ' '; }
for pr in "$A ia 10.81 $B ib 10.82" "$B ib 10.82 $A ia 10.81"; do
	set -- $pr
	ns=$1 mine=$2 net=$3 other=$4 theirs=$5 onet=$6
	ip netns exec $ns cat $NB_PROC/rcvbuf | sed "s/^/# $ns: /"
	# shellcheck disable=SC2046
	ktap_eq "$ns: rcvbuf rows are its devices" "$(names $ns rcvbuf)" \
		"$(echo $(devs $ns) total unknown | tr ' ' '\n' | sort -u | tr '\n' ' ')"
	ktap_check "$ns: napi rows are its devices, unknown, backlog" bash -c \
		"[ -z \"\$(comm -23 <(echo '$(names $ns napi)' | tr ' ' '\n' | sed '/^$/d') <(echo '$(devs $ns) unknown backlog total' | tr ' ' '\n' | sort -u))\" ]"
	ktap_check "$ns: histogram rows are its devices, unknown, backlog" bash -c \
		"[ -z \"\$(comm -23 <(echo '$(names $ns histograms)' | tr ' ' '\n' | sed '/^$/d') <(echo '$(devs $ns) unknown backlog' | tr ' ' '\n' | sort -u))\" ]"
	ktap_eq "$ns: no row of $other's ${theirs}0 in any file" \
		"$(ip netns exec $ns cat $NB_PROC/rcvbuf $NB_PROC/napi $NB_PROC/histograms $NB_PROC/napi_queues $NB_PROC/napi_queue_hist | grep -c "^${theirs}0 ")" 0
	ev=$(ip netns exec $ns cat $NB_PROC/events)
	ktap_check "$ns: events recorded on ${mine}0 ($(echo "$ev" | grep -c " ${mine}0 "))" \
		test "$(echo "$ev" | grep -c " ${mine}0 ")" -gt 0
	ktap_eq "$ns: every event is its own connection ($net.0.1)" \
		"$(echo "$ev" | awk -v p="$net.0.1:" 'NR > 1 && index($8, p) != 1' | wc -l)" 0
	ktap_eq "$ns: no event of $other ($onet.*)" "$(echo "$ev" | grep -c "$onet\.")" 0
	ktap_eq "$ns: its total coll_skbs = its TcpExt TCPRcvCollapsed" \
		"$(nb_col $ns rcvbuf total coll_skbs)" $((k1[$ns] - k0[$ns]))
done
if command -v ethtool >/dev/null; then
	ktap_check "veth NAPI seen in $A on ia0 ($(nb_col $A napi ia0 polls) polls)" test "$(nb_col $A napi ia0 polls)" -gt 0
else
	ktap_skip "no ethtool: no veth NAPI"
fi
ktap_eq "the initial namespace sees neither" \
	"$(cat $NB_PROC/rcvbuf $NB_PROC/napi $NB_PROC/histograms $NB_PROC/napi_queues $NB_PROC/napi_queue_hist $NB_PROC/events | grep -cE '^i[ab][01] | 10\.8[12]\.')" 0
got=$(ip netns exec $A bash -c "exec 3<$NB_PROC/rcvbuf; exec ip netns exec $B cat <&3" | awk 'NR > 1 { print $1 }' | tr '\n' ' ')
ktap_check "a file opened in $A and read in $B shows $A's rows ($got)" bash -c "echo '$got' | grep -q 'ia0 ' && ! echo '$got' | grep -q 'ib0 '"

# ---- permissions ----
sumA=$(nb_rcvbuf_sum $A)
ctl0="$(nb_ctlv events_threshold_ns)/$(nb_ctlv events_max)/$(nb_ctlv timing)"
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
wr() {	# wr NS FILE TEXT [setpriv args...]: write as someone else
	local ns=$1 f=$2 t=$3
	shift 3
	nb_in "$ns" setpriv "$@" -- bash -c "$(declare -f nb_write); nb_write $NB_PROC/$f $(hex "$t")"
}
nonroot=(--reuid=65534 --regid=65534 --clear-groups)
nocap=(--inh-caps=-net_admin --bounding-set=-net_admin)
ktap_eq "non-root: reset refused" "$(wr $A reset 1 "${nonroot[@]}")" EACCES
ktap_eq "non-root: control refused" "$(wr "" control events_max=8 "${nonroot[@]}")" EACCES
ktap_eq "root without CAP_NET_ADMIN: reset refused" "$(wr $A reset 1 "${nocap[@]}")" EPERM
ktap_eq "root without CAP_NET_ADMIN: control refused" "$(wr "" control events_max=8 "${nocap[@]}")" EPERM
pyfd='import errno, os, sys
try:
    os.write(int(sys.argv[1]), sys.argv[2].encode()); print("ok")
except OSError as e:
    print(errno.errorcode[e.errno])'
got=$(ip netns exec $A bash -c "exec 5>$NB_PROC/reset; setpriv ${nonroot[*]} -- python3 -c '$pyfd' 5 1")
ktap_eq "non-root handed root's open reset file: refused" "$got" EPERM
got=$(bash -c "exec 5>$NB_PROC/control; setpriv ${nonroot[*]} -- python3 -c '$pyfd' 5 events_max=8")
ktap_eq "non-root handed root's open control file: refused" "$got" EPERM
if unshare -U -r true 2>/dev/null; then
	ktap_eq "root of a user namespace, initial netns: reset refused" \
		"$(unshare -U -r bash -c "$(declare -f nb_write); nb_write $NB_PROC/reset 31")" EPERM
	ktap_eq "root of a user namespace: control refused" \
		"$(unshare -U -r bash -c "$(declare -f nb_write); nb_write $NB_PROC/control $(hex events_max=8)")" EPERM
	ktap_eq "root of a user namespace resets the netns it owns" \
		"$(unshare -U -r -n bash -c "$(declare -f nb_write); nb_write $NB_PROC/reset 31")" ok
else
	ktap_skip "no user namespaces here"
	ktap_skip "no user namespaces here"
	ktap_skip "no user namespaces here"
fi
ktap_eq "refused writers changed nothing: $A's counters" "$(nb_rcvbuf_sum $A)" "$sumA"
ktap_eq "refused writers changed nothing: control" \
	"$(nb_ctlv events_threshold_ns)/$(nb_ctlv events_max)/$(nb_ctlv timing)" "$ctl0"
sumB=$(nb_rcvbuf_sum $B)
ip netns exec $A bash -c "echo 1 > $NB_PROC/reset"
ktap_eq "a reset in $A clears $A" "$(nb_rcvbuf_sum $A)" 0
ktap_eq "and leaves $B alone" "$(nb_rcvbuf_sum $B)" "$sumB"
ktap_check "kernel log clean" nb_dmesg_clean
ktap_info "figures: whole test ${SECONDS}s (NB_STRESS_SCALE=$NB_STRESS_SCALE)"
ktap_finished
