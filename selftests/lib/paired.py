# SPDX-License-Identifier: GPL-2.0
"""The verdicts the experiments (selftests/experiment) share: RcvPruned
does not rise and throughput is not lower, over runs before and after a
change. Prints the '# ' lines of the record and the key=value lines the
scripts test (pruned_bound, pruned_ok, tput_ok)."""
import statistics as st


def report(pruned_before, pruned_after, ratios):
    """ratios: throughput after / before, one per round (paired)."""
    n = len(ratios)
    m = st.mean(ratios)
    sd = st.stdev(ratios) if n > 1 else 0.0
    print("# RcvPruned: before %d, after %d" % (pruned_before, pruned_after))
    print("# throughput after/before, paired: mean %.3f, sd %.3f, min %.3f, max %.3f" %
          (m, sd, min(ratios), max(ratios)))
    # "does not rise" as advise's own expectation bounds it: the count
    # before plus what chance alone gives a like period (n + 3 sqrt(n) + 1,
    # Poisson)
    bound = pruned_before + 3 * pruned_before ** 0.5 + 1
    print("pruned_bound=%.1f" % bound)
    print("pruned_ok=%d" % (pruned_after <= bound))
    # not lower: the mean paired ratio is not below 1 by more than its
    # standard error twice (noise), nor below 0.95
    se = sd / n ** 0.5
    print("tput_ok=%d" % (m >= 0.95 and m + 2 * se >= 1.0))
