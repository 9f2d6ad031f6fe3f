/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netbuf: the one output path. Commands describe their output as a document
 * (scalars, objects, lists of rows, histograms, notes); a backend renders it
 * as an aligned table, JSON, pretty JSON or Prometheus text. Everything is
 * rendered into memory and written out by em_finish() only, so an error in
 * the middle of a command leaves stdout untouched.
 */
#ifndef NB_EMIT_H
#define NB_EMIT_H

#include <stdio.h>

#include "nb.h"

struct nb_hist;

enum em_format { EM_TABLE, EM_JSON, EM_JSON_PRETTY, EM_PROM };

/* How a number is shown in tables and exported to Prometheus. */
enum em_unit {
	EM_COUNT,	/* plain integer */
	EM_NS,		/* nanoseconds: "1.23ms" in tables, seconds in Prometheus */
	EM_BYTES,
	EM_PKTS,	/* packets */
	EM_RATE,	/* events per second, one decimal in tables */
	EM_PCT,		/* percent, one decimal and "%" in tables */
	EM_SECS,	/* seconds as a double */
};

enum em_key_flags {
	EM_K_LABEL = 1u << 0,	/* Prometheus: a label of the row's samples */
	EM_K_NOTABLE = 1u << 1,	/* not shown in tables */
	EM_K_NOJSON = 1u << 2,	/* not in JSON */
	EM_K_TITLE = 1u << 3,	/* tables, block rows: part of the heading */
	EM_K_COUNTER = 1u << 4,	/* Prometheus: counter (else gauge) */
};

/* One field, described once for every backend. */
struct em_key {
	const char *key;	/* JSON key (and Prometheus label name) */
	const char *head;	/* table column header; NULL: not in tables */
	const char *group;	/* table: header spanning adjacent columns */
	const char *prom;	/* Prometheus metric without "netbuf_" */
	const char *help;	/* Prometheus HELP text */
	enum em_unit unit;
	unsigned int flags;
};

/*
 * The constructors of every output field: JSON key, table head (NULL: not
 * in tables), unit, flags; EM_PKEY with its Prometheus name (without
 * "netbuf_") and HELP text, EM_GKEY with a table group.
 */
#define EM_KEY(key, head, unit, flags) \
	{ key, head, NULL, NULL, NULL, unit, flags }
#define EM_PKEY(key, head, prom, help, unit, flags) \
	{ key, head, NULL, prom, help, unit, flags }
#define EM_GKEY(key, head, group, prom, help, unit, flags) \
	{ key, head, group, prom, help, unit, flags }

enum em_list_flags {
	EM_L_NOTABLE = 1u << 0,	/* list not shown in tables */
	EM_L_NOHEADER = 1u << 1,	/* table without header lines */
	EM_L_BLOCKS = 1u << 2,	/* table: a heading line per row, then its
				   histogram drawn as bars */
};

enum em_row_flags {
	EM_R_AGGREGATE = 1u << 0,	/* a sum of other rows: not exported to
					   Prometheus, which sums by itself */
};

enum em_open_flags {
	EM_O_NOHEADER = 1u << 0,	/* tables: no header lines at all
					   (watch on a pipe after the first) */
	EM_O_STEADY = 1u << 1,		/* tables: wide columns, so that
					   repeated tables line up */
	EM_O_NOHIST = 1u << 2,		/* Prometheus: no histogram families
					   (--prom-histograms none) */
};

struct emitter;

struct emitter *em_open(enum em_format fmt, unsigned int flags);
/* Render and write to out; returns 0, or -1 with e filled. Frees em. */
int em_finish(struct emitter *em, FILE *out, struct nb_err *e);
void em_discard(struct emitter *em);

void em_doc_begin(struct emitter *em, const char *format);
void em_doc_end(struct emitter *em);
void em_obj_begin(struct emitter *em, const char *key, const char *title);
void em_obj_end(struct emitter *em);
void em_list_begin(struct emitter *em, const char *key, const char *title,
		   unsigned int flags);
void em_list_end(struct emitter *em);
void em_row_begin(struct emitter *em, unsigned int flags);
void em_row_end(struct emitter *em);

void em_str(struct emitter *em, const struct em_key *k, const char *s);
void em_u64(struct emitter *em, const struct em_key *k, u64 v);
void em_i64(struct emitter *em, const struct em_key *k, long long v);
void em_f64(struct emitter *em, const struct em_key *k, double v);
void em_bool(struct emitter *em, const struct em_key *k, int v);
void em_null(struct emitter *em, const struct em_key *k);
/* Same, with the unit given here instead of by the key. */
void em_u64u(struct emitter *em, const struct em_key *k, u64 v,
	     enum em_unit unit);
void em_f64u(struct emitter *em, const struct em_key *k, double v,
	     enum em_unit unit);
/* A log2 histogram: JSON bucket list, bars in tables, Prometheus histogram. */
void em_hist(struct emitter *em, const struct em_key *k,
	     const struct nb_hist *h, enum em_unit unit);
/* Prose for people: shown by tables only. */
void em_note(struct emitter *em, const char *fmt, ...) NB_PRINTF(2, 3);

/* ---- backend interface (emit_*.c) ---- */

enum em_vtype { EMV_NULL, EMV_STR, EMV_U64, EMV_I64, EMV_F64, EMV_BOOL };

struct em_val {
	enum em_vtype type;
	enum em_unit unit;
	const char *s;
	u64 u;
	long long i;
	double f;
};

struct em_ops {
	void (*doc_begin)(struct emitter *em, const char *format);
	void (*doc_end)(struct emitter *em);
	void (*obj_begin)(struct emitter *em, const char *key,
			  const char *title);
	void (*obj_end)(struct emitter *em);
	void (*list_begin)(struct emitter *em, const char *key,
			   const char *title, unsigned int flags);
	void (*list_end)(struct emitter *em);
	void (*row_begin)(struct emitter *em, unsigned int flags);
	void (*row_end)(struct emitter *em);
	void (*value)(struct emitter *em, const struct em_key *k,
		      const struct em_val *v);
	void (*hist)(struct emitter *em, const struct em_key *k,
		     const struct nb_hist *h, enum em_unit unit);
	void (*note)(struct emitter *em, const char *text);
	void (*destroy)(struct emitter *em);
};

struct emitter {
	const struct em_ops *ops;
	FILE *out;		/* memory stream */
	char *buf;
	size_t len;
	unsigned int flags;
	void *priv;		/* backend state */
};

int em_pretty(const struct emitter *em);
extern const struct em_ops em_json_ops, em_table_ops, em_prom_ops;

/* Shared by backends: a value as text for tables (human) or raw. */
void em_val_human(char *buf, size_t n, const struct em_val *v);
void em_json_string(FILE *f, const char *s);
/* Length of the valid UTF-8 sequence at p, 0 if invalid. */
size_t em_utf8_len(const unsigned char *p);

/* Draw a histogram funclatency-style; used by the table backend. */
void em_draw_hist(FILE *f, const struct nb_hist *h, enum em_unit unit);

#endif
