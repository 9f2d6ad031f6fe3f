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
