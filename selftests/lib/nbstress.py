#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Helpers of netbuf's stress selftests (selftests/netbuf/5*.sh).

  nbstress.py validate FILE...      check each file's lines against docs/formats.md
  nbstress.py readloop STATS [STOP [PAUSE]]
                                    read every /proc/netbuf file until SIGTERM
                                    or until the file STOP exists, PAUSE s
                                    between two files
                                    (whole reads, odd chunk sizes, preads at odd
                                    offsets, format checks); write counts to STATS
  nbstress.py compare FILE...       1-byte, 7-byte and odd-offset reads give the
                                    same text as a whole read when nothing changes
  nbstress.py fuzz-control N SEED   N bad writes to /proc/netbuf/control
  nbstress.py fuzz-reset N SEED     N bad writes to /proc/netbuf/reset

Output lines start with "# " (KTAP comments) except the last line of fuzz-*,
"RESULT key=value ...". Exit status 0 when everything was as expected.
"""
import ctypes
import errno
import os
import random
import re
import signal
import sys
import time

PROC = os.environ.get("NB_PROC", "/proc/netbuf")
FILES = ["version", "probes", "rcvbuf", "napi", "histograms", "napi_queues",
         "napi_queue_hist", "memory", "events", "control", "reset"]
READABLE = FILES[:-1]

NUM = re.compile(r"^[0-9]+$")
TOKEN = re.compile(r"^[^\s]+$")


def read_whole(path, chunk=65536):
    fd = os.open(path, os.O_RDONLY)
    try:
        out = []
        while True:
            b = os.read(fd, chunk)
            if not b:
                break
            out.append(b)
        return b"".join(out)
    finally:
        os.close(fd)


# ---- format checks (docs/formats.md, format 1) ----

def _kv(lines, keys, numeric):
    """Key/value lines: the documented keys in order, each once; a key
    added by a newer module (numeric value) is tolerated."""
    errs = []
    seen = []
    for ln in lines:
        f = ln.split()
        if len(f) != 2:
            errs.append("not 'key value': %r" % ln)
            continue
        seen.append(f[0])
        if (f[0] in numeric or f[0] not in keys) and not NUM.match(f[1]):
            errs.append("%s not a number: %r" % (f[0], ln))
    if [k for k in seen if k in keys] != keys or len(set(seen)) != len(seen):
        errs.append("keys %s, want %s" % (seen, keys))
    return errs


def check_version(lines):
    errs = _kv(lines, ["netbuf", "format", "built_for", "running", "preempt"],
               {"format"})
    return errs


def check_memory(lines):
    keys = ["rows", "rows_max", "row_bytes", "percpu_bytes", "cpus", "bytes",
            "bytes_worst", "untracked_devs", "lost"]
    return _kv(lines, keys, set(keys))


def check_control(lines):
    keys = ["events_threshold_ns", "events_max", "events_recorded",
            "events_lost", "timing", "timing_clock_ns"]
    return _kv(lines, keys, set(keys))


def check_probes(lines):
    errs = []
    want = "hook symbol type state hits nmissed self_ns note".split()
    if not lines or lines[0].split() != want:
        return ["bad header %r" % (lines[0] if lines else "")]
    for ln in lines[1:]:
        f = ln.split()
        if len(f) != 8:
            errs.append("%d fields: %r" % (len(f), ln))
            continue
        if f[2] not in ("kprobe", "kretprobe", "tracepoint", "timer") or \
           f[3] not in ("active", "unavailable") or not NUM.match(f[4]) or \
           not (NUM.match(f[5]) or f[5] == "-") or not NUM.match(f[6]):
            errs.append("bad row %r" % ln)
    if len(lines) != 10:
        errs.append("%d probe rows, want 9" % (len(lines) - 1))
    elif lines[-1].split()[:3] != ["ep_timer", "nb_ep_timer", "timer"]:
        errs.append("last row %r, want the ep_timer pseudo-hook" % lines[-1])
    return errs


def _table(lines, cols, maxcols, tail):
    """Rows, then the special rows in tail (names), then total = sum."""
    errs = []
    hdr = ["iface", "ifindex", "state"] + cols
    if not lines or lines[0].split() != hdr:
        return ["bad header %r" % (lines[0] if lines else "")]
    rows = [ln.split() for ln in lines[1:]]
    total = None
    sums = [0] * len(cols)
    names = []
    for ln, f in zip(lines[1:], rows):
        if len(f) != len(hdr):
            errs.append("%d fields, want %d: %r" % (len(f), len(hdr), ln))
            continue
        names.append(f[0])
        if not all(NUM.match(x) for x in f[3:]):
            errs.append("non-numeric value: %r" % ln)
            continue
        if f[0] == "total":
            if f[1] != "-" or f[2] != "-":
                errs.append("bad total key: %r" % ln)
            total = [int(x) for x in f[3:]]
            continue
        if total is not None:
            errs.append("row after total: %r" % ln)
        if not NUM.match(f[1]):
            errs.append("bad ifindex: %r" % ln)
        if f[0] in tail:
            if f[1] != "0" or f[2] != "-":
                errs.append("bad %s key: %r" % (f[0], ln))
        elif f[2] not in ("up", "gone"):
            errs.append("bad state: %r" % ln)
        for i, x in enumerate(f[3:]):
            x = int(x)
            sums[i] = max(sums[i], x) if cols[i] in maxcols else sums[i] + x
    if total is None:
        errs.append("no total row")
    elif total != sums:
        errs.append("total %s != sum of rows %s" % (total, sums))
    # A namespace past unknown_rows_max (memory) has no unknown row: the
    # pseudo rows present come last, in their order, then total.
    want = [t for t in tail if t != "unknown" or "unknown" in names]
    if names[-1 - len(want):] != want + ["total"]:
        errs.append("last rows %s, want %s" % (names[-1 - len(want):],
                                               want + ["total"]))
    for t in want + ["total"]:
        if names.count(t) != 1:
            errs.append("%d '%s' rows" % (names.count(t), t))
    return errs


RCOLS = ("coll_calls coll_skbs coll_freed coll_ns coll_max_ns prune_calls "
         "prune_noop prune_collapse prune_ofo prune_drop prune_ns prune_max_ns "
         "ofo_calls ofo_segs ofo_bytes untracked prune_unseen gone coll_preempted "
         "prune_preempted").split()
NCOLS = ("polls packets exhausted empty poll_ns poll_max_ns untimed netpoll "
         "busy_poll threaded untracked gone").split()


def check_rcvbuf(lines):
    errs = _table(lines, RCOLS, {"coll_max_ns", "prune_max_ns"}, ["unknown"])
    for ln in lines[1:]:
        f = ln.split()
        if len(f) != 3 + len(RCOLS) or not all(NUM.match(x) for x in f[3:]):
            continue
        v = dict(zip(RCOLS, map(int, f[3:])))
        if f[0] not in ("unknown", "total"):
            for c in ("untracked", "prune_unseen", "gone"):
                if v[c]:
                    errs.append("%s on a device row: %r" % (c, ln))
        if v["prune_noop"] + v["prune_collapse"] + v["prune_ofo"] + \
           v["prune_drop"] != v["prune_calls"]:
            errs.append("prune outcomes do not add up: %r" % ln)
    return errs


def check_napi(lines):
    return _table(lines, NCOLS, {"poll_max_ns"}, ["unknown", "backlog"])


def check_histograms(lines, strict_max=False):
    errs = []
    if not lines or lines[0].split() != "iface ifindex hist samples sum max buckets".split():
        return ["bad header %r" % (lines[0] if lines else "")]
    for ln in lines[1:]:
        f = ln.split()
        if len(f) < 7 or not NUM.match(f[1]) or \
           f[2] not in ("collapse", "prune", "napi_ns", "napi_pkts") or \
           not all(NUM.match(x) for x in f[3:6]):
            errs.append("bad row %r" % ln)
            continue
        n = 0
        last = -1
        for tok in f[6:]:
            m = re.match(r"^([0-9]+):([0-9]+)$", tok)
            if not m:
                errs.append("bad bucket %r in %r" % (tok, ln))
                break
            low, cnt = int(m.group(1)), int(m.group(2))
            if (low and low & (low - 1)) or low <= last or cnt == 0:
                errs.append("bad bucket %r in %r" % (tok, ln))
            last = low
            n += cnt
        if n != int(f[3]):
            errs.append("buckets add up to %d, samples %s: %r" % (n, f[3], ln))
        if strict_max and last > int(f[5]):
            errs.append("bucket %d above max: %r" % (last, ln))
    return errs


QCOLS = "polls packets exhausted empty poll_ns poll_max_ns untimed".split()
QHDR = "iface ifindex rxqueues napi_id queue cpu".split() + QCOLS


def check_napi_queues(lines):
    """Header; instance lines (ifindex, rxqueues, napi_id, cpu numbers;
    queue a number or -) ordered by ifindex then napi_id; last the one
    unlisted line with - in the five key columns."""
    errs = []
    if not lines or lines[0].split() != QHDR:
        return ["bad header %r" % (lines[0] if lines else "")]
    keys = []
    for ln in lines[1:-1]:
        f = ln.split()
        if len(f) != len(QHDR) or f[0] == "unlisted" or \
           not all(NUM.match(x) for x in f[1:4] + f[5:]) or \
           not (f[4] == "-" or NUM.match(f[4])):
            errs.append("bad instance line %r" % ln)
            continue
        keys.append((int(f[1]), int(f[3])))
        if f[4] != "-" and int(f[4]) >= int(f[2]):
            errs.append("queue not below rxqueues: %r" % ln)
    if keys != sorted(keys):
        errs.append("instances not ordered by ifindex, napi_id")
    f = lines[-1].split() if len(lines) > 1 else []
    if len(f) != len(QHDR) or f[:6] != ["unlisted"] + ["-"] * 5 or \
       not all(NUM.match(x) for x in f[6:]):
        errs.append("last line not unlisted: %r" % (lines[-1],))
    return errs


def check_napi_queue_hist(lines):
    """The histograms format with a napi_id column after ifindex."""
    if not lines or lines[0].split() != \
       "iface ifindex napi_id hist samples sum max buckets".split():
        return ["bad header %r" % (lines[0] if lines else "")]
    errs = []
    rows = [lines[0].replace("napi_id", "", 1)]
    for ln in lines[1:]:
        f = ln.split()
        if len(f) < 8 or not NUM.match(f[2]) or f[3] not in ("napi_ns", "napi_pkts"):
            errs.append("bad row %r" % ln)
            continue
        rows.append(" ".join(f[:2] + f[3:]))
    return errs + check_histograms(rows)


EV_RE = [re.compile(p) for p in (
    r"^[0-9]+\.[0-9]{9}$", r"^(collapse|prune)$", r"^[0-9]+$",
    r"^(noop|collapse|ofo|drop|-)$", r"^\S+$", r"^[0-9]+$", r"^[0-9]+$",
    r"^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:.]+\]):[0-9]+$",
    r"^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:.]+\]):[0-9]+$",
    r"^([0-9]+|-)$", r"^([0-9]+|-)$", r"^([0-9]+|-)$", r"^([0-9]+|-)$",
    r"^[0-9]+$", r"^[0-9]+$", r"^[0-9]+$")]
EV_HDR = ("time kind dur_ns outcome iface ifindex cgroup local remote "
          "rmem_before rcvbuf_before rmem_after rcvbuf_after skbs bytes cpu").split()


def check_events(lines):
    errs = []
    if not lines or lines[0].split() != EV_HDR:
        return ["bad header %r" % (lines[0] if lines else "")]
    for ln in lines[1:]:
        f = ln.split()
        if len(f) != 16 or not all(r.match(x) for r, x in zip(EV_RE, f)):
            errs.append("bad record %r" % ln)
        elif (f[1] == "collapse") != (f[3] == "-"):
            errs.append("outcome does not match kind: %r" % ln)
    return errs


CHECKS = {
    "version": check_version, "probes": check_probes, "rcvbuf": check_rcvbuf,
    "napi": check_napi, "histograms": check_histograms, "memory": check_memory,
    "napi_queues": check_napi_queues, "napi_queue_hist": check_napi_queue_hist,
    "events": check_events, "control": check_control,
}


def check_text(name, data, strict=False):
    if not data.endswith(b"\n"):
        return ["does not end with a newline"]
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return ["not ASCII"]
    lines = text[:-1].split("\n")
    if any(not ln.strip() for ln in lines):
        return ["empty line"]
    if name == "histograms":
        return check_histograms(lines, strict)
    return CHECKS[name](lines)


def cmd_validate(paths):
    bad = 0
    for p in paths:
        name = os.path.basename(p)
        try:
            errs = check_text(name, read_whole(p), strict=True)
        except OSError as e:
            errs = ["read failed: %s" % errno.errorcode.get(e.errno, e.errno)]
        for e in errs[:5]:
            print("# %s: %s" % (name, e))
        bad += bool(errs)
    return 1 if bad else 0


# ---- readloop ----

def cmd_readloop(stats, stopfile=None, pause=0.0):
    st = {"reads": 0, "bytes": 0, "preads": 0, "absent": 0, "errors": 0,
          "badfmt": 0, "reset_eio": 0}
    msgs = []
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    rnd = random.Random(os.getpid())
    chunks = [1, 3, 7, 64, 511, 4096, 65536]

    def err(what):
        st["errors"] += 1
        if len(msgs) < 10:
            msgs.append(what)

    while not stop:
        if stopfile and os.path.exists(stopfile):
            break
        if not os.path.isdir(PROC):
            st["absent"] += 1
            time.sleep(0.05)	# unloaded: do not spin
            continue
        for name in FILES:
            if stop:
                break
            path = os.path.join(PROC, name)
            try:
                fd = os.open(path, os.O_RDONLY)
            except FileNotFoundError:
                st["absent"] += 1
                continue
            except OSError as e:
                err("open %s: %s" % (name, errno.errorcode.get(e.errno)))
                continue
            try:
                if name == "reset":
                    # write-only: a read must fail cleanly
                    try:
                        os.read(fd, 16)
                        err("read of reset succeeded")
                    except OSError as e:
                        if e.errno in (errno.EIO, errno.EINVAL, errno.EACCES):
                            st["reset_eio"] += 1
                        else:
                            err("read reset: %s" % errno.errorcode.get(e.errno))
                    continue
                c = rnd.choice(chunks)
                parts = []
                while True:
                    b = os.read(fd, c)
                    if not b:
                        break
                    parts.append(b)
                data = b"".join(parts)
                st["reads"] += 1
                if st["reads"] == 1:    # for nb_readers_wait: it is running
                    open(stats + ".started", "w").close()
                st["bytes"] += len(data)
                errs = check_text(name, data)
                if errs:
                    st["badfmt"] += 1
                    if len(msgs) < 10:
                        msgs.append("%s: %s" % (name, errs[0]))
                for _ in range(3):
                    off = rnd.choice([1, 2, 7, 13, 63, 4095, 4097,
                                      rnd.randrange(0, max(1, 2 * len(data)))])
                    os.pread(fd, rnd.choice([1, 5, 100, 4096]), off)
                    st["preads"] += 1
            except OSError as e:
                # the module went away under an open file: EIO, not an oops
                if e.errno == errno.EIO and not os.path.exists(path):
                    st["absent"] += 1
                else:
                    err("%s: %s" % (name, errno.errorcode.get(e.errno)))
            finally:
                os.close(fd)
            if pause:
                time.sleep(pause)
    with open(stats, "w") as f:
        f.write(" ".join("%s=%d" % kv for kv in st.items()) + "\n")
        for m in msgs:
            f.write("msg %s\n" % m)
    return 0


# ---- compare ----

def read_chunks(path, size):
    fd = os.open(path, os.O_RDONLY)
    try:
        out = []
        while True:
            b = os.read(fd, size)
            if not b:
                break
            if len(b) > size:
                raise RuntimeError("read returned more than asked")
            out.append(b)
        return b"".join(out)
    finally:
        os.close(fd)


def read_odd_offsets(path, n, rnd):
    """Stitch the file from preads at odd offsets in random order."""
    cuts = sorted(set([0, n] + [rnd.randrange(1, n) for _ in range(min(n - 1, 40))]))
    pieces = list(zip(cuts, cuts[1:]))
    rnd.shuffle(pieces)
    got = {}
    fd = os.open(path, os.O_RDONLY)
    try:
        for a, b in pieces:
            got[a] = os.pread(fd, b - a, a)
        tail = os.pread(fd, 4096, n)	# past the end: nothing
        beyond = os.pread(fd, 10, n + 12345)
    finally:
        os.close(fd)
    return b"".join(got[a] for a, _ in sorted(pieces)) + tail + beyond


def mask_numbers(b):
    return re.sub(rb"[0-9]+", b"#", b)


def cmd_compare(paths):
    rnd = random.Random(7)
    bad = 0
    for p in paths:
        name = os.path.basename(p)
        verdict = None
        # Five tries for a moment when the file stands still; then, for
        # counters that move all the time (napi_time counts every softirq),
        # one more with every number masked, so the layout, the lines and
        # their fields are still compared.
        for attempt in range(6):
            key = mask_numbers if attempt == 5 else (lambda b: b)
            w1 = read_whole(p)
            tries = {"1-byte": read_chunks(p, 1), "7-byte": read_chunks(p, 7),
                     "4096-byte": read_chunks(p, 4096),
                     "odd-offset": read_odd_offsets(p, len(w1), rnd) if len(w1) > 1 else w1}
            if attempt < 5 and read_whole(p) != w1:
                continue	# the file changed meanwhile: try again
            diff = [k for k, v in tries.items() if key(v) != key(w1)]
            errs = check_text(name, w1, strict=True)
            how = " (numbers masked)" if attempt == 5 else ""
            if diff:
                verdict = "differs from a whole read%s: %s" % (how, ",".join(diff))
            elif errs:
                verdict = "bad line: %s" % errs[0]
            else:
                verdict = "ok"
            break
        lines = w1.count(b"\n")
        print("# %s: %d bytes, %d lines%s: %s" % (name, len(w1), lines,
              ", numbers kept moving" if attempt == 5 else "", verdict))
        if verdict != "ok":
            bad += 1
            print("BAD %s" % name)
    return 1 if bad else 0


# ---- fuzzing the writable files ----

libc = ctypes.CDLL(None, use_errno=True)


def raw_write(fd, addr, n):
    """write(2) from an arbitrary (bad) user address."""
    r = libc.write(fd, ctypes.c_void_p(addr), ctypes.c_size_t(n))
    return 0 if r >= 0 else ctypes.get_errno()


def one_write(path, data, off=None):
    """One write (or pwrite at off) on a fresh fd: 0 or the errno."""
    fd = os.open(path, os.O_WRONLY)
    try:
        if off is None:
            os.write(fd, data)
        else:
            os.pwrite(fd, data, off)
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)


def pieces_write(path, pieces):
    """Several writes on one fd: list of 0/errno."""
    fd = os.open(path, os.O_WRONLY)
    res = []
    try:
        for p in pieces:
            try:
                os.write(fd, p)
                res.append(0)
            except OSError as e:
                res.append(e.errno)
    finally:
        os.close(fd)
    return res


CTL_LIMITS = {"events_threshold_ns": (0, 60000000000), "events_max": (1, 256),
              "timing": (0, 1)}


def control_valid(b):
    """What docs/formats.md accepts: exactly key=value, value an unsigned
    decimal in range, at most one trailing newline, shorter than 48 bytes."""
    if not b or len(b) >= 48:
        return False
    if b.endswith(b"\n"):
        b = b[:-1]
    m = re.fullmatch(rb"([a-z_]+)=([0-9]+)", b)
    if not m:
        return False
    k = m.group(1).decode()
    if k not in CTL_LIMITS:
        return False
    lo, hi = CTL_LIMITS[k]
    return lo <= int(m.group(2)) <= hi


def reset_valid(b):
    return b in (b"1", b"1\n")


PRINTABLE = bytes(32 + i % 95 for i in range(256))


def printable(rnd, n):
    return rnd.randbytes(n).translate(PRINTABLE)


def gen_control(rnd, cur):
    """(category, bytes) of a write docs/formats.md refuses."""
    keys = list(CTL_LIMITS)
    k = rnd.choice(keys).encode()
    cat = rnd.choice(["long", "binary", "negative", "overflow", "range",
                      "malformed", "nul", "two-newlines", "empty", "text"])
    if cat == "long":
        n = rnd.choice([48, 49, 64, 100, 4095, 4096, 4097, 65536, 1 << 20])
        body = k + b"=" + b"1" * max(0, n - len(k) - 1)
        return cat, body[:n] if rnd.random() < 0.5 else printable(rnd, n)
    if cat == "binary":
        n = rnd.randrange(1, 64)
        return cat, bytes(rnd.randrange(256) for _ in range(n))
    if cat == "negative":
        return cat, k + b"=-" + str(rnd.choice([0, 1, 8, 255, 2 ** 63, 2 ** 64])).encode()
    if cat == "overflow":
        v = rnd.choice([2 ** 64, 2 ** 64 + 1, 2 ** 65, 10 ** 19 * 9, 10 ** 25])
        return cat, k + b"=" + str(v).encode()
    if cat == "range":
        lo, hi = CTL_LIMITS[k.decode()]
        v = rnd.choice([hi + 1, hi + 2, hi * 2 + 1, 2 ** 32, 2 ** 63] + ([lo - 1] if lo else []))
        return cat, k + b"=" + str(v).encode()
    # Variants the parser might wrongly accept use a key whose current value
    # is harmless to set again (events_max would resize and empty the log).
    if cat in ("malformed", "nul", "two-newlines"):
        k = rnd.choice([b"events_threshold_ns", b"timing"])
    if cat == "two-newlines":
        v = str(cur[k.decode()]).encode()
        return cat, k + b"=" + v + b"\n\n"
    if cat == "malformed":
        v = str(cur[k.decode()]).encode()
        return cat, rnd.choice([
            k, k + b"=", b"=" + v, k + b"==" + v, k + b"=" + v + b"=" + v,
            k + b"=" + v + b" ", b" " + k + b"=" + v, k + b" =" + v,
            k + b"= " + v, k.upper() + b"=" + v, k + b"=0x10", k + b"=1e2",
            k + b"=" + v + b"\r\n", k + b"=" + v + b"\t", b"\n", b"\n\n",
            k + b"=\n", k + b"=" + v + b"x",
            k[:-1] + b"=" + v, k + b"s=" + v, k + b"=" + v + b";timing=0",
            k + b"=" + v + b"\n" + k + b"=" + v, b"reset=1", b"1",
            k + b"=+" + v, k + b"=" + b"0" * 50 + v])
    if cat == "nul":
        v = str(cur[k.decode()]).encode()
        return cat, rnd.choice([k + b"=" + v + b"\0", k + b"=" + v + b"\0junk",
                                b"\0" + k + b"=" + v, k + b"\0=" + v,
                                k + b"=" + v + b"\n\0", b"\0"])
    if cat == "empty":
        return cat, b""
    n = rnd.randrange(1, 47)
    return cat, bytes(rnd.choice(b"abcdefghijklmnopqrstuvwxyz_=0123456789\n -")
                      for _ in range(n))


def read_control():
    cur = {}
    for ln in read_whole(os.path.join(PROC, "control")).decode().splitlines():
        k, v = ln.split()
        cur[k] = int(v)
    return cur


def _fuzz(path, n, seed, gen, valid, same_write, partial, second):
    rnd = random.Random(seed)
    counts = {}
    wrong = {}
    skipped = 0
    done = 0
    t0 = time.time()

    def record(cat, data, got, want):
        c = counts.setdefault(cat, [0, 0])
        c[0] += 1
        if got != want:
            c[1] += 1
            key = (cat, errno.errorcode.get(got, got) if got else "ok")
            if len(wrong.setdefault(key, [])) < 3 and data not in wrong[key]:
                wrong[key].append(data)
    # odd offsets, with a write the file would accept at offset 0:
    # pwrite(2) there (a seq_file refuses pwrite as a whole: ESPIPE), and
    # lseek(2) then write(2) where lseek moves the position at all
    offsets = (1, 2, 3, 7, 47, 48, 4096, 2 ** 31, 2 ** 62)
    for off in offsets + (-1,):
        try:
            fd = os.open(path, os.O_WRONLY)
            try:
                os.pwrite(fd, same_write, off)
                got = 0
            except OSError as e:
                got = e.errno
            finally:
                os.close(fd)
        except OSError as e:
            got = e.errno
        record("offset", (off, same_write), got,
               got if got in (errno.EINVAL, errno.ESPIPE) else errno.EINVAL)
        done += 1
        if off < 0:
            continue
        fd = os.open(path, os.O_WRONLY)
        try:
            if os.lseek(fd, off, os.SEEK_SET) == off:
                try:
                    os.write(fd, same_write)
                    got = 0
                except OSError as e:
                    got = e.errno
                record("offset", (off, same_write), got, errno.EINVAL)
                done += 1
        except OSError:
            pass	# lseek refused: nothing to write at
        finally:
            os.close(fd)
    while done < n:
        cat, data = gen(rnd)
        if valid(data):
            skipped += 1
            continue
        record(cat, data, one_write(path, data), errno.EINVAL)
        done += 1
    # partial writes: pieces written one after the other on one fd; no
    # piece is valid by itself, so every piece must be refused
    for i in range(max(1, n // 100)):
        pieces = partial(rnd)
        if any(valid(p) for p in pieces):
            continue
        for got in pieces_write(path, pieces):
            record("partial", pieces, got, errno.EINVAL)
            done += 1
    # a second write on an fd whose first write was accepted: offset != 0
    if second:
        fd = os.open(path, os.O_WRONLY)
        try:
            os.write(fd, same_write)
            try:
                os.write(fd, same_write)
                got = 0
            except OSError as e:
                got = e.errno
            record("second-write", same_write, got, errno.EINVAL)
        finally:
            os.close(fd)
    # bad user pointers: EFAULT, not a crash
    fd = os.open(path, os.O_WRONLY)
    try:
        for addr in (0, 1, 0xffffffffffff0000, 0xffff800000000000):
            record("bad-pointer", addr, raw_write(fd, addr, 2), errno.EFAULT)
            done += 1
    finally:
        os.close(fd)
    dt = time.time() - t0
    for cat in sorted(counts):
        print("# %-13s %6d writes, %d not refused as expected" % (cat, counts[cat][0], counts[cat][1]))
    for (cat, got), datas in sorted(wrong.items()):
        for data in datas:
            print("# WRONG %s: got %s for %r" % (cat, got, data if not isinstance(data, bytes) else data[:60]))
    bad = sum(c[1] for c in counts.values())
    print("RESULT writes=%d wrong=%d skipped_valid=%d secs=%.1f" % (done, bad, skipped, dt))
    return 1 if bad else 0


def cmd_fuzz_control(n, seed):
    cur = read_control()
    # the only accepted write used: the current threshold, which changes nothing
    same = b"events_threshold_ns=%d" % cur["events_threshold_ns"]
    def partial(rnd):
        # a valid write cut before its value: "events_thr" + "eshold_ns=5"
        cut = rnd.randrange(1, same.index(b"=") + 1)
        return [same[:cut], same[cut:]]
    return _fuzz(os.path.join(PROC, "control"), n, seed,
                 lambda r: gen_control(r, cur), control_valid, same,
                 partial, True)


def gen_reset(rnd):
    cat = rnd.choice(["long", "binary", "negative", "overflow", "malformed",
                      "nul", "empty", "text"])
    if cat == "long":
        n = rnd.choice([3, 4, 5, 48, 4096, 4097, 65536])
        return cat, rnd.choice([b"1" * n, b"1\n" + b"\n" * (n - 2),
                                rnd.randbytes(n)])
    if cat == "binary":
        return cat, bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 3)))
    if cat == "negative":
        return cat, rnd.choice([b"-1", b"-1\n", b"-0"])
    if cat == "overflow":
        return cat, rnd.choice([b"18446744073709551617", b"1" * 30, b"99"])
    if cat == "malformed":
        return cat, rnd.choice([b"0", b"2", b"11", b"1 ", b" 1", b"1\r", b"\n",
                                b"1\t", b"y", b"on", b"1\n\n", b"01", b"+1"])
    if cat == "nul":
        return cat, rnd.choice([b"\0", b"1\0", b"\0" + b"1", b"1\0\n"])
    if cat == "empty":
        return cat, b""
    return cat, bytes(rnd.choice(b"0123456789\n -+abc") for _ in range(rnd.randrange(1, 4)))


def cmd_fuzz_reset(n, seed):
    def partial(rnd):
        # "1" alone would be valid: pieces of refused writes only
        return rnd.choice([[b"\n", b"\n"], [b"11", b"\n"], [b"0", b"0"],
                           [b"", b"2"], [b"1\n\n", b"1\n\n"]])
    # "1" at an odd offset; no second write: the first would reset
    return _fuzz(os.path.join(PROC, "reset"), n, seed, gen_reset, reset_valid,
                 b"1", partial, False)


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "validate":
        return cmd_validate(args)
    if cmd == "readloop":
        return cmd_readloop(args[0], args[1] if len(args) > 1 else None,
                            float(args[2]) if len(args) > 2 else 0.0)
    if cmd == "compare":
        return cmd_compare(args)
    if cmd == "fuzz-control":
        return cmd_fuzz_control(int(args[0]), int(args[1]))
    if cmd == "fuzz-reset":
        return cmd_fuzz_reset(int(args[0]), int(args[1]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
