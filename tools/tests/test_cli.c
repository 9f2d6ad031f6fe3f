// SPDX-License-Identifier: GPL-2.0
/* netbuf tests: the command line, run in-process with stdout and stderr
 * captured: usage errors (exit 2), runtime errors (exit 1, one line on
 * stderr, nothing on stdout), help and version. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "testutil.h"

struct run {
	int rc;
	char *out, *err;
};

static char *slurp(const char *path)
{
	struct nb_err e;
	char *buf;
	size_t len;

	assert_int_equal(nb_read_file(path, &buf, &len, &e), 0);
	return buf;
}

static struct run run_main(const char *const *args)
{
	char *dir = tu_tmpdir(), out[128], err[128], *argv[32];
	int saved[2], fd[2], argc = 0;
	struct run r;

	argv[argc++] = (char *)"netbuf";
	while (*args && argc < 31)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(err, sizeof(err), "%s/err", dir);
	fflush(stdout);
	fflush(stderr);
	saved[0] = dup(1);
	saved[1] = dup(2);
	fd[0] = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	fd[1] = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	dup2(fd[0], 1);
	dup2(fd[1], 2);
	r.rc = nb_main(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(saved[0], 1);
	dup2(saved[1], 2);
	close(saved[0]);
	close(saved[1]);
	close(fd[0]);
	close(fd[1]);
	r.out = slurp(out);
	r.err = slurp(err);
	free(dir);
	return r;
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

#define WARN_010 "netbuf: warning: module version 0.1.0 differs"

/* One line on stderr holding err, and nothing on stdout. */
static void expect(const char *const *args, int rc, const char *err)
{
	struct run r = run_main(args);
	char *nl, *line = r.err;

	if (r.rc != rc)
		print_error("exit %d, expected %d; stderr: %s\n", r.rc, rc,
			    r.err);
	assert_int_equal(r.rc, rc);
	assert_string_equal(r.out, "");
	/* the fixtures are of module 0.1.0; another build warns first */
	if (!strncmp(line, WARN_010, strlen(WARN_010)))
		line = strchr(line, '\n') + 1;
	assert_contains(line, err);
	assert_true(!strncmp(line, "netbuf: ", 8));
	nl = strchr(line, '\n');
	assert_non_null(nl);
	assert_string_equal(nl, "\n");
	run_free(&r);
}

static void use_fixture(const char *name)
{
	char dir[512], buf[3][4096];
	struct nb_paths p;

	snprintf(dir, sizeof(dir), "%s/%s", tu_fixtures(), name);
	tu_paths(dir, &p, buf);
	setenv("NETBUF_PROC", p.proc, 1);
	setenv("NETBUF_PROCNET", p.procnet, 1);
	setenv("NETBUF_SYSCTL", p.sysctl, 1);
}

