/* SPDX-License-Identifier: GPL-2.0 */
/* netbuf: log2 histogram math: bucket bounds, percentiles, merge, deltas. */
#ifndef NB_STATS_H
#define NB_STATS_H

#include "model.h"

u64 nb_bucket_low(unsigned int i);
u64 nb_bucket_high(unsigned int i);		/* largest value in bucket i */
int nb_hist_top(const struct nb_hist *h);	/* highest non-empty, or -1 */
/*
 * Largest value bucket i of h can hold: its nominal top, except for the
 * highest non-empty bucket when the recorded max lies above it (the
 * module's last bucket is open-ended): then the max.
 */
u64 nb_hist_bucket_top(const struct nb_hist *h, unsigned int i);
/* 1 if bucket i is that open-ended one. */
int nb_hist_open(const struct nb_hist *h, unsigned int i);

/*
 * Percentile p (0 < p <= 100) of a histogram; -1 if it has no samples.
 * The rank p/100 * samples is located in its bucket, and the value linearly
 * interpolated between the bucket's bounds [2^k, 2^(k+1)) by the rank's
 * position among the bucket's samples (as Prometheus' histogram_quantile()
 * does), then clamped to the bucket's largest value and to the recorded max.
 * An open-ended top bucket reaches up to the recorded max.
 */
int nb_hist_percentile(const struct nb_hist *h, double p, u64 *out);

void nb_hist_add(struct nb_hist *dst, const struct nb_hist *src);

/*
 * d = b - a. Returns -1 if a bucket, samples or sum went down (the counters
 * were reset in between). d->max is the largest value of the period: exact
 * (*exact = 1) when b set a new record, else the top of the highest bucket
 * that grew, capped by b's max.
 */
int nb_hist_delta(const struct nb_hist *a, const struct nb_hist *b,
		  struct nb_hist *d, int *exact);

#endif
