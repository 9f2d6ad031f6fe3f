/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netbuf: baseline files. A versioned text file holding one or two
 * snapshots (the start and the end of the period measured when it was
 * saved), each with its time stamps, kernel release, network namespace,
 * sysctls, and the /proc/netbuf files and softnet_stat verbatim, so that
 * reading it back goes through the same strict parsers as /proc. The grammar
 * is in netbuf(8), BASELINE FILE FORMAT.
 */
#ifndef NB_BASELINE_H
#define NB_BASELINE_H

#include <stdio.h>

#include "advice.h"
#include "model.h"

#define NB_BASELINE_MAGIC "netbuf-baseline"

struct nb_baseline {
	char tool[64];			/* version of the netbuf that saved */
	size_t n;			/* 1 or 2 snapshots */
	struct nb_snapshot snap[2];	/* snap[n - 1]: the baseline point */
	unsigned int version;		/* of the file */
	int has_props;			/* version 3 on: proposals recorded */
	struct nb_proposals props;	/* made when it was saved */
};

int nb_baseline_write(FILE *f, const struct nb_snapshot *snaps, size_t n,
		      const struct nb_proposals *props);
/* Write to path.tmp, then rename; on failure nothing is left behind. */
int nb_baseline_save(const char *path, const struct nb_snapshot *snaps,
		     size_t n, const struct nb_proposals *props,
		     struct nb_err *e);
int nb_baseline_parse(const char *name, const char *text, size_t len,
		      struct nb_baseline *b, struct nb_err *e);
int nb_baseline_load(const char *path, struct nb_baseline *b,
		     struct nb_err *e);
void nb_baseline_free(struct nb_baseline *b);

#endif
