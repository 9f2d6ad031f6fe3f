// SPDX-License-Identifier: GPL-2.0
/* netbuf: JSON backend (compact, or pretty with 4-space indents). */
#include <math.h>
#include <stdlib.h>

#include "emit.h"
#include "stats.h"

#define JSON_DEPTH 16

struct json {
	int depth;
	int first[JSON_DEPTH];
	char close[JSON_DEPTH];
};

static struct json *J(struct emitter *em)
{
	if (!em->priv)
		em->priv = nb_xcalloc(1, sizeof(struct json));
	return em->priv;
}

static void indent(struct emitter *em, int depth)
{
	int i;

	if (!em_pretty(em))
		return;
	fputc('\n', em->out);
	for (i = 0; i < depth; i++)
		fputs("    ", em->out);
}

/* Separator and key before a new member of the current container. */
static void member(struct emitter *em, const char *key)
{
	struct json *j = J(em);

	if (!j->first[j->depth])
		fputc(',', em->out);
	j->first[j->depth] = 0;
	indent(em, j->depth);
	if (key && j->close[j->depth] == '}') {
		em_json_string(em->out, key);
		fputs(em_pretty(em) ? ": " : ":", em->out);
	}
}

static void push(struct emitter *em, char open, char close)
{
	struct json *j = J(em);

	fputc(open, em->out);
	if (j->depth + 1 >= JSON_DEPTH)
		abort();	/* a programming error */
	j->depth++;
	j->first[j->depth] = 1;
	j->close[j->depth] = close;
}

static void pop(struct emitter *em)
{
	struct json *j = J(em);
	int empty = j->first[j->depth];
	char close = j->close[j->depth];

	j->depth--;
	if (!empty)
		indent(em, j->depth);
	fputc(close, em->out);
}

static void json_doc_begin(struct emitter *em, const char *format)
{
	J(em)->close[0] = 0;
	push(em, '{', '}');
	member(em, "format");
	em_json_string(em->out, format);
}

static void json_doc_end(struct emitter *em)
{
	pop(em);
	fputc('\n', em->out);
}

static void json_obj_begin(struct emitter *em, const char *key,
			   const char *title)
{
	(void)title;
	member(em, key);
	push(em, '{', '}');
}

static void json_list_begin(struct emitter *em, const char *key,
			    const char *title, unsigned int flags)
{
	(void)title;
	(void)flags;
	member(em, key);
	push(em, '[', ']');
}

static void json_row_begin(struct emitter *em, unsigned int flags)
{
	(void)flags;
	member(em, NULL);
	push(em, '{', '}');
}

static void json_number(FILE *f, double x)
{
	if (x != 0 && fabs(x) < 1)
		fprintf(f, "%.6g", x);
	else
		fprintf(f, "%.3f", x);
}

static void json_value(struct emitter *em, const struct em_key *k,
		       const struct em_val *v)
{
	if (k->flags & EM_K_NOJSON)
		return;
	member(em, k->key);
	switch (v->type) {
	case EMV_NULL:
		fputs("null", em->out);
		break;
	case EMV_STR:
		em_json_string(em->out, v->s);
		break;
	case EMV_U64:
		fprintf(em->out, "%llu", (unsigned long long)v->u);
		break;
	case EMV_I64:
		fprintf(em->out, "%lld", v->i);
		break;
	case EMV_F64:
		json_number(em->out, v->f);
		break;
	case EMV_BOOL:
		fputs(v->u ? "true" : "false", em->out);
		break;
	}
}

static void json_hist(struct emitter *em, const struct em_key *k,
		      const struct nb_hist *h, enum em_unit unit)
{
	unsigned int i;

	(void)unit;
	member(em, k->key);
	push(em, '[', ']');
	for (i = 0; i < NB_HIST_BUCKETS; i++) {
		if (!h->b[i])
			continue;
		member(em, NULL);
		fprintf(em->out, em_pretty(em) ?
			"{\"low\": %llu, \"high\": %llu, \"count\": %llu}" :
			"{\"low\":%llu,\"high\":%llu,\"count\":%llu}",
			(unsigned long long)nb_bucket_low(i),
			(unsigned long long)nb_hist_bucket_top(h, i),
			(unsigned long long)h->b[i]);
	}
	pop(em);
}

static void json_destroy(struct emitter *em)
{
	free(em->priv);
	em->priv = NULL;
}

const struct em_ops em_json_ops = {
	.doc_begin = json_doc_begin,
	.doc_end = json_doc_end,
	.obj_begin = json_obj_begin,
	.obj_end = pop,
	.list_begin = json_list_begin,
	.list_end = pop,
	.row_begin = json_row_begin,
	.row_end = pop,
	.value = json_value,
	.hist = json_hist,
	.destroy = json_destroy,
};
