#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Device and namespace churn under load (issue 7): 100 x NB_STRESS_SCALE
# veth create/delete cycles (1000 at scale 10: renamed, moved between
# namespaces, deleted from either side) and 10 x NB_STRESS_SCALE namespace
# create/destroy cycles (100 at scale 10, each with a veth into it, every
# fifth with a burst of the collapse workload received in it), while iperf3 and rcvpress run and four
# readers loop over every /proc/netbuf file. Deleted devices leave rows in
# state gone until a reset; destroyed namespaces free all their rows (one
# file held open from a namespace keeps it, and its rows, alive until
# closed); the module's memory (rows, bytes) comes back to where it started.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nbca B=nbcb CH=nbcc
VETH=$(nb_scaled 100)
NSC=$(nb_scaled 10)
ktap_header
nb_require_module
command -v iperf3 >/dev/null || ktap_skip_all "no iperf3"
[ -x "$NB_RCVPRESS" ] || ktap_skip_all "no $NB_RCVPRESS"
# the churned namespaces that exist (a failed run may leave some)
nss() { ip netns list | awk '$1 ~ /^nbcn[0-9]+$/ { print $1 }'; }
cleanup() {
	[ -n "${holder:-}" ] && kill "$holder" 2>/dev/null
	nb_readers_stop
	nb_traffic_stop
	# shellcheck disable=SC2046
	nb_del_netns $A $B $CH $(nss)
	rm -rf "$NB_RUNDIR"
}
trap cleanup EXIT
# shellcheck disable=SC2046
nb_del_netns $A $B $CH $(nss)
# At scale 10 about 1500 gone rows stay in this namespace and 1100 in $CH:
# past the default per-namespace quota (max_ifaces_netns, 1024), which
# test 59 covers.
nb_reload max_ifaces_netns=65536
nb_veth_pair $A $B
ktap_plan 18

nb_traffic_start $A $B
nb_readers_start
sleep 1
rows0=$(nb_mem rows) bytes0=$(nb_mem bytes)
fp=$(nb_mem row_bytes)	# these devices never poll: no per-CPU NAPI part
ufp=$(nb_mem unknown_row_bytes || echo $fp)	# a namespace's unknown row
ktap_info "start: rows $rows0, bytes $bytes0 (a device row costs $fp bytes, an unknown row $ufp)"
nb_mem_figures "kernel at start"
ip netns add $CH
ip -n $CH link set lo up
# A namespace costs its unknown row, its lo's row and its events log: the
# log's size is what is left (the held namespace below keeps one).
evlog=$(($(nb_mem bytes) - bytes0 - ufp - fp))
ktap_info "a namespace's events log costs $evlog bytes"

# ---- veth churn, 10 cycles per ip -batch ----
# even cycles: vcN (here) <-> vdN created in $CH, up, deleted from here;
# odd cycles: both ends created here, vcN renamed vrN, vdN moved to $CH,
# vrN deleted. Gone rows: even 1 here + 1 in $CH, odd 2 here + 1 in $CH.
want_here=0 want_ch=0 batches=0 bad_batches=0
t0=$EPOCHREALTIME
for ((i = 0; i < VETH; i += 10)); do
	for ((k = i; k < i + 10 && k < VETH; k++)); do
		if [ $((k % 2)) = 0 ]; then
			echo "link add vc$k type veth peer name vd$k netns $CH"
			echo "link set vc$k up"
			echo "link del vc$k"
			want_here=$((want_here + 1))
		else
			echo "link add vc$k type veth peer name vd$k"
			echo "link set vc$k name vr$k"
			echo "link set vd$k netns $CH"
			echo "link set vr$k up"
			echo "link del vr$k"
			want_here=$((want_here + 2))
		fi
		want_ch=$((want_ch + 1))
	done >"$NB_RUNDIR/batch"
	ip -b "$NB_RUNDIR/batch" >/dev/null 2>"$NB_RUNDIR/batch.err" || bad_batches=$((bad_batches + 1))
	batches=$((batches + 1))
