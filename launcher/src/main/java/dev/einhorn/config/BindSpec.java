package dev.einhorn.config;

import java.util.List;

/**
 * One {@code -b HOST:PORT[,FLAG...]} listening socket.
 *
 * @param host      host name or address; IPv6 literals without brackets
 * @param port      0 for an ephemeral port
 * @param flags     the flags as written, downcased (for logs and state)
 * @param reuseAddr r / so_reuseaddr
 * @param nonBlock  n / o_nonblock
 * @param reusePort so_reuseport
 */
public record BindSpec(String host, int port, List<String> flags, boolean reuseAddr, boolean nonBlock, boolean reusePort) {
    public BindSpec {
        flags = List.copyOf(flags);
    }

    /** host:port with brackets around IPv6 literals. */
    public String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
