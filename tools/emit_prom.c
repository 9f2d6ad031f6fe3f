// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf: Prometheus text exposition backend (for node_exporter's textfile
 * collector). Samples are collected per metric family and written at the
 * end, each family once with its HELP and TYPE. Fields flagged EM_K_LABEL
 * become labels of the numeric fields after them in the same row or
 * object; fields without a Prometheus name are not exported; rows flagged
 * EM_R_AGGREGATE (totals) are left out.
 */
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "stats.h"

struct family {
	char name[128];
	const char *help;
	const char *type;
	char *buf;
	size_t len;
	FILE *f;
};

struct prom {
	struct family **fam;	/* each apart: memstreams keep &buf, &len */
	size_t n, cap;
	char labels[1024];
	int skip_row;
};

static struct prom *P(struct emitter *em)
{
	if (!em->priv)
		em->priv = nb_xcalloc(1, sizeof(struct prom));
	return em->priv;
}

static FILE *family(struct emitter *em, const char *name, const char *help,
		    const char *type)
{
	struct prom *p = P(em);
	struct family *f;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (!strcmp(p->fam[i]->name, name))
			return p->fam[i]->f;
	nb_grow((void **)&p->fam, &p->cap, p->n + 1, sizeof(f));
	f = nb_xcalloc(1, sizeof(*f));
	p->fam[p->n++] = f;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->help = help ? help : name;
	f->type = type;
	f->f = open_memstream(&f->buf, &f->len);
	if (!f->f) {
		fputs("netbuf: out of memory\n", stderr);
		exit(NB_EXIT_RUNTIME);
	}
	return f->f;
}

static void clear_labels(struct emitter *em)
{
	P(em)->labels[0] = '\0';
}

static void add_label(struct emitter *em, const char *name, const char *val)
{
	struct prom *p = P(em);
	size_t n = strlen(p->labels);
	char esc[512];
	size_t j = 0;

	/* label values must be UTF-8: other bytes become \xNN (a
	 * backslash, escaped as \\, then x and two hex digits) */
	for (; *val && j + 6 < sizeof(esc); val++) {
		size_t u = em_utf8_len((const unsigned char *)val);

		if (*val == '\\' || *val == '"' || *val == '\n') {
			esc[j++] = '\\';
			esc[j++] = *val == '\n' ? 'n' : *val;
		} else if (!u) {
			j += (size_t)snprintf(esc + j, sizeof(esc) - j,
					      "\\\\x%02x",
					      (unsigned char)*val);
		} else {
			while (u-- > 1 && val[1])
				esc[j++] = *val++;
			esc[j++] = *val;
		}
	}
	esc[j] = '\0';
	snprintf(p->labels + n, sizeof(p->labels) - n, "%s%s=\"%s\"",
		 n ? "," : "", name, esc);
}

static void prom_obj_begin(struct emitter *em, const char *key,
			   const char *title)
{
	(void)key;
	(void)title;
	clear_labels(em);
}

static void prom_list_begin(struct emitter *em, const char *key,
			    const char *title, unsigned int flags)
{
	(void)key;
	(void)title;
	(void)flags;
	clear_labels(em);
}

static void prom_row_begin(struct emitter *em, unsigned int flags)
{
	clear_labels(em);
	P(em)->skip_row = !!(flags & EM_R_AGGREGATE);
}

static void prom_end(struct emitter *em)
{
	clear_labels(em);
	P(em)->skip_row = 0;
}

static void prom_number(char *buf, size_t n, const struct em_val *v)
{
	switch (v->type) {
	case EMV_U64:
		if (v->unit == EM_NS)
			nb_fmt_seconds(buf, n, v->u);
		else
			snprintf(buf, n, "%llu", (unsigned long long)v->u);
		break;
	case EMV_I64:
		snprintf(buf, n, "%lld", v->i);
		break;
	case EMV_F64:
		snprintf(buf, n, "%.17g", v->unit == EM_NS ? v->f / 1e9 : v->f);
		break;
	case EMV_BOOL:
		snprintf(buf, n, "%d", v->u ? 1 : 0);
		break;
	default:
		buf[0] = '\0';
	}
}

static void sample(struct emitter *em, const char *name, const char *suffix,
		   const char *extra, const char *value, FILE *f)
{
	const char *l = P(em)->labels;

	if (*l || extra)
		fprintf(f, "netbuf_%s%s{%s%s%s} %s\n", name, suffix, l,
			*l && extra ? "," : "", extra ? extra : "", value);
	else
		fprintf(f, "netbuf_%s%s %s\n", name, suffix, value);
}

