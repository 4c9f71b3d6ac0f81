"""An HTTP-ish worker for the chaos test: on each connection to EINHORN_FD_0 it reads a request up to its blank
line (2 s at most), answers "HTTP/1.0 200 OK" with the body "VERSION PID" (VERSION read from $VERSION_FILE at
start, so an upgrade after rewriting the file serves the new version), and closes. A client that leaves or
stalls mid-request costs only its own connection. Acks the master; on SIGUSR2 finishes the connection in hand
and exits 0.
"""
import os

import einhorn_worker

with open(os.environ["VERSION_FILE"]) as f:
    version = f.read().split()[0]
body = ("%s %d\n" % (version, os.getpid())).encode()
response = b"HTTP/1.0 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)


def handle(conn):
    conn.settimeout(2)
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = conn.recv(4096)
        if not chunk or len(request) > 65536:
            return  # the client left mid-request, or this is no request
        request += chunk
    conn.sendall(response)


einhorn_worker.serve(handle)
