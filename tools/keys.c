// SPDX-License-Identifier: GPL-2.0
/* netbuf: output fields shared by several commands. */
#include <stdio.h>
#include <string.h>

#include "keys.h"

const struct em_key K_IFACE = {
	"iface", "iface", NULL, NULL, NULL, EM_COUNT, EM_K_LABEL | EM_K_TITLE,
};
const struct em_key K_IFINDEX = {
	"ifindex", NULL, NULL, NULL, NULL, EM_COUNT, EM_K_LABEL,
};
const struct em_key K_STATE = {
	"state", NULL, NULL, NULL, NULL, EM_COUNT, 0,
};
const struct em_key K_NETNS_LABEL = {
	"netns", NULL, NULL, NULL, NULL, EM_COUNT,
	EM_K_LABEL | EM_K_NOTABLE | EM_K_NOJSON,
};
const struct em_key K_NETNS = {
	"netns", NULL, NULL, NULL, NULL, EM_COUNT, 0,
};
const struct em_key K_TOOL_VERSION = {
	"tool_version", NULL, NULL, NULL, NULL, EM_COUNT, 0,
};

/* A gone interface is marked in tables; JSON has its state. */
static const struct em_key K_IFACE_DATA = {
	"iface", NULL, NULL, NULL, NULL, EM_COUNT, EM_K_LABEL,
};
static const struct em_key K_IFACE_SHOWN = {
	"iface", "iface", NULL, NULL, NULL, EM_COUNT, EM_K_NOJSON,
};

void keys_iface(struct emitter *em, const char *iface, long long ifindex,
		const char *state, const char *netns)
{
	char shown[NB_IFNAME_MAX + 8];

	if (state && !strcmp(state, "gone")) {
		snprintf(shown, sizeof(shown), "%s (gone)", iface);
		em_str(em, &K_IFACE_DATA, iface);
		em_str(em, &K_IFACE_SHOWN, shown);
	} else {
		em_str(em, &K_IFACE, iface);
	}
	if (ifindex >= 0)
		em_i64(em, &K_IFINDEX, ifindex);
	else
		em_null(em, &K_IFINDEX);
	if (netns)
		em_str(em, &K_NETNS_LABEL, netns);
	if (state)
		em_str(em, &K_STATE, state);
}

static const struct em_key K_CGROUP = {
	"cgroup", "cgroup", NULL, NULL, NULL, EM_COUNT, 0,
};
static const struct em_key K_CGPATH = {
	"cgroup_path", NULL, NULL, NULL, NULL, EM_COUNT, EM_K_NOTABLE,
};
static const struct em_key K_CGPATH_SHOWN = {
	"cgroup_path", "path", NULL, NULL, NULL, EM_COUNT, EM_K_NOJSON,
};

#define CGPATH_WIDTH 40	/* in tables, longer paths keep their end */

void keys_cgroup(struct emitter *em, u64 id, const char *path)
{
	char shown[CGPATH_WIDTH + 1];
	size_t n = path ? strlen(path) : 0;

	em_u64(em, &K_CGROUP, id);
	em_str(em, &K_CGPATH, path);
	if (n > CGPATH_WIDTH)
		snprintf(shown, sizeof(shown), "...%s",
			 path + n - (CGPATH_WIDTH - 3));
	em_str(em, &K_CGPATH_SHOWN, n > CGPATH_WIDTH ? shown : path);
}

static const struct em_key K_TIME = {
	"time", "time", NULL, NULL, NULL, EM_COUNT, 0,
};
static const struct em_key K_TIME_NS = {
	"time_ns", NULL, NULL, NULL, NULL, EM_COUNT, 0,
};

void keys_time(struct emitter *em, u64 ns)
{
	char buf[48];

	nb_fmt_rfc3339(buf, sizeof(buf), ns);
	em_str(em, &K_TIME, buf);
	em_u64(em, &K_TIME_NS, ns);
}
