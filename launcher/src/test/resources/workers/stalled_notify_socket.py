"""A notification socket whose reader is stuck: binds a UNIX datagram socket (a path, or an abstract name
when it starts with '@'), fills its receive queue to the brim itself, and never reads. A blocking sender
to it waits forever (unix_wait_for_peer), as it would for a hung or stopped systemd.

Usage: stalled_notify_socket.py ADDRESS [SECONDS]  (exits after SECONDS, default 120)
Prints "full N" on stdout (N datagrams queued) once nothing more fits.
"""
import socket, sys, time

address = sys.argv[1]
seconds = float(sys.argv[2] if len(sys.argv) > 2 else 120)
name = "\0" + address[1:] if address.startswith("@") else address
receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
receiver.bind(name)
sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
queued = 0
while True:
    try:
        sender.sendto(b"FILLER=1", socket.MSG_DONTWAIT, name)
        queued += 1
    except BlockingIOError:
        break
print("full", queued, flush=True)
time.sleep(seconds)
