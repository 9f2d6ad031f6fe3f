#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# record-head.sh TITLE COMMAND LOG: the head of a committed results record
# (bench/results/*.md) of make stress and make experiment: title, date,
# commit, the command that makes it, the host's load, the suite's line of
# the guest's log.
set -eu
[ $# = 3 ] || { echo "usage: $0 TITLE COMMAND LOG" >&2; exit 2; }
echo "# $1"
echo
echo "- date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "- commit: $(git describe --always --dirty 2>/dev/null || echo unknown)"
echo "- command: $2"
echo "- host: $(nproc) CPUs, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- suite: $(grep -E '^SUITE' "$3" | tail -1)"
echo
