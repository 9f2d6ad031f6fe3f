#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Regenerate the tool's real-module fixtures (tools/tests/fixtures/guest-SERIES
# and guest-SERIES-veth) from the current module, in a guest of each
# supported kernel: netbuf loaded with timing on and an events threshold of
# 100 us, loopback collapse and prune traffic (rcvpress), iperf3 over a veth
# pair into a second namespace; then every /proc/netbuf file, softnet_stat
# and the sysctls the tool reads, from the initial namespace (guest-SERIES)
# and from the receiver's (guest-SERIES-veth).
# selftests/netbuf/04-formats.sh fails when the module's formats no longer
# match these files: run this script then, and commit what it wrote.
#
# usage: scripts/capture-fixtures.sh [KVER...]   (default: newest 6.1 and 6.12)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
fixtures=$repo/tools/tests/fixtures

# In the guest: the capture itself, into $NETBUF_OUT/guest{,-veth}.
if [ "${1:-}" = --in-guest ]; then
	. "$repo/selftests/lib/ktap.sh"
	. "$repo/selftests/lib/netbuf.sh"
	A=nbfxa B=nbfxb
	nb_unload
	insmod "$NB_KO" events_threshold_ns=100000
	echo timing=1 >/proc/netbuf/control
	nb_veth_pair $A $B
	nb_rcvpress "" --mode collapse -d 2 >/dev/null
	nb_rcvpress "" --mode prune -d 2 >/dev/null
	nb_rcvpress "" --mode prune -6 -d 1 >/dev/null
	ip netns exec $B iperf3 -s -1 -D -p 5399 >/dev/null 2>&1
	sleep 0.5
	ip netns exec $A iperf3 -c 10.77.0.2 -p 5399 -t 3 >/dev/null
	[ ! -s "$NB_RCVPRESS_FAILS" ] || { cat "$NB_RCVPRESS_FAILS"; exit 1; }
	capture() {	# capture NS DIR
		local ns=$1 dir=$2 f s
		mkdir -p "$dir/netbuf" "$dir/net" "$dir/sys/net/ipv4" "$dir/sys/net/core"
		for f in version probes rcvbuf napi histograms napi_queues napi_queue_hist memory events control; do
			nb_in "$ns" cat "/proc/netbuf/$f" >"$dir/netbuf/$f"
		done
		nb_in "$ns" cat /proc/net/softnet_stat >"$dir/net/softnet_stat"
		for s in ipv4/tcp_rmem ipv4/tcp_adv_win_scale core/netdev_budget \
			core/netdev_budget_usecs core/dev_weight; do
			# host-wide sysctls (netdev_budget...) are not in other namespaces
			nb_in "$ns" cat "/proc/sys/net/$s" >"$dir/sys/net/$s" 2>/dev/null ||
				cat "/proc/sys/net/$s" >"$dir/sys/net/$s"
		done
	}
	capture "" "$NETBUF_OUT/guest"
	capture $B "$NETBUF_OUT/guest-veth"
	nb_del_netns $A $B
	exit 0
fi

kernels=("$@")
if [ ${#kernels[@]} -eq 0 ]; then
	for series in 6.1 6.12; do
		k=$(for d in /lib/modules/$series.*; do
			k=$(basename "$d")
			case $k in *-rt-*) continue ;; esac
			[ -f "/boot/vmlinuz-$k" ] && [ -d "$d/build" ] && echo "$k"
		done 2>/dev/null | sort -V | tail -1)
		[ -n "$k" ] || { echo "capture-fixtures: no $series kernel with image and headers" >&2; exit 1; }
		kernels+=("$k")
	done
fi
for k in "${kernels[@]}"; do
	series=$(echo "$k" | sed -E 's/^([0-9]+\.[0-9]+)\..*/\1/')
	out=$(mktemp -d /var/tmp/netbuf-fixtures.XXXXXX)
	echo "capture-fixtures: $k -> tools/tests/fixtures/guest-$series{,-veth}"
	"$repo/selftests/vm/run" -k "$k" --nics --out "$out" -t 600 -- \
		"scripts/capture-fixtures.sh --in-guest"
	for d in guest guest-veth; do
		[ -s "$out/$d/netbuf/version" ] || { echo "capture-fixtures: $k: nothing captured in $d" >&2; exit 1; }
		rm -rf "$fixtures/${d/guest/guest-$series}"
		cp -r "$out/$d" "$fixtures/${d/guest/guest-$series}"
	done
	rm -rf "$out"
done
