#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two network namespaces joined by a veth pair, with reordering or loss on
# the sender's side, so that a receiver under memory pressure has an
# out-of-order queue to prune (TcpExt OfoPruned).  rcvpress alone cannot make
# out-of-order data: one process over one path delivers in order.
#
#   nbA (sender)  vA 10.77.0.1/24 fd77::1/64  --netem-->  vB 10.77.0.2/24 fd77::2/64  nbB (receiver)
#
# Everything made here is removed again on exit (trap), except with `up`.
# Run as root.  See selftests/workload/README.md.

set -euo pipefail

PROG=${0##*/}
HERE=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)

NS_A=${NB_NS_A:-nbA}
NS_B=${NB_NS_B:-nbB}
IF_A=vA
IF_B=vB
ADDR4_A=10.77.0.1
ADDR4_B=10.77.0.2
ADDR6_A=fd77::1
ADDR6_B=fd77::2
PORT=5201
NETEM="delay 10ms reorder 25% 50%"
NFT_LOSS=
IMPAIR=auto		# auto: netem, else nft loss if netem is missing
OFFLOAD=keep
GRO=keep
FAMILY=4
RCVPRESS=$HERE/rcvpress
DURATION=
ACTION=run
CMD=()
RP_ARGS=()

usage() {
	cat <<EOF
usage: $PROG [options] [run [-- CMD [ARGS...]] | up | down]

  run (default)  set up, run CMD (default: an rcvpress --mode ofo receiver in
                 the receiver namespace and sender in the sender namespace),
                 print the receiver namespace's TcpExt deltas, tear down
  up             set up and leave it in place (no teardown)
  down           tear down what 'up' made

Options:
  -a NAME            sender namespace (default nbA, or \$NB_NS_A)
  -b NAME            receiver namespace (default nbB, or \$NB_NS_B)
  --netem "SPEC"     netem on the sender's veth egress
                     (default "$NETEM")
  --loss PCT         shortcut for --netem "loss PCT%"
  --nft-loss PERMIL  instead of netem: drop PERMIL/1000 of the data packets
                     entering the receiver namespace (nftables; for kernels
                     without sch_netem).  Without --netem/--loss/--nft-loss,
                     netem is tried first and 200/1000 nft loss is the
                     fallback
  --no-impair        neither netem nor loss: a clean veth path (for the
                     collapse and prune modes over veth)
  --offload on|off|keep  sender's TSO and GSO (default keep)
  --gro on|off|keep  receiver's GRO (default keep)
  -6                 default run over IPv6 (fd77::2) instead of IPv4
  -p PORT            port of the default run (default $PORT)
  -d SEC             --duration of the default run
  --rcvpress PATH    rcvpress binary (default: next to this script)
  -h, --help         this text
Extra rcvpress options for the default run go after 'run --rcvpress-args':
  $PROG run --rcvpress-args --segment 4 --read-rate 8K

CMD runs on the host (not in a namespace) with these variables set:
  NB_NS_SND NB_NS_RCV NB_IF_SND NB_IF_RCV NB_ADDR4_SND NB_ADDR4_RCV
  NB_ADDR6_SND NB_ADDR6_RCV NB_PORT
so e.g. 'ip netns exec "\$NB_NS_RCV" ...'.
EOF
}

die() {
	echo "$PROG: $*" >&2
	exit 1
}
bad() {
	echo "$PROG: $*" >&2
	echo "Try '$PROG --help'." >&2
	exit 2
}
say() { echo "$PROG: $*" >&2; }

