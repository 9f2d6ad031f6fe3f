// SPDX-License-Identifier: GPL-2.0
/* netbuf: snapshots, see snapshot.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "parse.h"
#include "snapshot.h"
#include "stats.h"

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v && *v ? v : def;
}

void nb_paths_from_env(struct nb_paths *p)
{
	p->proc = env_or("NETBUF_PROC", "/proc/netbuf");
	p->procnet = env_or("NETBUF_PROCNET", "/proc/net");
	p->sysctl = env_or("NETBUF_SYSCTL", "/proc/sys");
	p->cgroup = env_or("NETBUF_CGROUP_ROOT", NULL);
}

static int check_proc_dir(const char *dir, struct nb_err *e)
{
	struct stat st;

	if (stat(dir, &st) < 0 && errno != ENOENT && errno != ENOTDIR)
		return nb_errf(e, "%s: %s", dir, strerror(errno));
	if (stat(dir, &st) < 0)
		return nb_errf(e, "%s not found: the netbuf module is not "
			       "loaded (load it with 'modprobe netbuf', or "
			       "'insmod netbuf.ko')", dir);
	if (!S_ISDIR(st.st_mode))
		return nb_errf(e, "%s: not a directory", dir);
	return 0;
}

static int read_src(struct nb_snapshot *s, enum nb_src i, const char *dir,
		    int optional, struct nb_err *e)
{
	char path[4096];
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, nb_src_names[i]);
	r = nb_read_file(path, &s->raw[i], &s->rawlen[i], e);
	if (r == -ENOENT && optional)
		return 0;
	return r < 0 ? -1 : 0;
}

static int read_sysctls(const struct nb_paths *p, struct nb_sysctls *sc,
			struct nb_err *e)
{
	char path[4096], *buf;
	size_t len;
	int i, r;

	memset(sc, 0, sizeof(*sc));
	for (i = 0; i < SC_COUNT; i++) {
		snprintf(path, sizeof(path), "%s/%s", p->sysctl,
			 nb_sysctls[i].path);
		r = nb_read_file(path, &buf, &len, e);
		if (r == -ENOENT || r == -EACCES || r == -EPERM)
			continue;	/* not on this kernel, or not ours */
		if (r < 0)
			return -1;
		/* a value netbuf cannot read is shown as unknown */
		if (nb_parse_sysctl(path, buf, len, (enum nb_sysctl_id)i, sc,
				    e) < 0)
			sc->raw[i][0] = '\0';
		free(buf);
	}
	return 0;
}

/* kernel/random/boot_id under the sysctl dir; "" when unreadable. */
static void read_boot_id(const struct nb_paths *p, struct nb_snapshot *s)
{
	char path[4096], *buf;
	struct nb_err e;
	size_t len;

	snprintf(path, sizeof(path), "%s/kernel/random/boot_id", p->sysctl);
	if (nb_read_file(path, &buf, &len, &e) < 0)
		return;
	if (len == 37 && buf[36] == '\n' && strspn(buf, "0123456789abcdef-")
	    == 36)
		snprintf(s->boot_id, sizeof(s->boot_id), "%.36s", buf);
	free(buf);
}

static void read_identity(struct nb_snapshot *s)
{
	struct utsname u;
	char link[64];
	ssize_t n;
	char *lb;

	snprintf(s->kernel, sizeof(s->kernel), "%s",
		 uname(&u) == 0 ? u.release : "unknown");
	snprintf(s->netns, sizeof(s->netns), "unknown");
	n = readlink("/proc/self/ns/net", link, sizeof(link) - 1);
	if (n <= 0)
		return;
	link[n] = '\0';
	lb = strchr(link, '[');
	if (lb && strchr(lb, ']')) {
		*strchr(lb, ']') = '\0';
		snprintf(s->netns, sizeof(s->netns), "%s", lb + 1);
	}
}

int nb_snapshot_load(const struct nb_paths *p, struct nb_snapshot *s,
		     struct nb_err *e)
{
	char names[SRC_COUNT][4096];
	const char *np[SRC_COUNT];
	unsigned int i;

