// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf: table backend, for people. Top-level scalars print as
 * "head: value"; an object as one line "title: head value, ..."; a list as
 * an aligned table (columns from the fields' heads, grouped under their
 * group) or, with EM_L_BLOCKS, as one heading per row followed by its
 * histogram drawn in the style of bcc's funclatency.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "emit.h"
#include "stats.h"

#define T_MAXCOLS 48
#define T_GAP 2

struct tcol {
	const char *head, *group;
	int right;		/* -1: not known yet */
	size_t w;
};

struct trow {
	char *cell[T_MAXCOLS];
	char *title, *detail, *chart;	/* EM_L_BLOCKS rows */
};

struct table {
	int depth, hide_from;
	int in_list, in_obj, in_row;
	char line[2048];	/* object line being built */
	size_t linelen;
	int objfields;
	const char *title;	/* list */
	unsigned int lflags;
	struct tcol cols[T_MAXCOLS];
	size_t ncols;
	struct trow *rows;
	size_t nrows, cap;
	struct trow cur;
	int printed, after_list;
};

static struct table *T(struct emitter *em)
{
	if (!em->priv)
		em->priv = nb_xcalloc(1, sizeof(struct table));
	return em->priv;
}

static int hiding(const struct table *t)
{
	return t->hide_from != 0;
}

static void enter(struct table *t, int hide)
{
	t->depth++;
	if (!hiding(t) && hide)
		t->hide_from = t->depth;
}

static int leave(struct table *t)
{
	int was_hidden = hiding(t);

	if (t->hide_from == t->depth)
		t->hide_from = 0;
	t->depth--;
	return was_hidden;
}

/* A blank line between a list and whatever is around it. */
static void separate(struct emitter *em, int is_list)
{
	struct table *t = T(em);

	if (t->printed && (is_list || t->after_list))
		fputc('\n', em->out);
	t->printed = 1;
	t->after_list = is_list;
}

static void put_line(FILE *f, char *line)
{
	size_t n = strlen(line);

	while (n > 0 && line[n - 1] == ' ')
		line[--n] = '\0';
	fputs(line, f);
	fputc('\n', f);
}

static void table_obj_begin(struct emitter *em, const char *key,
			    const char *title)
{
	struct table *t = T(em);

	(void)key;
	enter(t, title == NULL || t->in_list);
	if (hiding(t))
		return;
	t->in_obj = 1;
	t->objfields = 0;
	t->linelen = (size_t)snprintf(t->line, sizeof(t->line), "%s:", title);
}

static void table_obj_end(struct emitter *em)
{
	struct table *t = T(em);

	if (leave(t))
		return;
	t->in_obj = 0;
	if (!t->objfields)
		return;
	separate(em, 0);
	put_line(em->out, t->line);
}

static void table_list_begin(struct emitter *em, const char *key,
			     const char *title, unsigned int flags)
{
	struct table *t = T(em);

	(void)key;
	enter(t, (flags & EM_L_NOTABLE) || t->in_list || t->in_obj);
	if (hiding(t))
		return;
	t->in_list = 1;
	t->title = title;
	t->lflags = flags;
	t->ncols = 0;
	t->nrows = 0;
}

static void table_row_begin(struct emitter *em, unsigned int flags)
{
	struct table *t = T(em);

	(void)flags;
	enter(t, 0);
	if (hiding(t))
		return;
	memset(&t->cur, 0, sizeof(t->cur));
	t->in_row = 1;
}

static void table_row_end(struct emitter *em)
{
	struct table *t = T(em);

	if (leave(t))
		return;
	t->in_row = 0;
	nb_grow((void **)&t->rows, &t->cap, t->nrows + 1, sizeof(t->cur));
	t->rows[t->nrows++] = t->cur;
}

static size_t find_col(struct table *t, const struct em_key *k)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].head, k->head) &&
		    (t->cols[i].group == k->group ||
		     (t->cols[i].group && k->group &&
		      !strcmp(t->cols[i].group, k->group))))
			return i;
	if (t->ncols == T_MAXCOLS)
		abort();	/* a programming error */
	t->cols[i].head = k->head;
	t->cols[i].group = k->group;
	t->cols[i].right = -1;
	t->ncols++;
	return i;
}