done
veth_secs=$(nb_elapsed "$t0")
ktap_info "figures: $VETH veth create/delete cycles in ${veth_secs}s ($batches ip batches," \
	"$bad_batches failed); memory now: rows $(nb_mem rows), bytes $(nb_mem bytes)"
[ -s "$NB_RUNDIR/batch.err" ] && head -3 "$NB_RUNDIR/batch.err" | sed 's/^/# ip: /'
ktap_eq "every ip batch of veth churn succeeded" "$bad_batches" 0
ktap_eq "gone rows here = deleted devices seen here" "$(nb_rows_state "" gone)" "$want_here"
ktap_eq "gone rows in $CH = devices deleted there" "$(nb_rows_state $CH gone)" "$want_ch"
ktap_eq "every churned row here is gone" \
	"$(awk 'NR > 1 && $1 ~ /^v[cdr][0-9]/ && $3 != "gone"' $NB_PROC/rcvbuf | wc -l)" 0
ktap_eq "module rows = start + every gone row" "$(nb_mem rows)" $((rows0 + 1 + want_here + want_ch))

# ---- namespace churn ----
# nbcnJ: lo and x0 <-> yJ in $CH, up, then ip netns del (in one ip batch
# with the next one's creation). Every fifth gets addresses (10.90.J.1 and
# .2) and a burst of the collapse workload received in it first. nbcn1 is
# held alive by a process that opened /proc/netbuf/rcvbuf in it and reads
# it only after the namespace was deleted.
rows1=$(nb_mem rows) bytes1=$(nb_mem bytes)
mkfifo "$NB_RUNDIR/go"
# burst_state NS NET J: what a burst that made no connection left behind
# (issue 13: under heavy host load, bursts were refused while the receiver
# listened): sockets and counters on both sides, the route and neighbour
burst_state() {
	{
		echo "receiver: $(tr '\n' ' ' <"$NB_RUNDIR/burst.rx")"
		echo "$1 sockets: $(ip netns exec "$1" ss -Htan | tr -s ' \n' ' ')"
		echo "$1: $(ip -n "$1" -br addr show dev x0)"
		echo "$1: $(ip netns exec "$1" nstat -asz 2>/dev/null | awk '$1 ~ /^(TcpPassiveOpens|TcpOutRsts|TcpInSegs|TcpExtListenDrops|TcpExtListenOverflows|IpInReceives|IpInDelivers|IpInAddrErrors)$/ { printf "%s=%s ", $1, $2 }')"
		echo "$CH: $(ip -n $CH route get "$2.1" 2>&1 | head -n 1); $(ip -n $CH neigh show "$2.1" 2>&1)"
		echo "$CH: $(ip netns exec $CH nstat -asz 2>/dev/null | awk '$1 ~ /^(TcpActiveOpens|TcpAttemptFails|IcmpInDestUnreachs)$/ { printf "%s=%s ", $1, $2 }')"
	} | sed "s/^/# burst $3 state: /"
}
burst_fail=0 bursts=0
t0=$EPOCHREALTIME
for ((j = 1; j <= NSC; j++)); do
	n=nbcn$j net=10.90.$((j % 250))
	{
		[ $j -gt 1 ] && echo "netns del nbcn$((j - 1))"
		echo "netns add $n"
		echo "link add x0 netns $n type veth peer name y$j netns $CH"
	} | ip -b -
	if [ $((j % 5)) != 1 ]; then
		printf '%s\n' "link set lo up" "link set x0 up" | ip -n $n -b -
		continue
	fi
	printf '%s\n' "link set lo up" "addr add $net.1/24 dev x0" "link set x0 up" | ip -n $n -b -
	printf '%s\n' "addr add $net.2/24 dev y$j" "link set y$j up" | ip -n $CH -b -
	if [ $j = 1 ]; then
		# opens the file in $n, then goes back to the initial namespace:
		# only the open file keeps $n alive
		ip netns exec $n bash -c "exec 3<$NB_PROC/rcvbuf; exec nsenter -t 1 -n bash -c 'read -r _ <$NB_RUNDIR/go; cat <&3'" \
			>"$NB_RUNDIR/held" 2>&1 </dev/null &
		holder=$!
	fi
	bursts=$((bursts + 1))
	ip netns exec $n "$NB_RCVPRESS" --mode collapse -l $net.1:5600 -d 0.5 --grace 0.3 --wait 20 \
		>"$NB_RUNDIR/burst.rx" 2>&1 &
	rx=$!
	# the sender tries to connect only for its 0.5 s: let it find a listener
	nb_wait_listen $n 5600
	if ! ip netns exec $CH "$NB_RCVPRESS" --mode collapse -C $net.1:5600 -d 0.5 --grace 0.3 --wait 20 \
		>"$NB_RUNDIR/burst.tx" 2>&1; then
		burst_fail=$((burst_fail + 1))
		tail -n 2 "$NB_RUNDIR/burst.tx" | sed "s/^/# burst $j tx: /"
		burst_state $n $net $j
	fi
	if ! wait $rx; then
		burst_fail=$((burst_fail + 1))
		tail -n 2 "$NB_RUNDIR/burst.rx" | sed "s/^/# burst $j rx: /"
	fi
