/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netbuf: proposals. A proposal is one sysctl and the value netbuf computed
 * for it from what it measured, with the effect it expects (upper bounds
 * of metrics that baseline compare measures) and the figures it rests on.
 * The rules are in netbuf(8), ADVICE, and README "Tune and prove it".
 */
#ifndef NB_ADVICE_H
#define NB_ADVICE_H

#include "model.h"

#define NB_EXPECT_MAX	3
#define NB_BECAUSE_MAX	6
#define NB_BECAUSE_LEN	320
#define NB_VALUE_LEN	64

/* An expected effect: metric (as baseline compare names it) <= bound. */
struct nb_expect {
	char metric[32];	/* coll_p99_ns, prune_drop_per_s,
				   time_squeeze_pct, dropped_pct */
	double bound;
};

struct nb_proposal {
	char sysctl[48];		/* net.ipv4.tcp_rmem */
	char value[NB_VALUE_LEN];	/* "4096 131072 1048576" */
	char scope[8];			/* "netns" or "host" */
	char iface[NB_IFNAME_MAX];	/* where it was measured; "" host-wide */
	struct nb_expect expect[NB_EXPECT_MAX];
	size_t nexpect;
	char because[NB_BECAUSE_MAX][NB_BECAUSE_LEN];
	size_t nbecause;
};

struct nb_proposals {
	struct nb_proposal *p;
	size_t n;
};

void nb_proposals_add(struct nb_proposals *ps, const struct nb_proposal *p);
void nb_proposals_free(struct nb_proposals *ps);
/* The command that applies p: "sysctl -w net.ipv4.tcp_rmem='4096 ...'". */
void nb_proposal_command(char *buf, size_t n, const struct nb_proposal *p);
/* 1 if the sysctl now reads the proposed value, 0 if not, -1 unknown. */
int nb_proposal_applied(const struct nb_proposal *p,
			const struct nb_sysctls *now);

#endif
