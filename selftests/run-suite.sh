#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run netbuf's selftests inside a guest (selftests/vm/run -- selftests/run-suite.sh
# [TEST...]) and print a KTAP report with each test's own lines nested, then
# one summary line "SUITE: pass=N fail=N skip=N" counted over test cases.
# A test that dies, times out or misses its plan counts as one more failure.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
TEST_TIMEOUT=${NB_TEST_TIMEOUT:-480}	# generous: a loaded TCG host is slow

if [ $# -gt 0 ]; then tests=("$@"); else tests=("$dir"/netbuf/[0-9]*.sh); fi
pass=0 fail=0 skip=0 n=0 planned=0 ran=0
echo "TAP version 13"
echo "1..${#tests[@]}"
for t in "${tests[@]}"; do
	n=$((n + 1))
	name=$(basename "$t" .sh)
	out=$(mktemp)
	timeout -k 5 "$TEST_TIMEOUT" bash "$t" >"$out" 2>&1
	rc=$?
	sed 's/^/    /' "$out"
	p=$(grep -cE '^ok [0-9]+' "$out" | tr -d ' ')
	s=$(grep -cE '^ok [0-9]+ .*# SKIP' "$out" | tr -d ' ')
	f=$(grep -cE '^not ok [0-9]+' "$out" | tr -d ' ')
	plan=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$out" | head -1)
	p=$((p - s))
	why=
	if [ "$rc" = 4 ] && [ "$f" = 0 ] && [ "$plan" = 0 ] && [ $((p + s)) = 0 ]; then
		s=1 plan=1	# skipped whole, for an allowed reason (strict mode)
	elif [ -z "$plan" ]; then
		why="no plan"
	elif [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		why="exit $rc without a failed case (died or timed out)"
	elif [ $((p + s + f)) != "$plan" ]; then
		why="$((p + s + f)) cases for a plan of $plan"
	fi
	planned=$((planned + ${plan:-0})) ran=$((ran + p + s + f))
	extra=0
	if [ -n "$why" ]; then
		extra=1
		echo "    # run-suite: $name fails: $why"
	fi
	f=$((f + extra))
	pass=$((pass + p)) skip=$((skip + s)) fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		echo "not ok $n $name (rc=$rc)"
	elif [ "$rc" = 4 ]; then
		echo "ok $n $name # SKIP"
	else
		echo "ok $n $name"
	fi
	rm -f "$out"
done
# planned: the sum of the tests' plans; ran: the cases they reported.
echo "SUITE: pass=$pass fail=$fail skip=$skip planned=$planned ran=$ran tests=$n"
[ "$fail" = 0 ] && [ "$planned" = "$ran" ]
