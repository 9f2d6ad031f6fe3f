#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""bench/mq-report.py RESULTS: the table of `make bench-mq` from the raw
lines bench/mq-guest.sh wrote (bench/README.md, "Multiqueue").

Per module revision and workload (1q: one RX queue, one flow; 4q: 4 RX
queues, 4 flows on 4 CPUs), the per-poll cost of netbuf's NAPI handlers:
(napi self_ns + napi_time self_ns) / napi hits of each run, minimum and
median over the runs. The minimum is the least disturbed figure (a vCPU
switch or a host pause inside a handler can only add time), as in
bench/report.py; the verdict compares minima."""

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


def pairs(graphs, mod):
    """4q/1q of nb_napi_tp's median per call for each adjacent pair of runs
    of one module slot (1q 4q 4q 1q: runs 0-1 and 3-2)."""
    slot = {}
    for r in graphs:
        if r["mod"] == mod and int(r["napi_calls"]) > 0:
            slot.setdefault(r["round"], []).append(r)
    out = []
    for runs in slot.values():
        for i in range(0, len(runs) - 1, 2):
            x, y = runs[i], runs[i + 1]
            q1, q4 = (x, y) if x["wl"] == "1q" else (y, x)
            if q1["wl"] == "1q" and q4["wl"] == "4q":
                out.append(float(q4["napi_med"]) / float(q1["napi_med"]))
    return out


def fig(vals):
    if not vals:
        return "-"
    return "%6.0f [%6.0f] n=%d" % (min(vals), statistics.median(vals), len(vals))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: mq-report.py RESULTS")
    head, mods, runs, graphs, clocks, failed, errors = parse(sys.argv[1])
    for e in errors:
        print("!! " + e)
    if not runs:
        sys.exit("mq-report: no runs in " + sys.argv[1])
    print("== netbuf bench-mq: %s" % head)
    print("failed runs (left out): %d of %d" % (len(failed), len(failed) + len(runs) + len(graphs)))
    print()
    wls = [("1q", "1 RX queue, 1 flow"), ("4q", "4 RX queues, 4 flows/4 CPUs")]
    cost, part = {}, {}
    for r in runs:
        hits = int(r["napi_hits"])
        if hits <= 0:
            continue
        key = (r["mod"], r["wl"])
        cost.setdefault(key, []).append((int(r["napi_ns"]) + int(r["nt_ns"])) / hits)
        p = part.setdefault(key, {"napi": [], "nt": [], "pkts": [], "mbps": [], "polls": []})
        p["napi"].append(int(r["napi_ns"]) / hits)
        p["nt"].append(int(r["nt_ns"]) / hits)
        p["pkts"].append(int(r["rx"]) / hits)
        p["mbps"].append(float(r["mbps"]))
        p["polls"].append(hits)

    print("Per-poll cost of netbuf's NAPI handlers, ns: (napi + napi_time self_ns) / napi hits per run;")
    print("min [median] n=runs (timing=1: each handler run includes about one local_clock() read; no dispatch)")
    print("  %-8s %-36s %-24s %-24s %s" % ("module", "revision", wls[0][1], wls[1][1], "4q/1q (min, median)"))
    verdict = []
    for m, desc in mods:
        a, b = cost.get((m, "1q"), []), cost.get((m, "4q"), [])
        ratio = "-"
        if a and b:
            ratio = "%.3f, %.3f" % (min(b) / min(a), statistics.median(b) / statistics.median(a))
            verdict.append((m, min(a), min(b)))
        rev = desc.split(" rev ", 1)[-1] if " rev " in desc else desc
        print("  %-8s %-36s %-24s %-24s %s" % (m, rev[:36], fig(a), fig(b), ratio))
    print()
    print("The parts, ns per poll (min [median]), and the workload per run (median):")
    print("  %-8s %-3s %-22s %-22s %10s %10s %10s %10s" % (
        "module", "wl", "napi", "napi_time", "polls/run", "pkts/poll", "Mbit/s", "clock_ns"))
    for m, _ in mods:
        for wl, _ in wls:
            p = part.get((m, wl))
            if not p:
                continue
            clk = clocks.get(m, [])
            print("  %-8s %-3s %-22s %-22s %10.0f %10.1f %10.1f %10s" % (
                m, wl, fig(p["napi"]), fig(p["nt"]), statistics.median(p["polls"]),
                statistics.median(p["pkts"]), statistics.median(p["mbps"]),
                "%.0f" % statistics.median(clk) if clk else "-"))
    print("  (self_ns is a sum: one vCPU switch inside a handler adds the other vCPUs' time slices to it;")
    print("   with 4 busy vCPUs on one host thread that happens often, so 4q's sums are inflated; see below)")
    print()
    g = {}
    for r in graphs:
        if int(r["napi_calls"]) <= 0:
            continue
        k = (r["mod"], r["wl"])
        d = g.setdefault(k, {"napi": [], "sirq": [], "per": [], "calls": [], "p90": [], "over": 0})
        d["napi"].append(float(r["napi_med"]))
        d["sirq"].append(float(r["sirq_med"]))
        d["per"].append(int(r["sirq_calls"]) / int(r["napi_calls"]))
        d["calls"].append(int(r["napi_calls"]))
        d["p90"].append(float(r["napi_p90"]))
        d["over"] += int(r.get("overrun", "0"))
    gv = []
    if g:
        print("Per call, from the function_graph tracer on nb_napi_tp (the napi_poll handler: the per-poll")
        print("handler, where the device row, the per-CPU part and the per-queue entry are counted) and")
        print("nb_softirq_entry (napi_time: a timestamp per softirq, the same code in every revision; how often")
        print("it runs per poll depends on the workload's other softirqs). Timing off, as in use. Each run's")
        print("median duration per call; min [median] over runs. Includes the graph tracer's own entry/return")
        print("overhead, the same for every revision and workload.")
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
            a, b = g.get((m, "1q")), g.get((m, "4q"))
            if a and b:
                gv.append((m, statistics.median(a["napi"]), statistics.median(b["napi"]),
                           pairs(graphs, m)))
        print()
    print("Issue 18's criterion, the per-poll cost on 4 queues no higher than on 1:")
    if gv:
        print(" by the napi_poll handler's function_graph medians per call (the figure a vCPU switch inside a")
        print(" few calls cannot move); 4q/1q per pair of adjacent runs (a module's slot runs 1q 4q 4q 1q: two")
        print(" pairs a few seconds apart, so the host's drift cancels), median [min-max] over the pairs;")
        print(" PASS when the median pair is at most 1, '(noise)' when the pairs fall on both sides of 1:")
        for m, a, b, pr in gv:
            if pr:
                med = statistics.median(pr)
                print("  %-8s 1q %6.0f ns, 4q %6.0f ns (medians over runs); pairs 4q/1q %.3f [%.3f-%.3f] n=%d: %s%s" % (
                    m, a, b, med, min(pr), max(pr), len(pr), "PASS" if med <= 1 else "MISS",
                    " (noise)" if min(pr) <= 1 < max(pr) else ""))
    print(" by self-timing sums (minima; inflated under 4 busy vCPUs, shown for completeness):")
    for m, a, b in verdict:
        print("  %-8s 1q %6.0f ns, 4q %6.0f ns: %s" % (m, a, b, "PASS" if b <= a else "MISS"))
    base = gv if gv else verdict
    if len(base) > 1:
        first = base[0]
        print("Against %s (same guest run, %s):" % (first[0], "function_graph medians" if gv else "self-timing minima"))
        for row in base[1:]:
            print("  %-8s 1q %.3f, 4q %.3f" % (row[0], row[1] / first[1], row[2] / first[2]))


if __name__ == "__main__":
    main()
