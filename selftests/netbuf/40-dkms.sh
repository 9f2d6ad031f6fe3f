#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The DKMS-installed module (make dkms-install on the host, before the guest
# boots): modprobe finds it in updates/dkms, it loads, and the tool reads it.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

ktap_header
[ "$(id -u)" = 0 ] || ktap_skip_all "needs root"
path=$(modinfo -n netbuf 2>/dev/null)
case $path in
*/updates/dkms/*) ;;
*) ktap_skip_all "no DKMS-installed netbuf for $(uname -r) (make dkms-install)" ;;
esac
nb_unload
ktap_plan 5

ktap_check "modprobe netbuf" modprobe netbuf
ktap_eq "loaded from DKMS's tree" "$(modinfo -n netbuf)" "$path"
ktap_eq "running the DKMS build for this kernel" \
	"$(awk '$1 == "built_for" { print $2 }' $NB_PROC/version)" "$(uname -r)"
if [ -x "$NB_TOOL" ]; then
	ktap_check "netbuf show reads it" bash -c "'$NB_TOOL' show -z >/tmp/nb-show.out && grep -q lo /tmp/nb-show.out"
else
	ktap_not_ok "no tool at $NB_TOOL"
fi
ktap_check "modprobe -r netbuf" modprobe -r netbuf
ktap_finished
