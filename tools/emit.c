// SPDX-License-Identifier: GPL-2.0
/* netbuf: emitter core; the backends are emit_json.c, emit_table.c and
 * emit_prom.c. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"

#define EM_O_PRETTY (1u << 31)	/* internal: pretty JSON */

struct emitter *em_open(enum em_format fmt, unsigned int flags)
{
	struct emitter *em = nb_xcalloc(1, sizeof(*em));

	em->out = open_memstream(&em->buf, &em->len);
	if (!em->out) {
		fputs("netbuf: out of memory\n", stderr);
		exit(NB_EXIT_RUNTIME);
	}
	em->flags = flags | (fmt == EM_JSON_PRETTY ? EM_O_PRETTY : 0);
	em->ops = fmt == EM_TABLE ? &em_table_ops :
		  fmt == EM_PROM ? &em_prom_ops : &em_json_ops;
	return em;
}

int em_pretty(const struct emitter *em)
{
	return !!(em->flags & EM_O_PRETTY);
}

static void em_free(struct emitter *em)
{
	if (em->ops->destroy)
		em->ops->destroy(em);
	if (em->out)
		fclose(em->out);
	free(em->buf);
	free(em);
}

int em_finish(struct emitter *em, FILE *out, struct nb_err *e)
{
	int r = 0;

	if (fflush(em->out) != 0)
		r = nb_errf(e, "out of memory");
	else if ((em->len && fwrite(em->buf, 1, em->len, out) != em->len) ||
		 fflush(out) != 0)
		r = nb_errf(e, "write error: %s", strerror(errno));
	em_free(em);
	return r;
}

void em_discard(struct emitter *em)
{
	em_free(em);
}

void em_doc_begin(struct emitter *em, const char *format)
{
	if (em->ops->doc_begin)
		em->ops->doc_begin(em, format);
}

void em_doc_end(struct emitter *em)
{
	if (em->ops->doc_end)
		em->ops->doc_end(em);
}

void em_obj_begin(struct emitter *em, const char *key, const char *title)
{
	em->ops->obj_begin(em, key, title);
}

void em_obj_end(struct emitter *em)
{
	em->ops->obj_end(em);
}

void em_list_begin(struct emitter *em, const char *key, const char *title,
		   unsigned int flags)
{
	em->ops->list_begin(em, key, title, flags);
}

void em_list_end(struct emitter *em)
{
	em->ops->list_end(em);
}

void em_row_begin(struct emitter *em, unsigned int flags)
{
	em->ops->row_begin(em, flags);
}

void em_row_end(struct emitter *em)
{
	em->ops->row_end(em);
}

static void value(struct emitter *em, const struct em_key *k,
		  struct em_val *v)
{
	em->ops->value(em, k, v);
}

void em_str(struct emitter *em, const struct em_key *k, const char *s)
{
	struct em_val v = { .type = s ? EMV_STR : EMV_NULL, .unit = k->unit,
			    .s = s };

	value(em, k, &v);
}

void em_u64u(struct emitter *em, const struct em_key *k, u64 x,
	     enum em_unit unit)
{
	struct em_val v = { .type = EMV_U64, .unit = unit, .u = x };

	value(em, k, &v);
}

void em_u64(struct emitter *em, const struct em_key *k, u64 x)
{
	em_u64u(em, k, x, k->unit);
}

void em_i64(struct emitter *em, const struct em_key *k, long long x)
{
	struct em_val v = { .type = EMV_I64, .unit = k->unit, .i = x };

	value(em, k, &v);
}

void em_f64u(struct emitter *em, const struct em_key *k, double x,
	     enum em_unit unit)
{
	struct em_val v = { .type = isfinite(x) ? EMV_F64 : EMV_NULL,
			    .unit = unit, .f = x };

	value(em, k, &v);
}

void em_f64(struct emitter *em, const struct em_key *k, double x)
{
	em_f64u(em, k, x, k->unit);
}

void em_bool(struct emitter *em, const struct em_key *k, int x)
{
	struct em_val v = { .type = EMV_BOOL, .unit = k->unit, .u = !!x };

	value(em, k, &v);
}

void em_null(struct emitter *em, const struct em_key *k)
{
	struct em_val v = { .type = EMV_NULL, .unit = k->unit };

	value(em, k, &v);
}

void em_hist(struct emitter *em, const struct em_key *k,
	     const struct nb_hist *h, enum em_unit unit)
{
	em->ops->hist(em, k, h, unit);
}

void em_note(struct emitter *em, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (em->ops->note)
		em->ops->note(em, buf);
}

static void human_f64(char *buf, size_t n, double f, enum em_unit unit)
{
	switch (unit) {
	case EM_NS:
		nb_fmt_duration(buf, n, f < 0 ? 0 : (u64)(f + 0.5));
		break;
	case EM_PCT:
		snprintf(buf, n, "%.1f%%", f);
		break;
	case EM_SECS:
		snprintf(buf, n, f < 1 ? "%.3fs" : "%.1fs", f);
		break;
	case EM_RATE:	/* at most 7 characters below 1e9 */
		if (fabs(f) >= 999995)
			snprintf(buf, n, "%.2fM", f / 1e6);
		else if (fabs(f) >= 99999.95)
			snprintf(buf, n, "%.1fk", f / 1e3);
		else
			snprintf(buf, n, f != 0 && fabs(f) < 0.1 ? "%.3f" :
				 "%.1f", f);
		break;
	default:
		snprintf(buf, n, "%.2f", f);
	}
}

void em_val_human(char *buf, size_t n, const struct em_val *v)
{
	switch (v->type) {
	case EMV_NULL:
		snprintf(buf, n, "-");
		break;
	case EMV_STR:
		snprintf(buf, n, "%s", v->s);
		for (; *buf; buf++)	/* no terminal control from names */
			if ((unsigned char)*buf < 0x20 || *buf == 0x7f)
				*buf = '?';
		break;
	case EMV_U64:
		if (v->unit == EM_NS)
			nb_fmt_duration(buf, n, v->u);
		else
			snprintf(buf, n, "%llu", (unsigned long long)v->u);
		break;
	case EMV_I64:
		snprintf(buf, n, "%lld", v->i);
		break;
	case EMV_F64:
		human_f64(buf, n, v->f, v->unit);
		break;
	case EMV_BOOL:
		snprintf(buf, n, "%s", v->u ? "yes" : "no");
		break;
	}
}

/* Length of the valid UTF-8 sequence at p, 0 if invalid. */
size_t em_utf8_len(const unsigned char *p)
{
	size_t n, i;

	if (*p < 0x80)
		return 1;
	n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 :
	    (*p & 0xf8) == 0xf0 ? 4 : 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

void em_json_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	fputc('"', f);
	for (; *p; p++) {
		if (*p >= 0x80) {
			n = em_utf8_len(p);
			if (!n) {
				fprintf(f, "\\u%04x", *p);	/* as Latin-1 */
				continue;
			}
			fwrite(p, 1, n, f);
			p += n - 1;
		} else if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\t')
			fputs("\\t", f);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}
