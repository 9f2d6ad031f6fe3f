#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make check: build for every supported installed kernel, checkpatch and
# sparse on the module, the tool's unit tests, then the selftests inside a
# guest of each kernel. Ends with one line "N passed, N failed, N skipped".
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo" || exit 1
logs=$repo/build/check-logs
mkdir -p "$logs"
pass=0 fail=0 skip=0
VM_TIMEOUT=${NB_VM_TIMEOUT:-2700}

# Supported kernels: Debian's 6.1 and 6.12 with image and headers installed
# (the PREEMPT_RT flavours, *-rt-amd64, have their own target: make check-rt).
kernels() {
	local d k
	for d in /lib/modules/*; do
		k=$(basename "$d")
		case $k in *-rt-*) continue ;; 6.1.* | 6.12.*) ;; *) continue ;; esac
		[ -f "/boot/vmlinuz-$k" ] && [ -d "$d/build" ] && echo "$k"
	done
}
KERNELS=${NB_KERNELS:-$(kernels | sort -V | tr '\n' ' ')}

# step NAME CMD...: one pass or fail, its output kept in build/check-logs.
step() {
	local name=$1 log
	shift
	log=$logs/$(echo "$name" | tr -c 'A-Za-z0-9._-' _).log
	if "$@" >"$log" 2>&1; then
		echo "ok - $name"
		pass=$((pass + 1))
	else
		echo "FAIL - $name (log: $log)"
		tail -n 30 "$log" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
}

# add_counts LOG REGEX: add "N passed, N failed[, N skipped]" found in LOG.
add_counts() {
	local line p f s
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -1)
	[ -n "$line" ] || return 1
	p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
	f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
	s=$(echo "$line" | sed -nE 's/.*, ([0-9]+) skipped.*/\1/p')
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + ${s:-0}))
}

no_warnings() {
	local out
	out=$("$@" 2>&1)
	echo "$out"
	! echo "$out" | grep -E 'warning:|error:|WARNING|ERROR' >/dev/null
}

