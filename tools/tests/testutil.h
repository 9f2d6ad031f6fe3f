/* SPDX-License-Identifier: GPL-2.0 */
/* netbuf tests: helpers shared by the cmocka test programs. */
#ifndef NB_TESTUTIL_H
#define NB_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "emit.h"
#include "snapshot.h"

/* tests/fixtures, or $NETBUF_FIXTURES. */
const char *tu_fixtures(void);
/* Paths of a fixture dir (layout NAME/netbuf, NAME/net, NAME/sys, or the
 * /proc/netbuf files right in NAME). */
void tu_paths(const char *dir, struct nb_paths *p, char buf[3][4096]);
void tu_load(const char *name, struct nb_snapshot *s);

/* Render with fn into a NUL-terminated string (free it). */
typedef void (*tu_emit_fn)(struct emitter *em, void *arg);
char *tu_render(enum em_format fmt, tu_emit_fn fn, void *arg);

int tu_json_ok(const char *text);	/* python3 -m json.tool */
int tu_promtool_ok(const char *text);	/* promtool check metrics */
char *tu_tmpdir(void);			/* fresh dir under tests/tmp */
void tu_write(const char *path, const char *text);
int tu_contains(const char *hay, const char *needle);

#define assert_contains(hay, needle) \
	_assert_true(tu_contains((hay), (needle)), (needle), __FILE__, __LINE__)

#endif
