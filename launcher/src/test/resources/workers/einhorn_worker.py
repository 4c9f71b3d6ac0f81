"""What the python test workers share: ack the master, and serve the first socket until the graceful signal
(finishing the connection in hand: an accepted connection is never dropped; what is not accepted waits in the
shared socket for another worker)."""
import json, os, select, signal, socket, sys


def ack():
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(os.environ["EINHORN_SOCK_PATH"])
    conn.sendall((json.dumps({"command": "worker:ack", "pid": os.getpid()}) + "\n").encode())
    conn.close()


def serve(answer, send_ack=True):
    """Answers every connection on EINHORN_FD_0 until SIGUSR2, then exits 0. `answer` is the bytes to send,
    or a function given the connection (to read a request first). A client that hangs up or stalls costs its
    own connection, never the worker."""
    stopping = []
    signal.signal(signal.SIGUSR2, lambda *_: stopping.append(True))
    listener = socket.socket(fileno=int(os.environ["EINHORN_FD_0"]))
    listener.setblocking(False)
    if send_ack:
        ack()
    while not stopping:
        try:
            if not select.select([listener], [], [], 0.1)[0]:
                continue
            conn, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            continue  # another worker took it, or a signal came
        conn.setblocking(True)
        try:
            if callable(answer):
                answer(conn)
            else:
                conn.sendall(answer)
        except OSError:
            pass  # reset, broken pipe or timeout: that client's loss only
        finally:
            conn.close()
    sys.exit(0)
