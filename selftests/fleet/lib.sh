#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared by the fleet tests (make check-fleet), sourced after ktap.sh and
# netbuf.sh: where the packages are, and a guest with no netbuf in it.

FLEET_DEB=$NB_REPO/build/deb
FLEET_NEXT=$NB_REPO/build/deb-next
FLEET_TEXTDIR=/var/lib/prometheus/node-exporter
export DEBIAN_FRONTEND=noninteractive
FLEET_APT=(-y -q --no-install-recommends -o Dpkg::Use-Pty=0)

fleet_bail() { echo "Bail out! $*"; exit 1; }

# fleet_version DIR: the version of the netbuf-dkms package in DIR.
fleet_version() {
	local f
	for f in "$1"/netbuf-dkms_*_all.deb; do
		[ -f "$f" ] || return 0
		f=${f##*/netbuf-dkms_}
		echo "${f%_all.deb}"
	done
}

# fleet_clean: no netbuf module, DKMS tree or source in the guest. One left
# by "make dkms-install" on the host shows through the lower layer; this
# removes it in the overlay only. Also turns off man-db's trigger, which
# would index every manual page under TCG (minutes).
fleet_clean() {
	local d v
	nb_unload
	for d in /var/lib/dkms/netbuf/*/; do
		v=$(basename "$d")
		case $v in '*' | kernel-*) continue ;; esac
		ktap_info "removing the host's DKMS netbuf/$v (make dkms-install) in the overlay"
		dkms remove -m netbuf -v "$v" --all >/dev/null 2>&1
	done
	rm -rf /usr/src/netbuf-* /var/lib/dkms/netbuf
	rm -f /var/lib/man-db/auto-update
}

# fleet_install DIR VERSION LOG: apt-get install both packages from DIR,
# within FLEET_APT_TIMEOUT seconds (default 1200; the DKMS build under TCG
# is most of it); on failure the end of its output and of DKMS's make.log.
fleet_install() {
	timeout -k 10 "${FLEET_APT_TIMEOUT:-1200}" \
		apt-get install "${FLEET_APT[@]}" "$1/netbuf-dkms_$2_all.deb" "$1"/netbuf_"$2"_*.deb >"$3" 2>&1 && return 0
	echo "# apt-get install failed or timed out ($?)"
	sed 's/^/# /' "$3" | tail -n 40
	# shellcheck disable=SC2046
	tail -n 20 $(ls -t /var/lib/dkms/netbuf/*/build/make.log 2>/dev/null | head -1) /dev/null 2>/dev/null | sed 's/^/# make.log: /'
	return 1
}