	memset(s, 0, sizeof(*s));
	if (check_proc_dir(p->proc, e) < 0)
		return -1;
	for (i = 0; i < SRC_COUNT; i++) {
		snprintf(names[i], sizeof(names[i]), "%s/%s",
			 i == SRC_SOFTNET ? p->procnet : p->proc,
			 nb_src_names[i]);
		np[i] = names[i];
	}
	/* version first: a module of another format fails on it alone */
	if (read_src(s, SRC_VERSION, p->proc, 0, e) < 0 ||
	    nb_parse_version(np[0], s->raw[0], s->rawlen[0], &s->ver, e) < 0)
		goto fail;
	s->realtime_ns = nb_clock_ns(CLOCK_REALTIME);
	s->boottime_ns = nb_clock_ns(CLOCK_BOOTTIME);
	s->monotonic_ns = nb_clock_ns(CLOCK_MONOTONIC);
	for (i = SRC_PROBES; i < SRC_SOFTNET; i++)
		if (read_src(s, i, p->proc, 0, e) < 0)
			goto fail;
	if (read_src(s, SRC_SOFTNET, p->procnet, 1, e) < 0 ||
	    read_sysctls(p, &s->sysctl, e) < 0 ||
	    nb_snapshot_parse(s, np, e) < 0)
		goto fail;
	read_identity(s);
	read_boot_id(p, s);
	return 0;
fail:
	nb_snapshot_free(s);
	return -1;
}

int nb_snapshot_parse(struct nb_snapshot *s, const char *const *names,
		      struct nb_err *e)
{
	char *const *r = s->raw;
	const size_t *l = s->rawlen;

	if (nb_parse_version(names[SRC_VERSION], r[SRC_VERSION],
			     l[SRC_VERSION], &s->ver, e) < 0 ||
	    nb_parse_probes(names[SRC_PROBES], r[SRC_PROBES], l[SRC_PROBES],
			    &s->probes, &s->nprobes, e) < 0 ||
	    nb_parse_table(names[SRC_RCVBUF], r[SRC_RCVBUF], l[SRC_RCVBUF],
			   &nb_rcvbuf_def, &s->rcvbuf, e) < 0 ||
	    nb_parse_table(names[SRC_NAPI], r[SRC_NAPI], l[SRC_NAPI],
			   &nb_napi_def, &s->napi, e) < 0 ||
	    nb_parse_hists(names[SRC_HIST], r[SRC_HIST], l[SRC_HIST],
			   &s->hists, &s->nhists, e) < 0 ||
	    nb_parse_memory(names[SRC_MEMORY], r[SRC_MEMORY], l[SRC_MEMORY],
			    s->mem, e) < 0)
		return -1;
	if (!r[SRC_SOFTNET])
		return 0;
	return nb_parse_softnet(names[SRC_SOFTNET], r[SRC_SOFTNET],
				l[SRC_SOFTNET], &s->cpus, &s->ncpus,
				&s->softnet_cols, e);
}

/* A key of the memory file the tool does not otherwise read; -1 if absent
 * or not a number (the caps are shown, never relied on). */
static long long mem_key(const struct nb_snapshot *s, const char *key)
{
	struct nb_tok line, t[3];
	struct nb_cursor c;
	struct nb_err e;
	u64 v;

	if (!s->raw[SRC_MEMORY])
		return -1;
	nb_cursor_init(&c, "memory", s->raw[SRC_MEMORY], s->rawlen[SRC_MEMORY]);
	while (nb_getline(&c, &line, &e) > 0)
		if (nb_split(line, t, 2) == 2 && nb_tok_eq(t[0], key))
			return nb_tok_u64(t[1], &v) < 0 || v > 0x7fffffffull ?
			       -1 : (long long)v;
	return -1;
}

/* path's text; 1 (an older module's message in e) if it is not there. */
static int read_queue_file(const char *dir, const char *file, char **buf,
			   size_t *len, char *name, size_t namelen,
			   struct nb_err *e)
{
	int r;

	snprintf(name, namelen, "%s/%s", dir, file);
	r = nb_read_file(name, buf, len, e);
	if (r == -ENOENT) {
		nb_errf(e, "this netbuf module has no per-queue view (%s): it "
			"is older than the tool; load a newer one", file);
		return 1;
	}
	return r < 0 ? -1 : 0;
}

