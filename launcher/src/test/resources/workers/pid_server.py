"""A worker that answers every connection on EINHORN_FD_0 with its pid, then closes it.

Acks with one-line JSON (as reddit baseplate does) unless NO_ACK is set; exits 0 on SIGUSR2.
Set CRASH=1 to exit 1 at once (a version that crashes at boot).
"""
import json, os, signal, socket, sys

if os.environ.get("CRASH"):
    sys.exit(1)

signal.signal(signal.SIGUSR2, lambda *_: os._exit(0))
listener = socket.socket(fileno=int(os.environ["EINHORN_FD_0"]))
if not os.environ.get("NO_ACK"):
    ack = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ack.connect(os.environ["EINHORN_SOCK_PATH"])
    ack.sendall((json.dumps({"command": "worker:ack", "pid": os.getpid()}) + "\n").encode())
    ack.close()
answer = (os.environ.get("ANSWER_PREFIX", "") + str(os.getpid()) + "\n").encode()
while True:
    conn, _ = listener.accept()
    try:
        conn.sendall(answer)
    finally:
        conn.close()
