"""A worker that answers every connection on EINHORN_FD_0 with its pid, then closes it.

Acks with one-line JSON (as reddit baseplate does) unless NO_ACK is set; on SIGUSR2 finishes the connection in hand
and exits 0.
Set CRASH=1 to exit 1 at once (a version that crashes at boot).
"""
import json, os, select, signal, socket, sys

if os.environ.get("CRASH"):
    sys.exit(1)

stopping = []
signal.signal(signal.SIGUSR2, lambda *_: stopping.append(True))
listener = socket.socket(fileno=int(os.environ["EINHORN_FD_0"]))
listener.setblocking(False)
if not os.environ.get("NO_ACK"):
    ack = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ack.connect(os.environ["EINHORN_SOCK_PATH"])
    ack.sendall((json.dumps({"command": "worker:ack", "pid": os.getpid()}) + "\n").encode())
    ack.close()
answer = (os.environ.get("ANSWER_PREFIX", "") + str(os.getpid()) + "\n").encode()
while not stopping:
    try:
        if not select.select([listener], [], [], 0.1)[0]:
            continue
        conn, _ = listener.accept()
    except (BlockingIOError, InterruptedError):
        continue  # another worker took it, or a signal came
    conn.setblocking(True)
    try:
        conn.sendall(answer)
    finally:
        conn.close()
sys.exit(0)
