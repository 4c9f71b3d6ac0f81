"""A worker that answers every connection on EINHORN_FD_0 with its pid, then closes it.

Acks with one-line JSON (as reddit baseplate does) unless NO_ACK is set; on SIGUSR2 finishes the connection in hand
and exits 0.
Set CRASH=1 to exit 1 at once (a version that crashes at boot).
"""
import os, sys

import einhorn_worker

if os.environ.get("CRASH"):
    sys.exit(1)
einhorn_worker.serve((os.environ.get("ANSWER_PREFIX", "") + str(os.getpid()) + "\n").encode(),
                     send_ack=not os.environ.get("NO_ACK"))
