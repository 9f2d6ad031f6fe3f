#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# /proc/netbuf/reset: "1" clears the writer's namespace only; every other
# write is refused with EINVAL and changes nothing; writers without
# CAP_NET_ADMIN (non-root, or root with the capability dropped) are refused.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

R=nbr S=nbs
ktap_header
nb_require_module
[ -x "$NB_RCVPRESS" ] || ktap_skip_all "no $NB_RCVPRESS"
command -v setpriv >/dev/null || ktap_skip_all "no setpriv"
trap 'nb_del_netns $R $S' EXIT
nb_load
nb_del_netns $R $S
for ns in $R $S; do ip netns add $ns; ip -n $ns link set lo up; done
# shellcheck disable=SC2043
for ns in $R $S; do nb_rcvpress $ns --mode collapse -d 1.5 >/dev/null; done
ktap_plan 19

before=$(nb_rcvbuf_sum $R)
ktap_check "counters moved in $R" test "$before" -gt 0
# hex payloads: "0", "2", "11", "1x", "-1", "1\n\n", " 1", NUL, binary, 4 KiB
for bad in 30 32 3131 3178 2d31 310a0a 2031 00 ff01fe $(printf '31%.0s' $(seq 4096)); do
	got=$(ip netns exec $R bash -c "$(declare -f nb_write); nb_write $NB_PROC/reset $bad")
	[ "$got" = EINVAL ] || { ktap_not_ok "bad write ${bad:0:12} refused (got $got)"; continue; }
	ktap_ok "bad write ${bad:0:12} refused with EINVAL"
done
got=$(ip netns exec $R bash -c "$(declare -f nb_write); nb_write $NB_PROC/reset 31 5")
ktap_eq "write at an offset refused" "$got" EINVAL
ktap_eq "bad writes changed nothing" "$(nb_rcvbuf_sum $R)" "$before"
got=$(ip netns exec $R setpriv --reuid=65534 --regid=65534 --clear-groups \
	bash -c "$(declare -f nb_write); nb_write $NB_PROC/reset 31")
ktap_check "non-root writer refused ($got)" test "$got" = EACCES -o "$got" = EPERM
got=$(ip netns exec $R setpriv --inh-caps=-net_admin --bounding-set=-net_admin \
	bash -c "$(declare -f nb_write); nb_write $NB_PROC/reset 31")
ktap_eq "root without CAP_NET_ADMIN refused" "$got" EPERM
ktap_eq "refused writers changed nothing" "$(nb_rcvbuf_sum $R)" "$before"
s_before=$(nb_rcvbuf_sum $S)
ktap_eq "reset with \"1\\n\" accepted" "$(ip netns exec $R bash -c "$(declare -f nb_write); nb_write $NB_PROC/reset 310a")" ok
ktap_eq "reset cleared $R" "$(nb_rcvbuf_sum $R)" 0
ktap_eq "reset left $S alone" "$(nb_rcvbuf_sum $S)" "$s_before"
ktap_finished
