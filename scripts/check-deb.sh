#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make deb-check: the packages in DIR (default build/deb, from make deb)
# against the tree: versions agree (module/netbuf.h, dkms.conf,
# debian/changelog, the packages), lintian reports no error and no warning
# (overrides carry their reasons in debian/*.lintian-overrides), each
# package holds what it should, conffiles are all comments, and the units
# are neither enabled nor started by the maintainer scripts.
set -u
repo=$(cd "$(dirname "$0")/.." && pwd)
. "$repo/selftests/lib/ktap.sh"
dir=${1:-$repo/build/deb}
ver=$(sed -n 's/^#define NETBUF_VERSION[[:space:]]*"\(.*\)"/\1/p' "$repo/module/netbuf.h")
dkms_deb=$dir/netbuf-dkms_${ver}_all.deb
tool_deb=$(ls "$dir"/netbuf_"${ver}"_*.deb 2>/dev/null | head -1)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ktap_header
ktap_plan 13
[ -f "$dkms_deb" ] && [ -f "$tool_deb" ] ||
	{ echo "Bail out! no netbuf-dkms_${ver}_all.deb and netbuf_${ver}_*.deb in $dir (make deb)"; exit 1; }

ktap_eq "versions: module/netbuf.h, dkms.conf, debian/changelog, both packages" \
	"$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$repo/dkms.conf") $(dpkg-parsechangelog -l "$repo/debian/changelog" -S Version) $(dpkg-deb -f "$dkms_deb" Version) $(dpkg-deb -f "$tool_deb" Version)" \
	"$ver $ver $ver $ver"

changes=$(ls "$dir"/netbuf_"${ver}"_*.changes | head -1)
lintian --fail-on error,warning --display-info "$changes" >"$tmp/lintian" 2>&1
rc=$?
sed 's/^/# lintian: /' "$tmp/lintian"
ktap_eq "lintian: no error, no warning" "$rc" 0

dpkg-deb -c "$dkms_deb" | awk '{ print $6 }' | sed 's|^\./|/|' | sort >"$tmp/dkms.list"
dpkg-deb -c "$tool_deb" | awk '{ print $6 }' | sed 's|^\./|/|' | sort >"$tmp/tool.list"
src=/usr/src/netbuf-$ver
want=$( (echo "$src/Kbuild"; echo "$src/Makefile"; echo "$src/dkms.conf"
	cd "$repo" && ls module/*.c module/*.h | sed "s|^|$src/|") | sort)
ktap_eq "netbuf-dkms: the module's sources, Kbuild, Makefile, dkms.conf under $src" \
	"$(grep "^$src/.*[^/]$" "$tmp/dkms.list")" "$want"
ktap_eq "netbuf-dkms: architecture all, depends on dkms" \
	"$(dpkg-deb -f "$dkms_deb" Architecture) $(dpkg-deb -f "$dkms_deb" Depends | grep -o 'dkms[^,]*' | head -1 | cut -d' ' -f1)" "all dkms"
ktap_eq "netbuf-dkms: conffiles" "$(dpkg-deb --ctrl-tarfile "$dkms_deb" | tar -xOf - ./conffiles)" \
	"$(printf '/etc/modprobe.d/netbuf.conf\n/etc/modules-load.d/netbuf.conf')"
dpkg-deb -x "$dkms_deb" "$tmp/dkms"
ktap_eq "netbuf-dkms: modprobe.d and modules-load.d files are comments only (off by default)" \
	"$(grep -hv '^#' "$tmp/dkms/etc/modprobe.d/netbuf.conf" "$tmp/dkms/etc/modules-load.d/netbuf.conf" | grep -c .)" 0
ktap_eq "netbuf-dkms: dkms.conf is the tree's" "$(cmp "$tmp/dkms$src/dkms.conf" "$repo/dkms.conf" && echo same)" same
ktap_check "netbuf-dkms: postinst adds and builds with DKMS, prerm removes" \
	bash -c "dpkg-deb --ctrl-tarfile '$dkms_deb' | tar -xOf - ./postinst >'$tmp/dkms.postinst' &&
		dpkg-deb --ctrl-tarfile '$dkms_deb' | tar -xOf - ./prerm >'$tmp/dkms.prerm' &&
		grep -qx 'DKMS_NAME=netbuf' '$tmp/dkms.postinst' && grep -qx 'DKMS_VERSION=$ver' '$tmp/dkms.postinst' &&
		grep -q /usr/lib/dkms/common.postinst '$tmp/dkms.postinst' &&
		grep -qx 'DKMS_VERSION=$ver' '$tmp/dkms.prerm' &&
		grep -q 'dkms remove -m \$DKMS_NAME -v \$DKMS_VERSION --all' '$tmp/dkms.prerm'"

for f in /usr/sbin/netbuf /usr/share/man/man8/netbuf.8.gz /usr/libexec/netbuf/netbuf-textfile \
	/lib/systemd/system/netbuf-textfile.service /lib/systemd/system/netbuf-textfile.timer \
	/usr/share/doc/netbuf/prometheus/netbuf.rules.yml; do
	grep -qx "$f" "$tmp/tool.list" || echo "$f" >>"$tmp/missing"
done
ktap_eq "netbuf: tool, man page, collector, units, rules" "$(cat "$tmp/missing" 2>/dev/null)" ""
dpkg-deb -x "$tool_deb" "$tmp/tool"
ktap_eq "netbuf: the packaged tool is version $ver" \
	"$("$tmp/tool/usr/sbin/netbuf" --version 2>&1 | head -1 | grep -o "$ver" | head -1)" "$ver"
dpkg-deb --ctrl-tarfile "$tool_deb" | tar -xOf - ./postinst >"$tmp/postinst" 2>/dev/null
# dh_installsystemd --no-enable --no-start: the timer is enabled again on
# upgrade only where the administrator had enabled it (was-enabled), and
# nothing is started.
ktap_eq "netbuf: postinst neither enables (unless it was) nor starts the timer" \
	"$(grep -cE 'deb-systemd-invoke|systemctl' "$tmp/postinst")/$(grep -B2 -E "deb-systemd-helper enable" "$tmp/postinst" | grep -c "was-enabled 'netbuf-textfile.timer'")/$(grep -c 'deb-systemd-helper enable' "$tmp/postinst")" "0/1/1"
# (the collector is not installed on this host: that complaint is left out)
units_verify() {
	local out
	out=$(cd "$tmp/tool/lib/systemd/system" && systemd-analyze verify --man=no \
		./netbuf-textfile.service ./netbuf-textfile.timer 2>&1 |
		grep -v 'Command /usr/libexec/netbuf/netbuf-textfile is not executable')
	[ -z "$out" ] || { echo "$out" | sed 's/^/# /'; return 1; }
}
ktap_check "netbuf: the units pass systemd-analyze verify" units_verify
ktap_check "netbuf: postrm removes netbuf.prom on remove and purge" \
	bash -c "dpkg-deb --ctrl-tarfile '$tool_deb' | tar -xOf - ./postrm | grep -q 'rm -f /var/lib/prometheus/node-exporter/netbuf.prom'"
ktap_finished
