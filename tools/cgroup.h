/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netbuf: names of cgroup v2 ids. The id of a cgroup is the inode number of
 * its directory under the cgroup2 mount; the map is built by walking that
 * tree once (bounded in depth and directories), at the first lookup.
 */
#ifndef NB_CGROUP_H
#define NB_CGROUP_H

#include "nb.h"

#define NB_CG_MAX_DEPTH	32	/* levels below the root walked */
#define NB_CG_MAX_DIRS	65536	/* directories remembered */

struct nb_cgent {
	u64 id;
	char *path;		/* relative to the root: "/", "/a/b" */
};

struct nb_cgmap {
	const char *given;	/* root to walk; NULL: the cgroup2 mount */
	char *root;		/* NULL until looked for; "" if none */
	struct nb_cgent *ents;	/* sorted by id */
	size_t n, cap;
	u64 *gone;		/* sorted; ids a walk newer than them missed */
	size_t ngone, capgone;
	int walked, stale;
};

/* root: NETBUF_CGROUP_ROOT, or NULL to find the cgroup2 mount. */
void nb_cgmap_init(struct nb_cgmap *m, const char *root);
void nb_cgmap_free(struct nb_cgmap *m);
/* The path of cgroup id, or NULL when it cannot be named. */
const char *nb_cgmap_path(struct nb_cgmap *m, u64 id);
/*
 * Records newer than the last walk were read: an id the map does not hold
 * may be a cgroup made since, so the next such id walks the tree again
 * (once). An id still missing after a walk is remembered as gone.
 */
void nb_cgmap_stale(struct nb_cgmap *m);

/* The mount point of cgroup2 in mountinfo text (the first one mounted at
 * its root "/", else the first one); 0, or -1 if there is none. */
int nb_cgroup2_mount(const char *text, size_t len, char *out, size_t cap);

#endif
