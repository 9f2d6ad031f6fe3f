// SPDX-License-Identifier: GPL-2.0
/*
 * netbuf show --all-netns: the host admin's view, every network
 * namespace's rows from /proc/netbuf/all_rcvbuf and all_napi (each line
 * led by the namespace's inode number), each namespace named where it can
 * be: an `ip netns` name (a bind mount under /run/netns whose inode is the
 * namespace's), a process in it (/proc/PID/ns/net) and its cgroup.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "keys.h"
#include "parse.h"

#define NS_NAME_MAX	256
#define NS_CG_MAX	512

/* One namespace: its rows of both files, and what names it. */
struct ns_ent {
	u64 ino;
	struct nb_table rcvbuf, napi;
	int has_rcvbuf, has_napi;
	char name[NS_NAME_MAX];		/* ip netns name, "" if none */
	long pid;			/* lowest PID in it, 0 if none seen */
	char comm[32];
	char cgroup[NS_CG_MAX];		/* that process's cgroup path */
};

struct ns_set {
	struct ns_ent *v;
	size_t n, cap;
};

static struct ns_ent *ns_get(struct ns_set *set, u64 ino)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->v[i].ino == ino)
			return &set->v[i];
	nb_grow((void **)&set->v, &set->cap, set->n + 1, sizeof(*set->v));
	memset(&set->v[set->n], 0, sizeof(*set->v));
	set->v[set->n].ino = ino;
	return &set->v[set->n++];
}

static void ns_free(struct ns_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		free(set->v[i].rcvbuf.rows);
		free(set->v[i].napi.rows);
	}
	free(set->v);
}

/* The first field of a line (blanks before it skipped). */
static struct nb_tok first_field(struct nb_tok line)
{
	struct nb_tok t = { line.p, 0 };

	while (t.p < line.p + line.n && (*t.p == ' ' || *t.p == '\t'))
		t.p++;
	while (t.p + t.n < line.p + line.n && t.p[t.n] != ' ' &&
	       t.p[t.n] != '\t')
		t.n++;
	return t;
}

/*
 * Split an all_* file into one table per namespace: the header (its first
 * column must be netns), then each namespace's lines, together, checked
 * by the per-namespace parser (their order, the total row).
 */
static int split_file(const char *name, const char *text, size_t len,
		      const struct nb_tabledef *def, struct ns_set *set,
		      int napi, struct nb_err *e)
{
	struct nb_cursor c;
	struct nb_tok line, hdr, f;
	char *buf = NULL, sub[4200];
	size_t blen = 0, bcap = 0;
	u64 ino = 0, cur = 0;
	int r, have = 0;

	nb_cursor_init(&c, name, text, len);
	r = nb_getline(&c, &hdr, e);
	if (r == 0)
		return nb_errf(e, "%s: empty file (truncated?)", name);
	if (r < 0)
		return -1;
	if (!nb_tok_eq(first_field(hdr), "netns"))
		return nb_errf(e, "%s:1: unexpected header: the first column "
			       "is not 'netns' (not format %d?)", name,
			       NB_PROC_FORMAT);
	for (;;) {
		r = nb_getline(&c, &line, e);
		if (r < 0)
			break;
		if (r > 0) {
			f = first_field(line);
			if (nb_tok_u64(f, &ino) < 0 || ino == 0) {
				r = nb_errf(e, "%s:%u: bad netns '%.*s' (an "
					    "inode number)", name, c.line,
					    (int)f.n, f.p);
				break;
			}
		}
		if (have && (r == 0 || ino != cur)) {
			struct ns_ent *ns = ns_get(set, cur);
			struct nb_table *t = napi ? &ns->napi : &ns->rcvbuf;
			int *has = napi ? &ns->has_napi : &ns->has_rcvbuf;

			if (*has) {
				r = nb_errf(e, "%s:%u: the lines of netns "
					    "%llu are not together", name,
					    c.line, (unsigned long long)cur);
				break;
			}
			snprintf(sub, sizeof(sub), "%s (netns %llu)", name,
				 (unsigned long long)cur);
			if (nb_parse_table(sub, buf, blen, def, t, e) < 0) {
				r = -1;
				break;
			}
			*has = 1;
			have = 0;
		}
		if (r == 0)
			break;
		if (!have) {
			blen = 0;
			nb_grow((void **)&buf, &bcap, hdr.n + 1, 1);
			memcpy(buf, hdr.p, hdr.n);
			buf[hdr.n] = '\n';
			blen = hdr.n + 1;
			cur = ino;
			have = 1;
		}
		nb_grow((void **)&buf, &bcap, blen + line.n + 2, 1);
		memcpy(buf + blen, line.p, line.n);
		buf[blen + line.n] = '\n';
		blen += line.n + 1;
		buf[blen] = '\0';
	}
	free(buf);
	return r < 0 ? -1 : 0;
}

