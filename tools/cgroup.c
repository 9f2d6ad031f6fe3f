// SPDX-License-Identifier: GPL-2.0
/* netbuf: names of cgroup v2 ids, see cgroup.h. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"

#define MOUNTINFO "/proc/self/mountinfo"
#define CG_PATH_MAX 4096
#define MI_TOKS 32

void nb_cgmap_init(struct nb_cgmap *m, const char *root)
{
	memset(m, 0, sizeof(*m));
	m->given = root;
}

void nb_cgmap_free(struct nb_cgmap *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->ents[i].path);
	free(m->ents);
	free(m->gone);
	free(m->root);
	memset(m, 0, sizeof(*m));
}

void nb_cgmap_stale(struct nb_cgmap *m)
{
	m->stale = 1;
}

/* ---- /proc/self/mountinfo ---- */

static int is_octal(char c)
{
	return c >= '0' && c <= '7';
}

/* A mountinfo field with its octal escapes (\040 for a space) undone;
 * -1 if it does not fit. */
static int unescape(struct nb_tok t, char *out, size_t cap)
{
	size_t i = 0, n = 0;

	while (i < t.n && n + 1 < cap) {
		if (t.p[i] == '\\' && i + 3 < t.n && is_octal(t.p[i + 1]) &&
		    is_octal(t.p[i + 2]) && is_octal(t.p[i + 3])) {
			out[n++] = (char)((t.p[i + 1] - '0') * 64 +
					  (t.p[i + 2] - '0') * 8 +
					  (t.p[i + 3] - '0'));
			i += 4;
		} else {
			out[n++] = t.p[i++];
		}
	}
	out[n] = '\0';
	return i == t.n ? 0 : -1;
}

/* "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE ...":
 * 1 if a cgroup2 mount (*at_root: its ROOT is "/"), with its mount point. */
static int mi_cgroup2(struct nb_tok line, char *out, size_t cap, int *at_root)
{
	struct nb_tok t[MI_TOKS];
	size_t n = nb_split(line, t, MI_TOKS), i;

	if (n > MI_TOKS || n < 7)
		return 0;
	for (i = 6; i + 1 < n && !nb_tok_eq(t[i], "-"); i++)
		;
	if (i + 1 >= n || !nb_tok_eq(t[i + 1], "cgroup2"))
		return 0;
	*at_root = nb_tok_eq(t[3], "/");
	return unescape(t[4], out, cap) == 0;
}

int nb_cgroup2_mount(const char *text, size_t len, char *out, size_t cap)
{
	char path[CG_PATH_MAX];
	struct nb_cursor c;
	struct nb_tok line;
	struct nb_err e;
	int found = 0, at_root;

	nb_cursor_init(&c, "mountinfo", text, len);
	while (nb_getline(&c, &line, &e) > 0) {
		if (!mi_cgroup2(line, path, sizeof(path), &at_root) ||
		    (found && !at_root))
			continue;
		snprintf(out, cap, "%s", path);
		found = 1;
		if (at_root)
			break;
	}
	return found ? 0 : -1;
}

static const char *cg_root(struct nb_cgmap *m)
{
	char path[CG_PATH_MAX] = "", *buf;
	struct nb_err e;
	size_t len;

	if (m->root)
		return *m->root ? m->root : NULL;
	if (m->given) {
		snprintf(path, sizeof(path), "%s", m->given);
	} else if (nb_read_file(MOUNTINFO, &buf, &len, &e) == 0) {
		if (nb_cgroup2_mount(buf, len, path, sizeof(path)) < 0)
			path[0] = '\0';
		free(buf);
	}
	m->root = nb_xstrdup(path);
	return *m->root ? m->root : NULL;
}

/* ---- the walk ---- */

static void cg_add(struct nb_cgmap *m, u64 id, const char *path)
{
	nb_grow((void **)&m->ents, &m->cap, m->n + 1, sizeof(*m->ents));
	m->ents[m->n].id = id;
	m->ents[m->n].path = nb_xstrdup(*path ? path : "/");
	m->n++;
}

