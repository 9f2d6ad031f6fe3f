#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Validate JSON documents (one per line, or one pretty document) against
docs/netbuf.schema.json: schema.py SCHEMA FILE. Exit 0 if all are valid."""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
try:
    docs = [json.loads(text)]
except json.JSONDecodeError:
    docs = [json.loads(ln) for ln in text.splitlines() if ln.strip()]
bad = 0
for d in docs:
    fmt = d.get("format") if isinstance(d, dict) else None
    for sub in schema["oneOf"]:
        if sub["properties"]["format"]["const"] == fmt:
            errs = sorted(jsonschema.Draft7Validator(sub).iter_errors(d),
                          key=lambda e: list(e.path))
            break
    else:
        errs = ["unknown format %r" % fmt]
    for e in errs[:3]:
        bad += 1
        msg = e if isinstance(e, str) else "%s: %s" % (
            "/".join(map(str, e.path)), e.message)
        print("schema: %s" % msg[:300], file=sys.stderr)
if not docs:
    print("schema: no document", file=sys.stderr)
sys.exit(1 if bad or not docs else 0)