static int read_all(const struct nb_opts *o, const char *file,
		    const struct nb_tabledef *def, int napi,
		    struct ns_set *set)
{
	char path[4096];
	struct nb_err e;
	size_t len;
	char *text;
	int r;

	snprintf(path, sizeof(path), "%s/%s", o->paths.proc, file);
	r = nb_read_file(path, &text, &len, &e);
	if (r == -EACCES || r == -EPERM) {
		fprintf(stderr, "netbuf: %s: %s: the view of every network "
			"namespace is the host admin's: CAP_NET_ADMIN in the "
			"initial user namespace, from the initial network "
			"namespace (see netbuf(8))\n", path, strerror(-r));
		return -1;
	}
	if (r == -ENOENT) {
		fprintf(stderr, "netbuf: %s: no such file: not the initial "
			"network namespace, or the module is not loaded or "
			"too old (see netbuf(8))\n", path);
		return -1;
	}
	if (r < 0)
		return nb_fail(&e), -1;
	r = split_file(path, text, len, def, set, napi, &e);
	free(text);
	return r < 0 ? (nb_fail(&e), -1) : 0;
}

/* The inode number of a "net:[N]" link, 0 if it is not one. */
static u64 link_ino(const char *path)
{
	char buf[64], *end;
	ssize_t n = readlink(path, buf, sizeof(buf) - 1);
	unsigned long long v;

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if (strncmp(buf, "net:[", 5))
		return 0;
	errno = 0;
	v = strtoull(buf + 5, &end, 10);
	if (errno || end == buf + 5 || strcmp(end, "]"))
		return 0;
	return v;
}

static struct ns_ent *ns_find(struct ns_set *set, u64 ino)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->v[i].ino == ino)
			return &set->v[i];
	return NULL;
}

/* ip netns names: files under dir whose inode is a namespace's. */
static void name_netns(struct ns_set *set, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct ns_ent *ns;
	char path[4096];
	struct stat st;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) < 0)
			continue;
		ns = ns_find(set, (u64)st.st_ino);
		/* Several names of one namespace: the first in order. */
		if (ns && (!ns->name[0] || strcmp(de->d_name, ns->name) < 0))
			snprintf(ns->name, sizeof(ns->name), "%s", de->d_name);
	}
	closedir(d);
}

static void read_line(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "r");

	out[0] = '\0';
	if (!f)
		return;
	if (fgets(out, (int)n, f))
		out[strcspn(out, "\n")] = '\0';
	fclose(f);
}

/* The cgroup v2 path ("0::PATH"), else the first hierarchy's. */
static void read_cgroup(const char *path, char *out, size_t n)
{
	FILE *f = fopen(path, "r");
	char line[1024], *p;
	int v2 = 0;

	out[0] = '\0';
	if (!f)
		return;
	while (!v2 && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		v2 = !strncmp(line, "0::", 3);
		p = strchr(line, ':');
		p = p ? strchr(p + 1, ':') : NULL;
		if (p && (v2 || !out[0]))
			snprintf(out, n, "%s", p + 1);
	}
	fclose(f);
}

/* A process in each namespace (the lowest PID), its comm and cgroup. */
static void name_procs(struct ns_set *set, const char *proc)
{
	DIR *d = opendir(proc);
	struct dirent *de;
	struct ns_ent *ns;
	char path[4096], *end;
	long pid;

	if (!d)
		return;
	while ((de = readdir(d))) {
		pid = strtol(de->d_name, &end, 10);
		if (pid <= 0 || *end)
			continue;
		snprintf(path, sizeof(path), "%s/%s/ns/net", proc, de->d_name);
		ns = ns_find(set, link_ino(path));
		if (!ns || (ns->pid && ns->pid < pid))
			continue;
		ns->pid = pid;
		snprintf(path, sizeof(path), "%s/%s/comm", proc, de->d_name);
		read_line(path, ns->comm, sizeof(ns->comm));
		snprintf(path, sizeof(path), "%s/%s/cgroup", proc, de->d_name);
		read_cgroup(path, ns->cgroup, sizeof(ns->cgroup));
	}
	closedir(d);
}

static const struct em_key K_INO = EM_KEY("netns_ino", "netns", EM_COUNT,
	EM_K_LABEL);
static const struct em_key K_NAME = EM_KEY("name", "name", EM_COUNT,
	EM_K_LABEL);
static const struct em_key K_PID = EM_KEY("pid", "pid", EM_COUNT, EM_K_LABEL);
static const struct em_key K_COMM = EM_KEY("comm", "comm", EM_COUNT,
	EM_K_LABEL);