done
ip netns del nbcn$NSC
ns_secs=$(nb_elapsed "$t0")
# every namespace but the held one is gone: its rows only are left
want_rows=$((rows1 + NSC + 2))	# the yJ rows, gone, in $CH; nbcn1's lo and x0
nb_wait_mem rows "$want_rows" 30
ktap_eq "destroyed namespaces freed their rows (the held one kept its 2)" "$(nb_mem rows)" "$want_rows"
ktap_eq "and their memory" "$(nb_mem bytes)" $((bytes1 + (NSC + 2) * fp + ufp + evlog))
echo >"$NB_RUNDIR/go"
wait $holder
holder=
ktap_check "a file opened in a deleted namespace still reads its rows" \
	grep -q '^x0 .* up ' "$NB_RUNDIR/held"
ktap_check "... and only its rows" test "$(grep -c '^y[0-9]' "$NB_RUNDIR/held")" = 0
nb_wait_mem rows $((rows1 + NSC)) 30
ktap_eq "closing it let the namespace go with its rows" "$(nb_mem rows)" $((rows1 + NSC))
ktap_info "figures: $NSC namespace create/destroy cycles in ${ns_secs}s ($bursts collapse bursts," \
	"$burst_fail failed); rows $(nb_mem rows), bytes $(nb_mem bytes)"
ktap_eq "every collapse burst in a new namespace exited 0" "$burst_fail" 0
ktap_check "files of $CH (its lo and $((VETH + NSC)) gone rows) are well-formed" nb_validate $CH

# ---- back to the start ----
nb_readers_stop
nb_traffic_stop
for l in iperf3-lo iperf3-veth collapse; do nb_loop_report $l; done
ktap_check "readers saw no error and no bad line" nb_readers_report
ktap_eq "traffic went on: no iperf3 or rcvpress run failed" \
	"$(nb_loop_fails iperf3-lo)/$(nb_loop_fails iperf3-veth)/$(nb_loop_fails collapse)" 0/0/0
echo 1 >$NB_PROC/reset
ktap_eq "a reset forgets the gone rows here" "$(nb_rows_state "" gone)" 0
ip netns del $CH
nb_wait_mem bytes "$bytes0" 30
ktap_eq "rows back to the start after the churn, a reset and $CH's end" "$(nb_mem rows)" "$rows0"
ktap_eq "bytes back to the start" "$(nb_mem bytes)" "$bytes0"
nb_mem_figures "kernel at end"
ktap_check "kernel log clean" nb_dmesg_clean
ktap_info "figures: whole test ${SECONDS}s (NB_STRESS_SCALE=$NB_STRESS_SCALE)"
ktap_finished
