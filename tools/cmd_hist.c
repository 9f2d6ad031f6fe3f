// SPDX-License-Identifier: GPL-2.0
/* netbuf hist [collapse|prune|napi|napi_pkts] [IFACE]: log2 histograms. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "keys.h"
#include "stats.h"

static const struct em_key K_HIST = EM_KEY("hist", NULL, EM_COUNT, EM_K_TITLE);
static const struct em_key K_TITLE_IFACE = EM_KEY("iface", "iface", EM_COUNT,
	EM_K_TITLE);
static const struct em_key K_TITLE_DATA = EM_KEY("iface", NULL, EM_COUNT, 0);
static const struct em_key K_TITLE_SHOWN = EM_KEY("iface", "iface", EM_COUNT,
	EM_K_TITLE | EM_K_NOJSON);
static const struct em_key K_IDX = EM_KEY("ifindex", NULL, EM_COUNT, 0);

static void emit_one(struct emitter *em, const struct nb_hrow *r)
{
	const struct nb_hkinddef *k = &nb_hkinds[r->kind];
	enum em_unit u = k->unit;
	char name[NB_IFNAME_MAX + 8];
	const char *shown = keys_iface_shown(name, sizeof(name), r->iface,
					     r->ifindex);

	em_row_begin(em, 0);
	em_str(em, shown == r->iface ? &K_TITLE_IFACE : &K_TITLE_DATA,
	       r->iface);
	if (shown != r->iface)
		em_str(em, &K_TITLE_SHOWN, shown);
	if (r->ifindex >= 0)
		em_i64(em, &K_IDX, r->ifindex);
	else
		em_null(em, &K_IDX);
	keys_synthetic(em, r->ifindex);
	em_str(em, &K_HIST, k->name);
	keys_hist(em, &r->h, u);
	em_hist(em, &k->k, &r->h, u);
	em_row_end(em);
}

/* kind < 0: every kind; iface NULL: every row. */
void hist_emit(struct emitter *em, const struct nb_snapshot *s, int kind,
	       const char *iface)
{
	unsigned int shown = 0;
	size_t i;

	em_doc_begin(em, "netbuf-hist/2");
	em_list_begin(em, "histograms", NULL, EM_L_BLOCKS);
	for (i = 0; i < s->nhists; i++) {
		const struct nb_hrow *r = &s->hists[i];

		if ((kind >= 0 && (int)r->kind != kind) ||
		    (iface && strcmp(r->iface, iface)))
			continue;
		emit_one(em, r);
		shown++;
	}
	em_list_end(em);
	if (!shown)
		em_note(em, "no samples recorded%s%s%s%s",
			kind >= 0 ? " for " : "",
			kind >= 0 ? nb_hkinds[kind].name : "",
			iface ? " on " : "", iface ? iface : "");
	em_doc_end(em);
}

int cmd_hist(const struct nb_opts *o, int argc, char **argv)
{
	const char *iface = NULL;
	enum nb_hkind k;
	int kind = -1, r;
	struct nb_snapshot s;
	struct emitter *em;

	if (argc > 0 && nb_hkind_parse(argv[0], &k) == 0) {
		kind = (int)k;
		argc--;
		argv++;
	}
	if (argc == 2 && kind < 0)
		return nb_usage("hist: unknown histogram '%s' (collapse, "
				"prune, napi, napi_pkts)", argv[0]);
	if (argc > 1)
		return nb_usage("hist: too many arguments (see 'netbuf help "
				"hist')");
	if (argc == 1)
		iface = argv[0];
	if (nb_load_ifaces(o, &s, argv, argc) < 0)
		return NB_EXIT_RUNTIME;
	em = em_open(o->fmt, 0);
	hist_emit(em, &s, kind, iface);
	r = nb_output(em);
	nb_snapshot_free(&s);
	return r;
}