static const struct em_key K_CG = EM_KEY("cgroup", "cgroup", EM_COUNT,
	EM_K_LABEL);
static const struct em_key K_NSINFO = EM_PKEY("info", NULL, "netns_info",
	"A network namespace netbuf has rows of, with what names it "
	"(always 1).", EM_COUNT, EM_K_NOJSON | EM_K_NOTABLE);
static const struct em_key K_NSCOUNT = EM_PKEY("count", NULL,
	"namespaces", "Network namespaces in the host-wide view.", EM_COUNT,
	EM_K_NOJSON | EM_K_NOTABLE);

static void emit_str_or_null(struct emitter *em, const struct em_key *k,
			     const char *s)
{
	if (s && s[0])
		em_str(em, k, s);
	else
		em_null(em, k);
}

static void emit_namespaces(struct emitter *em, const struct ns_set *set)
{
	size_t i;

	em_list_begin(em, "namespaces", "Network namespaces", 0);
	for (i = 0; i < set->n; i++) {
		const struct ns_ent *ns = &set->v[i];

		em_row_begin(em, 0);
		em_u64(em, &K_INO, ns->ino);
		emit_str_or_null(em, &K_NAME, ns->name);
		if (ns->pid)
			em_u64(em, &K_PID, (u64)ns->pid);
		else
			em_null(em, &K_PID);
		emit_str_or_null(em, &K_COMM, ns->pid ? ns->comm : NULL);
		emit_str_or_null(em, &K_CG, ns->pid ? ns->cgroup : NULL);
		em_u64(em, &K_NSINFO, 1);
		em_row_end(em);
	}
	em_list_end(em);
}

static void emit_rows(struct emitter *em, const struct ns_set *set,
		      int napi, const char *title, int zeros,
		      unsigned int *hidden)
{
	const struct nb_tabledef *def = napi ? &nb_napi_def : &nb_rcvbuf_def;
	size_t i, j, k;

	em_list_begin(em, def->file, title, 0);
	for (i = 0; i < set->n; i++) {
		const struct ns_ent *ns = &set->v[i];
		const struct nb_table *t = napi ? &ns->napi : &ns->rcvbuf;

		for (j = 0; j < t->n; j++) {
			const struct nb_row *r = &t->rows[j];

			if (!zeros && nb_row_zero(def, r)) {
				*hidden += r->kind == NB_ROW_IFACE;
				continue;
			}
			em_row_begin(em, r->kind == NB_ROW_TOTAL ?
				     EM_R_AGGREGATE : 0);
			em_u64(em, &K_INO, ns->ino);
			keys_iface(em, r->iface, r->ifindex, r->state, NULL);
			for (k = 0; k < def->ncols; k++)
				em_u64(em, &def->cols[k].k, r->v[k]);
			em_row_end(em);
		}
	}
	em_list_end(em);
}

static void show_all_emit(struct emitter *em, const struct ns_set *set,
			  int zeros)
{
	unsigned int hidden = 0;

	em_doc_begin(em, "netbuf-show-all/1");
	em_u64(em, &K_UP, 1);
	em_u64(em, &K_ERR, 0);
	em_str(em, &K_TOOL_VERSION, NETBUF_VERSION);
	em_u64(em, &K_NSCOUNT, set->n);
	emit_namespaces(em, set);
	emit_rows(em, set, 0, "Receive queue, every network namespace", zeros,
		  &hidden);
	emit_rows(em, set, 1, "NAPI, every network namespace", zeros,
		  &hidden);
	if (hidden)
		em_note(em, "(interfaces whose counters are all zero are "
			"hidden; -z shows them)");
	em_doc_end(em);
}

int cmd_show_all(const struct nb_opts *o, int argc, char **argv)
{
	struct ns_set set = { 0 };
	struct emitter *em;
	const char *env;
	int r;

	if (argc > 0)
		return nb_usage("show --all-netns takes no IFACE ('%s'): it "
				"shows every interface of every namespace",
				argv[0]);
	if (read_all(o, "all_rcvbuf", &nb_rcvbuf_def, 0, &set) < 0 ||
	    read_all(o, "all_napi", &nb_napi_def, 1, &set) < 0) {
		ns_free(&set);
		return NB_EXIT_RUNTIME;
	}
	env = getenv("NETBUF_NETNS_DIR");
	name_netns(&set, env && *env ? env : "/run/netns");
	env = getenv("NETBUF_PROC_ROOT");
	name_procs(&set, env && *env ? env : "/proc");
	em = em_open(o->fmt, 0);
	show_all_emit(em, &set, o->zeros || o->fmt != EM_TABLE);
	r = o->output ? nb_output_file(o->output, em) : nb_output(em);
	ns_free(&set);
	return r;
}
