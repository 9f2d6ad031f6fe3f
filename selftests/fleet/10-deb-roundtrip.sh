#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The Debian packages, in a guest (make check-fleet): apt-get install of
# build/deb/netbuf-dkms_*.deb and netbuf_*.deb builds the module for the
# running kernel through DKMS; modprobe loads it; the packaged tool reads
# it; /etc/modprobe.d sets its parameters; the packaged collector writes
# netbuf_up 1, then 0 once the module is gone; the units are shipped
# disabled; installing build/deb-next (one version later) rebuilds it;
# apt-get purge leaves nothing (files, DKMS tree, modules, units, links,
# conffiles, the textfile). Writes land in the guest's tmpfs overlay.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

ktap_header
ktap_plan 25
kver=$(uname -r)
. "$(dirname "$0")/lib.sh"
deb=$FLEET_DEB
next=$FLEET_NEXT
textdir=$FLEET_TEXTDIR

[ "$(id -u)" = 0 ] || fleet_bail "needs root"
[ -d /sys/module ] || fleet_bail "kernel without module support"
ver=$(fleet_version "$deb")
ver2=$(fleet_version "$next")
[ -n "$ver" ] && [ -n "$ver2" ] || fleet_bail "no packages in $deb and $next (make deb-next)"
[ -d "$textdir" ] || fleet_bail "no $textdir: install prometheus-node-exporter (scripts/install-deps.sh)"
ktap_info "packages $ver and $ver2, kernel $kver"

# dkms_lines: this kernel's netbuf lines of dkms status.
dkms_lines() { dkms status netbuf 2>/dev/null | grep -F ", $kver, "; }
t0=$SECONDS
fleet_clean

# 1. Install.
s=$SECONDS
fleet_install "$deb" "$ver" /tmp/apt-install.log
rc=$?
ktap_info "apt-get install took $((SECONDS - s)) s (DKMS build included)"
ktap_eq "apt-get install of both packages" "$rc" 0
ktap_eq "dkms status: built and installed for the running kernel" \
	"$(dkms_lines)" "netbuf/$ver, $kver, x86_64: installed"
ktap_info "dkms status: $(dkms status netbuf | tr '\n' ';')"
path=$(modinfo -n netbuf 2>/dev/null)
ktap_check "modinfo finds it in updates/dkms ($path)" \
	bash -c "case '$path' in /lib/modules/$kver/updates/dkms/netbuf.ko*) exit 0;; esac; exit 1"
ktap_check "modprobe netbuf" modprobe netbuf
ktap_eq "the module is this version, built for this kernel" \
	"$(awk '$1 == "netbuf" || $1 == "built_for" { printf "%s ", $2 }' /proc/netbuf/version)" "$ver $kver "
ktap_check "the packaged tool: netbuf show" bash -c "/usr/sbin/netbuf show -z >/tmp/show.out 2>&1 && grep -q '^lo ' /tmp/show.out"

# 2. Shipped configuration: everything off until the administrator says.
ktap_eq "/etc/modprobe.d/netbuf.conf and /etc/modules-load.d/netbuf.conf: comments only" \
	"$(grep -hv '^#' /etc/modprobe.d/netbuf.conf /etc/modules-load.d/netbuf.conf | grep -c .)" 0
ktap_eq "the timer is shipped disabled" \
	"$(ls /etc/systemd/system/*/netbuf-textfile* 2>/dev/null | wc -l)" 0
ktap_check "the units are installed" \
	test -f /lib/systemd/system/netbuf-textfile.timer -a -f /lib/systemd/system/netbuf-textfile.service

# 3. Module parameters from /etc/modprobe.d.
echo "options netbuf events_max=64 max_ifaces=100" >>/etc/modprobe.d/netbuf.conf
modprobe -r netbuf && modprobe netbuf
ktap_eq "/etc/modprobe.d/netbuf.conf sets parameters" \
	"$(cat /sys/module/netbuf/parameters/events_max /sys/module/netbuf/parameters/max_ifaces 2>&1 | tr '\n' ' ')" "64 100 "

