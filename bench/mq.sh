#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/mq.sh KVER...: the host half of `make bench-mq` (bench/README.md,
# "Multiqueue"). For each kernel it builds netbuf.ko at each revision of
# NB_MQ_REVS ("NAME=REV ...", REV a git revision or "worktree") into
# build/bench/mq-KVER/NAME/, boots one guest with 4 vCPUs that runs
# bench/mq-guest.sh, and turns its results into the table of
# bench/mq-report.py, kept as the committed record bench/results/mq-KVER.md
# (mq-KVER-wall.md without -icount, mq-KVER-mttcg.md under multi-threaded
# TCG: NETBUF_VM_ACCEL=tcg).
#
# Exit: 0 when every kernel's bench ran whole (whatever the verdict), 1 when
# one did not (a build failed, the guest failed, warned or timed out, the
# report failed): then no record is written for it.

set -u
REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
OUT=$REPO/build/bench
# shared: before issue 18 item 1 (device-row NAPI histograms and counters
# as shared atomics); percpu: item 1 (per-CPU), before the per-queue view;
# now: this tree (per-CPU plus the per-RX-queue lookup and counters).
REVS=${NB_MQ_REVS:-"shared=4c6dcde^ percpu=693d680 now=worktree"}
ROUNDS=${NB_MQ_ROUNDS:-3}
SECS=${NB_MQ_SECS:-1}
# About 350 s of guest time per round at 1 s runs (3 rounds: 1006 and
# 1051 s), plus boot and setup.
TIMEOUT=${NB_MQ_TIMEOUT:-$((300 + ROUNDS * (400 + 60 * SECS)))}
ACCEL=${NETBUF_VM_ACCEL:-tcg,thread=single}
# qemu -icount shift=0: the guest's clock advances by one ns per guest
# instruction executed, so the handlers' times are instruction counts, the
# same on a busy host or an idle one (bench/README.md). NB_MQ_ICOUNT= (empty)
# turns it off (wall-clock times, record mq-KVER-wall.md); multi-threaded
# TCG cannot count instructions.
ICOUNT=${NB_MQ_ICOUNT-shift=0,sleep=off}
[ $# -gt 0 ] || { echo "usage: bench/mq.sh KVER..." >&2; exit 2; }
mkdir -p "$OUT"

# build KVER NAME REV: netbuf.ko of REV in build/bench/mq-KVER/NAME/.
build() {
	local k=$1 name=$2 rev=$3 dir=$OUT/mq-$1/$2 desc
	rm -rf "$dir"
	mkdir -p "$dir/module"
	if [ "$rev" = worktree ]; then
		cp "$REPO/Kbuild" "$dir/"
		cp "$REPO"/module/*.c "$REPO"/module/*.h "$dir/module/"
		desc="worktree at $(git -C "$REPO" describe --always --dirty)"
	else
		git -C "$REPO" archive "$rev" Kbuild module | tar -x -C "$dir" || return 1
		desc="$rev = $(git -C "$REPO" rev-parse --short "$rev")"
	fi
	echo "rev $desc" >"$dir/REV"
	make -C "/lib/modules/$k/build" M="$dir" modules >"$dir/build.log" 2>&1 ||
		{ tail -20 "$dir/build.log"; return 1; }
}

suffix=
case $ACCEL in
*thread=single*) [ -n "$ICOUNT" ] || suffix=-wall ;;
*) suffix=-mttcg ICOUNT= ;;
esac

rc=0
for k in "$@"; do
	echo "== bench-mq: $k ($ACCEL${ICOUNT:+, icount $ICOUNT}, guest limit ${TIMEOUT}s)"
	names=
	for nr in $REVS; do
		name=${nr%%=*}
		build "$k" "$name" "${nr#*=}" || { echo "!! bench-mq: $k: build of $nr failed"; rc=1; continue 2; }
		names+=" $name"
	done
	res=$OUT/mq-results-$k.txt
	rm -f "$res"
	# maxcpus=1 under -icount: 6.1.0's boot hangs bringing up the other
	# CPUs there; bench/mq-guest.sh puts them online.
	NETBUF_VM_ACCEL=$ACCEL NETBUF_VM_ICOUNT=$ICOUNT "$REPO/selftests/vm/run" -k "$k" --smp 4 --no-build -t "$TIMEOUT" --out "$OUT" \
		${ICOUNT:+--append maxcpus=1} \
		-- "NB_MQ_MODS='${names# }' NB_MQ_ROUNDS=$ROUNDS NB_MQ_SECS=$SECS bash bench/mq-guest.sh" \
		2>&1 | tee "$OUT/mq-console-$k$suffix.log"
	vm=${PIPESTATUS[0]}
	case $vm in
	0) ;;
	126) echo "!! bench-mq: $k: the guest's kernel log shows a warning (see above)" ;;
	*) echo "!! bench-mq: $k: the guest run failed (status $vm)" ;;
	esac
	# The committed record only from a whole run: the guest finished
	# (status 0), its results end with "done", and the report worked.
	if [ "$vm" = 0 ] && [ -s "$res" ] && grep -q '^done' "$res"; then
		[ -z "$suffix" ] || cp "$res" "$OUT/mq-results-$k$suffix.txt"
		if ! python3 "$REPO/bench/mq-report.py" ${ICOUNT:+--icount} "$res" >"$OUT/mq-table-$k$suffix.txt"; then
			echo "!! bench-mq: $k: the report failed"
			rc=1
			continue
		fi
		cat "$OUT/mq-table-$k$suffix.txt"
		cp "$res" "$REPO/bench/results/mq-$k$suffix.raw.txt"
		{
			echo "# make bench-mq: $k"
			echo
			echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
			echo "- kernel: $k, 4 vCPUs, qemu -accel $ACCEL${ICOUNT:+ -icount $ICOUNT}"
			echo "- commit: $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)"
			echo "- command: make bench-mq BENCH_KERNELS=$k NB_MQ_ROUNDS=$ROUNDS NB_MQ_SECS=$SECS$([ "$suffix" = -mttcg ] && echo " NETBUF_VM_ACCEL=$ACCEL")$([ "$suffix" = -wall ] && echo " NB_MQ_ICOUNT=") (bench/mq.sh; guest status $vm)"
			echo "- host: $(nproc) CPUs, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
			echo "- raw lines: bench/results/mq-$k$suffix.raw.txt (python3 bench/mq-report.py${ICOUNT:+ --icount} FILE prints this table)"
			echo
			echo '```'
			cat "$OUT/mq-table-$k$suffix.txt"
			echo '```'
		} >"$REPO/bench/results/mq-$k$suffix.md"
		echo "(committed record: bench/results/mq-$k$suffix.md)"
	else
		echo "!! bench-mq: $k: no whole run (guest status $vm; results: $res); no record written"
		[ -s "$res" ] && python3 "$REPO/bench/mq-report.py" ${ICOUNT:+--icount} "$res"
		rc=1
	fi
done
exit $rc
