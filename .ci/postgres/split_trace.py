#!/usr/bin/env python3
import json, sys, time
# Zipkin v2 spans of N traces, each split over two collectors: gateway's spans and orders' client span to A,
# orders' server span and payments' to B. No peer.service: only a collector that sees both spans of a call counts it.
n = int(sys.argv[1]); side = sys.argv[2]; base = int(time.time() * 1e6) - 150_000_000
for t in range(n):
    tid = "%032x" % (0xC0FFEE00 + t); s = base + t * 1000
    def sp(i, parent, svc, kind, start, dur, err=False):
        d = {"traceId": tid, "id": "%016x" % (t * 16 + i), "name": "op", "timestamp": start, "duration": dur,
             "localEndpoint": {"serviceName": svc}, "kind": kind}
        if parent: d["parentId"] = "%016x" % (t * 16 + parent)
        if err: d["tags"] = {"error": "true"}
        return d
    spans = {"A": [sp(1, None, "gateway", "SERVER", s, 9000), sp(2, 1, "gateway", "CLIENT", s + 100, 8000),
                   sp(4, 3, "orders", "CLIENT", s + 300, 5000)],
             "B": [sp(3, 2, "orders", "SERVER", s + 200, 7000, err=(t % 4 == 0)),
                   sp(5, 4, "payments", "SERVER", s + 400, 4000)]}
    for d in spans[side]: print(json.dumps(d))
