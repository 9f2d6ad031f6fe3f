#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ofo_segs counts only out-of-order prune drops (issue 14). The ofo
# workload (selftests/workload/ofo-setup.sh: rcvpress over a veth with
# netem reordering) prunes the receiver's out-of-order queue. The outside
# count: bpftrace on the skb:kfree_skb tracepoint, drops with reason
# TCP_OFO_QUEUE_PRUNE (its number read from the event's format in
# tracefs), summing each skb's segments as sk_drops counts them
# (gso_segs, at least 1: the out-of-order queue coalesces segments and
# adds up their gso_segs). netbuf's ofo_segs in the receiver's namespace
# must equal it, ofo_calls the namespace's OfoPruned, and netbuf's
# ofo_drop probe must be on.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"

A=nboa B=nbob
T=/sys/kernel/tracing
E=$T/events/skb/kfree_skb
SETUP="$NB_REPO/selftests/workload/ofo-setup.sh"
ktap_header
ktap_plan 7
fail() { ktap_not_ok "$*"; exit 1; }
nb_require_module
[ -x "$NB_RCVPRESS" ] || fail "no $NB_RCVPRESS (make -C selftests/workload)"
[ -d $E ] || fail "no skb:kfree_skb event in tracefs"
reason=$(grep -o '{ [0-9]*, "TCP_OFO_QUEUE_PRUNE" }' $E/format | grep -o '[0-9]*')
[ -n "$reason" ] || fail "no TCP_OFO_QUEUE_PRUNE drop reason in $E/format"
cleanup() {
	[ -n "${bt:-}" ] && kill $bt 2>/dev/null
	NB_NS_A=$A NB_NS_B=$B "$SETUP" down >/dev/null 2>&1
}
trap cleanup EXIT
nb_reload
NB_NS_A=$A NB_NS_B=$B "$SETUP" down >/dev/null 2>&1
modprobe -q sch_netem 2>/dev/null
NB_NS_A=$A NB_NS_B=$B "$SETUP" --offload off --gro off up | sed 's/^/# /'
ip -n $B link show vB >/dev/null 2>&1 || fail "ofo-setup.sh up made no $B/vB"
ktap_eq "ofo_drop probe active" "$(nb_col "" probes ofo_drop state)" active
command -v bpftrace >/dev/null || fail "no bpftrace"
bpftrace -e "tracepoint:skb:kfree_skb /args->reason == $reason/ {
	\$s = (struct sk_buff *)args->skbaddr;
	\$g = ((struct skb_shared_info *)(\$s->head + \$s->end))->gso_segs;
	@skbs = count(); @segs = sum(\$g > 0 ? \$g : 1); }" >/tmp/nb-ofo.bt 2>&1 &
bt=$!
for i in $(seq 600); do grep -q Attaching /tmp/nb-ofo.bt && break; sleep 0.1; done
grep -q Attaching /tmp/nb-ofo.bt || { cat /tmp/nb-ofo.bt; fail "bpftrace did not attach in 60 s"; }
o0=$(tcpext $B OfoPruned)
ip netns exec $B "$NB_RCVPRESS" -m ofo -l 10.77.0.2:5701 -d 3 >/tmp/nb-ofo.rx 2>&1 &
rx=$!
nb_wait_listen $B 5701
ip netns exec $A "$NB_RCVPRESS" -m ofo -C 10.77.0.2:5701 -d 3 >/dev/null 2>&1
wait $rx
rc=$?
sleep 0.2
kill -INT $bt
wait $bt
o1=$(tcpext $B OfoPruned)
sed 's/^/# /' /tmp/nb-ofo.rx
sed 's/^/# bpftrace: /' /tmp/nb-ofo.bt
skbs=$(awk '/^@skbs:/ { print $2; exit }' /tmp/nb-ofo.bt)
drops=$(awk '/^@segs:/ { print $2; exit }' /tmp/nb-ofo.bt)
ip netns exec $B cat $NB_PROC/rcvbuf | sed 's/^/# /'
ktap_info "reason $reason: bpftrace ${skbs:-0} skbs, ${drops:-0} segments; OfoPruned $((o1 - o0))"
ktap_eq "receiver exited 0" "$rc" 0
ktap_check "out-of-order prunes happened (OfoPruned $((o1 - o0)))" test $((o1 - o0)) -gt 0
ktap_check "bpftrace counted drops" test "${skbs:-0}" -gt 0
ktap_eq "ofo_segs = segments of kfree_skb drops with reason TCP_OFO_QUEUE_PRUNE (bpftrace)" \
	"$(nb_col $B rcvbuf total ofo_segs)" "${drops:-0}"
ktap_eq "ofo_calls = OfoPruned" "$(nb_col $B rcvbuf total ofo_calls)" $((o1 - o0))
ktap_check "kernel log clean" nb_dmesg_clean
ktap_finished
