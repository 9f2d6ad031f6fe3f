#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# End to end, in a guest (make check-fleet): the netbuf package from
# build/deb (the tool and the collector; the module is make vmbuild's, so
# that this test does not wait for a second DKMS build: 10-deb-roundtrip
# covers that), the packaged collector writing the textfile every second,
# Debian's prometheus-node-exporter with its default textfile directory and
# Debian's prometheus scraping it every second with netbuf.rules.yml (each
# alert's "for" cut to 0s; thresholds and ranges as shipped), the collapse
# and prune workloads over lo. Then through Prometheus' HTTP API: the
# counters equal netbuf show -j once the workload has stopped, and a
# counter that never stands still (backlog NAPI polls) lies between two
# netbuf readings taken around the query; histogram_quantile(0.99) lands
# in the same log2 bucket as netbuf's p99; NetbufPruneDrops fires for lo
# and NetbufDown does not.
. "$(dirname "$0")/../lib/ktap.sh"
. "$(dirname "$0")/../lib/netbuf.sh"
. "$(dirname "$0")/lib.sh"

ktap_header
ktap_plan 15
PQ=$NB_REPO/selftests/fleet/promq.py
PROM=http://127.0.0.1:9090
work=/tmp/fleet-e2e
[ "$(id -u)" = 0 ] || fleet_bail "needs root"
ver=$(fleet_version "$FLEET_DEB")
[ -n "$ver" ] || fleet_bail "no packages in $FLEET_DEB (make deb)"
for t in prometheus prometheus-node-exporter promtool python3; do
	command -v $t >/dev/null || fleet_bail "no $t (scripts/install-deps.sh)"
