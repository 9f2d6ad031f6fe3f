#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install everything netbuf's build and guest tests need on Debian 12.
# Idempotent: re-running it installs nothing new.
# --rt: also Debian's PREEMPT_RT kernels, for make check-rt.
set -euo pipefail

RT_PKGS="linux-image-rt-amd64 linux-headers-rt-amd64
linux-image-6.12-rt-amd64 linux-headers-6.12-rt-amd64"

PKGS="build-essential make gcc bc bison flex libelf-dev kmod xz-utils cpio
qemu-system-x86 busybox-static
linux-image-amd64 linux-headers-amd64
linux-image-6.12-amd64 linux-headers-6.12-amd64
linux-source-6.1
iperf3 ethtool iproute2 procps python3 sparse libcmocka-dev valgrind
dkms prometheus bpftrace
debhelper dh-dkms lintian prometheus-node-exporter shellcheck
python3-jsonschema"
case "${1:-}" in
--rt) PKGS="$PKGS $RT_PKGS" ;;
"") ;;
*) echo "usage: scripts/install-deps.sh [--rt]" >&2; exit 2 ;;
esac

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages present"
	exit 0
fi
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
