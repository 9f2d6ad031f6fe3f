// SPDX-License-Identifier: GPL-2.0
/* netbuf: proposals, see advice.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advice.h"

void nb_proposals_add(struct nb_proposals *ps, const struct nb_proposal *p)
{
	ps->p = nb_xrealloc(ps->p, (ps->n + 1) * sizeof(*ps->p));
	ps->p[ps->n++] = *p;
}

void nb_proposals_free(struct nb_proposals *ps)
{
	free(ps->p);
	ps->p = NULL;
	ps->n = 0;
}

void nb_proposal_command(char *buf, size_t n, const struct nb_proposal *p)
{
	snprintf(buf, n, strchr(p->value, ' ') ? "sysctl -w %s='%s'" :
		 "sysctl -w %s=%s", p->sysctl, p->value);
}

/* The values of a sysctl as one space-separated string. */
static void squeeze_blanks(char *dst, size_t n, const char *src)
{
	size_t o = 0;
	int blank = 1;

	for (; *src && o + 1 < n; src++) {
		if (*src == ' ' || *src == '\t' || *src == '\n') {
			blank = 1;
			continue;
		}
		if (blank && o)
			dst[o++] = ' ';
		if (o + 1 < n)
			dst[o++] = *src;
		blank = 0;
	}
	dst[o] = '\0';
}

int nb_proposal_applied(const struct nb_proposal *p,
			const struct nb_sysctls *now)
{
	char a[NB_VALUE_LEN], b[NB_VALUE_LEN];
	int id = nb_sysctl_find(p->sysctl);

	if (id < 0 || !now->present[id])
		return -1;
	squeeze_blanks(a, sizeof(a), p->value);
	squeeze_blanks(b, sizeof(b), now->raw[id]);
	return !strcmp(a, b);
}
