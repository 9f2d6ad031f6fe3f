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

ktap_skip() {
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
	echo "# totals: pass:$KTAP_NPASS fail:$KTAP_NFAIL skip:$KTAP_NSKIP"
	if [ "$KTAP_NFAIL" -gt 0 ]; then exit $KSFT_FAIL; fi
	if [ "$KTAP_NPASS" -eq 0 ] && [ "$KTAP_NSKIP" -gt 0 ]; then exit $KSFT_SKIP; fi
	exit $KSFT_PASS
}

# ktap_skip_all REASON: the whole test cannot run here.
ktap_skip_all() {
	echo "1..0 # SKIP $*"
	exit $KSFT_SKIP
}
