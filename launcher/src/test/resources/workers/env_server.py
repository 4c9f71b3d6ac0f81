"""A worker that acks, then answers every connection on EINHORN_FD_0 with "pid=PID" and KEY=VALUE lines for the
environment variables named in the module's KEYS (None when unset). On SIGUSR2 it finishes the connection in hand
and exits 0 (never drops an accepted connection)."""
import json, os, select, signal, socket, sys

KEYS = ["EINHORN_FD_COUNT", "EINHORN_FD_FAMILY_0", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET",
        "WATCHDOG_USEC"]
stopping = []
signal.signal(signal.SIGUSR2, lambda *_: stopping.append(True))
listener = socket.socket(fileno=int(os.environ["EINHORN_FD_0"]))
listener.setblocking(False)
ack = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ack.connect(os.environ["EINHORN_SOCK_PATH"])
ack.sendall((json.dumps({"command": "worker:ack", "pid": os.getpid()}) + "\n").encode())
ack.close()
answer = "pid=%d\n" % os.getpid() + "".join("%s=%s\n" % (k, os.environ.get(k)) for k in KEYS)
while not stopping:
    try:
        if not select.select([listener], [], [], 0.1)[0]:
            continue
        conn, _ = listener.accept()
    except (BlockingIOError, InterruptedError):
        continue  # another worker took it, or a signal came
    conn.setblocking(True)
    try:
        conn.sendall(answer.encode())
    finally:
        conn.close()
sys.exit(0)
