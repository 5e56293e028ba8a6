"""Sends a known span stream to the collector as Zipkin v2 JSON datagrams (stdlib only).
ci-api: 30 SERVER spans, 12 with error=true. ci-web -> ci-db: 10 CLIENT/SERVER pairs, 8 failing, within 1 s
(Sentinel's breaker opens: > 50 % of >= 5 calls), then one more pair 3 s later in event time to move the watermark."""
import json, os, socket, sys, time

port = int(sys.argv[1])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
now = int(time.time() * 1_000_000) - 5_000_000


def hexid(n):
    return os.urandom(n).hex()


def send(spans):
    sock.sendto(json.dumps(spans).encode(), ("127.0.0.1", port))


api = []
for i in range(30):
    span = {"traceId": hexid(16), "id": hexid(8), "name": "GET /items", "kind": "SERVER", "timestamp": now + i * 1000,
            "duration": 2000, "localEndpoint": {"serviceName": "ci-api"}}
    if i < 12:
        span["tags"] = {"error": "true"}
    api.append(span)
send(api)

def pair(t, fail):
    trace, client = hexid(16), hexid(8)
    tags = {"error": "true"} if fail else {}
    return [
        {"traceId": trace, "id": client, "name": "query", "kind": "CLIENT", "timestamp": t, "duration": 3000,
         "localEndpoint": {"serviceName": "ci-web"}, "remoteEndpoint": {"serviceName": "ci-db"}, "tags": tags},
        {"traceId": trace, "id": hexid(8), "parentId": client, "name": "query", "kind": "SERVER", "timestamp": t + 100,
         "duration": 2500, "localEndpoint": {"serviceName": "ci-db"}, "tags": tags},
    ]

calls = []
for i in range(10):
    calls += pair(now + 100_000 + i * 50_000, fail=i < 8)
send(calls)
time.sleep(0.5)
send(pair(now + 3_500_000, fail=True))
