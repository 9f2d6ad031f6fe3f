// SPDX-License-Identifier: GPL-2.0
/* netbuf tests: helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"

const char *tu_fixtures(void)
{
	const char *d = getenv("NETBUF_FIXTURES");

	return d && *d ? d : "tests/fixtures";
}

static int exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

void tu_paths(const char *dir, struct nb_paths *p, char buf[3][4096])
{
	snprintf(buf[0], 4096, "%s/netbuf", dir);
	if (!exists(buf[0]))
		snprintf(buf[0], 4096, "%s", dir);
	snprintf(buf[1], 4096, "%s/net", dir);
	if (!exists(buf[1]))
		snprintf(buf[1], 4096, "%s", dir);
	snprintf(buf[2], 4096, "%s/sys", dir);
	p->proc = buf[0];
	p->procnet = buf[1];
	p->sysctl = buf[2];
	p->cgroup = NULL;
}

void tu_load(const char *name, struct nb_snapshot *s)
{
	char dir[4096], buf[3][4096];
	struct nb_paths p;
	struct nb_err e;
	int r;

	snprintf(dir, sizeof(dir), "%s/%s", tu_fixtures(), name);
	tu_paths(dir, &p, buf);
	r = nb_snapshot_load(&p, s, &e);
	if (r < 0)
		print_error("loading %s: %s\n", dir, e.msg);
	assert_int_equal(r, 0);
}

char *tu_render(enum em_format fmt, tu_emit_fn fn, void *arg)
{
	struct emitter *em = em_open(fmt, 0);
	struct nb_err e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(em, arg);
	assert_int_equal(em_finish(em, f, &e), 0);
	fclose(f);
	return buf;
}

/* Run "cmd < file-holding-text"; 1 if it exits 0. */
static int run_checker(const char *cmd, const char *text)
{
	char *dir = tu_tmpdir(), path[4200], line[8600];
	int r;

	snprintf(path, sizeof(path), "%s/input", dir);
	tu_write(path, text);
	snprintf(line, sizeof(line), "%s < %s", cmd, path);
	r = system(line);
	free(dir);
	return r == 0;
}

int tu_json_ok(const char *text)
{
	return run_checker("python3 -m json.tool >/dev/null", text);
}

int tu_promtool_ok(const char *text)
{
	return run_checker("promtool check metrics", text);
}

char *tu_tmpdir(void)
{
	char *d = malloc(64);

	mkdir("tests/tmp", 0755);
	snprintf(d, 64, "tests/tmp/unitXXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

void tu_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

int tu_contains(const char *hay, const char *needle)
{
	if (hay && strstr(hay, needle))
		return 1;
	print_error("expected to find \"%s\" in:\n%s\n", needle,
		    hay ? hay : "(null)");
	return 0;
}
