package dev.einhorn.reexec;

import dev.einhorn.commands.Connection;
import dev.einhorn.config.BindSpec;
import dev.einhorn.config.Config;
import dev.einhorn.config.ConfigCodec;
import dev.einhorn.listen.Listeners;
import dev.einhorn.startup.StartupException;
import dev.einhorn.posix.Posix;
import dev.einhorn.posix.PosixException;
import dev.einhorn.protocol.ParseException;
import dev.einhorn.protocol.Yaml;
import dev.einhorn.runtime.InheritedFds;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one master image hands to the next across {@code execve} (Einhorn's {@code --with-state-fd}): the
 * configuration, the pool, and the fd numbers of every socket to keep, with each command-socket client's
 * unread and unwritten bytes and upgrade subscription. One versioned YAML document in an in-memory file, the
 * clients' bytes after it (see {@link #HEADER}); private to this implementation (Einhorn's is Ruby-specific too).
 */
public record Handover(
        Config config,
        Map<String, Object> pool,
        int generation,
        int commandServerFd,
        List<Listeners.Listener> listeners,
        List<Listeners.Listener> legacyListeners,
        List<Connection> connections,
        boolean reloadingForUpgrade,
        boolean smoothUpgrade,
        boolean upgradeQueued,
        boolean queuedSmooth,
        Map<String, Object> watchdog,
        Map<Integer, java.nio.file.Path> workerArchives,
        List<String> pendingSignals,
        int verbosity,
        List<String> workerArgv,
        Map<Object, Object> standbys) {

    public static final int FORMAT = 3;
    /**
     * The framing since format 2: this line with the YAML document's length in bytes, the YAML document, then the
     * clients' raw bytes, which the document locates by offset and length. Their unwritten replies may be megabytes
     * (up to Connection.MAX_PENDING_OUTPUT each), far too much for a YAML scalar, which the loader reads in
     * quadratic time. Format 3 (this one) writes wall-clock times as integers (pool.HandoverTime), format 2 wrote
     * them as ISO strings; format 1 had no header and the clients' bytes as base64 scalars. All three are read, from
     * an older image; an older image refuses this one by its format number.
     */
    private static final String HEADER = "einhorn-handover-2 ";

    /**
     * This hand-over as the next image reads it (format {@link #FORMAT}). {@code generation} is the next image's;
     * the clients' bytes (up to CommandServer.MAX_BUFFERED_BYTES) are copied once, into the result: the YAML only
     * needs their offsets and lengths, so no intermediate buffer doubles them on a 64 MiB heap.
     */
    public byte[] bytes() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("format", FORMAT);
        s.put("generation", generation);
        s.put("config", ConfigCodec.toMap(config));
        s.put("pool", pool);
        s.put("command_server_fd", commandServerFd);
        s.put("listeners", listeners(listeners));
        s.put("legacy_listeners", listeners(legacyListeners));
        List<Object> conns = new ArrayList<>();
        long blobLength = 0;
        for (Connection c : connections) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("fd", c.fd());
            cm.put("id", c.id());
            int partial = c.partialLineLength();
            int pending = c.pendingOutputLength();
            cm.put("partial", List.of(blobLength, partial));
            cm.put("pending", List.of(blobLength + partial, pending));
            blobLength += partial + pending;
            cm.put("close_when_flushed", c.shouldCloseWhenFlushed());
            cm.put("upgrade_subscribed", c.upgradeSubscribed());
            cm.put("upgrade_request_id", c.upgradeRequestId());
            cm.put("upgrade_queued", c.upgradeQueued());
            conns.add(cm);
        }
        s.put("connections", conns);
        s.put("reloading_for_upgrade", reloadingForUpgrade);
        s.put("smooth_upgrade", smoothUpgrade);
        s.put("upgrade_queued", upgradeQueued);
        s.put("queued_smooth", queuedSmooth);
        s.put("pending_signals", pendingSignals);
        s.put("verbosity", verbosity);
        s.put("worker_argv", workerArgv);
        s.put("watchdog", watchdog);
        Map<Object, Object> archives = new LinkedHashMap<>();
        workerArchives.forEach((pid, path) -> archives.put(pid, path.toString()));
        s.put("worker_archives", archives);
        s.put("standbys", standbys);
        byte[] yaml = Yaml.dump(s).getBytes(StandardCharsets.UTF_8);
        byte[] header = (HEADER + yaml.length + "\n").getBytes(StandardCharsets.US_ASCII);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(Math.toIntExact(header.length + yaml.length + blobLength));
        out.put(header).put(yaml);
        for (Connection c : connections) c.copyBufferedTo(out);
        return out.array();
    }

    /**
     * A client's bytes: [offset, length] in the blob section, which starts at {@code blobStart} of {@code all}
     * (formats 2 and 3), or a base64 string (format 1).
     */
    private static byte[] bytesOf(Object saved, byte[] all, int blobStart) {
        if (saved instanceof String base64) return Base64.getDecoder().decode(base64);
        List<?> ref = (List<?>) saved;
        int offset = blobStart + ((Number) ref.get(0)).intValue();
        return java.util.Arrays.copyOfRange(all, offset, offset + ((Number) ref.get(1)).intValue());
    }

    private static List<Object> listeners(List<Listeners.Listener> ls) {
        List<Object> out = new ArrayList<>();
        for (Listeners.Listener l : ls) {
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("fd", l.fd());
            lm.put("port", l.port());
            lm.put("family", l.family());
            lm.put("spec", l.spec().address());
            if (l.socketFile() != null) lm.put("socket_file", l.socketFile().toString()); // removed at exit
            out.add(lm);
        }
        return out;
    }

    /**
     * Every fd the next image needs (the state fd aside): the command socket, the listeners, the clients, the -k
     * watchdog's pipe and the ready standbys' park pipes.
     */
    @SuppressWarnings("unchecked")
    public List<Integer> fdsToKeep() {
        List<Integer> fds = new ArrayList<>();
        fds.add(commandServerFd);
        for (Listeners.Listener l : listeners) fds.add(l.fd());
        for (Listeners.Listener l : legacyListeners) fds.add(l.fd());
        for (Connection c : connections) fds.add(c.fd());
        if (watchdog != null) fds.add(((Number) watchdog.get("write_fd")).intValue());
        if (standbys != null) {
            standbys.values().forEach(v -> fds.add(((Number) ((Map<String, Object>) v).get("park_fd")).intValue()));
        }
        return fds;
    }

    /** Reads and adopts what the previous image handed over. */
    @SuppressWarnings("unchecked")
    public static Handover read(int stateFd, Posix posix) throws StartupException {
        byte[] all;
        try {
            all = posix.readToEndAndClose(stateFd);
        } catch (PosixException e) {
            throw new StartupException("Could not read the state handed over on fd " + stateFd + ": " + e.getMessage());
        }
        return read(all, "on fd " + stateFd);
    }

    /**
     * Reads a hand-over of format {@link #FORMAT}, 2 or 1 and adopts its fds, which must be open in this process;
     * {@code source} says where it came from, for the error message.
     */
    @SuppressWarnings("unchecked")
    public static Handover read(byte[] all, String source) throws StartupException {
        Map<String, Object> s;
        int blobStart = 0;
        try {
            String yaml;
            if (startsWith(all, HEADER)) {
                int eol = indexOf(all, (byte) '\n');
                int headerLength = eol + 1;
                int yamlLength = Integer.parseInt(new String(all, HEADER.length(), eol - HEADER.length(),
                        StandardCharsets.US_ASCII));
                yaml = new String(all, headerLength, yamlLength, StandardCharsets.UTF_8);
                blobStart = headerLength + yamlLength; // the clients' bytes are copied out of `all` directly
            } else {
                yaml = new String(all, StandardCharsets.UTF_8);
            }
            s = Yaml.parseOwnMapping(yaml);
        } catch (ParseException | RuntimeException e) {
            throw new StartupException("Could not read the state handed over " + source + ": " + e.getMessage());
        }
        if (!(s.get("format") instanceof Integer format) || format < 1 || format > FORMAT) {
            throw new StartupException("State format " + s.get("format") + " is not 1 to " + FORMAT
                    + ": was the previous master a different version of einhorn?");
        }
        Config config = ConfigCodec.fromMap((Map<String, Object>) s.get("config"));
        List<Listeners.Listener> listeners = adopt((List<Object>) s.get("listeners"), config.binds());
        List<Listeners.Listener> legacy = adopt((List<Object>) s.get("legacy_listeners"), null);
        List<Connection> conns = new ArrayList<>();
        for (Object o : (List<Object>) s.get("connections")) {
            Map<String, Object> cm = (Map<String, Object>) o;
            int fd = ((Number) cm.get("fd")).intValue();
            SocketChannel ch = InheritedFds.socketChannel(fd, StandardProtocolFamily.UNIX, "einhorn master");
            Connection c = new Connection(ch, ((Number) cm.get("id")).intValue(), fd);
            c.restore(bytesOf(cm.get("partial"), all, blobStart), bytesOf(cm.get("pending"), all, blobStart));
            if (Boolean.TRUE.equals(cm.get("close_when_flushed"))) c.closeWhenFlushed();
            if (Boolean.TRUE.equals(cm.get("upgrade_subscribed"))) {
                if (Boolean.TRUE.equals(cm.get("upgrade_queued"))) {
                    c.queueForUpgrade(cm.get("upgrade_request_id"));
                } else {
                    c.subscribeToUpgrade(cm.get("upgrade_request_id"));
                }
            }
            conns.add(c);
        }
        return new Handover(config, (Map<String, Object>) s.get("pool"), ((Number) s.get("generation")).intValue(),
                ((Number) s.get("command_server_fd")).intValue(), listeners, legacy, conns,
                Boolean.TRUE.equals(s.get("reloading_for_upgrade")), Boolean.TRUE.equals(s.get("smooth_upgrade")),
                Boolean.TRUE.equals(s.get("upgrade_queued")), Boolean.TRUE.equals(s.get("queued_smooth")),
                (Map<String, Object>) s.get("watchdog"), workerArchives((Map<Object, Object>) s.get("worker_archives")),
                (List<String>) s.get("pending_signals"), ((Number) s.get("verbosity")).intValue(),
                (List<String>) s.get("worker_argv"), (Map<Object, Object>) s.get("standbys"));
    }

    private static boolean startsWith(byte[] bytes, String ascii) {
        if (bytes.length < ascii.length()) return false;
        for (int i = 0; i < ascii.length(); i++) if (bytes[i] != ascii.charAt(i)) return false;
        return true;
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) if (bytes[i] == b) return i;
        throw new IllegalArgumentException("no end to the hand-over's first line");
    }

    private static Map<Integer, java.nio.file.Path> workerArchives(Map<Object, Object> saved) {
        Map<Integer, java.nio.file.Path> out = new LinkedHashMap<>();
        if (saved != null) saved.forEach((pid, path) -> out.put(((Number) pid).intValue(), java.nio.file.Path.of((String) path)));
        return out;
    }

    /** The command socket the previous image listened on. */
    public ServerSocketChannel commandServer() {
        return InheritedFds.serverSocketChannel(commandServerFd, StandardProtocolFamily.UNIX, "einhorn master");
    }

    @SuppressWarnings("unchecked")
    private static List<Listeners.Listener> adopt(List<Object> saved, List<BindSpec> specs) {
        List<Listeners.Listener> out = new ArrayList<>();
        for (int i = 0; i < saved.size(); i++) {
            Map<String, Object> lm = (Map<String, Object>) saved.get(i);
            int fd = ((Number) lm.get("fd")).intValue();
            String family = (String) lm.get("family");
            ServerSocketChannel ch = InheritedFds.serverSocketChannel(fd, family.equals("AF_UNIX")
                    ? StandardProtocolFamily.UNIX : family.equals("AF_INET6") ? StandardProtocolFamily.INET6
                    : StandardProtocolFamily.INET, "einhorn master");
            BindSpec spec = specs != null && i < specs.size() ? specs.get(i) : specFromAddress((String) lm.get("spec"));
            int port = ((Number) lm.get("port")).intValue();
            Object socketFile = lm.get("socket_file");
            out.add(new Listeners.Listener(spec, ch, fd, port, family,
                    socketFile == null ? null : java.nio.file.Path.of((String) socketFile)));
        }
        return out;
    }

    private static BindSpec specFromAddress(String address) {
        if (address.startsWith("/") || address.startsWith(".")) { // a UNIX socket (systemd's, with no -b)
            return new BindSpec(null, 0, List.of(), false, false, false, address, null, null);
        }
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        return new BindSpec(host, Integer.parseInt(address.substring(colon + 1)), List.of(), false, false, false);
    }
}
