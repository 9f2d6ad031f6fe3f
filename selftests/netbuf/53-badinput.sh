#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad input (issue 7). 1000 x NB_STRESS_SCALE random and crafted writes to
# each writable file (10,000 each at scale 10): too long, binary, negative,
# overflowing, out of range, malformed, embedded NUL, two newlines,
# partial, at odd offsets, empty, from bad pointers. Each is refused with
# the right errno (EINVAL; EFAULT for a bad pointer) and nothing changes:
# counters, histograms and event records of the namespace, control values.
# Writes to the read-only files fail and change nothing. Bad module
# parameters refuse the load, edge values load. Reads with 1-byte, 7-byte
# buffers and at odd offsets give the text of a whole read in a quiet
# namespace, every line well-formed.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

Q=nbbq
N=$(nb_scaled 1000)
ktap_header
nb_require_module
[ -x "$NB_RCVPRESS" ] || ktap_skip_all "no $NB_RCVPRESS"
cleanup() {
	nb_del_netns $Q
	nb_unload
	nb_load
}
trap cleanup EXIT
nb_del_netns $Q
nb_reload
ktap_plan 24

# Some state to keep: counters, histograms and event records in $Q, and
# control values off their defaults.
nb_ctl events_threshold_ns=0
nb_ctl events_max=64
ip netns add $Q
ip -n $Q link set lo up
nb_rcvpress $Q --mode collapse -d 1 >/dev/null
nb_rcvpress $Q --mode prune -d 1 >/dev/null
nb_ctl events_threshold_ns=123456
sleep 0.3
snap() {
	echo "control $(nb_ctlv events_threshold_ns) $(nb_ctlv events_max) $(nb_ctlv timing)"
	ip netns exec $Q cat $NB_PROC/rcvbuf $NB_PROC/histograms $NB_PROC/events
}
before=$(snap)
nrec=$(ip netns exec $Q cat $NB_PROC/events | wc -l)
ktap_check "state to keep: counters moved, $((nrec - 1)) event records" \
	test "$(nb_rcvbuf_sum $Q)" -gt 0 -a "$nrec" -gt 1

# ---- writes ----
out=$(ip netns exec $Q python3 "$NB_STRESS_PY" fuzz-reset "$N" 1 2>&1)
echo "$out" | grep '^#' | sed 's/^# /# reset: /'
res=$(echo "$out" | grep '^RESULT')
ktap_info "figures: reset: ${res#RESULT }"
ktap_check "reset: every bad write refused with the right errno" test "$(echo "$res" | sed -n 's/.*wrong=\([0-9]*\).*/\1/p')" = 0
ktap_eq "reset: nothing changed" "$(snap | md5sum)" "$(echo "$before" | md5sum)"

out=$(python3 "$NB_STRESS_PY" fuzz-control "$N" 2 2>&1)
echo "$out" | grep '^#' | sed 's/^# /# control: /'
res=$(echo "$out" | grep '^RESULT')
ktap_info "figures: control: ${res#RESULT }"
ktap_check "control: every bad write refused with the right errno" test "$(echo "$res" | sed -n 's/.*wrong=\([0-9]*\).*/\1/p')" = 0
ktap_eq "control: nothing changed" "$(snap | md5sum)" "$(echo "$before" | md5sum)"

# the read-only files: root may open them for writing, a write must fail
bad=
for f in $NB_READABLE; do
	[ "$f" = control ] && continue
	got=$(nb_write "$NB_PROC/$f" 310a)
	case $got in EIO | EACCES | EPERM | EINVAL) ;; *) bad="$bad $f:$got" ;; esac
done
ktap_eq "writes to the read-only files fail" "${bad:-none}" none
ktap_eq "and change nothing" "$(snap | md5sum)" "$(echo "$before" | md5sum)"

# ---- reads ----
files=()
for f in $NB_READABLE; do files+=("$NB_PROC/$f"); done
out=$(ip netns exec $Q python3 "$NB_STRESS_PY" compare "${files[@]}" 2>&1)
echo "$out" | grep '^#'
for f in $NB_READABLE; do
	if echo "$out" | grep -q "^# $f: .*: ok$"; then
		ktap_ok "$f: 1-byte, 7-byte, odd-offset reads = a whole read, lines well-formed"
	else
		ktap_not_ok "$f: tiny or odd-offset reads differ, or a bad line"
	fi
done

# ---- module parameters (03-params.sh has the first ones) ----
nb_unload
refused=0 loaded=
for arg in max_ifaces=4294967296 max_ifaces= max_ifaces max_ifaces=4x max_ifaces=-0 \
	events_max=1.5 events_max=-1 events_max=4294967297 events_threshold_ns=-1 \
	events_threshold_ns=18446744073709551616 events_threshold_ns=1e9 events_threshold_ns=; do
	if insmod "$NB_KO" "$arg" 2>/dev/null; then
		loaded="$loaded $arg"
		nb_unload
	else
		refused=$((refused + 1))
	fi
done
ktap_eq "12 bad parameter values refuse the load" "${loaded:-none}" none
ktap_check "nothing loaded after them" test ! -d /sys/module/netbuf
edge=
for arg in "max_ifaces=1" "max_ifaces=65536" "events_max=1" "events_max=256" \
	"events_threshold_ns=0" "events_threshold_ns=60000000000"; do
	if insmod "$NB_KO" "$arg"; then
		k=${arg%%=*}
		[ "$(cat /sys/module/netbuf/parameters/$k)" = "${arg#*=}" ] || edge="$edge $arg(shows $(cat /sys/module/netbuf/parameters/$k))"
		nb_unload
	else
		edge="$edge $arg(refused)"
	fi
done
ktap_eq "edge values load and show as given" "${edge:-ok}" ok
n0=$(dmesg | grep -c "unknown parameter 'nb_no_such_param' ignored")
if insmod "$NB_KO" nb_no_such_param=1; then
	ktap_eq "an unknown parameter is ignored with a log line" \
		"$(($(dmesg | grep -c "unknown parameter 'nb_no_such_param' ignored") - n0))" 1
else
	ktap_not_ok "an unknown parameter is ignored with a log line (the load failed)"
fi
got=$(insmod "$NB_KO" 2>&1; echo "rc=$?")
ktap_check "a second insmod fails (File exists) ($(echo $got | tr -s ' ' | cut -c1-60))" \
	bash -c "echo '$got' | grep -q 'rc=[1-9]' && echo '$got' | grep -qi 'exists'"
ktap_check "the loaded module still works" nb_validate
ktap_check "kernel log clean" nb_dmesg_clean
ktap_info "figures: whole test ${SECONDS}s (NB_STRESS_SCALE=$NB_STRESS_SCALE)"
ktap_finished
