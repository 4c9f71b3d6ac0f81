"""A worker for upgrade tests: answers each connection with "VERSION PID" (VERSION read from $VERSION_FILE at
start, so an upgrade after rewriting the file serves the new version), acks with JSON (manual mode).

ECHO_VARS=A,B makes it answer "[<$A$B>] PID" instead; IGNORE_GRACEFUL=1 makes it record but ignore signals.
The version file may also say "VERSION crash" (exit 1 at once), "VERSION noack" (hang at boot: never ack, never serve)
or "VERSION hold" (create $GATE_FILE.waiting, then ack only once the file $GATE_FILE exists: an upgrade that lasts
exactly as long as a test wants).
On the graceful signal (USR2, or TERM) it finishes the connection in hand, records the signal in
$SIGNAL_DIR/<pid> when that is set, and exits 0. It never drops a connection it accepted.
"""
import json, os, select, signal, socket, sys, time

with open(os.environ["VERSION_FILE"]) as f:
    words = f.read().split()
version = words[0]
if os.environ.get("ECHO_VARS"):  # answer with these variables' values instead: "[a]"
    version = "[" + "".join(os.environ.get(v, "") for v in os.environ["ECHO_VARS"].split(",")) + "]"
if "crash" in words:
    sys.exit(1)

stopping = []

def on_signal(signum, _frame):
    if os.environ.get("SIGNAL_DIR"):
        with open(os.path.join(os.environ["SIGNAL_DIR"], str(os.getpid())), "a") as f:
            f.write(signal.Signals(signum).name + "\n")
    if not os.environ.get("IGNORE_GRACEFUL"):
        stopping.append(signum)

signal.signal(signal.SIGUSR2, on_signal)
signal.signal(signal.SIGTERM, on_signal)

if "noack" in words:  # a version stuck at boot: never acks, never serves, stops when told
    while not stopping:
        signal.pause()
    sys.exit(0)

if "hold" in words:
    open(os.environ["GATE_FILE"] + ".waiting", "w").close()  # tells the test this worker has read its version
while "hold" in words and not os.path.exists(os.environ["GATE_FILE"]) and not stopping:
    time.sleep(0.05)

listener = socket.socket(fileno=int(os.environ["EINHORN_FD_0"]))
listener.setblocking(False)
ack = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
ack.connect(os.environ["EINHORN_SOCK_PATH"])
ack.sendall((json.dumps({"command": "worker:ack", "pid": os.getpid()}) + "\n").encode())
ack.close()

answer = ("%s %d\n" % (version, os.getpid())).encode()
while not stopping:
    try:
        ready, _, _ = select.select([listener], [], [], 0.1)
    except InterruptedError:
        continue
    if not ready:
        continue
    try:
        conn, _ = listener.accept()
    except (BlockingIOError, InterruptedError):
        continue  # another worker took it
    conn.setblocking(True)
    try:
        conn.sendall(answer)
    finally:
        conn.close()
sys.exit(0)