done
[ -x "$NB_RCVPRESS" ] || fleet_bail "no $NB_RCVPRESS (make -C selftests/workload)"
[ -d "$FLEET_TEXTDIR" ] || fleet_bail "no $FLEET_TEXTDIR"
t0=$SECONDS
pids=
cleanup() {
	local p
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT

[ -f "$NB_KO" ] || fleet_bail "no $NB_KO (make vmbuild)"
fleet_clean
s=$SECONDS
apt-get install "${FLEET_APT[@]}" "$FLEET_DEB"/netbuf_"$ver"_*.deb >/tmp/apt-install.log 2>&1 ||
	sed 's/^/# /' /tmp/apt-install.log | tail -n 40
ktap_eq "apt-get install of the netbuf package ($((SECONDS - s)) s)" "$(dpkg-query -W -f='${Version}' netbuf)" "$ver"
ktap_check "load netbuf ($NB_KO)" nb_load

# The collector as packaged, every second (no systemd in the guest).
( while :; do /usr/libexec/netbuf/netbuf-textfile; sleep 1; done ) &
pids="$pids $!"
# Debian's node exporter: textfile directory as installed (its default).
prometheus-node-exporter --web.listen-address=127.0.0.1:9100 \
	--collector.disable-defaults --collector.textfile >/tmp/node-exporter.log 2>&1 &
pids="$pids $!"

mkdir -p $work/data
sed 's/^\( *for:\).*/\1 0s/' "$NB_REPO/monitoring/prometheus/netbuf.rules.yml" >$work/netbuf.rules.yml
cat >$work/prometheus.yml <<EOT
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - $work/netbuf.rules.yml
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:9100']
  - job_name: prometheus
    static_configs:
      - targets: ['127.0.0.1:9090']
EOT
ktap_check "promtool check config" promtool check config $work/prometheus.yml
prometheus --config.file=$work/prometheus.yml --storage.tsdb.path=$work/data \
	--web.listen-address=127.0.0.1:9090 >/tmp/prometheus.log 2>&1 &
pids="$pids $!"
s=$SECONDS
until "$PQ" $PROM ready 2>/dev/null; do
	[ $((SECONDS - s)) -lt 180 ] || break
	sleep 1
done
ktap_info "prometheus ready after $((SECONDS - s)) s"
# up{job="node"} and netbuf_up, both 1, through a scrape.
s=$SECONDS
until [ "$("$PQ" $PROM query 'netbuf_up == 1 and on(instance) up == 1' 2>/dev/null | wc -l)" = 1 ]; do
	[ $((SECONDS - s)) -lt 120 ] || break
	sleep 1
done
ktap_eq "Prometheus scrapes node_exporter, which serves netbuf_up 1 ($((SECONDS - s)) s)" \
	"$("$PQ" $PROM query 'netbuf_up' 2>&1 | awk '{ print $2 }')" 1

# The workload over lo, in the initial namespace (the one exported).
"$NB_RCVPRESS" --mode collapse -d 5 | sed 's/^/# /'
"$NB_RCVPRESS" --mode prune -d 5 | sed 's/^/# /'
sleep 0.2
# Wait until Prometheus has the counters the file now holds: the collector
# runs every second and Prometheus scrapes every second.
/usr/sbin/netbuf show -j -z >$work/show0.json
want=$(python3 -c 'import json,sys; r=[x for x in json.load(open(sys.argv[1]))["rcvbuf"] if x["iface"]=="lo"][0]; print(r["prune_calls"])' $work/show0.json)
s=$SECONDS
until [ "$("$PQ" $PROM query 'netbuf_prune_calls_total{iface="lo"}' 2>$work/wait.err | awk '{ print $2 }')" = "$want" ]; do
	[ $((SECONDS - s)) -lt 30 ] || break
	sleep 1
done
ktap_info "Prometheus had lo's prune_calls $want after $((SECONDS - s)) s$(sed 's/^/; last query error: /' $work/wait.err)"
/usr/sbin/netbuf show -j -z >$work/show1.json
"$PQ" $PROM query '{__name__=~"netbuf_.*_total",iface=~"lo|backlog"}' >$work/prom.txt 2>$work/prom.txt.err
"$PQ" $PROM query 'histogram_quantile(0.99, netbuf_collapse_duration_seconds_bucket{iface="lo"})' >$work/coll_p99.txt 2>$work/coll_p99.txt.err
"$PQ" $PROM query 'histogram_quantile(0.99, netbuf_prune_duration_seconds_bucket{iface="lo"})' >$work/prune_p99.txt 2>$work/prune_p99.txt.err
/usr/sbin/netbuf show -j -z >$work/show2.json
for f in prom.txt coll_p99.txt prune_p99.txt; do
	ktap_info "$f: $(wc -l <$work/$f) lines, first: $(head -n 1 $work/$f)$(sed 's/^/; error: /' $work/$f.err)"
done

# compare: print "name prom netbuf_before netbuf_after" per counter.
python3 - $work >$work/compare.txt <<'EOP'
import json, re, sys
w = sys.argv[1]
s1 = json.load(open(w + "/show1.json"))
s2 = json.load(open(w + "/show2.json"))
prom = {}
for line in open(w + "/prom.txt"):
    lab, val = line.rsplit(" ", 1)
    m = dict(re.findall(r'(\w+)="([^"]*)"', lab))
    prom[(m["__name__"], m["iface"])] = (val.strip(), m)
rc = {"collapse_calls_total": "coll_calls", "collapse_skbs_total": "coll_skbs",
      "prune_calls_total": "prune_calls", "prune_drop_total": "prune_drop",
      "prune_noop_total": "prune_noop", "prune_collapse_total": "prune_collapse",
      "prune_ofo_total": "prune_ofo", "ofo_prune_calls_total": "ofo_calls",
      "ofo_prune_segments_total": "ofo_segs"}
def row(doc, table, iface):
    return [r for r in doc[table] if r["iface"] == iface][0]
for p, j in rc.items():
    v, m = prom.get(("netbuf_" + p, "lo"), ("missing", {}))
    print("lo", p, v, row(s1, "rcvbuf", "lo")[j], row(s2, "rcvbuf", "lo")[j],
          m.get("netns") == s1["netns"])
v, m = prom.get(("netbuf_napi_polls_total", "backlog"), ("missing", {}))
print("backlog", "napi_polls_total", v, row(s1, "napi", "backlog")["polls"],
      row(s2, "napi", "backlog")["polls"], True)
for k, f in (("coll", "coll_p99.txt"), ("prune", "prune_p99.txt")):
    lines = open(w + "/" + f).read().split()
    print("p99", k, lines[-1] if lines else "missing", row(s1, "rcvbuf", "lo")[k + "_p99_ns"], "-", True)
EOP
sed 's/^/# /' $work/compare.txt

# Counters of lo: equal, and netbuf itself did not move between its reads.
bad=$(awk '$1 == "lo" && !($3 == $4 && $4 == $5 && $6 == "True")' $work/compare.txt)
ktap_eq "lo's rcvbuf counters in Prometheus = netbuf show -j (9 counters, netns label too)" "$bad" ""
ktap_check "the workload collapsed, pruned and dropped on lo" \
	awk '$1 == "lo" && ($2 == "collapse_calls_total" || $2 == "prune_drop_total") { if ($3 + 0 <= 0) exit 1 }' $work/compare.txt
# Backlog polls never stand still (the scrapes are loopback traffic): the
# value Prometheus had is at most one scrape old, so no later than the
# second netbuf reading and no earlier than one taken 3 s before the first.
read -r _ _ bp b1 b2 _ < <(grep '^backlog ' $work/compare.txt)
b0=$(python3 -c 'import json,sys; print([r for r in json.load(open(sys.argv[1]))["napi"] if r["iface"]=="backlog"][0]["polls"])' $work/show0.json)
ktap_info "backlog napi_polls: netbuf $b0 (earlier), $b1, Prometheus $bp, netbuf $b2"
ktap_check "backlog napi_polls_total in Prometheus lies between two netbuf readings" \
	python3 -c "import sys; sys.exit(not ($b0 <= float('$bp') <= $b2))"

# p99: the log2 bucket of each. A Prometheus bucket le=2^j ns holds
# (2^(j-1), 2^j], netbuf's bucket k holds [2^k, 2^(k+1)).
bucket_cmp() {
	python3 - "$1" "$2" <<'EOP'
import math, sys
prom, nb = float(sys.argv[1]), int(sys.argv[2])
p = round(prom * 1e9)
pb, nbk = (p - 1).bit_length() - 1, nb.bit_length() - 1
print("prometheus %d ns (bucket 2^%d), netbuf %d ns (bucket 2^%d)" % (p, pb, nb, nbk))
sys.exit(0 if pb == nbk else 1)
EOP
}
for k in coll prune; do
	read -r _ _ pv nv _ < <(grep "^p99 $k " $work/compare.txt)
	msg=$(bucket_cmp "$pv" "$nv" 2>&1)
	ktap_check "$k p99: histogram_quantile(0.99) in netbuf's log2 bucket: $msg" bucket_cmp "$pv" "$nv"
done

# Alerts: NetbufPruneDrops fires for lo; NetbufDown does not fire at all.
s=$SECONDS
until "$PQ" $PROM alerts 2>/dev/null | grep -q '^NetbufPruneDrops firing .*iface="lo"'; do
	[ $((SECONDS - s)) -lt 60 ] || break
	sleep 1
done
"$PQ" $PROM alerts 2>&1 | sed 's/^/# alert: /'
ktap_check "NetbufPruneDrops firing for lo at /api/v1/alerts ($((SECONDS - s)) s)" \
	bash -c "'$PQ' $PROM alerts | grep -q '^NetbufPruneDrops firing .*iface=\"lo\"'"
alerts=$("$PQ" $PROM alerts)
ktap_eq "the alerts API answers, and NetbufDown is not among the alerts" "$?/$(echo "$alerts" | grep -c '^NetbufDown ')" 0/0
ktap_eq "node_exporter read the textfile without error" \
	"$("$PQ" $PROM query 'node_textfile_scrape_error' | awk '{ print $2 }')" 0

# Module gone: netbuf_up 0 through the same path.
nb_unload
s=$SECONDS
until [ "$("$PQ" $PROM query 'netbuf_up' 2>/dev/null | awk '{ print $2 }')" = 0 ]; do
	[ $((SECONDS - s)) -lt 30 ] || break
	sleep 1
done
ktap_eq "after rmmod: netbuf_up 0 in Prometheus, no netbuf counters ($((SECONDS - s)) s)" \
	"$("$PQ" $PROM query 'netbuf_up' | awk '{ print $2 }')/$("$PQ" $PROM query 'count(netbuf_collapse_calls_total)' | wc -l)" "0/0"
ktap_check "NetbufDown fires" bash -c "sleep 3; '$PQ' $PROM alerts | grep -q '^NetbufDown firing'"
cleanup
pids=
apt-get purge "${FLEET_APT[@]}" netbuf >/tmp/apt-purge.log 2>&1
ktap_eq "apt-get purge" "$?" 0
ktap_info "the whole test took $((SECONDS - t0)) s"
ktap_finished
