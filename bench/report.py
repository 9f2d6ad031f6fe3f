#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/report.py RESULTS: the table of `make bench` from the raw numbers
bench/run-guest.sh wrote (bench/README.md explains how to read it).

Exit status 0 whenever the results could be read, whatever the targets say;
1 when the file is missing or holds no run at all.
"""
import random
import shlex
import statistics as st
import sys
from collections import defaultdict

USER_HZ = 100  # /proc/stat ticks per second (Debian kernels)
CFGS = ("none", "netbuf", "bpftrace")
TPUT = (
    ("veth", "veth: iperf3, GRO on at rx, TSO/GSO off at tx"),
    ("virtio", "virtio_net: iperf3 eth0 -> eth1"),
    ("slow", "slow path: nbload, slow reader, no prune"),
)
HOOKS = ("collapse", "prune", "ofo_prune", "napi", "napi_time", "collapse_skb", "ofo_drop", "ep_timer")
KMALLOC = (8, 16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096, 8192)


def parse(path):
    recs = []
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                words = shlex.split(line)
            except ValueError:
                words = line.split()
            tag, kv, bare = words[0], {}, []
            for w in words[1:]:
                if "=" in w:
                    k, v = w.split("=", 1)
                    kv[k] = v
                else:
                    bare.append(w)
            recs.append((tag, kv, bare))
    return recs


def num(v, default=None):
    try:
        return float(v)
    except (TypeError, ValueError):
        return default


def quart(xs):
    """min, q1, median, q3, max of a non-empty list."""
    xs = sorted(xs)
    med = st.median(xs)
    if len(xs) >= 4:
        q = st.quantiles(xs, n=4, method="inclusive")
        q1, q3 = q[0], q[2]
    else:
        q1, q3 = xs[0], xs[-1]
    return xs[0], q1, med, q3, xs[-1]


def boot(samples, fn, reps=2000):
    """5th and 95th percentile of fn over bootstrap resamples of each list
    in samples (a dict), seeded: the same results give the same interval."""
    rng = random.Random(8)
    keys = list(samples)
    out = []
    for _ in range(reps):
        rs = {k: [rng.choice(samples[k]) for _ in samples[k]] for k in keys}
        v = fn(rs)
        if v is not None:
            out.append(v)
    if len(out) < reps / 2:
        return None
    out.sort()
    return out[int(0.05 * len(out))], out[int(0.95 * len(out)) - 1]


def fmt_rate(xs):
    if not xs:
        return "-"
    lo, q1, med, q3, hi = quart(xs)
    return f"{med:7.1f} [{lo:.0f}-{hi:.0f}] IQR {q3 - q1:.0f} n={len(xs)}"


def fmt_ns(ns):
    if ns is None:
        return "-"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} us"
    return f"{ns:.0f} ns"


def pct(x):
    return "-" if x is None else f"{x * 100:.2f}%"


def main():
    if len(sys.argv) != 2:
        print("usage: report.py RESULTS", file=sys.stderr)
        return 2
    try:
        recs = parse(sys.argv[1])
    except OSError as e:
        print(f"report: {e}", file=sys.stderr)
        return 1

    meta, mem, memgrow, stop, end = {}, {}, {}, {}, {}
    memslab, mempercpu = {}, {}
    runs, timing, napi, rcvbuf, disp, btstart, btstop = [], [], [], [], [], [], []
    tpdisp = []
    bttiming, irqs, clock = [], [], []
    fatal = []
    for tag, kv, bare in recs:
        if tag == "meta":
            meta = kv
        elif tag == "mem":
            mem.update(kv)
        elif tag == "memgrow":
            memgrow = kv
        elif tag == "memslab" and bare:
            memslab[bare[0]] = kv
        elif tag == "mempercpu":
            mempercpu = kv
        elif tag == "run":
            runs.append(kv)
        elif tag == "timing":
            timing.append(kv)
        elif tag == "bttiming" and "prog" in kv:
            bttiming.append(kv)
        elif tag == "irq":
            irqs.append(bare)
        elif tag == "napi":
            napi.append(kv)
        elif tag == "rcvbuf":
            rcvbuf.append(kv)
        elif tag == "clock" and "ns" in kv:
            clock.append(num(kv["ns"], 0))
        elif tag == "dispatch" and "base_ns" in kv:
            disp.append(kv)
        elif tag == "tpdispatch" and "base_ns" in kv:
            tpdisp.append(kv)
        elif tag == "btstart":
            btstart.append(num(kv.get("ms"), 0) / 1000)
        elif tag == "btstop":
            btstop.append(num(kv.get("ms"), 0) / 1000)
        elif tag == "stop":
            stop = kv
        elif tag == "end":
            end = kv
        elif tag == "fatal":
            fatal.append(" ".join(bare) + " " + " ".join(f"{k}={v}" for k, v in kv.items()))

    kver = meta.get("kver", "?")
    bench_runs = [r for r in runs if r.get("round", "").isdigit()]
    trun = [r for r in runs if r.get("round", "").startswith("T")]
    rounds = sorted({int(r["round"]) for r in bench_runs if r.get("round", "").isdigit()})

    print(f"== netbuf bench: {kver} ({meta.get('cpus', '?')} vCPUs, qemu TCG), "
          f"{len(rounds)} double round(s) of N M B B M N, {meta.get('secs', '?')} s runs, "
          f"stop: {stop.get('reason', 'incomplete')}, guest time {end.get('elapsed', '?')} s"
          f"{', QUICK' if meta.get('quick') == '1' else ''}")
    for f in fatal:
        print(f"!! the guest script failed: {f}")
    nfail = sum(1 for r in runs if r.get("round", "").isdigit() and r.get("wl") != "collapse"
                and (num(r.get("mbps")) is None or num(r.get("mbps")) <= 0))
    print(f"failed runs (no throughput; counted, left out of the medians): {nfail} of "
          f"{sum(1 for r in runs if r.get('round', '').isdigit() and r.get('wl') != 'collapse')}")
    if not bench_runs and not trun:
        print("no runs recorded")
        return 1

    # ---- throughput ----
    vals = defaultdict(list)            # (wl, cfg) -> [mbps]
    per_round = defaultdict(list)       # (wl, cfg, round) -> [mbps]
    for r in bench_runs:
        m = num(r.get("mbps"))
        if m is None or m <= 0:
            continue
        vals[r["wl"], r["cfg"]].append(m)
        per_round[r["wl"], r["cfg"], int(r["round"])].append(m)

    def ratio(wl, cfg):
        a, b = vals.get((wl, cfg)), vals.get((wl, "none"))
        if not a or not b:
            return None
        return st.median(a) / st.median(b)

    def ratio_ci(wl, cfg):
        # Resample whole double rounds (N M B B M N), so that each run of
        # cfg stays paired with the runs of none it was mirrored with.
        rds = [rd for rd in rounds
               if per_round.get((wl, cfg, rd)) and per_round.get((wl, "none", rd))]
        if len(rds) < 2:
            return None

        def fn(r):
            a = [m for rd in r["rd"] for m in per_round[wl, cfg, rd]]
            b = [m for rd in r["rd"] for m in per_round[wl, "none", rd]]
            return st.median(a) / st.median(b)
        return boot({"rd": rds}, fn)

    def round_ratios(wl, cfg):
        out = []
        for rd in rounds:
            a, b = per_round.get((wl, cfg, rd)), per_round.get((wl, "none", rd))
            if a and b:
                out.append(st.mean(a) / st.mean(b))
        return out

    print()
    print("Throughput, Mbit/s: median [min-max] IQR n   (only ratios within this one guest run count)")
    print(f"  {'workload':<46} {'none':<32} {'netbuf':<32} {'bpftrace':<32}")
    for wl, label in TPUT:
        print(f"  {label:<46} " + " ".join(f"{fmt_rate(vals.get((wl, c), [])):<32}" for c in CFGS))
    print()
    print("Ratios to none: median/median with a bootstrap 90% interval; per double round (mean/mean within"
          " the round): median [min-max]")
    print(f"  {'workload':<9} {'netbuf/none':>11} {'90% interval':>15} {'per round':>23}  "
          f"{'bpftrace/none':>13} {'90% interval':>15} {'per round':>23}")
    for wl, _ in TPUT:
        cells = []
        for cfg in ("netbuf", "bpftrace"):
            rr = round_ratios(wl, cfg)
            rtxt = (f"{st.median(rr):.3f} [{min(rr):.3f}-{max(rr):.3f}]" if rr else "-")
            x, ci = ratio(wl, cfg), ratio_ci(wl, cfg)
            cells.append((f"{x:.3f}" if x else "-", f"{ci[0]:.3f}-{ci[1]:.3f}" if ci else "-", rtxt))
        print(f"  {wl:<9} {cells[0][0]:>11} {cells[0][1]:>15} {cells[0][2]:>23}  "
              f"{cells[1][0]:>13} {cells[1][1]:>15} {cells[1][2]:>23}")

    # slow-path workload: does the hook fire on most segments, and no prune?
    slow = [r for r in runs if r.get("wl") == "slow"]
    sn = [r for r in slow if r.get("cfg") in ("netbuf", "timing") and num(r.get("segs"), 0) > 0]
    if sn:
        frac = [num(r["hook_hits"], 0) / num(r["segs"]) for r in sn]
        pc = sum(num(r.get("prune_called"), 0) for r in slow)
        segs = sum(num(r.get("segs"), 0) for r in slow)
        print(f"  slow path check: prune hook hits / segments received = {st.median(frac) * 100:.0f}% "
              f"(median of {len(frac)} runs with netbuf, [{min(frac) * 100:.0f}-{max(frac) * 100:.0f}%]); "
              f"PruneCalled {pc:.0f} over {segs:.0f} segments in all slow runs")

    # ---- self timing ----
    ns_hit = defaultdict(list)     # (wl, hook) -> [ns per hit], one per timing run
    hits_run = defaultdict(list)
    missed = defaultdict(float)
    for t in timing:
        h, s = num(t.get("hits"), 0), num(t.get("self_ns"), 0)
        key = (t["wl"], t["hook"])
        missed[key] += num(t.get("nmissed"), 0)
        if h > 0:
            ns_hit[key].append(s / h)
            hits_run[key].append(h)

    def nsh(wl, hook, how=st.median):
        xs = ns_hit.get((wl, hook))
        return how(xs) if xs else None

    # napi_time per NAPI poll: its hits are softirq entries (all of them,
    # napi_timing=softirq) or __napi_poll entries (kprobe): self_ns over the
    # napi tracepoint's hits of the same run is the cost per poll either way.
    tbyrun = defaultdict(dict)
    for t in timing:
        tbyrun[t["n"], t["wl"]][t["hook"]] = t
    time_per_poll = defaultdict(list)
    for (n, wl), hk in tbyrun.items():
        a, b = hk.get("napi"), hk.get("napi_time")
        if a and b and num(a.get("hits"), 0) > 0:
            time_per_poll[wl].append(num(b.get("self_ns"), 0) / num(a.get("hits")))
    ttype = {t["hook"]: t.get("type") for t in timing if t.get("type")}
    NKP = {"kprobe": 1, "kretprobe": 2, "tracepoint": 0, "timer": 0}

    print()
    ntim = len({t["n"] for t in timing})
    print(f"Self-timing (timing=1): ns inside netbuf's handler per hit = self_ns/hits; "
          f"median [min] over {ntim} timing run(s) per workload")
    print("  (timing runs pinned to CPU 0, IRQs too; includes about one local_clock() read of the timing itself; excludes the kprobe/ftrace dispatch."
          " The guest's two vCPUs share one host thread (TCG thread=single): a switch to the other vCPU inside"
          " a handler adds its whole time slice to self_ns, so a run's total can jump; the minimum over runs is"
          " the least disturbed figure and is the one used below)")
    wls = ("veth", "virtio", "slow", "collapse", "collapse_nolog")
    print(f"  {'hook':<10} " + " ".join(f"{w:>22}" for w in wls))
    for hook in HOOKS:
        cells = []
        for w in wls:
            xs = ns_hit.get((w, hook))
            if not xs:
                cells.append(f"{'-':>22}")
                continue
            cells.append(f"{st.median(xs):>9.0f} [{min(xs):>5.0f}] x{st.median(hits_run[w, hook]):>5.0f}")
        print(f"  {hook:<10} " + " ".join(cells))
    print("  (x N = hits per 2 s run; nmissed over all timing runs: " +
          ", ".join(f"{h} {sum(v for (w, hh), v in missed.items() if hh == h):.0f}" for h in HOOKS) + ")")

    # kprobe dispatch yardstick: the fastest loop of each kind is the one the
    # host disturbed least.
    dispatch = None
    if disp:
        bs = [num(d["base_ns"], 0) for d in disp]
        ks = [num(d["kprobe_ns"], 0) for d in disp]
        dd = [k - b for k, b in zip(ks, bs)]
        dispatch = min(ks) - min(bs)
        if dispatch <= 0:
            dispatch = st.median(dd)
        how = {"soft_disabled": "an armed, soft-disabled tracefs kprobe event",
               "false_filter": "an enabled tracefs kprobe event (false filter)"}.get(
                   disp[0].get("mode", "false_filter"), "a tracefs kprobe event")
        print(f"  kprobe dispatch yardstick: getppid() fastest {min(bs):.0f} ns bare, {min(ks):.0f} ns with "
              f"{how} on it: +{dispatch:.0f} ns per hit "
              f"(paired differences over {len(dd)} alternations: median {st.median(dd):.0f}, "
              f"[{min(dd):.0f}..{max(dd):.0f}])")

    # tracepoint dispatch yardstick (bench/tpyard): a tracepoint with one
    # empty probe, as netbuf's tracepoint handlers are called; per hit.
    tpd = None
    if tpdisp:
        lp = [num(d.get("loops"), 1) for d in tpdisp]
        bs = [num(d["base_ns"], 0) / n for d, n in zip(tpdisp, lp)]
        ts = [num(d["tp_ns"], 0) / n for d, n in zip(tpdisp, lp)]
        dd = [t_ - b_ for t_, b_ in zip(ts, bs)]
        tpd = min(ts) - min(bs)
        if tpd <= 0:
            tpd = max(st.median(dd), 0)
        print(f"  tracepoint dispatch yardstick: a loop of {lp[0]:.0f} hits of tpyard's tracepoint, fastest "
              f"{min(bs):.1f} ns per hit bare, {min(ts):.1f} ns with one empty probe: +{tpd:.1f} ns per hit "
              f"(paired differences over {len(dd)} alternations: median {st.median(dd):.1f}, "
              f"[{min(dd):.1f}..{max(dd):.1f}])")
    else:
        print("  tracepoint dispatch yardstick: not measured (no tpyard.ko): tracepoint hits count 0 ns of dispatch")
    TD = tpd or 0

    # ---- bpftrace's programs, same measure ----
    PROG = {"tcp_collapse": "collapse", "tcp_try_rmem_sc": "prune",
            "napi_poll": "napi", "__napi_poll": "napi_time", "softirq_entry": "napi_time"}
    bt_ns = defaultdict(list)      # (wl, hook) -> [ns per event]
    for b in bttiming:
        hook = PROG.get(b["prog"])
        runs_, ns_ = num(b.get("runs"), 0), num(b.get("run_ns"), 0)
        if not hook or runs_ <= 0:
            continue
        ev = runs_ / 2 if hook == "collapse" else runs_   # entry + return program
        bt_ns[b["wl"], hook].append(ns_ / ev)
    HOT = (("collapse", "collapse"), ("prune", "slow"), ("napi", "veth"), ("napi", "virtio"),
           ("napi_time", "veth"), ("napi_time", "virtio"))
    direct2 = []
    if bt_ns:
        nbt = len({b["n"] for b in bttiming})
        print()
        print(f"Measuring code per event, netbuf vs bpftrace (no dispatch in either; median [min] ns; "
              f"bpftrace from kernel.bpf_stats_enabled over {nbt} run(s)):")
        print(f"  {'hook':<10} {'workload':<9} {'netbuf handler':>16} {'bpftrace program':>18} {'ratio of minima':>16}")
        for hook, wl in HOT:
            a, b = ns_hit.get((wl, hook)), bt_ns.get((wl, hook))
            if not a or not b:
                continue
            ma, mb = min(a), min(b)
            direct2.append((hook, wl, ma, mb))
            print(f"  {hook:<10} {wl:<9} {st.median(a):>8.0f} [{ma:>5.0f}] {st.median(b):>10.0f} [{mb:>5.0f}] "
                  f"{ma / mb:>16.2f}")
        print("  (collapse: entry + return together, per tcp_collapse call; bpftrace's tracepoint and kprobes also"
              " pay more dispatch than netbuf's: perf event + BPF run vs a direct probe call)")

    # ---- per-event costs ----
    print()
    print("Per-event cost, netbuf's handlers (minimum over the timing runs) against the event they measure"
          " (median):")

    def napi_dev(wl, dev):
        rows = [n for n in napi if n["wl"] == wl and n["dev"] == dev and num(n.get("polls"), 0) > 0]
        if not rows:
            return None
        # the poll's own duration is wall-clock too: the same vCPU switches
        # inflate it, so its median is set against the handlers' minimum
        per_poll = st.median([num(n["poll_ns"], 0) / num(n["polls"]) for n in rows])
        pkts = st.median([num(n["packets"], 0) / num(n["polls"]) for n in rows])
        return per_poll, pkts

    per_poll_nb = {}
    for wl, dev, label in (("veth", "b0", "NAPI poll, veth b0"), ("virtio", "eth1", "NAPI poll, virtio eth1"),
                           ("slow", "backlog", "NAPI poll, backlog (slow: veth GRO off)"),
                           ("collapse", "backlog", "NAPI poll, backlog (loopback, collapse)")):
        d = napi_dev(wl, dev)
        a = nsh(wl, "napi", min)
        b = min(time_per_poll[wl]) if time_per_poll.get(wl) else None
        if not d or a is None or b is None:
            continue
        h = a + b
        per_poll_nb[wl] = h
        kd = TD + (TD if ttype.get("napi_time") == "tracepoint" else (dispatch or 0))
        extra = f"; + dispatch ~{kd:.0f} ns -> {pct((h + kd) / d[0])}" if kd else \
            " (dispatch not measured)"
        print(f"  {label:<40} poll {fmt_ns(d[0]):>10} ({d[1]:.1f} pkts); netbuf {fmt_ns(h)} "
              f"(napi {a:.0f} + napi_time {b:.0f} per poll) = {pct(h / d[0])} of a poll{extra}")
    coll = [r for r in rcvbuf if r["wl"] == "collapse" and num(r.get("coll_calls"), 0) > 0]
    if coll:
        cdur = st.median([num(r["coll_ns"]) / num(r["coll_calls"]) for r in coll])
        c, cn = nsh("collapse", "collapse", min), nsh("collapse_nolog", "collapse", min)
        cmed = nsh("collapse", "collapse")
        pr = nsh("collapse", "prune", min)
        if c is not None:
            print(f"  {'collapse (tcp_collapse, lo)':<40} call {fmt_ns(cdur):>10}; netbuf {fmt_ns(c)} per call "
                  f"(entry+return; median {fmt_ns(cmed)}) = {pct(c / cdur)}"
                  + (f"; with the event log off {fmt_ns(cn)} = {pct(cn / cdur)}" if cn is not None else "")
                  + (f"; + 2 kprobe dispatches ~{2 * dispatch:.0f} ns" if dispatch else ""))
        if pr is not None:
            print(f"  {'prune hook, collapse workload':<40} {fmt_ns(pr)} per tcp_try_rmem_schedule call")
    ps = nsh("slow", "prune", min)
    if ps is not None:
        print(f"  {'prune hook, slow path (no prune)':<40} {fmt_ns(ps)} per call (median {fmt_ns(nsh('slow', 'prune'))})"
              + (f"; + kprobe dispatch ~{dispatch:.0f} ns" if dispatch else ""))

    # ---- direct share of CPU: everything netbuf's (bpftrace's) code took in a
    # run, over the guest's busy time in that run; both from pinned runs.
    NDISP = {"collapse": 2, "prune": 1, "ofo_prune": 2, "napi": 0, "napi_time": 1}
    BDISP = {"tcp_collapse": 1, "tcp_try_rmem_sc": 1, "__napi_poll": 1, "napi_poll": 0,
             "softirq_entry": 0}
    BTP = ("napi_poll", "softirq_entry")
    D = dispatch or 0

    def disp_ns(ptype, hook):
        # per hit: kprobe yardstick per kprobe (two for a kretprobe), the
        # tracepoint yardstick per tracepoint hit, nothing for the timer
        # (its self_ns is all netbuf's work there)
        if ptype == "tracepoint":
            return TD
        return NKP.get(ptype, NDISP.get(hook, 0)) * D

    def busy_of(rows, tag, n, wl):
        for r in rows:
            if r.get("round") == f"{tag}{n}" and r.get("wl") == wl:
                return num(r.get("busy_ticks"), 0) * 1e9 / USER_HZ
        return 0

    # the timing's own clock read per hit, as the module measured it
    CLK = st.median(clock) if clock else 0
    share_nb = defaultdict(list)    # wl -> [(handlers, +dispatch, +dispatch -clock)]
    share_bt = defaultdict(list)
    per = defaultdict(lambda: [0.0, 0.0, 0.0])
    for t in timing:
        k = (t["n"], t["wl"])
        h = num(t.get("hits"), 0)
        per[k][0] += num(t.get("self_ns"), 0)
        per[k][1] += h * disp_ns(t.get("type"), t["hook"])
        per[k][2] += h * CLK
    for (n, wl), (hs, ds, cs) in per.items():
        b = busy_of(trun, "T", n, wl)
        if b > 0:
            share_nb[wl].append((hs / b, (hs + ds) / b, max(0.0, hs - cs + ds) / b))
    perb = defaultdict(lambda: [0.0, 0.0])
    for b_ in bttiming:
        k = (b_["n"], b_["wl"])
        perb[k][0] += num(b_.get("run_ns"), 0)
        # bpftrace's tracepoint programs: at least the same tracepoint dispatch
        # (theirs goes on through perf to the BPF program: more)
        perb[k][1] += num(b_.get("runs"), 0) * (TD if b_["prog"] in BTP else BDISP.get(b_["prog"], 0) * D)
    btrun = [r for r in runs if r.get("round", "").startswith("BT")]
    for (n, wl), (hs, ds) in perb.items():
        b = busy_of(btrun, "BT", n, wl)
        if b > 0:
            share_bt[wl].append((hs / b, (hs + ds) / b, (hs + ds) / b))
    direct_share = {}
    if share_nb:
        print()
        print("Direct share of CPU: time in the measuring code over the guest's busy time, per run (timing runs,"
              " pinned); median [max] over runs; '+disp' adds the dispatch yardsticks per hit (kprobe, tracepoint)")
        if CLK:
            print(f"  ('-clock' takes off the timing's own clock read, one per hit: {CLK:.0f} ns, measured by the"
                  " module when timing went on; with timing off, as in use, netbuf does not make it)")
        print(f"  {'workload':<15} {'netbuf':>17} {'netbuf+disp':>17} {'+disp -clock':>17}   {'bpftrace':>17}"
              f" {'bpftrace+disp':>17}  {'netbuf/bpftrace':>15}")
        for wl in ("veth", "virtio", "slow", "collapse"):
            a, b = share_nb.get(wl), share_bt.get(wl)
            if not a:
                continue

            def cell(xs, i):
                if not xs:
                    return "-"
                v = [x[i] for x in xs]
                return f"{st.median(v) * 100:.3f}% [{max(v) * 100:.3f}]"
            ma = st.median([x[1] for x in a])
            mb = st.median([x[1] for x in b]) if b else None
            direct_share[wl] = (ma, mb, st.median([x[2] for x in a]))
            print(f"  {wl:<15} {cell(a, 0):>17} {cell(a, 1):>17} {cell(a, 2):>17}   {cell(b, 0):>17}"
                  f" {cell(b, 1):>17}  {(ma / mb if mb else float('nan')):>15.2f}")

    # whole-workload CPU per event
    print()
    print("Whole-workload CPU (guest busy time from /proc/stat over each run) per event, median per configuration:")

    def cpu_per(wl, cfg, key):
        xs = []
        for r in bench_runs:
            if r["wl"] == wl and r["cfg"] == cfg and num(r.get(key), 0) > 0:
                xs.append(num(r["busy_ticks"], 0) * (1e9 / USER_HZ) / num(r[key]))
        return st.median(xs) if xs else None

    for wl, key, label in (("collapse", "prune_called", "collapse workload, per prune episode"),
                           ("veth", "pkts", "veth, per packet received by b0"),
                           ("virtio", "pkts", "virtio, per packet received by eth1"),
                           ("slow", "segs", "slow path, per segment received")):
        v = {c: cpu_per(wl, c, key) for c in CFGS}
        if not v["none"]:
            continue
        txt = "  ".join(f"{c} {fmt_ns(v[c])}" for c in CFGS)
        rat = "  ".join(f"{c}/none {v[c] / v['none']:.3f}" for c in ("netbuf", "bpftrace") if v[c])
        print(f"  {label:<38} {txt}  {rat}")
        if wl in ("veth", "virtio"):
            d = napi_dev(wl, "b0" if wl == "veth" else "eth1")
            if d:
                print(f"  {'  per NAPI poll (x ' + format(d[1], '.1f') + ' pkts/poll)':<38} "
                      + "  ".join(f"{c} {fmt_ns(v[c] * d[1])}" for c in CFGS if v[c]))
    print("  (noisy: a vCPU the host takes away still counts as busy or idle in the guest; the self-timing above is the direct figure)")

    # ---- memory ----
    print()
    if mem:
        rb, pb, cpus = num(mem.get("row_bytes"), 0), num(mem.get("percpu_bytes"), 0), num(mem.get("cpus"), 0)
        # the module's bound (bytes_worst) at 128 CPUs: interface rows and
        # as many unknown rows, per-CPU NAPI parts for napi_rows_max rows
        ub = num(mem.get("unknown_row_bytes"), rb)
        nmax = num(mem.get("napi_rows_max"), 4096)
        worst = 4096 * rb + 4096 * ub + min(4096, nmax) * pb * 128
        # rows come from the netbuf_row cache when the module has one (it
        # shows in slabinfo), else from kmalloc, rounded up to a power of two
        cls = rb if "netbuf_row" in memslab.get("after", {}) else next((k for k in KMALLOC if k >= rb), rb)
        print("Memory (/proc/netbuf/memory):")
        print(f"  per interface {rb:.0f} B (row_bytes) + {pb:.0f} B per CPU (percpu_bytes); here {cpus:.0f} CPUs: "
              f"{rb + pb * cpus:.0f} B per interface; bytes now {mem.get('bytes')} "
              f"({mem.get('rows')} rows), bytes_worst {mem.get('bytes_worst')} (rows_max {mem.get('rows_max')})")
        print(f"  rows at max_ifaces 4096 on 128 CPUs: 4096 x {rb:.0f} + 4096 unknown x {ub:.0f} + "
              f"{min(4096, nmax):.0f} polling x {pb:.0f} x 128 = {worst:.0f} B = {worst / 2**20:.1f} MiB "
              "(event logs not included: README, Memory)")
        if memgrow:
            dr = num(memgrow["rows_after"], 0) - num(memgrow["rows_before"], 0)
            db = num(memgrow["bytes_after"], 0) - num(memgrow["bytes_before"], 0)
            if dr > 0:
                print(f"  checked: {dr:.0f} dummy interfaces added {db:.0f} B to 'bytes' = {db / dr:.0f} B per row")
        sb, sa = memslab.get("before", {}), memslab.get("after", {})
        if sb and sa and memgrow:
            deltas = ", ".join(f"{k} +{num(sa.get(k), 0) - num(sb.get(k), 0):.0f}" for k in sa)
            pcd = num(mempercpu.get("after_kb"), 0) - num(mempercpu.get("before_kb"), 0)
            print(f"  allocator: slab objects {deltas}; Percpu +{pcd:.0f} kB (the dummy devices allocate there too)")
        if cls != rb:
            real = worst + 8192 * (cls - rb)
            print(f"  note: a {rb:.0f} B row is a kmalloc-{cls} object, so each row really takes {cls} B: "
                  f"{real:.0f} B = {real / 2**20:.1f} MiB")

    if btstart:
        print()
        print(f"bpftrace: attached {st.median(btstart):.0f} s after start (median of {len(btstart)}, "
              f"[{min(btstart):.0f}-{max(btstart):.0f}] s); exit {st.median(btstop) if btstop else 0:.1f} s; "
              "one process serves both B slots of a double round")

    if irqs:
        print("virtio interrupts per CPU at the end: " + "; ".join(
            f"{w[-1]} " + "/".join(x for x in w[1:-1] if x.isdigit()) for w in irqs if w and "input" in w[-1]))

    # ---- targets ----
    print()
    print("Targets (PASS/MISS on the medians; '(noise)' when the bootstrap 90% interval straddles the limit,"
          " i.e. this run cannot tell)")

    def noise(wl, cfg, limit):
        ci = ratio_ci(wl, cfg)
        return bool(ci) and ci[0] < limit < ci[1]

    for wl in ("veth", "virtio", "slow", "collapse"):
        if wl in direct_share:
            ma, _, mc = direct_share[wl]
            if CLK:
                print(f"  [1] direct, netbuf's share of CPU <= 1%, {wl:<8}: {mc * 100:.3f}% "
                      f"(handlers + dispatch yardstick - timing's clock; {ma * 100:.3f}% with it)  "
                      f"{'PASS' if mc <= 0.01 else 'MISS'}")
            else:
                print(f"  [1] direct, netbuf's share of CPU <= 1%, {wl:<8}: {ma * 100:.3f}% "
                      f"(handlers + dispatch yardstick)  {'PASS' if ma <= 0.01 else 'MISS'}")
    for wl, _ in TPUT:
        x = ratio(wl, "netbuf")
        if x is None:
            continue
        v = "PASS" if x >= 0.99 else "MISS"
        print(f"  [1] netbuf keeps >= 99% of none, {wl:<7}: {x * 100:6.1f}%  {v}"
              + ("  (noise)" if noise(wl, "netbuf", 0.99) else ""))
    for wl, _ in TPUT:
        x, y = ratio(wl, "netbuf"), ratio(wl, "bpftrace")
        if x is None or y is None:
            continue
        om, ob = 1 - x, 1 - y
        # netbuf's overhead minus half of bpftrace's (bpftrace's counted as 0
        # when it shows none): <= 0 passes.
        def excess(r):
            n_, m_, b_ = st.median(r["n"]), st.median(r["m"]), st.median(r["b"])
            return (1 - m_ / n_) - max(1 - b_ / n_, 0) / 2
        samp = {"n": vals[wl, "none"], "m": vals[wl, "netbuf"], "b": vals[wl, "bpftrace"]}
        e = excess(samp)
        ci = boot(samp, excess) if sum(len(v) for v in samp.values()) >= 6 else None
        print(f"  [2] netbuf overhead <= bpftrace's / 2, {wl:<7}: netbuf {om * 100:+6.1f}%, "
              f"bpftrace {ob * 100:+6.1f}%  {'PASS' if e <= 0 else 'MISS'}"
              + ("  (noise)" if ci and ci[0] < 0 < ci[1] else ""))
    # Direct: per event, netbuf's handler vs bpftrace's program, each plus the
    # same kprobe dispatch yardstick where the hook is a kprobe (two for the
    # kretprobe on tcp_collapse), the tracepoint yardstick where it is a
    # tracepoint (for bpftrace a lower bound: its path goes on through perf).
    for wl in ("veth", "virtio", "slow", "collapse"):
        ma, mb, _ = direct_share.get(wl, (None, None, None))
        if ma is None or not mb:
            continue
        print(f"  [2] direct, netbuf's share <= bpftrace's / 2, {wl:<8}: {ma * 100:.3f}% vs {mb * 100:.3f}% "
              f"= {ma / mb:.2f}  {'PASS' if ma <= mb / 2 else 'MISS'}")
    for hook, wl, ma, mb in direct2:
        nd = disp_ns(ttype.get(hook), hook)
        bd = {"prune": 1, "collapse": 2}.get(hook, 0) * D + (TD if hook in ("napi", "napi_time") else 0)
        r = (ma + nd) / (mb + bd)
        print(f"      per event, {hook:<9} ({wl:<8}): netbuf {ma + nd:.0f} ns vs bpftrace {mb + bd:.0f} ns"
              f"{' (each incl. dispatch yardstick)' if nd else ''} = {r:.2f}"
              f"{'' if r <= 0.5 else '  (over 1/2)'}")
    # [3] the prune hook on the slow-path workload
    tslow = [r for r in trun if r.get("wl") == "slow" and num(r.get("busy_ticks"), 0) > 0]
    if ps is not None and tslow:
        fr = []
        for r in [r for r in bench_runs if r["wl"] == "slow" and r["cfg"] == "netbuf"] or tslow:
            busy_ns = num(r["busy_ticks"], 0) * 1e9 / USER_HZ
            if busy_ns > 0:
                fr.append(num(r.get("hook_hits"), 0) * (ps + (dispatch or 0)) / busy_ns)
        if fr:
            f = st.median(fr)
            print(f"  [3] prune hook <= 1% on the slow path (direct: hits x ({ps:.0f} ns handler + "
                  f"{dispatch or 0:.0f} ns dispatch) / busy CPU time): {f * 100:.3f}%  {'PASS' if f <= 0.01 else 'MISS'}"
                  f"  [max {max(fr) * 100:.3f}% of {len(fr)} runs]")
    x = ratio("slow", "netbuf")
    if x is not None:
        print(f"  [3] prune hook <= 1% on the slow path (throughput netbuf/none): {x * 100:.1f}%  "
              f"{'PASS' if x >= 0.99 else 'MISS'}" + ("  (noise)" if noise("slow", "netbuf", 0.99) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
