/* SPDX-License-Identifier: GPL-2.0 */
/* netbuf: output fields shared by several commands. */
#ifndef NB_KEYS_H
#define NB_KEYS_H

#include "emit.h"
#include "model.h"

extern const struct em_key K_IFACE, K_IFINDEX, K_STATE, K_NETNS_LABEL,
	K_NETNS, K_TOOL_VERSION;

/* Emit iface, ifindex (null for "-"), netns label; and state if given. */
void keys_iface(struct emitter *em, const char *iface, long long ifindex,
		const char *state, const char *netns);

/* Emit synthetic: true for netbuf's own rows (ifindex -1 or 0). */
void keys_synthetic(struct emitter *em, long long ifindex);
/* iface, or in buf "NAME (iface)" for a real interface named like one of
 * netbuf's own rows (total, unknown, backlog). */
const char *keys_iface_shown(char *buf, size_t n, const char *iface,
			     long long ifindex);

/* Emit cgroup (the v2 id) and cgroup_path (null: unknown; in tables
 * "path", its end when it is long). */
void keys_cgroup(struct emitter *em, u64 id, const char *path);

/* Emit time (RFC 3339, UTC, nanoseconds) and time_ns (since the epoch). */
void keys_time(struct emitter *em, u64 ns, int shown);	/* shown: in tables */
/* unit, samples, then sum, avg, p50, p99 and max with the unit's suffix
 * (_ns, _pkts; null when there are no samples). */
void keys_hist(struct emitter *em, const struct nb_hist *h, enum em_unit u);

#endif