#define A(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void usage_errors(void **state)
{
	(void)state;
	use_fixture("basic-6.1");
	expect(A("frobnicate"), 2, "unknown command 'frobnicate'");
	expect(A("--frob"), 2, "unknown option '--frob'");
	expect(A("-x"), 2, "unknown option '-x'");
	expect(A("show", "-q"), 2, "unknown option '-q' (see 'netbuf help "
	       "show')");
	expect(A("show", "-i", "1"), 2, "option -i does not apply to show");
	expect(A("hist", "-z"), 2, "option -z does not apply to hist");
	expect(A("hist", "--prometheus"), 2, "--prometheus does not apply");
	expect(A("advise", "-c", "3"), 2, "option -c does not apply");
	expect(A("-j", "--prometheus"), 2, "exclude each other");
	expect(A("watch", "-i"), 2, "option '-i' needs a value");
	expect(A("watch", "-i", "0"), 2, "bad interval '0'");
	expect(A("watch", "-i", "-1"), 2, "bad interval '-1'");
	expect(A("watch", "-i", "1e3"), 2, "bad interval '1e3'");
	expect(A("watch", "-i", "3600.5"), 2, "bad interval '3600.5'");
	expect(A("watch", "-c", "0"), 2, "bad count '0'");
	expect(A("watch", "-c", "2x"), 2, "bad count '2x'");
	expect(A("hist", "latency", "eth0"), 2, "unknown histogram 'latency'");
	expect(A("hist", "collapse", "eth0", "lo"), 2, "too many arguments");
	expect(A("baseline"), 2, "expected 'save FILE' or 'compare FILE'");
	expect(A("baseline", "load", "f"), 2, "unknown subcommand 'load'");
	expect(A("baseline", "save"), 2, "expected one FILE");
	expect(A("baseline", "compare", "a", "b"), 2, "expected one FILE");
	expect(A("advise", "now"), 2, "unexpected argument");
	expect(A("help", "frob"), 2, "help: unknown command 'frob'");
	expect(A("show", "--version"), 2, "--version goes before");
	expect(A("top", "-n", "0"), 2, "bad -n '0': a whole number from 1");
	expect(A("top", "-n", "ten"), 2, "bad -n 'ten'");
	expect(A("top", "-n", "-3"), 2, "bad -n '-3'");
	expect(A("top", "-n"), 2, "option '-n' needs a value");
	expect(A("top", "--by", "pid"), 2, "unknown --by 'pid': conn, "
	       "cgroup or iface");
	expect(A("top", "--by=", "-j"), 2, "unknown --by ''");
	expect(A("top", "eth0"), 2, "top: unexpected argument 'eth0'");
	expect(A("top", "-f"), 2, "option -f does not apply to top");
	expect(A("top", "--prometheus"), 2, "--prometheus does not apply");
	expect(A("show", "-n", "3"), 2, "option -n does not apply to show");
	expect(A("events", "--by", "conn"), 2, "option --by does not apply "
	       "to events");
}

static void intervals(void **state)
{
	static const char *const good[] = { "0.1", "1", "1.5", "3600",
					    "3600.0", "07" };
	static const char *const bad[] = { "0", "0.09", "3600.01", "", ".",
					   "1.2.3", "1e2", "0x10", "inf", "nan",
					   "-5", " 1", "1s" };
	double v;
	size_t i;

	(void)state;
	for (i = 0; i < NB_ARRAY_SIZE(good); i++)
		assert_int_equal(nb_parse_interval(good[i], 0, &v), 0);
	for (i = 0; i < NB_ARRAY_SIZE(bad); i++)
		assert_int_equal(nb_parse_interval(bad[i], 0, &v), -1);
	assert_int_equal(nb_parse_interval("0", 1, &v), 0);
	assert_true(v == 0);
	assert_int_equal(nb_parse_interval("0.05", 1, &v), -1);
}

static void help_and_version(void **state)
{
	static const char *const cmds[] = { "show", "watch", "hist",
					    "baseline", "advise", "events",
					    "top" };
	struct run r;
	size_t i;

	(void)state;
	r = run_main(A("--version"));
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "netbuf " NETBUF_VERSION " (reads /proc/netbuf "
			"format 1, baseline version 3)\n");
	run_free(&r);
	r = run_main(A("help"));
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "Usage: netbuf [OPTIONS] [COMMAND [ARGS]]");
	assert_string_equal(r.err, "");
	run_free(&r);
	for (i = 0; i < NB_ARRAY_SIZE(cmds); i++) {
		char want[64];

		snprintf(want, sizeof(want), "Usage: netbuf %s", cmds[i]);
		r = run_main(A(cmds[i], "--help"));
		assert_int_equal(r.rc, 0);
		assert_contains(r.out, want);
		run_free(&r);
		r = run_main(A("help", cmds[i]));
		assert_contains(r.out, want);
		run_free(&r);
	}
	r = run_main(A("-h"));
	assert_contains(r.out, "Commands:");
	run_free(&r);
	r = run_main(A("baseline", "save", "-h"));
	assert_int_equal(r.rc, 0);
	assert_contains(r.out, "Usage: netbuf baseline save");
	run_free(&r);
}

