#!/usr/bin/env python3
"""A stand-in for the einhorn master, for tests: binds one listening socket, opens a command socket,
spawns ONE worker command with einhorn's environment and fd layout, and reports on stdout:

  FAKEMASTER listening <port | path>
  FAKEMASTER spawned <worker pid>
  FAKEMASTER command <raw line received on the command socket, as a JSON string>
  FAKEMASTER exit <worker exit code; negative = killed by that signal>

Options:
  --family inet|inet6|unix   the listening socket (127.0.0.1:0, [::1]:0, or DIR/listen.sock)
  --no-socket                EINHORN_FD_COUNT=0, nothing inherited
  --at-stdin                 put the listening socket at fd 0 (EINHORN_FD_0=0)
  --family-env               also set EINHORN_FD_FAMILY_0
  --sock-fd                  also pass a connected command-socket connection (EINHORN_SOCK_FD, like -g)
  --dir DIR                  where the sockets go (required)
  --env K=V / --unset K      adjust the worker's environment
  -- cmd...                  the worker command
"""
import json, os, socket, subprocess, sys, threading

def out(*words):
    sys.stdout.write("FAKEMASTER " + " ".join(str(w) for w in words) + "\n")
    sys.stdout.flush()

def main(argv):
    family, at_stdin, family_env, sock_fd, no_socket = "inet", False, False, False, False
    sock_dir, extra, unset = None, {}, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--family": family = argv[i + 1]; i += 2
        elif a == "--at-stdin": at_stdin = True; i += 1
        elif a == "--family-env": family_env = True; i += 1
        elif a == "--sock-fd": sock_fd = True; i += 1
        elif a == "--no-socket": no_socket = True; i += 1
        elif a == "--dir": sock_dir = argv[i + 1]; i += 2
        elif a == "--env":
            k, v = argv[i + 1].split("=", 1); extra[k] = v; i += 2
        elif a == "--unset": unset.append(argv[i + 1]); i += 2
        elif a == "--": i += 1; break
        else: raise SystemExit("fake_master: unknown option " + a)
    cmd = argv[i:]

    cmd_path = os.path.join(sock_dir, "einhorn.sock")
    cmd_srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    cmd_srv.bind(cmd_path)
    cmd_srv.listen(16)

    def serve_command_socket():
        while True:
            try:
                conn, _ = cmd_srv.accept()
            except OSError:
                return
            threading.Thread(target=read_conn, args=(conn,), daemon=True).start()

    def read_conn(conn):
        buf = b""
        while True:
            data = conn.recv(4096)
            if not data:
                break
            buf += data
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                out("command", json.dumps(line.decode("utf-8", "replace")))
                conn.close()   # like einhorn: no reply to worker:ack / worker:ping, then close
                return
        if buf:
            out("command-unterminated", json.dumps(buf.decode("utf-8", "replace")))
        conn.close()

    threading.Thread(target=serve_command_socket, daemon=True).start()

    env = {k: v for k, v in os.environ.items() if not k.startswith("EINHORN_")}
    env.update({"EINHORN_MASTER_PID": str(os.getpid()), "EINHORN_SOCK_PATH": cmd_path,
                "EINHORN_CHILD_INDEX": "0", "EINHORN_FD_COUNT": "0"})
    pass_fds, stdin = [], None
    if not no_socket:
        if family == "unix":
            lst = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            addr = os.path.join(sock_dir, "listen.sock")
            lst.bind(addr)
            where = addr
        elif family == "inet6":
            lst = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            lst.bind(("::1", 0))
            where = lst.getsockname()[1]
        else:
            lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            lst.bind(("127.0.0.1", 0))
            where = lst.getsockname()[1]
        lst.listen(64)
        if at_stdin:
            stdin = lst.fileno()
            env["EINHORN_FD_0"] = "0"
        else:
            pass_fds.append(lst.fileno())
            env["EINHORN_FD_0"] = str(lst.fileno())
        env["EINHORN_FD_COUNT"] = "1"
        if family_env:
            env["EINHORN_FD_FAMILY_0"] = {"unix": "AF_UNIX", "inet6": "AF_INET6"}.get(family, "AF_INET")
        out("listening", where)
    if sock_fd:
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.connect(cmd_path)
        pass_fds.append(c.fileno())
        env["EINHORN_SOCK_FD"] = str(c.fileno())
    env.update(extra)
    for k in unset:
        env.pop(k, None)

    proc = subprocess.Popen(cmd, env=env, pass_fds=pass_fds, stdin=stdin)
    out("spawned", proc.pid)
    if sock_fd:
        c.close()          # the worker holds the only other reference now
    code = proc.wait()
    # let the command-socket readers report anything still in flight
    threading.Event().wait(0.2)
    out("exit", code)
    return 0

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
