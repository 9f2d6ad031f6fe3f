#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# netbuf-textfile on the host, against the tool's fixtures (no module
# needed): netbuf_up 0 replaces a stale file when the module is absent or
# the tool fails, the output passes promtool check metrics, netbuf_up is
# never doubled, the file is only ever replaced whole (a reader looping
# over it while the collector runs never sees it partial), and nothing is
# left behind. Usage: monitoring/tests/textfile.sh (after make tool).
repo=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=SCRIPTDIR/../../selftests/lib/ktap.sh
. "$repo/selftests/lib/ktap.sh"
collector=$repo/monitoring/textfile/netbuf-textfile
fix=$repo/tools/tests/fixtures/basic-6.1
tool=$repo/tools/netbuf

ktap_header
ktap_plan 14
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dir=$tmp/textfile
mkdir "$dir"
export NETBUF_TEXTFILE_DIR=$dir NETBUF_TOOL=$tool
export NETBUF_PROCNET=$fix/net NETBUF_SYSCTL=$fix/sys
prom=$dir/netbuf.prom
for t in "$tool" "$(command -v promtool)"; do
	[ -x "$t" ] || { echo "Bail out! missing ${t:-promtool} (make tool; apt-get install prometheus)"; exit 1; }
done

# up_lines FILE: the netbuf_up samples in FILE, one per line.
up_lines() { grep -E '^netbuf_up[ {]' "$1"; }
metrics_ok() { promtool check metrics <"$1" >"$tmp/promtool.out" 2>&1; }

# 1. Module absent: a stale file full of counters becomes netbuf_up 0.
printf 'netbuf_collapse_calls_total{iface="eth0",ifindex="2",netns="1"} 5\n' >"$prom"
NETBUF_PROC=$tmp/no-such-dir "$collector"
ktap_eq "module absent: exit 0" "$?" 0
ktap_eq "module absent: the file says netbuf_up 0 and nothing else" \
	"$(grep -v '^#' "$prom")" "netbuf_up 0"
ktap_check "module absent: promtool check metrics" metrics_ok "$prom"

# 2. Module present (the tool's fixture).
NETBUF_PROC=$fix/netbuf "$collector"
ktap_eq "module present: exit 0" "$?" 0
ktap_eq "module present: netbuf_up 1, once" "$(up_lines "$prom")" "netbuf_up 1"
ktap_eq "module present: the tool's counters are there" \
	"$(grep -c '^netbuf_collapse_calls_total{' "$prom")" \
	"$(NETBUF_PROC=$fix/netbuf "$tool" show --prometheus | grep -c '^netbuf_collapse_calls_total{')"
ktap_check "module present: promtool check metrics" metrics_ok "$prom"
ktap_eq "readable by node_exporter (mode 644)" "$(stat -c %a "$prom")" 644

# 3. The tool reports netbuf_up itself: the collector keeps it, once.
ktap_eq "the tool's own netbuf_up is kept, not doubled" \
	"$(NETBUF_PROC=$fix/netbuf "$tool" show --prometheus | grep -c '^netbuf_up ')/$(up_lines "$prom")" "1/netbuf_up 1"

# 4. The tool fails with the module present: netbuf_up 0, exit 1.
NETBUF_PROC=$fix/netbuf NETBUF_TOOL=false "$collector"
rc=$?
ktap_eq "tool fails: exit 1, netbuf_up 0 and no counters" "$rc/$(grep -v '^#' "$prom")" "1/netbuf_up 0"

# 5. No textfile directory: exit 1, nothing created.
NETBUF_PROC=$fix/netbuf NETBUF_TEXTFILE_DIR=$tmp/missing "$collector" 2>"$tmp/err"
rc=$?
ktap_eq "no textfile directory: exit 1, nothing created, one error line" \
	"$rc/$([ -e "$tmp/missing" ] && echo created)/$(wc -l <"$tmp/err")" "1//1"

# 6. Atomic replacement: a new inode each run, and a reader looping over the
# file while the collector rewrites it sees it whole every time (the last
# line is netbuf_up, which comes last).
ino1=$(stat -c %i "$prom")
NETBUF_PROC=$fix/netbuf "$collector"
ktap_check "each run renames a new file into place" [ "$(stat -c %i "$prom")" != "$ino1" ]
# a complete file ends as this one does
full_last=$(tail -n 1 "$prom")
(
	for _ in $(seq 20); do NETBUF_PROC=$fix/netbuf "$collector" || exit 1; done
) &
writer=$!
reads=0 torn=0
while kill -0 "$writer" 2>/dev/null; do
	last=$(tail -n 1 "$prom" 2>/dev/null)
	reads=$((reads + 1))
	[ "$last" = "$full_last" ] || torn=$((torn + 1))
done
wait "$writer"
wrc=$?
ktap_info "reader: $reads reads during 20 collector runs"
ktap_eq "no reader ever saw a partial file (writer exit $wrc)" "$torn" 0
ktap_eq "no temporary file left behind" "$(ls -A "$dir")" "netbuf.prom"
ktap_finished
