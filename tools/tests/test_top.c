// SPDX-License-Identifier: GPL-2.0
/* netbuf tests: netbuf top's grouping of the events log, and the naming of
 * cgroup ids (fake cgroup trees in tests/tmp, mountinfo texts). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "parse.h"
#include "testutil.h"

#define HDR "time kind dur_ns outcome iface ifindex cgroup local remote " \
	"rmem_before rcvbuf_before rmem_after rcvbuf_after skbs bytes cpu\n"
#define A1 "10.0.0.1:5201 10.0.0.2:1"
#define A2 "10.0.0.1:5201 10.0.0.2:2"
#define V6 "[2001:db8::1]:443 [2001:db8::2]:51000"
#define TAIL " 6291712 6291456 4194304 6291456 36 2097408 "

static void parse_log(const char *text, struct nb_evlog *log)
{
	struct nb_err e;
	int r;

	memset(log, 0, sizeof(*log));
	log->ctl[CTL_THRESHOLD_NS] = 1000000;
	r = nb_parse_events("ev", text, strlen(text), &log->ev, &log->n, &e);
	if (r < 0)
		print_error("%s\n", e.msg);
	assert_int_equal(r, 0);
}

static void load_fixture_log(const char *name, struct nb_evlog *log)
{
	char path[4096], *buf;
	struct nb_err e;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s/netbuf/events", tu_fixtures(),
		 name);
	assert_int_equal(nb_read_file(path, &buf, &len, &e), 0);
	parse_log(buf, log);
	free(buf);
}

static void by_names(void **state)
{
	enum nb_top_by by = NB_TOP_IFACE;

	(void)state;
	assert_int_equal(nb_top_by_parse("conn", &by), 0);
	assert_int_equal(by, NB_TOP_CONN);
	assert_int_equal(nb_top_by_parse("cgroup", &by), 0);
	assert_int_equal(by, NB_TOP_CGROUP);
	assert_int_equal(nb_top_by_parse("iface", &by), 0);
	assert_int_equal(by, NB_TOP_IFACE);
	assert_int_equal(nb_top_by_parse("connection", &by), -1);
	assert_int_equal(nb_top_by_parse("", &by), -1);
	assert_int_equal(nb_top_by_parse("CONN", &by), -1);
	assert_int_equal(by, NB_TOP_IFACE);
}

/* A collapse counts once when it lies within the next logged prune of its
 * connection on its CPU; otherwise it is an episode of its own. */
static void nested_collapses(void **state)
{
	const char *t = HDR
		/* A1 cpu 1: inside the prune (ends 0.3 ms after it) */
		"100.001000000 collapse 2000000 - eth0 2 7 " A1 TAIL "1\n"
		"100.001300000 prune 2500000 drop eth0 2 7 " A1 TAIL "1\n"
		/* A1 cpu 1: ends before the next prune started */
		"100.010000000 collapse 1000000 - eth0 2 7 " A1 TAIL "1\n"
		/* A1 cpu 2: overlaps the prune below, but another CPU */
		"100.019000000 collapse 1000000 - eth0 2 7 " A1 TAIL "2\n"
		"100.019500000 prune 1200000 collapse eth0 2 7 " A1 TAIL "1\n"
		/* A2 cpu 1: same time as A1's prune, another connection */
		"100.019400000 collapse 1000000 - eth0 2 7 " A2 TAIL "1\n"
		/* A2 cpu 1: ends when its prune ends */
		"100.030000000 collapse 1000000 - eth0 2 7 " A2 TAIL "1\n"
		"100.030000000 prune 1000000 ofo eth0 2 7 " A2 TAIL "1\n";
	struct nb_top_row *rows;
	struct nb_evlog log;
	size_t n;

	(void)state;
	parse_log(t, &log);
	n = nb_top_build(&log, NB_TOP_CONN, &rows);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].key->remote, "10.0.0.2:1");
	assert_int_equal(rows[0].collapses, 3);
	assert_int_equal(rows[0].prunes, 2);
	assert_int_equal(rows[0].drops, 1);
	assert_int_equal(rows[0].episodes, 4);	/* 2 prunes, 2 collapses */
	assert_int_equal(rows[0].stall_ns, 2500000 + 1000000 + 1000000 +
			 1200000);
	assert_int_equal(rows[0].max_ns, 2500000);
	assert_string_equal(rows[1].key->remote, "10.0.0.2:2");
	assert_int_equal(rows[1].collapses, 2);
	assert_int_equal(rows[1].prunes, 1);
	assert_int_equal(rows[1].drops, 0);
	assert_int_equal(rows[1].episodes, 2);
	assert_int_equal(rows[1].stall_ns, 2000000);
	free(rows);
	free(log.ev);
}

