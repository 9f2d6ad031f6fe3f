#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make mutants: plant small faults in module/ and check the selftests catch them.

Each mutant is one exact text replacement in one file of a private copy of
the tree (build/mutants/NAME), and the selftests that should catch it. The
copy's module is built and those tests run in a guest of one kernel; the
mutant is killed when the run fails (a failed case, a missing case, the
kernel-log gate, a crash or a timeout). First the same tests run on the
unmutated tree: they must pass, or every kill would mean nothing.

usage: scripts/mutants.py [-k KVER] [-t SECS] [NAME...]
Prints one line per mutant and "mutants: K killed / N total"; exits 1
unless every mutant was killed (or on any setup problem).
"""
import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORK = os.path.join(REPO, 'build', 'mutants')

# name, file, old text (must occur exactly once), new text, tests, what it is.
MUTANTS = [
    ('prune-calls-plus-one', 'module/rcvbuf.c',
     'nb_ctr_add(row, NB_C_PRUNE_CALLS, 1);',
     'nb_ctr_add(row, NB_C_PRUNE_CALLS, 2);',
     ['10-rcvbuf-exact'], 'a counter off by one per event'),
    ('coll-skbs-plus-one', 'module/rcvbuf.c',
     'nb_ctr_add(row, NB_C_COLL_SKBS, skbs);',
     'nb_ctr_add(row, NB_C_COLL_SKBS, skbs + 1);',
     ['10-rcvbuf-exact'], 'collapsed skbs off by one per call'),
    ('leak-one-row', 'module/table.c',
     'static void nb_row_free(struct nb_row *row)\n{\n\tatomic_long_sub(row->bytes, &nb_mem_bytes);',
     'static void nb_row_free(struct nb_row *row)\n{\n\tstatic bool leaked;\n\n'
     '\tif (!leaked && row->ifindex == 1) {\n\t\tleaked = true;\n\t\treturn;\n\t}\n'
     '\tatomic_long_sub(row->bytes, &nb_mem_bytes);',
     ['55-leak'], 'a skipped free: one row leaked per load'),
    ('leak-16k-per-load', 'module/table.c',
     '\tif (!nb_row_cache)\n\t\treturn -ENOMEM;\n',
     '\tif (!nb_row_cache)\n\t\treturn -ENOMEM;\n'
     '\tif (!kmalloc(16384, GFP_KERNEL))\n\t\treturn -ENOMEM;\n',
     ['55-leak'], '16 KiB leaked at every load'),
    ('wrong-ifindex', 'module/rcvbuf.c',
     '\t\treturn skb->skb_iif;',
     '\t\treturn skb->skb_iif + 1;',
     ['11-rcvbuf-veth'], 'episodes charged to the wrong interface'),
    ('no-irq-hold', 'module/netbuf.h',
     '\tif (in_task() && !raw_irqs_disabled())\n\t\traw_local_irq_disable();',
     '\tif (in_task()) {\n\t\tu64 end = local_clock() + 30000;\n\n'
     '\t\twhile (local_clock() < end)\n\t\t\tcpu_relax();\n\t}',
     ['11-rcvbuf-veth'],
     'softirqs let into handlers (a 30 us handler in a task widens the window)'),
    ('collapse-ns-times-4', 'module/rcvbuf.c',
     'nb_hist_add(&row->hist[NB_H_COLLAPSE], now - d->t0);',
     'nb_hist_add(&row->hist[NB_H_COLLAPSE], (now - d->t0) * 4);',
     ['18-timing-oracle'], 'collapse durations off by a factor of 4 (two log2 buckets)'),
    # No 'no-rcu-barrier' (rcu_barrier() before kmem_cache_destroy removed):
    # it survived 13-gone-rows and 55-leak because it is equivalent on these
    # kernels. unregister_pernet_subsys(), called just before, ends with an
    # rcu_barrier() of its own (net/core/net_namespace.c,
    # unregister_pernet_operations), and every row netbuf frees by call_rcu
    # is queued before it. The same holds for tracepoint_synchronize_
    # unregister() at probe teardown: the kprobe unregistrations after it
    # wait for a grace period too. The grace periods that are not
    # redundant guard windows of a few hundred ns that no test can hit on
    # purpose; the review of module/ is their check.
    ('hist-bucket-plus-one', 'module/netbuf.h',
     'unsigned int i = v ? fls64(v) : 0;\n\n\treturn i < NB_HBUCKETS',
     'unsigned int i = v ? fls64(v) + 1 : 0;\n\n\treturn i < NB_HBUCKETS',
     ['10-rcvbuf-exact', '23-napi-backlog'], 'a histogram bucket off by one'),
    ('no-reset-permission-check', 'module/procfs.c',
     'if (!file_ns_capable(file, net->user_ns, CAP_NET_ADMIN) ||\n'
     '\t    !ns_capable(net->user_ns, CAP_NET_ADMIN))',
     'if (0)',
     ['12-reset-perms'], 'the permission check of reset removed'),
    ('lost-event-not-counted', 'module/events.c',
     '\t\tatomic64_inc(&ns->lost);\t/* overwritten unread */',
     '\t\t;',
     ['30-events'], 'an overwritten event not counted as lost'),
    ('bug-line-at-unload', 'module/main.c',
     'pr_info("unloaded\\n");',
     'pr_err("BUG: unloaded with work pending\\n");',
     ['01-load'], 'a BUG-class kernel log line'),
    ('napi-packets-plus-one', 'module/napi.c',
     'this_cpu_add(pc->packets, pkts);',
     'this_cpu_add(pc->packets, pkts + 1);',
     ['20-napi-virtio'], 'NAPI packets off by one per poll'),
    ('lower-device', 'module/rcvbuf.c',
     '\t\treturn skb->skb_iif;',
     '\t\treturn ({ struct net_device *d; int i; rcu_read_lock();'
     ' d = dev_get_by_index_rcu(sock_net(sk), skb->skb_iif);'
     ' i = d ? dev_get_iflink(d) : skb->skb_iif; rcu_read_unlock(); i; });',
     ['17-rcvbuf-vlan'],
     'prune episodes charged to the device under a VLAN/macvlan (skb_iif\'s iflink)'),
    ('napi-wrong-ifindex', 'module/napi.c',
     'row = nb_row_find(dev_net(dev)->net_cookie, dev->ifindex, false);',
     'row = nb_row_find(dev_net(dev)->net_cookie, dev->ifindex + 1, false);',
     ['17-rcvbuf-vlan'], 'NAPI polls charged to the next interface (b0.100 over b0)'),
    ('queue-one-packet-polls', 'module/queues.c',
     '\tif (one->packets)\n\t\tatomic64_add(one->packets, &c[NB_Q_PACKETS]);',
     '\tif (one->packets > 1)\n\t\tatomic64_add(one->packets, &c[NB_Q_PACKETS]);',
     ['mq/10-napi-queues'], 'a NAPI instance misses the packet of one-packet polls'),
    ('queue-kept-after-unregister', 'module/table.c',
     '\t\tnb_queues_dev_unregister(dev);\n',
     '',
     ['mq/10-napi-queues'], 'NAPI instances kept after their device is unregistered'),
]


def say(*a):
    print(*a, flush=True)


def kernels():
    ks = []
    for d in glob.glob('/lib/modules/6.1*'):
        k = os.path.basename(d)
        if re.match(r'^6\.(1|12)\.', k) and '-rt-' not in k and os.path.exists('/boot/vmlinuz-' + k) \
                and os.path.isdir(d + '/build'):
            ks.append(k)
    return sorted(ks)


def copy_tree(dst):
    """The working tree (tracked and untracked, not ignored) into dst."""
    if os.path.exists(dst):
        shutil.rmtree(dst)
    files = subprocess.run(['git', '-C', REPO, 'ls-files', '-co', '--exclude-standard', '-z'],
                           check=True, capture_output=True).stdout.split(b'\0')
    for f in files:
        if not f:
            continue
        f = f.decode()
        src = os.path.join(REPO, f)
        if not os.path.isfile(src):
            continue
        os.makedirs(os.path.dirname(os.path.join(dst, f)), exist_ok=True)
        shutil.copy2(src, os.path.join(dst, f))


def build(tree, kver, log):
    """The mutant must build: a mutant that does not compile kills nothing."""
    with open(log, 'w') as out:
        return subprocess.run(['make', '-s', '-C', tree, 'vmbuild', 'KERNELRELEASE=' + kver],
                              stdout=out, stderr=subprocess.STDOUT).returncode == 0


def test_path(t):
    """A test by name: NN-x is selftests/netbuf/NN-x.sh, DIR/NN-x is selftests/DIR/NN-x.sh."""
    return 'selftests/%s.sh' % t if '/' in t else 'selftests/netbuf/%s.sh' % t


def run_tests(tree, kver, tests, timeout, log):
    # The multiqueue tests (selftests/mq) want 4 vCPUs.
    smp = ['--smp', '4'] if any(t.startswith('mq/') for t in tests) else []
    cmd = [os.path.join(tree, 'selftests/vm/run'), '-k', kver, '--nics', '--no-build',
           '-t', str(timeout)] + smp + \
        ['--', 'selftests/run-suite.sh'] + [test_path(t) for t in tests]
    with open(log, 'w') as out:
        rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=tree).returncode
    return rc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('-k', dest='kver', help='kernel (default: the newest 6.12, else 6.1)')
    ap.add_argument('-t', dest='timeout', type=int, default=1200, help='guest timeout (s)')
    ap.add_argument('names', nargs='*')
    a = ap.parse_args()
    ks = kernels()
    kver = a.kver or ([k for k in ks if k.startswith('6.12.')] or ks or [None])[-1]
    if not kver:
        say('mutants: no 6.1 or 6.12 kernel with image and headers installed')
        return 1
    chosen = [m for m in MUTANTS if not a.names or m[0] in a.names]
    unknown = set(a.names) - {m[0] for m in MUTANTS}
    if unknown:
        say('mutants: unknown mutant(s): %s' % ' '.join(sorted(unknown)))
        return 1
    os.makedirs(WORK, exist_ok=True)

    # Every mutant must apply exactly once to the current tree.
    for name, path, old, _new, _tests, _what in chosen:
        n = open(os.path.join(REPO, path)).read().count(old)
        if n != 1:
            say('mutants: %s: its text occurs %d times in %s (stale mutant: update scripts/mutants.py)'
                % (name, n, path))
            return 1

    tests = sorted({t for m in chosen for t in m[4]})
    base = os.path.join(WORK, 'baseline')
    copy_tree(base)
    if not build(base, kver, base + '.build.log'):
        say('mutants: the unmutated tree does not build for %s (%s.build.log)' % (kver, base))
        return 1
    t0 = time.time()
    rc = run_tests(base, kver, tests, a.timeout, base + '.log')
    if rc != 0:
        say('mutants: the unmutated tree fails %s on %s (exit %d, log %s.log): fix that first'
            % (' '.join(tests), kver, rc, base))
        return 1
    say('mutants: baseline passes %s on %s (%ds)' % (' '.join(tests), kver, time.time() - t0))

    killed = broken = 0
    for name, path, old, new, mtests, what in chosen:
        tree = os.path.join(WORK, name)
        copy_tree(tree)
        f = os.path.join(tree, path)
        src = open(f).read()
        open(f, 'w').write(src.replace(old, new, 1))
        if not build(tree, kver, tree + '.build.log'):
            broken += 1
            say('  BROKEN    %-28s does not build (%s.build.log): fix the mutant' % (name, tree))
            continue
        t0 = time.time()
        rc = run_tests(tree, kver, mtests, a.timeout, tree + '.log')
        if rc != 0:
            killed += 1
            why = {125: 'no result: crash/panic/timeout', 126: 'kernel-log gate'}.get(rc, 'tests failed')
            fails = ''
            try:
                lines = open(tree + '.log', errors='replace').read().splitlines()
                bad = [l.strip() for l in lines if re.match(r'^\s+not ok ', l)]
                if bad:
                    fails = ': ' + bad[0][:100]
            except OSError:
                pass
            say('  killed    %-28s %-44s exit %d (%s)%s %ds' % (name, what, rc, why, fails, time.time() - t0))
            shutil.rmtree(tree)
        else:
            say('  SURVIVED  %-28s %-44s by %s (log %s.log)' % (name, what, ' '.join(mtests), tree))
    say('mutants: %d killed / %d total on %s%s' % (killed, len(chosen), kver,
                                                     ', %d did not build' % broken if broken else ''))
    return 0 if killed == len(chosen) else 1


if __name__ == '__main__':
    sys.exit(main())
