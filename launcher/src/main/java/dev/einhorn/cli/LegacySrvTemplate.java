package dev.einhorn.cli;

import dev.einhorn.config.BindSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Einhorn 0.8.2's deprecated socket template in the worker command (removed in Einhorn 1.0, kept here
 * because 0.8.2 accepts it). Every worker argument matching {@link #PATTERN}, e.g.
 * {@code srv:127.0.0.1:8080,r} or {@code --port=srv:0.0.0.0:80}, names a socket to bind like {@code -b};
 * the argument is then replaced by its prefix plus the socket's fd number ({@code --port=11}). Arguments
 * naming the same host and port text share one socket, and the first one's flags win. As in Einhorn,
 * unknown flags are kept (see {@link Socket#unknownFlags()}) but do nothing, and IPv6 is not possible.
 * These fds are not listed in {@code EINHORN_FD_*}.
 *
 * <p>The master: {@code scan(command)}; if {@link #isEmpty()} nothing to do; else log
 * {@link #DEPRECATION_MESSAGE} at ERROR once per {@link #templateArgs()} entry, bind each of
 * {@link #sockets()}, and run the workers with {@link #substitute(List)}.
 */
public final class LegacySrvTemplate {
    public static final Pattern PATTERN = Pattern.compile("^(.*=|)srv:([^:]+):(\\d+)((?:,\\w+)*)$");

    public static final String DEPRECATION_MESSAGE =
            "Using deprecated command-line configuration for Einhorn; should upgrade to the environment variable interface.";

    /**
     * One socket to bind.
     *
     * @param host     as written
     * @param portText the port as written (with {@code host}, the identity of the socket, as Einhorn's
     *                 state key {@code [host, port]})
     * @param spec     what to bind; {@code spec.flags()} are all flags as written, downcased
     */
    public record Socket(String host, String portText, BindSpec spec) {
        /** Flags Einhorn silently ignores, for a warning. */
        public List<String> unknownFlags() {
            return spec.flags().stream().filter(f -> !BindSpecParser.FLAGS.contains(f)).toList();
        }
    }

    private final List<String> command;
    private final List<Socket> sockets;
    /** Per command argument: index into sockets, or -1. */
    private final int[] socketOf;
    private final String[] prefixOf;

    private LegacySrvTemplate(List<String> command, List<Socket> sockets, int[] socketOf, String[] prefixOf) {
        this.command = command;
        this.sockets = sockets;
        this.socketOf = socketOf;
        this.prefixOf = prefixOf;
    }

    /**
     * Finds the templates in a worker command.
     *
     * @throws IllegalArgumentException if a template's port is above 65535 (one line, starts with the
     *     quoted argument)
     */
    public static LegacySrvTemplate scan(List<String> command) {
        List<String> cmd = List.copyOf(command);
        Map<String, Integer> byKey = new LinkedHashMap<>();
        List<Socket> sockets = new ArrayList<>();
        int[] socketOf = new int[cmd.size()];
        String[] prefixOf = new String[cmd.size()];
        for (int i = 0; i < cmd.size(); i++) {
            socketOf[i] = -1;
            Matcher m = PATTERN.matcher(cmd.get(i));
            if (!m.matches()) continue;
            String host = m.group(2);
            String portText = m.group(3);
            String key = host + "\0" + portText;
            Integer index = byKey.get(key);
            if (index == null) {
                int port = BindSpecParser.port(cmd.get(i), portText);
                BindSpec spec = BindSpecParser.of(host, port, BindSpecParser.splitFlags(m.group(4)));
                index = sockets.size();
                sockets.add(new Socket(host, portText, spec));
                byKey.put(key, index);
            }
            socketOf[i] = index;
            prefixOf[i] = m.group(1);
        }
        return new LegacySrvTemplate(cmd, List.copyOf(sockets), socketOf, prefixOf);
    }

    public boolean isEmpty() {
        return sockets.isEmpty();
    }

    /** The distinct sockets to bind, in order of first appearance. */
    public List<Socket> sockets() {
        return sockets;
    }

    /** Just the bind specs of {@link #sockets()}. */
    public List<BindSpec> binds() {
        return sockets.stream().map(Socket::spec).toList();
    }

    /** The command arguments that are templates, as written (one deprecation message each). */
    public List<String> templateArgs() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < command.size(); i++) if (socketOf[i] >= 0) out.add(command.get(i));
        return out;
    }

    /**
     * The worker command with every template replaced by its prefix and fd.
     *
     * @param fds the fd bound for each of {@link #sockets()}, same order
     */
    public List<String> substitute(List<Integer> fds) {
        if (fds.size() != sockets.size()) {
            throw new IllegalArgumentException("expected " + sockets.size() + " fds, got " + fds.size());
        }
        List<String> out = new ArrayList<>(command.size());
        for (int i = 0; i < command.size(); i++) {
            out.add(socketOf[i] < 0 ? command.get(i) : prefixOf[i] + fds.get(socketOf[i]));
        }
        return List.copyOf(out);
    }
}
