"""A worker that acks, then answers every connection on EINHORN_FD_0 with "pid=PID" and KEY=VALUE lines for the
environment variables named in the module's KEYS (None when unset). Exits 0 on SIGUSR2."""
import json, os, signal, socket

KEYS = ["EINHORN_FD_COUNT", "EINHORN_FD_FAMILY_0", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET",
        "WATCHDOG_USEC"]
signal.signal(signal.SIGUSR2, lambda *_: os._exit(0))
listener = socket.socket(fileno=int(os.environ["EINHORN_FD_0"]))
ack = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ack.connect(os.environ["EINHORN_SOCK_PATH"])
ack.sendall((json.dumps({"command": "worker:ack", "pid": os.getpid()}) + "\n").encode())
ack.close()
answer = "pid=%d\n" % os.getpid() + "".join("%s=%s\n" % (k, os.environ.get(k)) for k in KEYS)
while True:
    conn, _ = listener.accept()
    try:
        conn.sendall(answer.encode())
    finally:
        conn.close()
