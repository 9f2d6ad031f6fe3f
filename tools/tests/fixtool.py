#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Edit a copy of a fixture dir the way the module would have changed it,
keeping its figures consistent (rows and total, histograms), for the
compare scenarios of tests/cli.sh.

  fixtool.py DIR boot_id ID         write sys/kernel/random/boot_id
  fixtool.py DIR grow IFACE K [NS]  K more collapses of NS ns (default
                                    1024, a power of two) on IFACE
  fixtool.py DIR rename OLD NEW     the interface OLD is now called NEW
  fixtool.py DIR addgone IFACE IDX  a gone row with 3 out-of-order prunes
  fixtool.py DIR evict IFACE        that row evicted into the unknown row
"""
import os
import sys


def load(path):
    with open(path) as f:
        return [ln.split() for ln in f.read().splitlines()]


def save(path, rows):
    with open(path, "w") as f:
        f.write("".join(" ".join(r) + "\n" for r in rows))


def table(d, name):
    return os.path.join(d, "netbuf", name)


def add(row, hdr, col, k):
    i = hdr.index(col)
    row[i] = str(int(row[i]) + k)


def find(rows, iface):
    return [r for r in rows[1:] if r[0] == iface][0]


def grow(d, iface, k, ns=1024):
    p = table(d, "rcvbuf")
    rows = load(p)
    for r in (find(rows, iface), find(rows, "total")):
        add(r, rows[0], "coll_calls", k)
        add(r, rows[0], "coll_skbs", k)
        add(r, rows[0], "coll_ns", ns * k)
        i = rows[0].index("coll_max_ns")
        r[i] = str(max(int(r[i]), ns))
    save(p, rows)
    p = table(d, "histograms")
    rows = load(p)
    h = [r for r in rows[1:] if r[0] == iface and r[2] == "collapse"][0]
    h[3] = str(int(h[3]) + k)
    h[4] = str(int(h[4]) + ns * k)
    h[5] = str(max(int(h[5]), ns))
    b = dict(t.split(":") for t in h[6:])
    b[str(ns)] = str(int(b.get(str(ns), "0")) + k)
    h[6:] = ["%s:%s" % (lo, b[lo]) for lo in sorted(b, key=int)]
    save(p, rows)


def rename(d, old, new):
    for name in ("rcvbuf", "napi", "histograms"):
        p = table(d, name)
        rows = load(p)
        for r in rows[1:]:
            if r[0] == old:
                r[0] = new
        save(p, rows)


def addgone(d, iface, idx):
    p = table(d, "rcvbuf")
    rows = load(p)
    hdr = rows[0]
    row = [iface, idx, "gone"] + ["0"] * (len(hdr) - 3)
    add(row, hdr, "ofo_calls", 3)
    add(find(rows, "total"), hdr, "ofo_calls", 3)
    at = rows.index(find(rows, "unknown"))
    rows.insert(at, row)
    save(p, rows)


def evict(d, iface):
    p = table(d, "rcvbuf")
    rows = load(p)
    gone = find(rows, iface)
    rows.remove(gone)
    unk = find(rows, "unknown")
    for i in range(3, len(gone)):
        unk[i] = str(int(unk[i]) + int(gone[i]))
    save(p, rows)
    p = table(d, "memory")
    rows = load(p)
    ev = [r for r in rows if r[0] == "evicted"][0]
    ev[1] = str(int(ev[1]) + 1)
    save(p, rows)


def main():
    d, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if cmd == "boot_id":
        os.makedirs(os.path.join(d, "sys/kernel/random"), exist_ok=True)
        with open(os.path.join(d, "sys/kernel/random/boot_id"), "w") as f:
            f.write(args[0] + "\n")
    elif cmd == "grow":
        grow(d, args[0], int(args[1]), *[int(a) for a in args[2:3]])
    elif cmd == "rename":
        rename(d, args[0], args[1])
    elif cmd == "addgone":
        addgone(d, args[0], args[1])
    elif cmd == "evict":
        evict(d, args[0])
    else:
        sys.exit("fixtool: unknown command " + cmd)


main()
