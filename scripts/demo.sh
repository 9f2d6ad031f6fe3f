#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: on a fresh Debian 12 machine, install what is needed, build
# netbuf for the stock kernel, boot it in a guest, make the kernel collapse
# and prune receive queues and poll NAPI, and show what netbuf sees.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
KVER=${KVER:-$(ls /lib/modules | grep -E '^6\.1\.' | grep -v -- '-rt-' | sort -V | tail -1)}
[ -n "$KVER" ] || { echo "demo: no Debian 6.1 kernel installed" >&2; exit 1; }
make -s vmbuild KERNELRELEASE="$KVER"
exec selftests/vm/run -k "$KVER" --no-build -t 300 -- selftests/demo-guest.sh
