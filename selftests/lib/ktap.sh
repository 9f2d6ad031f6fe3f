#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# KTAP output helpers in the manner of tools/testing/selftests/kselftest/ktap_helpers.sh.
# A test script sources this, calls ktap_plan N, reports each case with
# ktap_ok/ktap_not_ok/ktap_skip, and ends with ktap_finished (exit 0 all
# passed, 1 any failed, 4 all skipped).

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

KTAP_NPASS=0
KTAP_NFAIL=0
KTAP_NSKIP=0
KTAP_N=0

ktap_header() { echo "TAP version 13"; }
ktap_plan() { echo "1..$1"; }
ktap_info() { echo "# $*"; }

ktap_ok() {
	KTAP_N=$((KTAP_N + 1)); KTAP_NPASS=$((KTAP_NPASS + 1))
	echo "ok $KTAP_N $*"
}

ktap_not_ok() {
	KTAP_N=$((KTAP_N + 1)); KTAP_NFAIL=$((KTAP_NFAIL + 1))
	echo "not ok $KTAP_N $*"
}

# Strict mode (NB_STRICT=1, the default; make check always): a skip is a
# failure unless selftests/allowed-skips lists the test and the reason.
# NB_STRICT=0 lets a hand run on a partial setup skip what it cannot do.
NB_STRICT=${NB_STRICT:-1}
KTAP_TEST=$(basename "$0" .sh)
KTAP_ALLOWED_SKIPS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/allowed-skips

# ktap_skip_allowed REASON: may this test skip for REASON?
ktap_skip_allowed() {
	local test re _why
	[ "$NB_STRICT" = 1 ] || return 0
	[ -r "$KTAP_ALLOWED_SKIPS" ] || return 1
	while IFS=$'\t' read -r test re _why; do
		case $test in '' | '#'*) continue ;; esac
		[ "$test" = "$KTAP_TEST" ] || continue
		[[ $1 =~ $re ]] && return 0
	done <"$KTAP_ALLOWED_SKIPS"
	return 1
}

ktap_skip() {
	if ! ktap_skip_allowed "$*"; then
		ktap_not_ok "$* (a skip for an environment problem fails in strict mode; see selftests/allowed-skips)"
		return
	fi
	KTAP_N=$((KTAP_N + 1)); KTAP_NSKIP=$((KTAP_NSKIP + 1))
	echo "ok $KTAP_N $* # SKIP"
}

# ktap_check NAME CMD...: pass if CMD succeeds.
ktap_check() {
	local name=$1; shift
	if "$@"; then ktap_ok "$name"; else ktap_not_ok "$name"; fi
}

# ktap_eq NAME GOT WANT: pass if equal, saying both either way.
ktap_eq() {
	if [ "$2" = "$3" ]; then
		ktap_ok "$1 ($2)"
	else
		ktap_not_ok "$1 (got '$2', want '$3')"
	fi
}

ktap_finished() {
	# last checks of the sourcing library (e.g. workloads that failed)
	if declare -F ktap_pre_finish >/dev/null; then ktap_pre_finish; fi
	echo "# totals: pass:$KTAP_NPASS fail:$KTAP_NFAIL skip:$KTAP_NSKIP"
	if [ "$KTAP_NFAIL" -gt 0 ]; then exit $KSFT_FAIL; fi
	if [ "$KTAP_NPASS" -eq 0 ] && [ "$KTAP_NSKIP" -gt 0 ]; then exit $KSFT_SKIP; fi
	exit $KSFT_PASS
}

# ktap_skip_all REASON: the whole test cannot run here.
ktap_skip_all() {
	if ! ktap_skip_allowed "$*"; then
		echo "1..1"
		echo "not ok 1 cannot run: $* (a skip for an environment problem fails in strict mode; see selftests/allowed-skips)"
		exit $KSFT_FAIL
	fi
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}