/* Most stall first; equal stall: more episodes first, then the key. */
static void ranking(void **state)
{
	const char *t = HDR
		"100.000000000 collapse 2000000 - lo 1 9 " A2 TAIL "0\n"
		"101.000000000 collapse 1000000 - lo 1 9 " A1 TAIL "0\n"
		"102.000000000 collapse 1000000 - lo 1 9 " A1 TAIL "0\n"
		"103.000000000 collapse 2000000 - lo 1 9 " V6 TAIL "0\n"
		"104.000000000 collapse 5000000 - eth0 2 8 " V6 TAIL "3\n";
	struct nb_top_row *rows;
	struct nb_evlog log;

	(void)state;
	parse_log(t, &log);
	assert_int_equal(nb_top_build(&log, NB_TOP_CONN, &rows), 3);
	assert_string_equal(rows[0].key->local, "[2001:db8::1]:443");
	assert_int_equal(rows[0].stall_ns, 7000000);
	assert_string_equal(rows[1].key->remote, "10.0.0.2:1");
	assert_int_equal(rows[1].episodes, 2);
	assert_string_equal(rows[2].key->remote, "10.0.0.2:2");
	free(rows);
	assert_int_equal(nb_top_build(&log, NB_TOP_CGROUP, &rows), 2);
	assert_int_equal(rows[0].key->cgroup, 9);	/* 6 ms, 4 episodes */
	assert_int_equal(rows[0].episodes, 4);
	assert_int_equal(rows[1].key->cgroup, 8);
	free(rows);
	assert_int_equal(nb_top_build(&log, NB_TOP_IFACE, &rows), 2);
	assert_string_equal(rows[0].key->iface, "lo");	/* 6 ms */
	assert_string_equal(rows[1].key->iface, "eth0");
	free(rows);
	free(log.ev);
}

/* Stall sums saturate instead of wrapping modulo 2^64. */
static void stall_saturates(void **state)
{
	const char *t = HDR
		"100.000000000 collapse 18446744073709551000 - lo 1 9 " A1 TAIL
		"0\n"
		"101.000000000 collapse 1000 - lo 1 9 " A1 TAIL "0\n";
	struct nb_top_row *rows;
	struct nb_evlog log;

	(void)state;
	parse_log(t, &log);
	assert_int_equal(nb_top_build(&log, NB_TOP_CONN, &rows), 1);
	assert_true(rows[0].stall_ns == UINT64_MAX);
	free(rows);
	free(log.ev);
}

/* The fixture's log, as its generator describes it. */
static void fixture_groups(void **state)
{
	static const char *const remotes[] = { "[2001:db8::3]:51002",
		"[2001:db8::2]:51000", "10.0.0.2:40312", "127.0.0.1:51234",
		"127.0.0.1:51236", "10.0.0.9:50000" };
	static const u64 stall[] = { 6000000, 5500000, 4200000, 2000000,
				     2000000, 1200000 };
	static const u64 episodes[] = { 1, 3, 2, 2, 1, 1 };
	struct nb_top_row *rows;
	struct nb_evlog log;
	size_t i;

	(void)state;
	load_fixture_log("conns-6.12", &log);
	assert_int_equal(nb_top_build(&log, NB_TOP_CONN, &rows), 6);
	for (i = 0; i < 6; i++) {
		assert_string_equal(rows[i].key->remote, remotes[i]);
		assert_int_equal(rows[i].stall_ns, stall[i]);
		assert_int_equal(rows[i].episodes, episodes[i]);
	}
	free(rows);
	assert_int_equal(nb_top_build(&log, NB_TOP_CGROUP, &rows), 4);
	assert_int_equal(rows[0].key->cgroup, 77);
	assert_int_equal(rows[0].stall_ns, 11500000);
	assert_int_equal(rows[0].drops, 1);
	assert_int_equal(rows[3].key->cgroup, 1);
	free(rows);
	assert_int_equal(nb_top_build(&log, NB_TOP_IFACE, &rows), 4);
	assert_string_equal(rows[0].key->iface, "eth0");
	assert_int_equal(rows[0].stall_ns, 9700000);
	assert_string_equal(rows[3].key->iface, "");	/* "-": gone */
	assert_int_equal(rows[3].key->ifindex, 3);
	free(rows);
	free(log.ev);
}

