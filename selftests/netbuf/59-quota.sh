#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Per-namespace quota (issue 15 item 7). With the defaults (max_ifaces
# 4096, max_ifaces_netns 1024), an unprivileged container (a user
# namespace whose root is uid 100000, maps written by the parent, owning
# a new network namespace) makes 5000 dummy devices, more than max_ifaces
# (a TCG guest makes about 100 a second): it gets max_ifaces_netns rows, the rest count as
# untracked_devs, and a new interface of another namespace still gets
# a row of its own. With max_ifaces_netns=4: a namespace at its limit
# makes room by forgetting its own oldest gone row (evicted), and with no
# gone row its next device goes untracked. With a small max_ifaces:
# unknown rows stop at max_ifaces (unknown_rows_max), and bytes_worst
# counts them.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

V=nbqv E=nbqe
CPID= NPID= U=()
ktap_header
nb_require_module
ktap_plan 17

cleanup() {
	[ -n "$NPID" ] && kill "$NPID" 2>/dev/null
	[ -n "$CPID" ] && kill "$CPID" 2>/dev/null
	nb_del_netns $V $E "${U[@]}"
	nb_unload
	nb_load
}
trap cleanup EXIT
nb_del_netns $V $E
modprobe dummy
nb_reload
ktap_eq "defaults: rows_max 4096, rows_netns_max 1024, unknown_rows_max 4096" \
	"$(nb_mem rows_max) $(nb_mem rows_netns_max) $(nb_mem unknown_rows_max)" "4096 1024 4096"

DEVS=5000
rows0=$(nb_mem rows) u0=$(nb_mem untracked_devs)
# The container, made the way 56-container makes it.
nb_container 900
ktap_eq "the container's root is uid 100000 to the host" \
	"$(cin awk '/^Uid:/ { print $2 }' /proc/self/status) $(cin cat /proc/self/uid_map | awk '{ print $2 }')" "0 100000"
t0=$SECONDS
for i in $(seq $DEVS); do echo "link add q$i type dummy"; done | cin ip -batch - 2>&1 | head -3 | sed 's/^/# ip: /'
made=$(cin ip -o link show type dummy | wc -l)
ktap_info "the container made $made dummy devices in $((SECONDS - t0))s"
ktap_eq "the container made its $DEVS dummy devices" "$made" "$DEVS"
crows=$(cin awk 'NR > 1 && $3 != "-" { n++ } END { print n + 0 }' $NB_PROC/rcvbuf)
ktap_eq "the container holds max_ifaces_netns rows (lo and 1023 dummies)" "$crows" 1024
ktap_eq "host-wide rows grew by 1024" "$(nb_mem rows)" $((rows0 + 1024))
ktap_eq "its other $((DEVS - 1023)) devices count in untracked_devs" \
	"$(($(nb_mem untracked_devs) - u0))" $((DEVS - 1023))

ip netns add $V
ip -n $V link add v0 type veth peer name v1
ktap_eq "another namespace's new interfaces get rows (lo, v0, v1 up)" \
	"$(nb_rows_state $V up)" 3
ktap_check "$V's files well-formed" nb_validate $V
kill "$NPID" "$CPID"
wait "$NPID" "$CPID" 2>/dev/null
NPID= CPID=
nb_wait_mem rows $((rows0 + 3)) 120
ktap_eq "the container's end gives its rows back" "$(nb_mem rows)" $((rows0 + 3))
nb_del_netns $V

# A namespace at its limit evicts its own oldest gone row, or goes without.
nb_reload max_ifaces_netns=4
ip netns add $E
for i in 1 2 3; do ip -n $E link add e$i type dummy; done
u1=$(nb_mem untracked_devs) ev0=$(nb_mem evicted)
ip -n $E link add e4 type dummy
ktap_eq "at max_ifaces_netns=4 (lo, e1-e3) e4 goes untracked" \
	"$(nb_has_row $E rcvbuf e4 && echo row || echo none)/$(($(nb_mem untracked_devs) - u1))" "none/1"
ip -n $E link del e1
ip -n $E link add e5 type dummy
ktap_eq "e1's gone row is evicted for e5" \
	"$(($(nb_mem evicted) - ev0))/$(nb_col $E rcvbuf e5 state)/$(nb_has_row $E rcvbuf e1 && echo row || echo none)" "1/up/none"
ktap_eq "$E holds 4 rows" "$(ip netns exec $E awk 'NR > 1 && $3 != "-" { n++ } END { print n + 0 }' $NB_PROC/rcvbuf)" 4
nb_del_netns $E

# Unknown rows stop at max_ifaces, and bytes_worst counts them.
nb_unload
nb_load
M=$(($(nb_mem unknown_rows) + 2))
nb_reload max_ifaces=$M
for i in 1 2 3 4; do U+=(nbqu$i); ip netns add nbqu$i; done
ktap_eq "unknown rows stop at max_ifaces=$M" "$(nb_mem unknown_rows)/$(nb_mem unknown_rows_max)" "$M/$M"
have=0
for i in 1 2 3 4; do nb_has_row nbqu$i rcvbuf unknown && have=$((have + 1)); done
ktap_eq "two of the 4 new namespaces have an unknown row" $have 2
pcpu=$(($(nb_mem percpu_bytes) * $(nb_mem cpus)))
ktap_eq "bytes_worst = 2 x max_ifaces x a row + napi_rows_max x its per-CPU part + NAPI instance table and entries" \
	"$(nb_mem bytes_worst)" "$((2 * M * $(nb_mem row_bytes) + $(nb_mem napi_rows_max) * pcpu + $(nb_mem napi_queue_table_bytes) + $(nb_mem napi_queues_max) * $(nb_mem napi_queue_bytes)))"
nb_del_netns "${U[@]}"
U=()
nb_wait_mem unknown_rows $((M - 2)) 60
ktap_eq "a namespace's end gives its unknown row back" "$(nb_mem unknown_rows)" $((M - 2))
ktap_check "kernel log clean" nb_dmesg_clean
ktap_finished
