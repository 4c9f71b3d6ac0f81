"""The non-JVM reference worker of the benchmarks: acks the master at once over EINHORN_SOCK_PATH,
then serves EINHORN_FD_0 (if any) with a tiny HTTP/1.1 'hello' reply per connection (Connection: close),
one thread per connection. Exits 0 on SIGUSR2: stops accepting, closes its copy of the listener, lets in-flight replies finish.
"""
import json, os, signal, socket, sys, threading

BODY = b"hello\n"
REPLY = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
         % len(BODY)) + BODY

listener = socket.socket(fileno=int(os.environ["EINHORN_FD_0"])) if os.environ.get("EINHORN_FD_0") else None
stopping = threading.Event()


class Stopping(Exception):
    pass


def graceful(*_):
    # Never shutdown() the listener: every worker shares it, and shutdown would stop them all. Raising
    # interrupts accept() in this process only; the listener is then closed (this process's copy).
    stopping.set()
    if listener is None:
        os._exit(0)
    raise Stopping()


signal.signal(signal.SIGUSR2, graceful)
ack = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ack.connect(os.environ["EINHORN_SOCK_PATH"])
ack.sendall((json.dumps({"command": "worker:ack", "pid": os.getpid()}) + "\n").encode())
ack.close()
if listener is None:
    while True:
        signal.pause()


def answer(conn):
    try:
        conn.settimeout(10)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        conn.sendall(REPLY)
    except OSError:
        pass
    finally:
        conn.close()


try:
    while not stopping.is_set():
        conn, _ = listener.accept()
        threading.Thread(target=answer, args=(conn,), daemon=True).start()
except Stopping:
    pass
listener.close()
for t in threading.enumerate():
    if t is not threading.main_thread():
        t.join(10)
sys.exit(0)
