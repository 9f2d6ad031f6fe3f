// SPDX-License-Identifier: GPL-2.0
/* netbuf: log2 histogram math, see stats.h. */
#include <string.h>

#include "stats.h"

u64 nb_bucket_low(unsigned int i)
{
	return i == 0 ? 0 : 1ull << (i - 1);
}

u64 nb_bucket_high(unsigned int i)
{
	if (i == 0)
		return 0;
	return i >= 64 ? UINT64_MAX : (1ull << i) - 1;
}

int nb_hist_top(const struct nb_hist *h)
{
	int i;

	for (i = NB_HIST_BUCKETS - 1; i >= 0; i--)
		if (h->b[i])
			return i;
	return -1;
}

int nb_hist_open(const struct nb_hist *h, unsigned int i)
{
	return (int)i == nb_hist_top(h) && h->max > nb_bucket_high(i);
}

u64 nb_hist_bucket_top(const struct nb_hist *h, unsigned int i)
{
	return nb_hist_open(h, i) ? h->max : nb_bucket_high(i);
}

static double interpolate(const struct nb_hist *h, unsigned int i, double frac)
{
	double lo = (double)nb_bucket_low(i);
	double hi = i >= 64 ? 18446744073709551616.0 : (double)(1ull << i);

	if (nb_hist_open(h, i))
		hi = (double)h->max;
	return lo + (hi - lo) * frac;
}

int nb_hist_percentile(const struct nb_hist *h, double p, u64 *out)
{
	double rank = p / 100.0 * (double)h->samples, est;
	u64 cum = 0, cap;
	unsigned int i;

	if (!h->samples)
		return -1;
	for (i = 0; i < NB_HIST_BUCKETS; i++) {
		if (!h->b[i] || (double)(cum + h->b[i]) < rank) {
			cum += h->b[i];
			continue;
		}
		if (i == 0) {
			*out = 0;
			return 0;
		}
		est = interpolate(h, i, (rank - (double)cum) / (double)h->b[i]);
		cap = nb_hist_bucket_top(h, i);
		if (h->max >= nb_bucket_low(i) && h->max < cap)
			cap = h->max;
		*out = est >= (double)cap ? cap : (u64)(est + 0.5);
		if (*out < nb_bucket_low(i))
			*out = nb_bucket_low(i);
		return 0;
	}
	/* rank beyond the counts: samples disagree with buckets */
	*out = h->max;
	return 0;
}

void nb_hist_add(struct nb_hist *dst, const struct nb_hist *src)
{
	unsigned int i;

	dst->samples += src->samples;
	dst->sum += src->sum;
	if (src->max > dst->max)
		dst->max = src->max;
	for (i = 0; i < NB_HIST_BUCKETS; i++)
		dst->b[i] += src->b[i];
}

int nb_hist_delta(const struct nb_hist *a, const struct nb_hist *b,
		  struct nb_hist *d, int *exact)
{
	unsigned int i;
	int top;

	memset(d, 0, sizeof(*d));
	if (b->samples < a->samples || b->sum < a->sum)
		return -1;
	for (i = 0; i < NB_HIST_BUCKETS; i++) {
		if (b->b[i] < a->b[i])
			return -1;
		d->b[i] = b->b[i] - a->b[i];
	}
	d->samples = b->samples - a->samples;
	d->sum = b->sum - a->sum;
	*exact = b->max > a->max || d->samples == 0;
	top = nb_hist_top(d);
	if (b->max > a->max)
		d->max = b->max;
	else if (top >= 0)
		d->max = nb_bucket_high((unsigned int)top) < b->max ?
			 nb_bucket_high((unsigned int)top) : b->max;
	return 0;
}
