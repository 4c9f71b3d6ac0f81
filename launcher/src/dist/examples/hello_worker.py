#!/usr/bin/env python3
"""The smallest einhorn worker: answers every connection on the first -b socket with a greeting and its pid.

    bin/einhorn -n 2 -b 127.0.0.1:8080 -m manual python3 examples/hello_worker.py
    nc 127.0.0.1 8080   # or: curl -s --http0.9 127.0.0.1:8080 (the answer is one line, not HTTP)

It acks at once, by hand: run einhorn with -m manual (in the default timer mode the master logs an ERROR for
each such ACK and ignores it). On the graceful signal (USR2 unless EINHORN_GRACEFUL_SIGNAL says otherwise) it
stops accepting, finishes the connection in hand and exits, so upgrades (einhornsh -e upgrade, or kill -HUP)
replace it without dropping a connection: what it does not accept waits in the shared socket for the next worker.
"""
import json, os, select, signal, socket, sys

stopping = []
signal.signal(getattr(signal, "SIG" + os.environ.get("EINHORN_GRACEFUL_SIGNAL", "USR2")),
              lambda *_: stopping.append(True))
listener = socket.socket(fileno=int(os.environ["EINHORN_FD_0"]))
listener.setblocking(False)  # several workers wait on one socket: whoever loses the race just waits again
ack = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ack.connect(os.environ["EINHORN_SOCK_PATH"])
ack.sendall((json.dumps({"command": "worker:ack", "pid": os.getpid()}) + "\n").encode())
ack.close()
while not stopping:
    try:
        if not select.select([listener], [], [], 0.2)[0]:
            continue
        conn, _ = listener.accept()
    except (BlockingIOError, InterruptedError):
        continue
    with conn:
        conn.setblocking(True)
        conn.sendall(("hello from worker %d\n" % os.getpid()).encode())
sys.exit(0)