struct top_arg {
	struct nb_evlog *log;
	enum nb_top_by by;
	size_t max;
};

static void render_top(struct emitter *em, void *arg)
{
	struct top_arg *a = arg;

	top_emit(em, a->log, a->by, a->max);
}

static void top_outputs(void **state)
{
	struct nb_evlog log;
	struct top_arg a = { &log, NB_TOP_CONN, 2 };
	char *tb, *j;

	(void)state;
	load_fixture_log("conns-6.12", &log);
	tb = tu_render(EM_TABLE, render_top, &a);
	j = tu_render(EM_JSON, render_top, &a);
	assert_contains(tb, "6 connections in 13 records of the events log "
			"(episodes of 1.00ms or more), stall 20.9ms in all; "
			"the first 2\n");
	assert_contains(tb, "RANK  LOCAL              REMOTE               "
			"EPISODES  COLLAPSES  PRUNES  DROPS   STALL     MAX  "
			"SHARE\n");
	assert_contains(tb, "   1  [2001:db8::1]:443  [2001:db8::3]:51002    "
			"     1          1       1      1  6.00ms  6.00ms  "
			"28.7%\n");
	assert_null(strstr(tb, "10.0.0.2:40312"));	/* third */
	assert_true(tu_json_ok(j));
	assert_contains(j, "{\"format\":\"netbuf-top/1\",\"by\":\"conn\","
			"\"events_threshold_ns\":1000000,\"records\":13,"
			"\"groups\":6,\"stall_ns\":20900000,\"top\":[{\"rank\":1,"
			"\"local\":\"[2001:db8::1]:443\",\"remote\":"
			"\"[2001:db8::3]:51002\",\"episodes\":1,\"collapses\":1,"
			"\"prunes\":1,\"drops\":1,\"stall_ns\":6000000,"
			"\"max_ns\":6000000,\"share_pct\":28.708}");
	assert_contains(j, "\"rank\":2,");
	assert_null(strstr(j, "\"rank\":3,"));
	free(tb);
	free(j);
	a.by = NB_TOP_IFACE;
	a.max = 10;
	j = tu_render(EM_JSON, render_top, &a);
	assert_contains(j, "{\"rank\":4,\"iface\":null,\"ifindex\":3,");
	free(j);
	free(log.ev);
}

static void top_empty(void **state)
{
	struct nb_evlog log;
	struct top_arg a = { &log, NB_TOP_CGROUP, 10 };
	char *tb, *j;

	(void)state;
	parse_log(HDR, &log);
	tb = tu_render(EM_TABLE, render_top, &a);
	j = tu_render(EM_JSON, render_top, &a);
	assert_string_equal(tb, "no slow episodes recorded (threshold in "
			    "/proc/netbuf/control)\n");
	assert_contains(j, "\"records\":0,\"groups\":0,\"stall_ns\":0,"
			"\"top\":[]}");
	free(tb);
	free(j);
	free(log.ev);
	/* a threshold of 0 logs episodes of 0 ns: no share */
	parse_log(HDR "1.000000000 collapse 0 - lo 1 1 " A1 TAIL "0\n", &log);
	j = tu_render(EM_JSON, render_top, &a);
	assert_contains(j, "\"stall_ns\":0,\"max_ns\":0,\"share_pct\":null}");
	free(j);
	free(log.ev);
}

/* ---- cgroups ---- */

static u64 ino_of(const char *dir, const char *sub)
{
	char path[4200];
	struct stat st;

	snprintf(path, sizeof(path), "%s%s", dir, sub);
	assert_int_equal(stat(path, &st), 0);
	return (u64)st.st_ino;
}

static void mkdirs(const char *dir, const char *const *subs)
{
	char path[4200];

	for (; *subs; subs++) {
		snprintf(path, sizeof(path), "%s%s", dir, *subs);
		assert_int_equal(mkdir(path, 0755), 0);
	}
}

static const char *const tree[] = { "/system.slice",
	"/system.slice/iperf3.service", "/kubepods", "/kubepods/pod1",
	"/kubepods/pod1/nginx", "/user.slice", NULL };