static char *append(char *s, const char *sep, const char *add)
{
	size_t n = s ? strlen(s) : 0;

	s = nb_xrealloc(s, n + strlen(sep) + strlen(add) + 1);
	sprintf(s + n, "%s%s", n ? sep : "", add);
	return s;
}

static void row_value(struct table *t, const struct em_key *k,
		      const struct em_val *v, const char *text)
{
	size_t c;

	if (t->lflags & EM_L_BLOCKS) {
		if (k->flags & EM_K_TITLE) {
			t->cur.title = append(t->cur.title, " ", text);
			return;
		}
		t->cur.detail = append(t->cur.detail, ", ", k->head);
		t->cur.detail = append(t->cur.detail, " ", text);
		return;
	}
	c = find_col(t, k);
	if (t->cols[c].right < 0 && v->type != EMV_NULL)
		t->cols[c].right = v->type != EMV_STR && v->type != EMV_BOOL;
	else if (t->cols[c].right < 0 && k->unit != EM_COUNT)
		t->cols[c].right = 1;	/* unknown, but a number */
	free(t->cur.cell[c]);
	t->cur.cell[c] = nb_xstrdup(text);
}

static void table_value(struct emitter *em, const struct em_key *k,
			const struct em_val *v)
{
	struct table *t = T(em);
	char text[512];

	if (hiding(t) || (k->flags & EM_K_NOTABLE) ||
	    (!k->head && !(t->in_row && (k->flags & EM_K_TITLE))))
		return;
	em_val_human(text, sizeof(text), v);
	if (t->in_row) {
		row_value(t, k, v, text);
	} else if (t->in_obj) {
		if (v->type == EMV_NULL)
			return;	/* object lines leave out what is unknown */
		t->linelen += (size_t)snprintf(t->line + t->linelen,
					       sizeof(t->line) - t->linelen,
					       "%s %s %s", t->objfields ? "," :
					       "", k->head, text);
		if (t->linelen >= sizeof(t->line))
			t->linelen = sizeof(t->line) - 1;
		t->objfields++;
	} else if (!t->in_list) {
		separate(em, 0);
		fprintf(em->out, "%s: %s\n", k->head, text);
	}
}

static void table_hist(struct emitter *em, const struct em_key *k,
		       const struct nb_hist *h, enum em_unit unit)
{
	struct table *t = T(em);
	size_t len;
	FILE *f;

	(void)k;
	if (hiding(t) || !t->in_row || !(t->lflags & EM_L_BLOCKS))
		return;
	free(t->cur.chart);
	t->cur.chart = NULL;
	f = open_memstream(&t->cur.chart, &len);
	if (!f)
		return;
	em_draw_hist(f, h, unit);
	fclose(f);
}

/* ---- rendering a list ---- */

#define STEADY_LEFT 8	/* "HH:MM:SS", most interface names */
#define STEADY_RIGHT 7	/* rates as "99999.9", "999.9k", "99.99M" */

static void widths(struct table *t, int steady)
{
	size_t c, r, n;

	for (c = 0; c < t->ncols; c++) {
		t->cols[c].w = strlen(t->cols[c].head);
		if (steady)
			t->cols[c].w = t->cols[c].right > 0 ? STEADY_RIGHT :
				       STEADY_LEFT;
		for (r = 0; r < t->nrows; r++) {
			n = t->rows[r].cell[c] ? strlen(t->rows[r].cell[c]) : 1;
			if (n > t->cols[c].w)
				t->cols[c].w = n;
		}
	}
}

static int same_group(const struct tcol *a, const struct tcol *b)
{
	return a->group && b->group && !strcmp(a->group, b->group);
}

