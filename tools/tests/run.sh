#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# netbuf test runner (make check): every cmocka test program and the CLI
# tests, all under valgrind (leaks and memory errors fail), then a build
# with clang if there is one. Ends with one line "N passed, N failed".
# NB_VALGRIND=0 runs without valgrind. Run from tools/.
set -u

VALGRIND="valgrind -q --leak-check=full --errors-for-leak-kinds=all --error-exitcode=99"
if [ "${NB_VALGRIND:-1}" = 0 ] || ! command -v valgrind >/dev/null; then
	VALGRIND=""
	echo "run: without valgrind"
fi
rm -rf tests/tmp
mkdir -p tests/tmp
PASS=0
FAIL=0

count() {	# count NAME LOG STATUS: add a program's results
	local p f
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$2" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$2" | tail -1)
	PASS=$((PASS + ${p:-0}))
	FAIL=$((FAIL + ${f:-0}))
	if [ "$3" = 99 ] || { [ "$3" != 0 ] && [ -z "$f" ]; }; then
		FAIL=$((FAIL + 1))	# valgrind errors, or a crash
		echo "run: $1 exited $3" >&2
	fi
	echo "$1: ${p:-0} passed, ${f:-0} failed"
}

for t in "$@"; do
	# shellcheck disable=SC2086
	$VALGRIND "$t" >"tests/tmp/$(basename "$t").log" 2>&1
	rc=$?
	grep -v '^\[ RUN\|^\[       OK' "tests/tmp/$(basename "$t").log" |
		grep -v '^\[====\|^\[  PASSED' >&2
	count "$(basename "$t")" "tests/tmp/$(basename "$t").log" "$rc"
done

NB_WRAP="$VALGRIND" tests/cli.sh ./netbuf >tests/tmp/cli.log 2>&1
rc=$?
grep -v '^cli: ' tests/tmp/cli.log >&2
line=$(grep '^cli: ' tests/tmp/cli.log)
echo "$line"
p=$(echo "$line" | sed -n 's/^cli: \([0-9]*\) passed.*/\1/p')
f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
PASS=$((PASS + ${p:-0}))
FAIL=$((FAIL + ${f:-0}))
[ "$rc" != 0 ] && [ "${f:-0}" = 0 ] && FAIL=$((FAIL + 1))

if command -v clang >/dev/null && [ "${CC:-cc}" != clang ]; then
	if (for f in *.c; do clang -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE \
		-O2 -fsyntax-only "$f" || exit 1; done) >tests/tmp/clang.log 2>&1
	then PASS=$((PASS + 1)); echo "clang: 1 passed, 0 failed"
	else FAIL=$((FAIL + 1)); cat tests/tmp/clang.log >&2
	     echo "clang: 0 passed, 1 failed"; fi
fi

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