static void cg_walk(struct nb_cgmap *m, int fd, dev_t dev, char *path,
		    size_t len, unsigned int depth);

/* Directory name of dfd, whose path is path[0..len): remember it and walk
 * it; symbolic links and other file systems are left alone. */
static void cg_child(struct nb_cgmap *m, int dfd, dev_t dev, const char *name,
		     char *path, size_t len, unsigned int depth)
{
	size_t n = strlen(name);
	struct stat st;
	int fd;

	if (len + 1 + n >= CG_PATH_MAX ||
	    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISDIR(st.st_mode) || st.st_dev != dev)
		return;
	path[len] = '/';
	memcpy(path + len + 1, name, n + 1);
	cg_add(m, (u64)st.st_ino, path);
	if (depth < NB_CG_MAX_DEPTH) {
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			    O_CLOEXEC);
		if (fd >= 0)
			cg_walk(m, fd, dev, path, len + 1 + n, depth + 1);
	}
	path[len] = '\0';
}

static int is_dot(const char *s)
{
	return s[0] == '.' && (!s[1] || (s[1] == '.' && !s[2]));
}

/* Takes fd (a directory at depth); closes it. */
static void cg_walk(struct nb_cgmap *m, int fd, dev_t dev, char *path,
		    size_t len, unsigned int depth)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;

	if (!d) {
		close(fd);
		return;
	}
	while (m->n < NB_CG_MAX_DIRS && (de = readdir(d)))
		if (!is_dot(de->d_name) &&
		    (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN))
			cg_child(m, dirfd(d), dev, de->d_name, path, len,
				 depth);
	closedir(d);
}

static int ent_cmp(const void *a, const void *b)
{
	u64 x = ((const struct nb_cgent *)a)->id;
	u64 y = ((const struct nb_cgent *)b)->id;

	return x < y ? -1 : x > y;
}

static void cg_rewalk(struct nb_cgmap *m, const char *root)
{
	char path[CG_PATH_MAX] = "";
	struct stat st;
	size_t i;
	int fd;

	for (i = 0; i < m->n; i++)
		free(m->ents[i].path);
	m->n = 0;
	m->walked = 1;
	m->stale = 0;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return;
	}
	cg_add(m, (u64)st.st_ino, path);
	cg_walk(m, fd, st.st_dev, path, 0, 1);
	qsort(m->ents, m->n, sizeof(*m->ents), ent_cmp);
}

/* ---- lookups ---- */

static const char *cg_find(const struct nb_cgmap *m, u64 id)
{
	struct nb_cgent key = { id, NULL };
	const struct nb_cgent *e = !m->n ? NULL :
		bsearch(&key, m->ents, m->n, sizeof(*m->ents), ent_cmp);

	return e ? e->path : NULL;
}

/* Index of the first gone id >= id. */
static size_t gone_pos(const struct nb_cgmap *m, u64 id)
{
	size_t lo = 0, hi = m->ngone;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->gone[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int cg_is_gone(const struct nb_cgmap *m, u64 id)
{
	size_t i = gone_pos(m, id);

	return i < m->ngone && m->gone[i] == id;
}

static void cg_set_gone(struct nb_cgmap *m, u64 id)
{
	size_t i = gone_pos(m, id);

	nb_grow((void **)&m->gone, &m->capgone, m->ngone + 1,
		sizeof(*m->gone));
	memmove(m->gone + i + 1, m->gone + i,
		(m->ngone - i) * sizeof(*m->gone));
	m->gone[i] = id;
	m->ngone++;
}

const char *nb_cgmap_path(struct nb_cgmap *m, u64 id)
{
	const char *root, *p;

	if (!m || !id || !(root = cg_root(m)))
		return NULL;
	if (!m->walked)
		cg_rewalk(m, root);
	p = cg_find(m, id);
	if (p || cg_is_gone(m, id))
		return p;
	if (m->stale) {
		cg_rewalk(m, root);
		p = cg_find(m, id);
	}
	if (!p)
		cg_set_gone(m, id);
	return p;
}