static void cgroup_tree(void **state)
{
	char *dir = tu_tmpdir(), path[200], outside[200];
	struct nb_paths p;
	struct nb_cgmap m;
	u64 id;

	(void)state;
	mkdirs(dir, tree);
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	tu_write(path, "1\n");
	snprintf(outside, sizeof(outside), "%s-outside", dir);
	assert_int_equal(mkdir(outside, 0755), 0);
	snprintf(path, sizeof(path), "%s/user.slice/link", dir);
	assert_int_equal(symlink(outside, path), 0);
	setenv("NETBUF_CGROUP_ROOT", dir, 1);
	nb_paths_from_env(&p);
	unsetenv("NETBUF_CGROUP_ROOT");
	nb_cgmap_init(&m, p.cgroup);
	assert_string_equal(nb_cgmap_path(&m, ino_of(dir, "")), "/");
	assert_string_equal(nb_cgmap_path(&m, ino_of(dir, tree[1])),
			    "/system.slice/iperf3.service");
	assert_string_equal(nb_cgmap_path(&m, ino_of(dir, tree[4])),
			    "/kubepods/pod1/nginx");
	assert_string_equal(nb_cgmap_path(&m, ino_of(dir, tree[5])),
			    "/user.slice");
	assert_int_equal(m.n, 7);	/* the root and the six */
	id = ino_of(outside, "");	/* behind a symbolic link */
	assert_null(nb_cgmap_path(&m, id));
	assert_null(nb_cgmap_path(&m, ino_of(dir, "/cgroup.procs")));
	assert_null(nb_cgmap_path(&m, 0));
	nb_cgmap_free(&m);
	free(dir);
}

/* A cgroup made after the walk is found after nb_cgmap_stale() only; an id
 * the walk missed is not looked for again until then. */
