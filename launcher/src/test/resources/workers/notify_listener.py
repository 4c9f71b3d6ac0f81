"""A stand-in for systemd's notification socket: binds a UNIX datagram socket (a path, or an abstract
name when it starts with '@') and appends every datagram it receives to OUT as one JSON string per line.

Usage: notify_listener.py ADDRESS OUT [SECONDS]  (exits after SECONDS, default 120)
Prints "ready" on stdout once bound.
"""
import json, socket, sys, time

address, out = sys.argv[1], sys.argv[2]
deadline = time.time() + float(sys.argv[3] if len(sys.argv) > 3 else 120)
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + address[1:] if address.startswith("@") else address)
print("ready", flush=True)
while time.time() < deadline:
    s.settimeout(max(0.1, deadline - time.time()))
    try:
        data = s.recv(65536)
    except socket.timeout:
        break
    with open(out, "a") as f:
        f.write(json.dumps(data.decode()) + "\n")
