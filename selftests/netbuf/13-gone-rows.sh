#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Rows of devices that go away: kept, marked gone, with their counts, until
# a reset; a new device that reuses the ifindex gets a fresh row; a renamed
# device keeps its row under the new name.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbga B=nbgb
ktap_header
nb_require_module
[ -x "$NB_RCVPRESS" ] || ktap_skip_all "no $NB_RCVPRESS"
trap 'nb_del_netns $A $B' EXIT
nb_load
nb_del_netns $A $B
nb_veth_pair $A $B
ktap_plan 9

# Collapses on b0 (a loaded host may see none in a 2 s run: up to 3 runs,
# each sender started once its receiver listens).
for port in 5500 5501 5502; do
	nb_rcvpress $B --mode collapse -l 10.77.0.2:$port -d 2 >/dev/null &
	nb_wait_listen $B $port
	nb_rcvpress $A --mode collapse -C 10.77.0.2:$port -d 2 >/dev/null ||
		ktap_info "sender run on port $port failed"
	wait
	sleep 0.1
	calls=$(nb_col $B rcvbuf b0 coll_calls)
	[ "$calls" -gt 0 ] 2>/dev/null && break
done
idx=$(ip netns exec $B cat /sys/class/net/b0/ifindex)
ktap_check "b0 has collapses ($calls)" test "$calls" -gt 0
ip -n $B link set b0 down && ip -n $B link set b0 name b9 && ip -n $B link set b9 up
ktap_eq "renamed b0 -> b9 keeps its row" "$(nb_col $B rcvbuf b9 coll_calls)" "$calls"
ip -n $B link del b9
ktap_eq "deleted device's row is gone" "$(nb_col $B rcvbuf b9 state)" gone
ktap_eq "gone row keeps its counts" "$(nb_col $B rcvbuf b9 coll_calls)" "$calls"
ip -n $B link add c1 index "$idx" type veth peer name c2
ktap_eq "new device reuses ifindex $idx" "$(ip netns exec $B cat /sys/class/net/c1/ifindex)" "$idx"
ktap_eq "new device has a fresh row" "$(nb_col $B rcvbuf c1 state)/$(nb_col $B rcvbuf c1 coll_calls)" "up/0"
ktap_eq "gone row still shown beside it" "$(nb_col $B rcvbuf b9 state)" gone
ip netns exec $B sh -c "echo 1 > $NB_PROC/reset"
ktap_eq "reset forgets the gone row" "$(nb_has_row $B rcvbuf b9 && echo present || echo absent)" absent
ktap_eq "reset keeps the live one" "$(nb_col $B rcvbuf c1 state)" up
ktap_finished
