#!/usr/bin/env python3
"""Measures what `kill -9` costs the collector: sends numbered syslog lines at a fixed rate, kills the collector
with SIGKILL mid-stream, then reads which lines were committed. The loss window is the time between the send of the
earliest line that was not stored and the kill (the data that was in sockets, the queue or an open batch).
Usage: scripts/kill9-window.py MESHTOP_BINARY [--rate 40000] [--rounds 5] [--seconds 4]"""
import argparse, os, signal, socket, sqlite3, subprocess, sys, tempfile, time

ap = argparse.ArgumentParser()
ap.add_argument("binary")
ap.add_argument("--rate", type=int, default=40_000)
ap.add_argument("--rounds", type=int, default=5)
ap.add_argument("--seconds", type=float, default=4.0)
args = ap.parse_args()

def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

windows = []
for r in range(args.rounds):
    d = tempfile.mkdtemp(prefix="meshtop-kill9-")
    db = os.path.join(d, "m.db")
    port = free_udp_port()
    p = subprocess.Popen([args.binary, "collect", "--db", db, "--listen", f"127.0.0.1:{port}", "--jaeger", "off",
                          "--otlp", "off", "--otlp-grpc", "off", "--zipkin", "off", "--no-governance", "--quiet"],
                         stderr=subprocess.PIPE)
    p.stderr.readline()  # the startup line
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent_at = []
    start = time.monotonic()
    seq = 0
    batch = 64  # lines per datagram burst step; each line its own datagram
    while True:
        now = time.monotonic()
        if now - start >= args.seconds:
            break
        due = int((now - start) * args.rate)
        while seq < due:
            sock.sendto(b"<14>1 - host kill9 - - - seq=%d" % seq, ("127.0.0.1", port))
            sent_at.append(time.monotonic())
            seq += 1
    killed = time.monotonic()
    p.send_signal(signal.SIGKILL)
    p.wait()
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    stored = {int(m.split("seq=")[1]) for (m,) in con.execute("SELECT message FROM logs WHERE service='kill9'")}
    missing = [i for i in range(seq) if i not in stored]
    # Lines lost before the tail (kernel drops under load) are not the crash's doing: look at the tail run only.
    tail = 0
    for i in range(seq - 1, -1, -1):
        if i in stored:
            break
        tail += 1
    first_lost = seq - tail
    window_ms = (killed - sent_at[first_lost]) * 1000 if tail else 0.0
    windows.append(window_ms)
    print(f"round {r + 1}: sent {seq}, stored {len(stored)}, lost at the tail {tail} "
          f"({window_ms:.0f} ms of traffic before the kill), other gaps {len(missing) - tail}")
print(f"loss window over {args.rounds} rounds at {args.rate} lines/s: "
      f"min {min(windows):.0f} ms, max {max(windows):.0f} ms")