/* Columns c.. under the same group; widen the last if the label needs. */
static size_t group_span(struct table *t, size_t c, size_t *span)
{
	size_t e = c + 1, need = strlen(t->cols[c].group) + 6;

	*span = t->cols[c].w;
	while (e < t->ncols && same_group(&t->cols[c], &t->cols[e]))
		*span += T_GAP + t->cols[e++].w;
	if (*span < need) {
		t->cols[e - 1].w += need - *span;
		*span = need;
	}
	return e;
}

static void group_line(struct emitter *em, struct table *t)
{
	char line[4096] = "";
	size_t c = 0, n = 0, span, e, i, pad;

	while (c < t->ncols && n + 1 < sizeof(line)) {
		if (!t->cols[c].group) {
			n += (size_t)snprintf(line + n, sizeof(line) - n,
					      "%*s", (int)(t->cols[c].w + T_GAP),
					      "");
			c++;
			continue;
		}
		e = group_span(t, c, &span);
		pad = span - strlen(t->cols[c].group) - 2;
		for (i = 0; i < pad / 2 && n + 1 < sizeof(line); i++)
			line[n++] = '-';
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s ",
				      t->cols[c].group);
		for (i = 0; i < pad - pad / 2 && n + 1 < sizeof(line); i++)
			line[n++] = '-';
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%*s", T_GAP,
				      "");
		c = e;
	}
	line[n < sizeof(line) ? n : sizeof(line) - 1] = '\0';
	put_line(em->out, line);
}

static void cells_line(struct emitter *em, struct table *t,
		       const char *const *cells, int upper)
{
	char line[4096];
	size_t c, n = 0, i;

	for (c = 0; c < t->ncols && n < sizeof(line); c++) {
		const char *s = cells[c] ? cells[c] : "-";
		int w = (int)t->cols[c].w;

		n += (size_t)snprintf(line + n, sizeof(line) - n,
				      t->cols[c].right > 0 ? "%*s%*s" :
				      "%-*s%*s", w, s, c + 1 < t->ncols ?
				      T_GAP : 0, "");
	}
	line[n < sizeof(line) ? n : sizeof(line) - 1] = '\0';
	for (i = 0; upper && line[i]; i++)
		line[i] = (char)toupper((unsigned char)line[i]);
	put_line(em->out, line);
}

static void print_grid(struct emitter *em, struct table *t)
{
	const char *heads[T_MAXCOLS];
	int header = !(t->lflags & EM_L_NOHEADER) &&
		     !(em->flags & EM_O_NOHEADER);
	size_t c, r;

	widths(t, !!(em->flags & EM_O_STEADY));
	for (c = 0; header && c < t->ncols;)
		c = t->cols[c].group ? group_span(t, c, &r) : c + 1;
	for (c = 0; c < t->ncols; c++)
		heads[c] = t->cols[c].head;
	if (header && t->title)
		fprintf(em->out, "%s\n", t->title);
	for (c = 0; header && c < t->ncols; c++)
		if (t->cols[c].group) {
			group_line(em, t);
			break;
		}
	if (header)
		cells_line(em, t, heads, 1);
	for (r = 0; r < t->nrows; r++)
		cells_line(em, t, (const char *const *)t->rows[r].cell, 0);
}

static void print_blocks(struct emitter *em, struct table *t)
{
	size_t r;

	for (r = 0; r < t->nrows; r++) {
		if (r)
			fputc('\n', em->out);
		fprintf(em->out, "%s%s%s\n", t->rows[r].title ?
			t->rows[r].title : "", t->rows[r].detail ? ": " : "",
			t->rows[r].detail ? t->rows[r].detail : "");
		if (t->rows[r].chart)
			fputs(t->rows[r].chart, em->out);
	}
}

static void free_rows(struct table *t)
{
	size_t r, c;

	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < T_MAXCOLS; c++)
			free(t->rows[r].cell[c]);
		free(t->rows[r].title);
		free(t->rows[r].detail);
		free(t->rows[r].chart);
	}
	t->nrows = 0;
}

static void table_list_end(struct emitter *em)
{
	struct table *t = T(em);

	if (leave(t))
		return;
	t->in_list = 0;
	if (t->nrows) {
		separate(em, 1);
		if (t->lflags & EM_L_BLOCKS)
			print_blocks(em, t);
		else
			print_grid(em, t);
	}
	free_rows(t);
}