while [[ $# -gt 0 ]]; do
	case $1 in
	-a) [[ $# -ge 2 ]] || bad "$1 needs a value"; NS_A=$2; shift 2 ;;
	-b) [[ $# -ge 2 ]] || bad "$1 needs a value"; NS_B=$2; shift 2 ;;
	--netem) [[ $# -ge 2 ]] || bad "$1 needs a value"; NETEM=$2; IMPAIR=netem; shift 2 ;;
	--loss)
		[[ $# -ge 2 && $2 =~ ^[0-9]+(\.[0-9]+)?$ ]] || bad "--loss needs a percentage"
		NETEM="loss $2%"; IMPAIR=netem; shift 2 ;;
	--nft-loss)
		[[ $# -ge 2 && $2 =~ ^[0-9]+$ && $2 -le 1000 ]] || bad "--nft-loss needs 0..1000"
		NFT_LOSS=$2; IMPAIR=nft; shift 2 ;;
	--no-impair) IMPAIR=none; shift ;;
	--offload)
		[[ $# -ge 2 && $2 =~ ^(on|off|keep)$ ]] || bad "--offload: on, off or keep"
		OFFLOAD=$2; shift 2 ;;
	--gro)
		[[ $# -ge 2 && $2 =~ ^(on|off|keep)$ ]] || bad "--gro: on, off or keep"
		GRO=$2; shift 2 ;;
	-6) FAMILY=6; shift ;;
	-p)
		[[ $# -ge 2 && $2 =~ ^[0-9]+$ && $2 -ge 1 && $2 -le 65535 ]] || bad "-p needs a port"
		PORT=$2; shift 2 ;;
	-d) [[ $# -ge 2 ]] || bad "$1 needs a value"; DURATION=$2; shift 2 ;;
	--rcvpress) [[ $# -ge 2 ]] || bad "$1 needs a value"; RCVPRESS=$2; shift 2 ;;
	-h | --help) usage; exit 0 ;;
	run | up | down)
		ACTION=$1
		shift
		if [[ $ACTION == run && $# -gt 0 ]]; then
			case $1 in
			--) shift; CMD=("$@"); set -- ;;
			--rcvpress-args) shift; RP_ARGS=("$@"); set -- ;;
			*) bad "after 'run': '-- CMD' or '--rcvpress-args ARGS'" ;;
			esac
		fi
		[[ $# -eq 0 ]] || bad "unexpected argument '$1'"
		;;
	*) bad "unknown argument '$1'" ;;
	esac
done

[[ $(id -u) == 0 ]] || die "needs root"
if [[ $ACTION == run && ${#CMD[@]} -eq 0 && ! -x $RCVPRESS ]]; then
	die "$RCVPRESS not built (make -C $HERE)"
fi
[[ $NS_A != "$NS_B" ]] || bad "the two namespaces need different names"

teardown() {
	ip netns del "$NS_A" 2>/dev/null || true
	ip netns del "$NS_B" 2>/dev/null || true
}

if [[ $ACTION == down ]]; then
	teardown
	exit 0
fi

for ns in "$NS_A" "$NS_B"; do
	if ip netns list | awk '{print $1}' | grep -qx "$ns"; then
		die "namespace $ns exists already (remove it with '$PROG -a $NS_A -b $NS_B down')"
	fi
done

[[ $ACTION == up ]] || trap teardown EXIT
trap 'exit 130' INT TERM

ip netns add "$NS_A"
ip netns add "$NS_B"
A() { ip netns exec "$NS_A" "$@"; }
B() { ip netns exec "$NS_B" "$@"; }
A ip link set lo up
B ip link set lo up
ip link add name "$IF_A" netns "$NS_A" type veth peer name "$IF_B" netns "$NS_B" ||
	die "cannot create the veth pair (CONFIG_VETH?)"
A ip addr add "$ADDR4_A/24" dev "$IF_A"
B ip addr add "$ADDR4_B/24" dev "$IF_B"
A ip -6 addr add "$ADDR6_A/64" dev "$IF_A" nodad
B ip -6 addr add "$ADDR6_B/64" dev "$IF_B" nodad
A ip link set "$IF_A" up
B ip link set "$IF_B" up
# Static neighbour entries: no ARP/ND round trip (a first IPv6 SYN otherwise
# can wait a whole SYN timeout, 1 s, for neighbour discovery).
mac_a=$(A cat "/sys/class/net/$IF_A/address")
mac_b=$(B cat "/sys/class/net/$IF_B/address")
A ip neigh replace "$ADDR4_B" lladdr "$mac_b" dev "$IF_A" nud permanent
B ip neigh replace "$ADDR4_A" lladdr "$mac_a" dev "$IF_B" nud permanent
A ip -6 neigh replace "$ADDR6_B" lladdr "$mac_b" dev "$IF_A" nud permanent
B ip -6 neigh replace "$ADDR6_A" lladdr "$mac_a" dev "$IF_B" nud permanent

if [[ $OFFLOAD != keep ]]; then
	command -v ethtool >/dev/null || die "--offload needs ethtool"
	A ethtool -K "$IF_A" tso "$OFFLOAD" gso "$OFFLOAD" >/dev/null ||
		die "ethtool -K $IF_A tso/gso $OFFLOAD failed"
fi
if [[ $GRO != keep ]]; then
	command -v ethtool >/dev/null || die "--gro needs ethtool"
	B ethtool -K "$IF_B" gro "$GRO" >/dev/null || die "ethtool -K $IF_B gro $GRO failed"
fi

add_netem() {
	# shellcheck disable=SC2086 # NETEM is a list of tc words
	A tc qdisc add dev "$IF_A" root netem $NETEM 2>/dev/null && return 0
	modprobe -q sch_netem 2>/dev/null || true
	# shellcheck disable=SC2086
	A tc qdisc add dev "$IF_A" root netem $NETEM 2>/dev/null
}

add_nft_loss() {
	command -v nft >/dev/null || die "nft not found (install nftables)"
	# Drop data-carrying packets towards the receiver port, never SYNs.
	B nft -f - <<EOF || die "nft rules failed"
table inet nbofo {
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		tcp dport $PORT tcp flags & syn == 0 meta length > 100 numgen random mod 1000 < $NFT_LOSS drop
	}
}
EOF
}

case $IMPAIR in
none)
	IMPAIR_DESC="no impairment"
	;;
netem)
	add_netem || die "tc qdisc add dev $IF_A root netem $NETEM failed (sch_netem missing?)"
	IMPAIR_DESC="netem $NETEM on $NS_A/$IF_A"
	;;
nft)
	add_nft_loss
	IMPAIR_DESC="nft loss $NFT_LOSS/1000 into $NS_B"
	;;
auto)
	if add_netem; then
		IMPAIR_DESC="netem $NETEM on $NS_A/$IF_A"
	else
		say "netem unavailable (no sch_netem in this kernel): using nftables loss instead"
		NFT_LOSS=200
		add_nft_loss
		IMPAIR_DESC="nft loss $NFT_LOSS/1000 into $NS_B (netem unavailable)"
	fi
	;;
esac
offl=$(A ethtool -k "$IF_A" 2>/dev/null |
	awk '/^tcp-segmentation-offload:/ {t=$2} /^generic-segmentation-offload:/ {g=$2}
	     END {if (t != "") printf "tso=%s gso=%s", t, g}')
say "$NS_A/$IF_A -> $NS_B/$IF_B: $IMPAIR_DESC; sender ${offl:-offloads unknown}"

export NB_NS_SND=$NS_A NB_NS_RCV=$NS_B NB_IF_SND=$IF_A NB_IF_RCV=$IF_B
export NB_ADDR4_SND=$ADDR4_A NB_ADDR4_RCV=$ADDR4_B
export NB_ADDR6_SND=$ADDR6_A NB_ADDR6_RCV=$ADDR6_B NB_PORT=$PORT

if [[ $ACTION == up ]]; then
	say "left in place; remove with: $PROG -a $NS_A -b $NS_B down"
	exit 0
fi

if [[ ${#CMD[@]} -gt 0 ]]; then
	set +e
	"${CMD[@]}"
	exit $?
fi

# Default run: receiver in NS_B, sender in NS_A, deltas of NS_B.
if [[ $FAMILY == 6 ]]; then
	dst="[$ADDR6_B]:$PORT"
else
	dst="$ADDR4_B:$PORT"
fi
dargs=()
[[ -n $DURATION ]] && dargs=(--duration "$DURATION")
set +e
B "$RCVPRESS" --mode ofo --listen "$dst" --wait 5 "${dargs[@]}" "${RP_ARGS[@]}" &
rx_pid=$!
A "$RCVPRESS" --mode ofo --connect "$dst" "${dargs[@]}" "${RP_ARGS[@]}"
tx_rc=$?
wait "$rx_pid"
rx_rc=$?
say "sender exit $tx_rc, receiver exit $rx_rc"
[[ $tx_rc == 0 && $rx_rc == 0 ]]