checkpatch() {
	local cp
	cp=$(scripts/get-checkpatch.sh) || return 1
	# compat.h is where kernel version tests belong (see its header).
	"$cp" --no-tree --terse -f $(ls module/*.c module/*.h | grep -v compat.h) bench/tpyard/tpyard.c &&
		"$cp" --no-tree --terse --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f module/compat.h
}

# Strict: both series must be here (an environment problem is a failure).
# NB_KERNELS narrows a hand run to the kernels it names.
if [ -z "${NB_KERNELS:-}" ]; then
	for series in 6.1 6.12; do
		case " $KERNELS" in
		*" $series."*) ;;
		*)
			echo "FAIL - no $series kernel (image + headers) installed: run scripts/install-deps.sh"
			fail=$((fail + 1))
			;;
		esac
	done
fi

for k in $KERNELS; do
	step "build for $k" make vmbuild KERNELRELEASE="$k"
	step "sparse for $k" no_warnings make sparse KERNELRELEASE="$k"
done
# NB_GUEST_ONLY=1 (make check-rt): the builds above, the DKMS round trip and
# the guests; the host-only steps (checkpatch, the tool, monitoring,
# packages) do not depend on the kernel and are make check's.
GUEST_ONLY=${NB_GUEST_ONLY:-0}
if [ "$GUEST_ONLY" != 1 ]; then
	step "checkpatch --no-tree" checkpatch

	# The tool's unit and CLI tests count case by case.
	if make -C tools check >"$logs/tool-check.log" 2>&1 && add_counts "$logs/tool-check.log"; then
		echo "ok - tool tests ($(grep -E '^[0-9]+ passed' "$logs/tool-check.log" | tail -1))"
	else
		add_counts "$logs/tool-check.log" || true
		echo "FAIL - tool tests (log: $logs/tool-check.log)"
		tail -n 30 "$logs/tool-check.log" | sed 's/^/    /'
		fail=$((fail + 1))
fi

# Fleet: the Prometheus rules (promtool check and unit tests) and the
# textfile collector; the Debian packages (lintian, contents, versions).
# The guest legs (package round trip, Prometheus end to end) are make
# check-fleet: too slow under TCG for CI.
step "monitoring: promtool rules and tests, textfile collector" make -C monitoring check
step "make deb-check: packages build, lintian clean, contents" make deb-check
fi

# DKMS round trip, part 1: build and install for every kernel; the guests
# below modprobe what it installed (selftests/netbuf/40-dkms.sh).
dkms_ok=0
# NB_SKIP_SUITE=1 (make check-preempt): only the builds and the preempt=full leg.
SKIP_SUITE=${NB_SKIP_SUITE:-0}
if [ "$SKIP_SUITE" = 1 ]; then
	:
elif command -v dkms >/dev/null && [ "$(id -u)" = 0 ] && [ -n "$KERNELS" ]; then
	step "dkms add/build/install for $KERNELS" make dkms-install DKMS_KERNELS="$KERNELS" && dkms_ok=1
else
	echo "FAIL - dkms round trip: needs dkms and root (run scripts/install-deps.sh as root)"
	fail=$((fail + 1))
fi

# guest_suite NAME KVER LOG WANT_TESTS RUNNER-ARGS... -- TESTS...: one guest
# runs selftests/run-suite.sh over TESTS; its cases count one by one. Fails
# (one more failure) when the guest gave no summary, when fewer than
# WANT_TESTS tests ran or fewer cases than planned, or when the runner
# says the kernel log was not clean (126) or the guest died (125).
guest_suite() {
	local name=$1 k=$2 log=$3 want_tests=$4 rc summary p f s planned ran tests
	shift 4
	local -a args=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
	shift
	echo "== $name in a $k guest (log: $log)"
	selftests/vm/run -k "$k" --no-build "${args[@]}" -- selftests/run-suite.sh "$@" >"$log" 2>&1
	rc=$?
	grep -E '^(not )?ok [0-9]+ |^    (not ok|ok [0-9]+ .*SKIP)|^vm/run|run-suite:' "$log" | sed 's/^/  /'
	summary=$(grep -E '^SUITE: pass=' "$log" | tail -1)
	if [ -z "$summary" ]; then
		echo "FAIL - $name on $k gave no summary (runner exit $rc)"
		fail=$((fail + 1))
		return
	fi
	eval "$(echo "$summary" | sed -E 's/SUITE: pass=([0-9]+) fail=([0-9]+) skip=([0-9]+) planned=([0-9]+) ran=([0-9]+) tests=([0-9]+).*/p=\1 f=\2 s=\3 planned=\4 ran=\5 tests=\6/')"
	pass=$((pass + p)) fail=$((fail + f)) skip=$((skip + s))
	# Every test file ran, and every planned case was reported.
	if [ "$tests" != "$want_tests" ] || [ "$planned" != "$ran" ]; then
		echo "FAIL - $name on $k: $tests of $want_tests tests ran, $ran of $planned planned cases"
		fail=$((fail + 1))
	fi
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "FAIL - $name on $k: runner exit $rc (126: kernel log not clean; 125: no result)"
		fail=$((fail + 1))
	fi
}

# Selftests: one guest per kernel runs the whole suite.
[ "$SKIP_SUITE" = 1 ] || for k in $KERNELS; do
	guest_suite selftests "$k" "$logs/selftests-$k.log" "$(ls selftests/netbuf/[0-9]*.sh | wc -l)" \
		--nics -t "$VM_TIMEOUT" -- selftests/netbuf/[0-9]*.sh
done
# The exactness tests again with the generic kernels booted fully
# preemptible (both are PREEMPT_DYNAMIC): preempted and migrated collapse
# calls and prune episodes (issue 14). NB_PREEMPT_TESTS: the tests, by
# number; make check-preempt runs a longer list.
PREEMPT_TESTS=${NB_PREEMPT_TESTS:-10 11 14 18 19}
for k in $KERNELS; do
	case $k in *-rt-*) continue ;; esac	# PREEMPT_RT is preemptible already
	tests=()
	for n in $PREEMPT_TESTS; do tests+=(selftests/netbuf/$n-*.sh); done
	guest_suite "selftests, preempt=full" "$k" "$logs/preempt-$k.log" "${#tests[@]}" \
		--nics --append preempt=full -t "$VM_TIMEOUT" -- "${tests[@]}"
done
# True parallel vCPUs: multi-threaded TCG, nothing patches text under
# traffic (selftests/mttcg/parallel.sh; selftests/vm/README.md says why).
[ "$SKIP_SUITE" = 1 ] || for k in $KERNELS; do
	NETBUF_VM_ACCEL=tcg guest_suite "multi-threaded TCG" "$k" "$logs/mttcg-$k.log" 1 \
		-t 900 -- selftests/mttcg/parallel.sh
done

# Multiqueue: the per-RX-queue view on a 4-queue veth, in a guest with 4
# vCPUs (selftests/mq).
[ "$SKIP_SUITE" = 1 ] || for k in $KERNELS; do
	guest_suite "multiqueue, 4 vCPUs" "$k" "$logs/mq-$k.log" "$(ls selftests/mq/[0-9]*.sh | wc -l)" \
		--smp 4 -t "$VM_TIMEOUT" -- selftests/mq/[0-9]*.sh
done

# DKMS round trip, part 2: dkms remove leaves nothing behind.
dkms_clean() {
	make dkms-remove || return 1
	local left
	left=$(ls -d /usr/src/netbuf-* /var/lib/dkms/netbuf /lib/modules/*/updates/dkms/netbuf.ko* 2>/dev/null)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
	! dkms status 2>/dev/null | grep -q '^netbuf'
}
[ "$dkms_ok" = 1 ] && step "dkms remove leaves nothing behind" dkms_clean

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