static void runtime_errors(void **state)
{
	(void)state;
	setenv("NETBUF_PROC", "tests/fixtures/not-loaded", 1);
	expect(A("show"), 1, "tests/fixtures/not-loaded not found: the netbuf "
	       "module is not loaded (load it with 'modprobe netbuf', or "
	       "'insmod netbuf.ko')");
	expect(A(NULL), 1, "modprobe netbuf");
	expect(A("advise"), 1, "modprobe netbuf");
	use_fixture("basic-6.1");
	expect(A("show", "eth9"), 1, "no interface 'eth9'");
	expect(A("hist", "napi", "eth9"), 1, "no interface 'eth9'");
	expect(A("baseline", "compare", "tests/fixtures/no-such-file"), 1,
	       "tests/fixtures/no-such-file: No such file or directory");
	expect(A("baseline", "compare", "tests/fixtures/gen.py"), 1,
	       "gen.py: not a netbuf baseline file");
	expect(A("baseline", "save", "-i", "0", "tests/tmp/no/such/f"), 1,
	       "tests/tmp/no/such/f.tmp: No such file or directory");
}

static void version_mismatch(void **state)
{
	char *dir = tu_tmpdir(), cmd[300], path[200], buf[3][4096];
	struct nb_paths p;
	struct run r;

	(void)state;
	snprintf(cmd, sizeof(cmd), "cp -r %s/basic-6.1/. %s", tu_fixtures(),
		 dir);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/netbuf/version", dir);
	tu_write(path, "netbuf 9.9.9\nformat 1\nbuilt_for a\nrunning b\n");
	tu_paths(dir, &p, buf);
	setenv("NETBUF_PROC", p.proc, 1);
	r = run_main(A("show"));
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.err, "netbuf: warning: module version 9.9.9 "
			    "differs from this tool's version " NETBUF_VERSION
			    "\n");
	assert_contains(r.out, "module: version 9.9.9");
	run_free(&r);
	tu_write(path, "netbuf 9.9.9\nformat 2\n");
	expect(A("show"), 1, "version: unsupported format 2 (this netbuf "
	       "reads format 1)");
	free(dir);
}

static void outputs(void **state)
{
	struct run r;

	(void)state;
	use_fixture("busy-6.12");
	r = run_main(A("-j"));
	assert_int_equal(r.rc, 0);
	assert_true(tu_json_ok(r.out));
	run_free(&r);
	r = run_main(A("show", "--prometheus"));
	assert_true(tu_promtool_ok(r.out));
	run_free(&r);
	r = run_main(A("hist", "-p", "napi"));
	assert_true(tu_json_ok(r.out));
	assert_contains(r.out, "\"hist\": \"napi_ns\"");
	run_free(&r);
	r = run_main(A("watch", "-c", "1", "-i", "0.1", "-j", "eth0"));
	assert_int_equal(r.rc, 0);
	assert_true(tu_json_ok(r.out));
	assert_contains(r.out, "\"iface\":\"eth0\"");
	run_free(&r);
	use_fixture("conns-6.12");
	r = run_main(A("-n", "2", "top", "--by", "iface", "-p"));
	assert_int_equal(r.rc, 0);
	assert_true(tu_json_ok(r.out));
	assert_contains(r.out, "\"by\": \"iface\"");
	assert_contains(r.out, "\"rank\": 2,\n            \"iface\": "
			"\"veth3\"");
	assert_null(strstr(r.out, "\"rank\": 3"));
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(usage_errors),
		cmocka_unit_test(intervals),
		cmocka_unit_test(help_and_version),
		cmocka_unit_test(runtime_errors),
		cmocka_unit_test(version_mismatch),
		cmocka_unit_test(outputs),
	};

	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
