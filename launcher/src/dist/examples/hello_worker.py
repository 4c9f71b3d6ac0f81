#!/usr/bin/env python3
"""The smallest einhorn worker: answers every connection on the first -b socket with a greeting and its pid.

    bin/einhorn -n 2 -b 127.0.0.1:8080 python3 examples/hello_worker.py
    curl -s 127.0.0.1:8080   # or: nc 127.0.0.1 8080

It acks at once (einhorn -m manual) and exits on the graceful signal (USR2 unless EINHORN_GRACEFUL_SIGNAL says
otherwise), so upgrades (einhornsh -e upgrade, or kill -HUP) replace it without dropping the socket.
"""
import json, os, signal, socket

signal.signal(getattr(signal, "SIG" + os.environ.get("EINHORN_GRACEFUL_SIGNAL", "USR2")), lambda *_: os._exit(0))
listener = socket.socket(fileno=int(os.environ["EINHORN_FD_0"]))
ack = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ack.connect(os.environ["EINHORN_SOCK_PATH"])
ack.sendall((json.dumps({"command": "worker:ack", "pid": os.getpid()}) + "\n").encode())
ack.close()
while True:
    conn, _ = listener.accept()
    with conn:
        conn.sendall(("hello from worker %d\n" % os.getpid()).encode())
