package dev.einhorn.config;

import java.util.List;

/**
 * One {@code -b} listening socket: {@code HOST:PORT[,FLAG...]} (internet), {@code /PATH[,FLAG...]} or
 * {@code ./PATH[,...]} (UNIX domain), or {@code name:NAME} (a socket systemd passed with that
 * {@code FileDescriptorName=}).
 *
 * @param host      host name or address; IPv6 literals without brackets (internet only, else null)
 * @param port      0 for an ephemeral port (internet only, else 0)
 * @param flags     the flags as written, downcased (for logs and state)
 * @param reuseAddr r / so_reuseaddr
 * @param nonBlock  n / o_nonblock
 * @param reusePort so_reuseport
 * @param unixPath  the socket file of a UNIX-domain spec as written, else null
 * @param unixMode  the {@code mode=NNNN} permission bits of a UNIX-domain spec, or null (umask decides)
 * @param fdName    the systemd fd name of a {@code name:NAME} spec, else null
 */
public record BindSpec(String host, int port, List<String> flags, boolean reuseAddr, boolean nonBlock,
        boolean reusePort, String unixPath, Integer unixMode, String fdName) {
    public BindSpec {
        flags = List.copyOf(flags);
    }

    /** An internet socket. */
    public BindSpec(String host, int port, List<String> flags, boolean reuseAddr, boolean nonBlock, boolean reusePort) {
        this(host, port, flags, reuseAddr, nonBlock, reusePort, null, null, null);
    }

    public boolean isUnix() {
        return unixPath != null;
    }

    public boolean isNamed() {
        return fdName != null;
    }

    /** host:port with brackets around IPv6 literals; the path of a UNIX socket; name:NAME. */
    public String address() {
        if (isUnix()) return unixPath;
        if (isNamed()) return "name:" + fdName;
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
