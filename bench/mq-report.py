#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/mq-report.py [--icount] RESULTS: the table of `make bench-mq`
from the raw lines bench/mq-guest.sh wrote (bench/README.md,
"Multiqueue").

Per module build and workload (1q: one RX queue, one flow; 1q4: one RX
queue, 4 flows on 4 CPUs; 4q: 4 RX queues, 4 flows on 4 CPUs): the
self-timing of netbuf's two NAPI handlers per poll, and the function_graph
median per call of each. --icount: the guest counted instructions (qemu
-icount shift=0); self-timing runs above 1.5 times the workload's fastest
(a vCPU switch inside a handler) are left out and counted, and the verdict
compares medians over the runs. Without it (wall clock), the verdict
compares slots (a module in one round) on the function_graph medians."""

import statistics
import sys


def parse(path):
    mods, runs, graphs, clocks, failed, errors, head = [], [], [], {}, [], [], ""
    with open(path) as f:
        for line in f:
            w = line.split()
            if not w:
                continue
            if w[0] == "kernel":
                head = line.strip()
            elif w[0] == "mod":
                mods.append((w[1], " ".join(w[2:])))
            elif w[0] in ("run", "graph", "clock", "failed"):
                kv = dict(x.split("=", 1) for x in w[1:] if "=" in x)
                if w[0] == "run":
                    runs.append(kv)
                elif w[0] == "graph":
                    graphs.append(kv)
                elif w[0] == "clock":
                    clocks.setdefault(kv["mod"], []).append(int(kv["timing_clock_ns"]))
                else:
                    failed.append(kv)
            elif w[0] == "error":
                errors.append(line.strip())
    return head, mods, runs, graphs, clocks, failed, errors


def slot_ratios(rows, mod, other, val):
    """Per slot (module, round): the mean of val(row) over the slot's 4q
    runs over its mean over the OTHER (1q4 or 1q) runs."""
    slot = {}
    for r in rows:
        v = val(r)
        if r["mod"] == mod and v is not None:
            slot.setdefault(r["round"], {}).setdefault(r["wl"], []).append(v)
    return [statistics.mean(d["4q"]) / statistics.mean(d[other])
            for d in slot.values() if d.get("4q") and d.get(other) and statistics.mean(d[other]) > 0]


def clean(vals):
    """Self-timing runs without the vCPU-switch outliers (above 1.5 times
    the fastest run of the same workload)."""
    if min(vals) <= 0:
        return vals
    return [v for v in vals if v <= 1.5 * min(vals)]


def fig(vals, drop=False):
    """min [median] n=runs; drop: without the outlier runs (clean())."""
    if not vals:
        return "-"
    if drop:
        n = len(vals)
        vals = clean(vals)
        if len(vals) < n:
            return "%6.0f [%6.0f] n=%d-%d" % (min(vals), statistics.median(vals), n, n - len(vals))
    return "%6.0f [%6.0f] n=%d" % (min(vals), statistics.median(vals), len(vals))


def judge(pr):
    if not pr:
        return "-"
    med = statistics.median(pr)
    return "%.3f [%.3f-%.3f] n=%d %s%s" % (
        med, min(pr), max(pr), len(pr), "PASS" if med <= 1 else "MISS",
        " (noise)" if min(pr) <= 1 < max(pr) else "")


def napi_self(r):
    h = int(r["napi_hits"])
    return int(r["napi_ns"]) / h if h > 0 else None


def napi_graph(r):
    return float(r["napi_med"]) if int(r["napi_calls"]) > 0 else None


def main():
    args = sys.argv[1:]
    icount = bool(args) and args[0] == "--icount"
    if icount:
        args = args[1:]
    if len(args) != 1:
        sys.exit("usage: mq-report.py [--icount] RESULTS")
    head, mods, runs, graphs, clocks, failed, errors = parse(args[0])
    for e in errors:
        print("!! " + e)
    if not runs:
        sys.exit("mq-report: no runs in " + args[0])
    unit = "instr" if icount else "ns"
    print("== netbuf bench-mq: %s" % head)
    if icount:
        print("qemu -icount shift=0: the guest's clock advances 1 ns per guest instruction, so every time")
        print("below is a count of guest instructions ('instr'), not host time")
    nopoll = sum(1 for r in runs if int(r["napi_hits"]) <= 0) + \
        sum(1 for r in graphs if int(r["napi_calls"]) <= 0)
    print("failed runs (left out): %d of %d; runs without a poll (left out): %d" % (
        len(failed), len(failed) + len(runs) + len(graphs), nopoll))
    print()
    wls = [("1q", "1 queue, 1 flow"), ("1q4", "1 queue, 4 flows/CPUs"), ("4q", "4 queues, 4 flows/CPUs")]
    part = {}
    for r in runs:
        hits = int(r["napi_hits"])
        if hits <= 0:
            continue
        p = part.setdefault((r["mod"], r["wl"]), {"napi": [], "nt": [], "pkts": [], "mbps": [], "polls": []})
        p["napi"].append(int(r["napi_ns"]) / hits)
        p["nt"].append(int(r["nt_ns"]) / hits)
        p["pkts"].append(int(r["rx"]) / hits)
        p["mbps"].append(float(r["mbps"]))
        p["polls"].append(hits)

    print("Self-timing (timing=1), %s per poll: napi = the napi_poll handler's self_ns / its hits," % unit)
    print("napi_time = the softirq_entry handler's self_ns / napi hits; min [median] n=runs; each handler")
    print("run includes about one local_clock() read of the timing itself; no dispatch. n=R-D: R runs, D left")
    print("out (napi only; see below). rx/poll: the receiver's data packets over the polls of both directions")
    print("  %-8s %-3s %-22s %-22s %10s %10s %10s %10s" % (
        "module", "wl", "napi", "napi_time", "polls/run", "rx/poll", "Mbit/s", "clock_" + unit))
    for m, _ in mods:
        for wl, _ in wls:
            p = part.get((m, wl))
            if not p:
                continue
            clk = clocks.get(m, [])
            print("  %-8s %-3s %-22s %-22s %10.0f %10.1f %10.1f %10s" % (
                m, wl, fig(p["napi"], icount), fig(p["nt"]), statistics.median(p["polls"]),
                statistics.median(p["pkts"]), statistics.median(p["mbps"]),
                "%.0f" % statistics.median(clk) if clk else "-"))
    if not icount:
        print("  (a sum: a vCPU switch inside a handler adds the other vCPUs' turns to it; with 4 busy vCPUs")
        print("   on one host thread that happens often: see bench/README.md)")
    print()
    g = {}
    for r in graphs:
        if int(r["napi_calls"]) <= 0:
            continue
        d = g.setdefault((r["mod"], r["wl"]), {"napi": [], "sirq": [], "per": [], "calls": [], "p90": [], "over": 0})
        d["napi"].append(float(r["napi_med"]))
        d["sirq"].append(float(r["sirq_med"]))
        d["per"].append(int(r["sirq_calls"]) / int(r["napi_calls"]))
        d["calls"].append(int(r["napi_calls"]))
        d["p90"].append(float(r["napi_p90"]))
        d["over"] += int(r.get("overrun", "0"))
    if g:
        print("function_graph (timing off, as in use) on nb_napi_tp (the napi_poll handler) and nb_softirq_entry")
        print("(napi_time's): each run's median %s per call, min [median] over runs; includes the tracer's own" % unit)
        print("entry/return overhead, the same for every build; sirq/poll: softirq_entry calls per poll")
        print("  %-8s %-3s %-22s %-22s %10s %10s %10s %8s" % (
            "module", "wl", "napi_poll handler", "softirq_entry", "sirq/poll", "napi p90", "polls/run", "overrun"))
        for m, _ in mods:
            for wl, _ in wls:
                d = g.get((m, wl))
                if not d:
                    continue
                print("  %-8s %-3s %-22s %-22s %10.2f %10.0f %10.0f %8d" % (
                    m, wl, fig(d["napi"]), fig(d["sirq"]), statistics.median(d["per"]),
                    statistics.median(d["p90"]), statistics.median(d["calls"]), d["over"]))
        print()

    print("Issue 18's criterion, the per-poll handler cost on 4 queues no higher than on 1, on the napi_poll")
    print("handler: 4q against 1q (one flow) and against 1q4 (the same 4 flows and busy vCPUs, one queue).")
    if icount:
        print("Instruction counts do not drift with the host, so: the median over all runs of each workload,")
        print("4q's over the other's (the minima's ratio beside it); PASS when the medians' ratio is at most 1")
        print("A self-timing run above 1.5 times its workload's fastest is a vCPU switch inside a handler (the")
        print("other vCPUs' instructions counted in; hundreds to thousands of instructions per poll): left out,")
        print("and counted. '(spread)' marks a MISS whose 4q median is within the other workload's runs")
        print("  %-8s %-6s %-34s %-34s %s" % ("module", "from", "4q/1q medians (minima)", "4q/1q4 medians (minima)", "left out"))
        measures = [("self", runs, napi_self), ("graph", graphs, napi_graph)]
        for m, _ in mods:
            for name, rows, val in measures:
                by = {}
                for r in rows:
                    v = val(r)
                    if r["mod"] == m and v is not None:
                        by.setdefault(r["wl"], []).append(v)
                out = 0
                if name == "self":
                    for wl in by:
                        keep = clean(by[wl])
                        out += len(by[wl]) - len(keep)
                        by[wl] = keep
                cells = []
                for other in ("1q", "1q4"):
                    a, b = by.get(other), by.get("4q")
                    if not a or not b:
                        cells.append("-")
                        continue
                    if statistics.median(a) <= 0 or min(a) <= 0:
                        cells.append("-")
                        continue
                    rm = statistics.median(b) / statistics.median(a)
                    cells.append("%.3f (%.3f) %s%s" % (
                        rm, min(b) / min(a), "PASS" if rm <= 1 else "MISS",
                        " (spread)" if rm > 1 and statistics.median(b) <= max(a) else ""))
                print("  %-8s %-6s %-34s %-34s %s" % (m, name, cells[0], cells[1],
                                                    "%d of %d runs" % (out, out + sum(len(v) for v in by.values()))
                                                    if name == "self" else "-"))
        print("  (self: napi self_ns per hit; graph: the traced median per call, the handler's most common path,")
        print("   which is often the same in every run)")
    else:
        print("Per slot (a module in one round: 1q 1q4 4q 4q 1q4 1q, so the host's drift cancels) the mean of")
        print("its 4q runs over the mean of the other's; median [min-max] n=slots; PASS when the median is at")
        print("most 1, (noise) when slots fall on both sides of 1")
        print("  %-8s %-6s %-36s %-36s" % ("module", "from", "4q/1q", "4q/1q4"))
        for m, _ in mods:
            for name, rows, val in [("graph", graphs, napi_graph), ("self", runs, napi_self)]:
                print("  %-8s %-6s %-36s %-36s" % (m, name, judge(slot_ratios(rows, m, "1q", val)),
                                                  judge(slot_ratios(rows, m, "1q4", val))))
        print("  (graph first: without -icount a sum takes in other vCPUs' turns, a median per call does not)")
    if len(mods) > 1:
        first = mods[0][0]
        print("Against %s, napi_poll handler per poll (median over runs, %s):" % (
            first, "self-timing, outliers left out" if icount else "function_graph"))
        src = part if icount else g
        for m, _ in mods[1:]:
            out = []
            for wl, _ in wls:
                a, b = src.get((first, wl)), src.get((m, wl))
                if a and b:
                    x, y = a["napi"], b["napi"]
                    if icount:
                        x, y = clean(x), clean(y)
                    if statistics.median(x) <= 0:
                        continue
                    out.append("%s %.3f (%+.0f %s)" % (wl, statistics.median(y) / statistics.median(x),
                                                      statistics.median(y) - statistics.median(x), unit))
            print("  %-8s %s" % (m, ", ".join(out)))


if __name__ == "__main__":
    main()
