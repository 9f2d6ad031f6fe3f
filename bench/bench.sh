#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/bench.sh KVER...: the host half of `make bench` (bench/README.md).
# For each kernel: one guest (selftests/vm/run --nics --out build/bench)
# runs bench/run-guest.sh, which leaves build/bench/results-KVER.txt; then
# bench/report.py prints the table (also kept in build/bench/table-KVER.txt).
# Expects the module (build/KVER/netbuf.ko), build/bench/nbload and
# selftests/workload/rcvpress to be built (make bench does that).
#
# Exit: 0 when every kernel's bench ran (whatever the targets say), 1 when
# one could not run (no guest result, no results file).

set -u
REPO=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
OUT=$REPO/build/bench
QUICK=${NB_BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
	TIMEOUT=${NB_BENCH_TIMEOUT:-420}
else
	TIMEOUT=${NB_BENCH_TIMEOUT:-900}
fi
[ $# -gt 0 ] || { echo "usage: bench/bench.sh KVER..." >&2; exit 2; }
mkdir -p "$OUT"

# Settings the guest script reads, passed on the command line (the runner
# hands the guest no environment of ours).
envs="NB_BENCH_QUICK=$QUICK"
for v in NB_BENCH_BUDGET NB_BENCH_SECS NB_BENCH_MIN_ROUNDS NB_BENCH_MAX_ROUNDS NB_BENCH_STABLE; do
	[ -n "${!v:-}" ] && envs+=" $v=${!v}"
done

rc=0
for k in "$@"; do
	echo "== bench: $k (guest limit ${TIMEOUT}s)"
	rm -f "$OUT/results-$k.txt"
	"$REPO/selftests/vm/run" -k "$k" --nics --no-build -t "$TIMEOUT" --out "$OUT" \
		-- "$envs bash bench/run-guest.sh" 2>&1 | tee "$OUT/console-$k.log"
	vm=${PIPESTATUS[0]}
	case $vm in
	0) ;;
	126) echo "!! bench: $k: the guest's kernel log shows a warning (see above); numbers kept" ;;
	*) echo "!! bench: $k: the guest run failed (status $vm)"; rc=1 ;;
	esac
	if [ -s "$OUT/results-$k.txt" ] && grep -q '^run ' "$OUT/results-$k.txt"; then
		echo
		python3 "$REPO/bench/report.py" "$OUT/results-$k.txt" | tee "$OUT/table-$k.txt"
		echo "(raw numbers: $OUT/results-$k.txt; table: $OUT/table-$k.txt)"
		# The committed record: what the README's figures cite.
		if [ "$QUICK" != 1 ]; then
			mkdir -p "$REPO/bench/results"
			{
				echo "# make bench: $k"
				echo
				echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
				echo "- kernel: $k"
				echo "- commit: $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)"
				echo "- command: make bench BENCH_KERNELS=$k (bench/bench.sh; guest status $vm)"
				echo "- host: $(nproc) CPUs, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
				echo
				echo '```'
				cat "$OUT/table-$k.txt"
				echo '```'
			} >"$REPO/bench/results/$k.md"
			echo "(committed record: bench/results/$k.md)"
		fi
	else
		echo "!! bench: $k: no results"
		rc=1
	fi
	echo
done
exit $rc