static void prom_value(struct emitter *em, const struct em_key *k,
		       const struct em_val *v)
{
	char name[128], num[64];

	if (P(em)->skip_row)
		return;
	if (k->flags & EM_K_LABEL) {
		if (v->type == EMV_STR)
			add_label(em, k->key, v->s);
		else if (v->type != EMV_NULL) {
			prom_number(num, sizeof(num), v);
			add_label(em, k->key, num);
		}
		return;
	}
	if (!k->prom || v->type == EMV_NULL || v->type == EMV_STR)
		return;
	snprintf(name, sizeof(name), "netbuf_%s", k->prom);
	prom_number(num, sizeof(num), v);
	sample(em, k->prom, "", NULL, num,
	       family(em, name, k->help, (k->flags & EM_K_COUNTER) ?
		      "counter" : "gauge"));
}

/*
 * Fixed bucket bounds, the same in every scrape: durations le = 2^j ns for
 * j = 8..34 (256 ns .. 17.2 s; the log2 bucket [2^(j-1), 2^j) lies below
 * it); packets le = 2^j - 1 for j = 0..11 (exact: 0, 1, 3, .. 2047). An
 * open-ended top bucket (max above its range) counts only under +Inf.
 */
#define NS_FIRST 8
#define NS_LAST 34
#define PK_LAST 11

static void hist_buckets(struct emitter *em, const struct em_key *k,
			 const struct nb_hist *h, enum em_unit unit, FILE *f)
{
	char le[64], num[32];
	unsigned int j = unit == EM_NS ? NS_FIRST : 0, last;
	unsigned int i = 0;
	u64 cum = 0;

	last = unit == EM_NS ? NS_LAST : PK_LAST;
	for (; j <= last; j++) {
		for (; i <= j && i < NB_HIST_BUCKETS; i++)
			cum += nb_hist_open(h, i) ? 0 : h->b[i];	/* +Inf */
		if (unit == EM_NS) {
			nb_fmt_seconds(num, sizeof(num), 1ull << j);
			snprintf(le, sizeof(le), "le=\"%s\"", num);
		} else {
			snprintf(le, sizeof(le), "le=\"%llu\"",
				 (unsigned long long)nb_bucket_high(j));
		}
		snprintf(num, sizeof(num), "%llu", (unsigned long long)cum);
		sample(em, k->prom, "_bucket", le, num, f);
	}
	snprintf(num, sizeof(num), "%llu", (unsigned long long)h->samples);
	sample(em, k->prom, "_bucket", "le=\"+Inf\"", num, f);
}

static void prom_hist(struct emitter *em, const struct em_key *k,
		      const struct nb_hist *h, enum em_unit unit)
{
	struct em_val sum = { .type = EMV_U64, .unit = unit, .u = h->sum };
	char name[128], num[64];
	FILE *f;

	if (P(em)->skip_row || !k->prom || (em->flags & EM_O_NOHIST))
		return;
	snprintf(name, sizeof(name), "netbuf_%s", k->prom);
	f = family(em, name, k->help, "histogram");
	hist_buckets(em, k, h, unit, f);
	prom_number(num, sizeof(num), &sum);
	sample(em, k->prom, "_sum", NULL, num, f);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)h->samples);
	sample(em, k->prom, "_count", NULL, num, f);
}

static void prom_doc_end(struct emitter *em)
{
	struct prom *p = P(em);
	size_t i;

	for (i = 0; i < p->n; i++) {
		struct family *f = p->fam[i];

		fflush(f->f);
		fprintf(em->out, "# HELP %s %s\n# TYPE %s %s\n", f->name,
			f->help, f->name, f->type);
		fwrite(f->buf, 1, f->len, em->out);
	}
}

static void prom_destroy(struct emitter *em)
{
	struct prom *p = em->priv;
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++) {
		fclose(p->fam[i]->f);
		free(p->fam[i]->buf);
		free(p->fam[i]);
	}
	free(p->fam);
	free(p);
	em->priv = NULL;
}

const struct em_ops em_prom_ops = {
	.doc_end = prom_doc_end,
	.obj_begin = prom_obj_begin,
	.obj_end = prom_end,
	.list_begin = prom_list_begin,
	.list_end = prom_end,
	.row_begin = prom_row_begin,
	.row_end = prom_end,
	.value = prom_value,
	.hist = prom_hist,
	.destroy = prom_destroy,
};