# 4. The packaged collector, as the service runs it.
/usr/libexec/netbuf/netbuf-textfile
ktap_eq "collector with the module: exit 0, netbuf_up 1" \
	"$?/$(grep -E '^netbuf_up ' $textdir/netbuf.prom)" "0/netbuf_up 1"
ktap_check "collector with the module: lo's counters" \
	grep -q '^netbuf_collapse_calls_total{iface="lo"' $textdir/netbuf.prom
modprobe -r netbuf
/usr/libexec/netbuf/netbuf-textfile
ktap_eq "collector without the module: netbuf_up 0 and nothing else" \
	"$?/$(grep -v '^#' $textdir/netbuf.prom | tr '\n' ' ')" "0/netbuf_up 0 "

# 5. Upgrade to the next version: DKMS drops the old build, builds the new.
s=$SECONDS
fleet_install "$next" "$ver2" /tmp/apt-upgrade.log
rc=$?
ktap_info "upgrade took $((SECONDS - s)) s"
ktap_eq "apt-get install of the next version" "$rc" 0
ktap_eq "dkms status: only the new version, installed" \
	"$(dkms status netbuf | grep -c "^netbuf/$ver,")/$(dkms_lines)" "0/netbuf/$ver2, $kver, x86_64: installed"
ktap_check "old source gone, new one in /usr/src" test ! -e "/usr/src/netbuf-$ver" -a -f "/usr/src/netbuf-$ver2/dkms.conf"
modprobe netbuf
ktap_eq "modprobe loads the rebuilt module" \
	"$(awk '$1 == "netbuf" { print $2 }' /proc/netbuf/version 2>&1)/$(modinfo -F version netbuf)" "$ver2/$ver2"
ktap_eq "the edited conffile survived the upgrade" "$(cat /sys/module/netbuf/parameters/events_max)" 64

# 6. Purge: nothing left. The administrator had enabled the timer.
systemctl enable netbuf-textfile.timer >/tmp/enable.log 2>&1 ||
	deb-systemd-helper enable netbuf-textfile.timer >>/tmp/enable.log 2>&1
ktap_check "the timer can be enabled ($(head -c 200 /tmp/enable.log | tr '\n' ' '))" \
	[ -L /etc/systemd/system/timers.target.wants/netbuf-textfile.timer ]
/usr/libexec/netbuf/netbuf-textfile
pkgfiles=$(dpkg -L netbuf netbuf-dkms | sort -u)
modprobe -r netbuf
s=$SECONDS
apt-get purge "${FLEET_APT[@]}" netbuf-dkms netbuf >/tmp/apt-purge.log 2>&1
rc=$?
ktap_info "purge took $((SECONDS - s)) s"
[ "$rc" = 0 ] || sed 's/^/# /' /tmp/apt-purge.log | tail -n 40
ktap_eq "apt-get purge netbuf-dkms netbuf" "$rc" 0
left=
for f in $pkgfiles; do
	[ -e "$f" ] && [ ! -d "$f" ] && left="$left $f"
done
ktap_eq "no file of either package is left" "${left# }" ""
ktap_eq "dkms status knows no netbuf" "$(dkms status netbuf 2>&1 | grep -c netbuf)" 0
ktap_eq "no /usr/src/netbuf-*, /var/lib/dkms/netbuf, updates/dkms/netbuf.ko*" \
	"$(ls -d /usr/src/netbuf-* /var/lib/dkms/netbuf /lib/modules/*/updates/dkms/netbuf.ko* 2>/dev/null | tr '\n' ' ')" ""
ktap_eq "no units, links, conffiles or netbuf.prom" \
	"$(ls -d /lib/systemd/system/netbuf-* /etc/systemd/system/*/netbuf-* /etc/systemd/system/netbuf-* \
		/etc/modprobe.d/netbuf.conf /etc/modules-load.d/netbuf.conf $textdir/netbuf.prom $textdir/.netbuf.prom.* \
		/var/lib/systemd/deb-systemd-helper-enabled/*netbuf* 2>/dev/null | tr '\n' ' ')" ""
ktap_eq "dpkg knows neither package" "$(dpkg-query -W -f='${db:Status-Abbrev}' netbuf netbuf-dkms 2>/dev/null | tr -d ' ')" ""
ktap_info "the whole round trip took $((SECONDS - t0)) s"
ktap_finished
