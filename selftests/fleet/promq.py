#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Ask a Prometheus server's HTTP API (selftests/fleet/20-prometheus-e2e.sh).

  promq.py URL query EXPR        one line per series: {labels} value
  promq.py URL alerts            one line per alert: name state {labels}
  promq.py URL ready             exit 0 when /-/ready answers 200
  promq.py URL targets           one line per active target: job health
Exits 1 with a message on stderr when the API says anything but success.
"""
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

# Seconds per HTTP request: a TCG guest beside other guests took more than
# 10 s to answer a query over every netbuf series.
TIMEOUT = 90


def get(url):
    with urllib.request.urlopen(url, timeout=TIMEOUT) as r:
        return r.status, r.read()


def api(base, path, **params):
    q = ("?" + urllib.parse.urlencode(params)) if params else ""
    _, body = get(base + path + q)
    doc = json.loads(body)
    if doc.get("status") != "success":
        sys.exit("promq: %s: %s" % (path, doc.get("error", doc)))
    return doc["data"]


def labels(m):
    return "{" + ",".join('%s="%s"' % (k, m[k]) for k in sorted(m)) + "}"


def main():
    base, cmd = sys.argv[1].rstrip("/"), sys.argv[2]
    try:
        if cmd == "ready":
            status, _ = get(base + "/-/ready")
            sys.exit(0 if status == 200 else 1)
        if cmd == "query":
            data = api(base, "/api/v1/query", query=sys.argv[3])
            for r in data["result"]:
                print(labels(r["metric"]), r["value"][1])
        elif cmd == "alerts":
            for a in api(base, "/api/v1/alerts")["alerts"]:
                lab = dict(a["labels"])
                name = lab.pop("alertname")
                print(name, a["state"], labels(lab))
        elif cmd == "targets":
            for t in api(base, "/api/v1/targets")["activeTargets"]:
                print(t["labels"].get("job"), t["health"], t.get("lastError", ""))
        else:
            sys.exit("promq: unknown command " + cmd)
    except (urllib.error.URLError, OSError) as e:
        sys.exit("promq: %s" % e)


if __name__ == "__main__":
    main()