static void table_note(struct emitter *em, const char *text)
{
	separate(em, 0);
	fprintf(em->out, "%s\n", text);
}

static void table_destroy(struct emitter *em)
{
	struct table *t = em->priv;

	if (!t)
		return;
	free_rows(t);
	free(t->rows);
	free(t);
	em->priv = NULL;
}

const struct em_ops em_table_ops = {
	.obj_begin = table_obj_begin,
	.obj_end = table_obj_end,
	.list_begin = table_list_begin,
	.list_end = table_list_end,
	.row_begin = table_row_begin,
	.row_end = table_row_end,
	.value = table_value,
	.hist = table_hist,
	.note = table_note,
	.destroy = table_destroy,
};

/* ---- histogram bars ---- */

#define BAR_WIDTH 40

struct hscale {
	const char *label;
	double div;
};

static struct hscale pick_scale(const struct nb_hist *h, enum em_unit unit)
{
	u64 top = nb_hist_bucket_top(h, (unsigned int)nb_hist_top(h));
	struct hscale s = { "nsecs", 1 };

	if (unit != EM_NS)
		s.label = "packets";
	else if (top >= 100000000ull)
		s = (struct hscale){ "msecs", 1e6 };
	else if (top >= 100000ull)
		s = (struct hscale){ "usecs", 1e3 };
	return s;
}

static void fmt_bound(char *buf, size_t n, u64 v, const struct hscale *s)
{
	size_t len;

	if (s->div == 1) {
		snprintf(buf, n, "%llu", (unsigned long long)v);
		return;
	}
	snprintf(buf, n, "%.3f", (double)v / s->div);
	len = strlen(buf);
	while (len > 1 && buf[len - 1] == '0')
		buf[--len] = '\0';
	if (buf[len - 1] == '.')
		buf[len - 1] = '\0';
}

static void bar(char *buf, u64 count, u64 most)
{
	size_t stars = most ? (size_t)(count * BAR_WIDTH / most) : 0;

	if (count && !stars)
		stars = 1;
	memset(buf, '*', stars);
	memset(buf + stars, ' ', BAR_WIDTH - stars);
	buf[BAR_WIDTH] = '\0';
}

void em_draw_hist(FILE *f, const struct nb_hist *h, enum em_unit unit)
{
	char lo[32], hi[32], stars[BAR_WIDTH + 1];
	int top = nb_hist_top(h), first = 0, i, wl = 0, wh = 0;
	struct hscale s;
	u64 most = 0;

	if (top < 0) {
		fputs("     (no samples)\n", f);
		return;
	}
	s = pick_scale(h, unit);
	while (!h->b[first])
		first++;
	for (i = first; i <= top; i++) {
		fmt_bound(lo, sizeof(lo), nb_bucket_low((unsigned int)i), &s);
		fmt_bound(hi, sizeof(hi), nb_hist_bucket_top(h, (unsigned int)i),
			  &s);
		wl = (int)strlen(lo) > wl ? (int)strlen(lo) : wl;
		wh = (int)strlen(hi) > wh ? (int)strlen(hi) : wh;
		most = h->b[i] > most ? h->b[i] : most;
	}
	wl = wl < 10 ? 10 : wl;
	wh = wh < 10 ? 10 : wh;
	fprintf(f, "%*s : count      distribution\n", wl + wh + 4, s.label);
	for (i = first; i <= top; i++) {
		fmt_bound(lo, sizeof(lo), nb_bucket_low((unsigned int)i), &s);
		fmt_bound(hi, sizeof(hi), nb_hist_bucket_top(h, (unsigned int)i),
			  &s);
		bar(stars, h->b[i], most);
		fprintf(f, "%*s -> %-*s : %-10llu |%s| %5.1f%%\n", wl, lo, wh,
			hi, (unsigned long long)h->b[i], stars,
			h->samples ? 100.0 * (double)h->b[i] /
			(double)h->samples : 0.0);
	}
}
