/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netbuf: strict parsers of the /proc/netbuf files (docs/formats.md, format
 * 1), /proc/net/softnet_stat and the sysctl files. Each takes the file's
 * text and a name for messages ("name:line: what is wrong").
 */
#ifndef NB_PARSE_H
#define NB_PARSE_H

#include "model.h"

int nb_parse_version(const char *name, const char *text, size_t len,
		     struct nb_version *v, struct nb_err *e);
int nb_parse_probes(const char *name, const char *text, size_t len,
		    struct nb_probe **out, size_t *n, struct nb_err *e);
int nb_parse_table(const char *name, const char *text, size_t len,
		   const struct nb_tabledef *def, struct nb_table *t,
		   struct nb_err *e);
int nb_parse_hists(const char *name, const char *text, size_t len,
		   struct nb_hrow **out, size_t *n, struct nb_err *e);
/* napi_queues: the instances, then the unlisted line (last, always). */
int nb_parse_queues(const char *name, const char *text, size_t len,
		    struct nb_qrow **out, size_t *n, struct nb_err *e);
int nb_parse_qhists(const char *name, const char *text, size_t len,
		    struct nb_qhrow **out, size_t *n, struct nb_err *e);
int nb_parse_memory(const char *name, const char *text, size_t len,
		    u64 mem[MEM_COUNT], struct nb_err *e);
int nb_parse_softnet(const char *name, const char *text, size_t len,
		     struct nb_cpu **out, size_t *n, unsigned int *cols,
		     struct nb_err *e);
int nb_parse_sysctl(const char *name, const char *text, size_t len,
		    enum nb_sysctl_id id, struct nb_sysctls *sc,
		    struct nb_err *e);

int nb_parse_events(const char *name, const char *text, size_t len,
		    struct nb_event **out, size_t *n, struct nb_err *e);
int nb_parse_control(const char *name, const char *text, size_t len,
		     u64 ctl[CTL_COUNT], struct nb_err *e);

/* Histogram bucket index of a LOW token value; -1 if not 0 or 2^k. */
int nb_hist_index_of(u64 low);

#endif