int nb_snapshot_load_queues(const struct nb_paths *p, struct nb_snapshot *s,
			    int hists, struct nb_err *e)
{
	struct nb_queues *q = &s->q;
	char name[4200], *buf = NULL;
	size_t len;
	int r;

	nb_queues_free(q);
	s->has_queues = 0;
	r = read_queue_file(p->proc, "napi_queues", &buf, &len, name,
			    sizeof(name), e);
	if (r)
		return r;
	r = nb_parse_queues(name, buf, len, &q->rows, &q->n, e);
	free(buf);
	buf = NULL;
	if (r == 0 && hists) {
		r = read_queue_file(p->proc, "napi_queue_hist", &buf, &len,
				    name, sizeof(name), e);
		if (r == 0)
			r = nb_parse_qhists(name, buf, len, &q->hists,
					    &q->nhists, e);
		free(buf);
		q->has_hists = r == 0;
	}
	if (r) {
		nb_queues_free(q);
		return r;
	}
	q->cap_max = mem_key(s, "napi_queues_max");
	q->cap_netns_max = mem_key(s, "napi_queues_netns_max");
	s->has_queues = 1;
	return 0;
}

void nb_queues_free(struct nb_queues *q)
{
	free(q->rows);
	free(q->hists);
	memset(q, 0, sizeof(*q));
	q->cap_max = q->cap_netns_max = -1;
}

const struct nb_qrow *nb_queues_unlisted(const struct nb_queues *q)
{
	return q->n && q->rows[q->n - 1].unlisted ? &q->rows[q->n - 1] : NULL;
}

void nb_snapshot_free(struct nb_snapshot *s)
{
	unsigned int i;

	nb_queues_free(&s->q);
	free(s->probes);
	free(s->rcvbuf.rows);
	free(s->napi.rows);
	free(s->hists);
	free(s->cpus);
	for (i = 0; i < SRC_COUNT; i++)
		free(s->raw[i]);
	memset(s, 0, sizeof(*s));
}

const struct nb_row *nb_table_find(const struct nb_table *t,
				   const char *iface, long long ifindex)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (nb_row_same(t->rows[i].iface, t->rows[i].ifindex, iface,
				ifindex))
			return &t->rows[i];
	return NULL;
}

int nb_row_same(const char *a, long long ia, const char *b, long long ib)
{
	return ia == ib && (ia > 0 || !strcmp(a, b));
}

static const struct nb_hrow *hist_find(const struct nb_snapshot *s,
				       const char *iface, long long ifindex,
				       enum nb_hkind k)
{
	size_t i;

	for (i = 0; i < s->nhists; i++)
		if (s->hists[i].kind == k &&
		    nb_row_same(s->hists[i].iface, s->hists[i].ifindex, iface,
				ifindex))
			return &s->hists[i];
	return NULL;
}

void nb_snapshot_hist(const struct nb_snapshot *s, const struct nb_row *row,
		      enum nb_hkind k, struct nb_hist *out)
{
	const struct nb_hrow *h = hist_find(s, row->iface, row->ifindex, k);
	size_t i;

	memset(out, 0, sizeof(*out));
	if (h) {
		*out = h->h;
		return;
	}
	if (row->kind != NB_ROW_TOTAL)
		return;
	for (i = 0; i < s->nhists; i++)
		if (s->hists[i].kind == k && s->hists[i].ifindex >= 0)
			nb_hist_add(out, &s->hists[i].h);
}

int nb_snapshot_has_iface(const struct nb_snapshot *s, const char *iface)
{
	size_t i;

	for (i = 0; i < s->rcvbuf.n; i++)
		if (!strcmp(s->rcvbuf.rows[i].iface, iface))
			return 1;
	for (i = 0; i < s->napi.n; i++)
		if (!strcmp(s->napi.rows[i].iface, iface))
			return 1;
	for (i = 0; i < s->nhists; i++)
		if (!strcmp(s->hists[i].iface, iface))
			return 1;
	return 0;
}

void nb_snapshot_check_version(const struct nb_snapshot *s)
{
	if (strcmp(s->ver.module, NETBUF_VERSION))
		nb_warn("module version %s differs from this tool's version "
			"%s", s->ver.module, NETBUF_VERSION);
}
