#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The tool's fixtures are of this module: every /proc/netbuf file has the
# same format (table header, or the keys of a key-value file, or the
# version file's "format" line) as in every fixture the tool's tests read
# (tools/tests/fixtures/*/netbuf/). When the module changes a format, this
# fails until the fixtures are regenerated (scripts/capture-fixtures.sh for
# the real captures, tools/tests/fixtures/gen.py for the hand-made ones),
# so the tool's JSON and promtool checks never run on stale data.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

FILES="version probes rcvbuf napi histograms napi_queues napi_queue_hist memory events control"
FIX=$NB_REPO/tools/tests/fixtures
ktap_header
nb_require_module
nb_load
ktap_plan 10

# shape FILE: the format of one file: the header of a table, the sorted
# keys of a key-value file, the format line of version.
shape() {
	case $(basename "$1") in
	version) grep '^format ' "$1" ;;
	memory | control) awk '{ print $1 }' "$1" | sort | tr '\n' ' ' ;;
	*) head -1 "$1" | tr -s ' \t' ' ' ;;
	esac
}
tmp=$(mktemp -d)
for f in $FILES; do cat "$NB_PROC/$f" >"$tmp/$f"; done
# A fixture without napi_queues may be of a module from before the
# per-queue view (the tool must keep reading those: the guest captures):
# its memory file may then be the module's without the napi_queue keys.
old_memory=$(grep -v '^napi_queue' "$tmp/memory" | awk '{ print $1 }' | sort | tr '\n' ' ')
for f in $FILES; do
	want=$(shape "$tmp/$f") stale=
	for d in "$FIX"/*/netbuf; do
		[ -f "$d/$f" ] || continue
		got=$(shape "$d/$f")
		[ "$got" = "$want" ] && continue
		[ "$f" = memory ] && [ ! -f "$d/napi_queues" ] && [ "$got" = "$old_memory" ] && continue
		stale+=" $(basename "$(dirname "$d")")"
	done
	if [ -z "$stale" ]; then
		ktap_ok "$f: every fixture has the module's format"
	else
		ktap_info "$f: module: $want"
		ktap_not_ok "$f: stale fixtures:$stale (scripts/capture-fixtures.sh, tools/tests/fixtures/gen.py)"
	fi
done
rm -rf "$tmp"
ktap_finished
