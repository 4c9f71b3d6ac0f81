"""A worker that acks, then answers every connection on EINHORN_FD_0 with "pid=PID" and KEY=VALUE lines for the
environment variables named in KEYS (None when unset). On SIGUSR2 it finishes the connection in hand and exits 0."""
import os

import einhorn_worker

KEYS = ["EINHORN_FD_COUNT", "EINHORN_FD_FAMILY_0", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES", "NOTIFY_SOCKET",
        "WATCHDOG_USEC"]
einhorn_worker.serve(("pid=%d\n" % os.getpid() + "".join("%s=%s\n" % (k, os.environ.get(k)) for k in KEYS)).encode())
