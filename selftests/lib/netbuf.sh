#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared helpers for netbuf's selftests (run inside a guest by selftests/vm/run).

NB_PROC=${NB_PROC:-/proc/netbuf}
NB_REPO=${REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
NB_KO=${NETBUF_KO:-$NB_REPO/build/$(uname -r)/netbuf.ko}
NB_RCVPRESS=$NB_REPO/selftests/workload/rcvpress
NB_TOOL=$NB_REPO/tools/netbuf

# Skip the whole test where netbuf.ko cannot be loaded (e.g. on the host).
nb_require_module() {
	[ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
	[ -f "$NB_KO" ] || ktap_skip_all "no module at $NB_KO (build with make vmbuild)"
	[ -d /sys/module ] && [ -e /proc/modules ] || ktap_skip_all "kernel without module support"
}

nb_loaded() { [ -d /sys/module/netbuf ]; }

nb_load() {
	nb_loaded && return 0
	insmod "$NB_KO" "$@"
}

nb_unload() {
	nb_loaded || return 0
	rmmod netbuf
}

nb_reload() { nb_unload && nb_load "$@"; }

# nb_in NS CMD...: run CMD in network namespace NS ("" = current one).
nb_in() {
	local ns=$1; shift
	if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi
}

# nb_col NS FILE ROW COLUMN: a value of a /proc/netbuf table, by header name.
# ROW matches the first field (iface name); prints nothing if absent.
nb_col() {
	nb_in "$1" cat "$NB_PROC/$2" | awk -v row="$3" -v col="$4" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		c && $1 == row { print $c; exit }'
}

# nb_hist_field NS IFACE KIND FIELD(samples|sum|max)
nb_hist_field() {
	nb_in "$1" cat "$NB_PROC/histograms" | awk -v row="$2" -v kind="$3" -v f="$4" '
		BEGIN { idx["samples"] = 4; idx["sum"] = 5; idx["max"] = 6 }
		$1 == row && $3 == kind { print $(idx[f]); found = 1; exit }
		END { if (!found) print 0 }'
}

# nb_hist_check NS IFACE KIND: buckets add up to samples, and the max is at
# least the lower bound of every non-empty bucket. Prints a reason on failure.
nb_hist_check() {
	nb_in "$1" cat "$NB_PROC/histograms" | awk -v row="$2" -v kind="$3" '
		$1 == row && $3 == kind {
			found = 1; n = 0
			for (i = 7; i <= NF; i++) {
				split($i, kv, ":"); n += kv[2]
				if (kv[1] + 0 > $6 + 0) { print "bucket " kv[1] " above max " $6; bad = 1 }
			}
			if (n != $4) { print "buckets sum " n " != samples " $4; bad = 1 }
		}
		END { exit bad ? 1 : 0 }'
}

# tcpext NS NAME: a TcpExt counter of the namespace.
tcpext() {
	nb_in "$1" cat /proc/net/netstat | awk -v name="$2" '
		$1 == "TcpExt:" && !h { for (i = 2; i <= NF; i++) k[i] = $i; h = 1; next }
		$1 == "TcpExt:" && h { for (i = 2; i <= NF; i++) if (k[i] == name) print $i; exit }'
}

# nb_sysfs_stat NS DEV STAT: /sys/class/net/DEV/statistics/STAT
nb_sysfs_stat() {
	nb_in "$1" cat "/sys/class/net/$2/statistics/$3"
}

# nb_veth_pair NSA NSB: namespaces joined by veth a0 (NSA) <-> b0 (NSB),
# 10.77.0.1/24 and fd77::1/64 on a0, .2 and ::2 on b0.
nb_veth_pair() {
	local a=$1 b=$2
	ip netns add "$a"
	ip netns add "$b"
	ip -n "$a" link set lo up
	ip -n "$b" link set lo up
	ip link add a0 netns "$a" type veth peer name b0 netns "$b"
	ip -n "$a" addr add 10.77.0.1/24 dev a0
	ip -n "$b" addr add 10.77.0.2/24 dev b0
	ip -n "$a" -6 addr add fd77::1/64 dev a0 nodad
	ip -n "$b" -6 addr add fd77::2/64 dev b0 nodad
	ip -n "$a" link set a0 up
	ip -n "$b" link set b0 up
}

nb_del_netns() {
	local ns
	for ns in "$@"; do ip netns del "$ns" 2>/dev/null || true; done
}

# nb_dmesg_clean: no warning, BUG or oops since boot.
nb_dmesg_clean() {
	! dmesg | grep -E 'WARNING|BUG|Oops|Call Trace|general protection' >/dev/null
}

# nb_write FILE HEXBYTES [OFFSET]: one write(2) of the bytes given in hex
# (with pwrite at OFFSET if given); prints "ok" or the errno name.
nb_write() {
	python3 - "$@" <<'PY'
import errno, os, sys
path, data = sys.argv[1], bytes.fromhex(sys.argv[2])
try:
    fd = os.open(path, os.O_WRONLY)
except OSError as e:
    print(errno.errorcode[e.errno]); sys.exit(0)
try:
    if len(sys.argv) > 3:
        os.pwrite(fd, data, int(sys.argv[3]))
    else:
        os.write(fd, data)
    print("ok")
except OSError as e:
    print(errno.errorcode[e.errno])
PY
}

# nb_rcvbuf_sum NS: one number that moves with any rcvbuf counter of NS.
nb_rcvbuf_sum() {
	nb_in "$1" cat "$NB_PROC/rcvbuf" | awk '$1 == "total" { for (i = 4; i <= NF; i++) s += $i; print s }'
}