static void cgroup_newer(void **state)
{
	char *dir = tu_tmpdir(), path[200];
	struct nb_cgmap m;
	u64 a, b;

	(void)state;
	mkdirs(dir, tree);
	nb_cgmap_init(&m, dir);
	assert_non_null(nb_cgmap_path(&m, ino_of(dir, tree[0])));
	snprintf(path, sizeof(path), "%s/new-a", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	a = ino_of(path, "");
	assert_null(nb_cgmap_path(&m, a));	/* no walk: remembered gone */
	assert_int_equal(m.ngone, 1);
	snprintf(path, sizeof(path), "%s/new-b", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	b = ino_of(path, "");
	nb_cgmap_stale(&m);
	assert_string_equal(nb_cgmap_path(&m, b), "/new-b");	/* walked */
	assert_string_equal(nb_cgmap_path(&m, a), "/new-a");
	assert_null(nb_cgmap_path(&m, 12345678901ull));
	assert_int_equal(m.stale, 0);
	nb_cgmap_free(&m);
	/* no root: nothing is named, nothing is walked */
	nb_cgmap_init(&m, "tests/tmp/no-such-root");
	assert_null(nb_cgmap_path(&m, ino_of(dir, "")));
	assert_int_equal(m.n, 0);
	nb_cgmap_free(&m);
	free(dir);
}

static void cgroup_depth(void **state)
{
	char *dir = tu_tmpdir(), path[4096];
	struct nb_cgmap m;
	size_t len;
	u64 deep = 0, deepest;
	int i;

	(void)state;
	len = (size_t)snprintf(path, sizeof(path), "%s", dir);
	for (i = 1; i <= NB_CG_MAX_DEPTH + 1; i++) {
		len += (size_t)snprintf(path + len, sizeof(path) - len, "/d");
		assert_int_equal(mkdir(path, 0755), 0);
		if (i == NB_CG_MAX_DEPTH)
			deep = ino_of(path, "");
	}
	deepest = ino_of(path, "");
	nb_cgmap_init(&m, dir);
	assert_non_null(nb_cgmap_path(&m, deep));
	assert_int_equal(strlen(nb_cgmap_path(&m, deep)),
			 2 * NB_CG_MAX_DEPTH);
	assert_null(nb_cgmap_path(&m, deepest));
	nb_cgmap_free(&m);
	free(dir);
}

static void mountinfo(void **state)
{
	const char *hybrid =
		"25 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
		"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw\n"
		"32 31 0:29 / /sys/fs/cgroup/cpu rw - cgroup cgroup rw,cpu\n"
		"41 31 0:38 / /sys/fs/cgroup/unified rw,nosuid shared:9 - "
		"cgroup2 cgroup2 rw,nsdelegate\n";
	const char *sub =
		"50 1 0:30 /docker/abc /sys/fs/cgroup ro master:5 - cgroup2 "
		"cgroup2 rw\n"
		"51 1 0:30 / /mnt/cg\\040root rw - cgroup2 none rw\n";
	const char *none = "25 1 8:1 / / rw - ext4 /dev/sda1 rw\n"
			   "26 25 0:5 / /cgroup2 rw - tmpfs cgroup2 rw\n";
	const char *only_sub =
		"50 1 0:30 /docker/abc /sys/fs/cgroup ro - cgroup2 cgroup2 rw\n";
	char out[256];

	(void)state;
	assert_int_equal(nb_cgroup2_mount(hybrid, strlen(hybrid), out,
					  sizeof(out)), 0);
	assert_string_equal(out, "/sys/fs/cgroup/unified");
	assert_int_equal(nb_cgroup2_mount(sub, strlen(sub), out, sizeof(out)),
			 0);
	assert_string_equal(out, "/mnt/cg root");
	assert_int_equal(nb_cgroup2_mount(only_sub, strlen(only_sub), out,
					  sizeof(out)), 0);
	assert_string_equal(out, "/sys/fs/cgroup");
	assert_int_equal(nb_cgroup2_mount(none, strlen(none), out,
					  sizeof(out)), -1);
	assert_int_equal(nb_cgroup2_mount("", 0, out, sizeof(out)), -1);
}

static void render_events(struct emitter *em, void *arg)
{
	u64 after = 0;

	events_emit(em, arg, &after, NULL, 0, 1);
}

/* events: the path next to the id; tables keep the end of long ones. */
static void events_paths(void **state)
{
	char *dir = tu_tmpdir(), text[2048], long_dir[300], *tb, *j;
	static const char *const longer[] = { "/system.slice/docker-"
		"0123456789abcdef0123456789abcdef.scope", NULL };
	struct nb_cgmap m;
	struct nb_evlog log;

	(void)state;
	mkdirs(dir, tree);
	mkdirs(dir, longer);
	snprintf(long_dir, sizeof(long_dir), "%s", longer[0]);
	snprintf(text, sizeof(text), HDR
		 "1.000000000 collapse 1000000 - lo 1 %llu " A1 TAIL "0\n"
		 "2.000000000 prune 1000000 drop lo 1 %llu " A1 TAIL "0\n"
		 "3.000000000 prune 1000000 drop lo 1 %llu " A1 TAIL "0\n"
		 "4.000000000 prune 1000000 drop lo 1 0 " A1 TAIL "0\n",
		 (unsigned long long)ino_of(dir, tree[4]),
		 (unsigned long long)ino_of(dir, long_dir),
		 (unsigned long long)ino_of(dir, ""));
	parse_log(text, &log);
	nb_cgmap_init(&m, dir);
	log.cg = &m;
	tb = tu_render(EM_TABLE, render_events, &log);
	j = tu_render(EM_JSON, render_events, &log);
	assert_contains(tb, "  PATH  ");
	assert_contains(tb, " /kubepods/pod1/nginx ");
	assert_contains(tb, " ...123456789abcdef0123456789abcdef.scope ");
	assert_contains(tb, " 0  -  ");
	assert_contains(j, "\"cgroup_path\":\"/kubepods/pod1/nginx\"");
	assert_contains(j, "\"cgroup_path\":\"/system.slice/docker-0123456789"
			"abcdef0123456789abcdef.scope\"");
	assert_contains(j, "\"cgroup_path\":\"/\"");
	assert_contains(j, "\"cgroup\":0,\"cgroup_path\":null");
	assert_true(tu_json_ok(j));
	free(tb);
	free(j);
	nb_cgmap_free(&m);
	free(log.ev);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(by_names),
		cmocka_unit_test(nested_collapses),
		cmocka_unit_test(ranking),
		cmocka_unit_test(stall_saturates),
		cmocka_unit_test(fixture_groups),
		cmocka_unit_test(top_outputs),
		cmocka_unit_test(top_empty),
		cmocka_unit_test(cgroup_tree),
		cmocka_unit_test(cgroup_newer),
		cmocka_unit_test(cgroup_depth),
		cmocka_unit_test(mountinfo),
		cmocka_unit_test(events_paths),
	};

	return cmocka_run_group_tests_name("top", tests, NULL, NULL);
}
