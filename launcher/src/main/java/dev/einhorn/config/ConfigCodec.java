package dev.einhorn.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link Config} as plain values and back, for the state handed to a re-exec'd master: Einhorn keeps every
 * flag in its state and passes only {@code --with-state-fd N -- CMD} on the new command line.
 */
public final class ConfigCodec {
    private ConfigCodec() {}

    public static Map<String, Object> toMap(Config c) {
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> binds = new ArrayList<>();
        for (BindSpec b : c.binds()) binds.add(bind(b));
        m.put("binds", binds);
        m.put("command_name", c.commandName());
        m.put("socket_path", str(c.socketPath()));
        m.put("pidfile", str(c.pidfile()));
        m.put("lockfile", str(c.lockfile()));
        m.put("command_socket_as_fd", c.commandSocketAsFd());
        m.put("kill_children_on_exit", c.killChildrenOnExit());
        m.put("backlog", c.backlog());
        m.put("ack_manual", c.ackMode().manual());
        m.put("ack_timeout", c.ackMode().timeoutSeconds());
        m.put("number", c.number());
        m.put("preload", c.preload());
        m.put("verbosity", c.verbosity());
        m.put("seconds", c.seconds());
        m.put("drop_env_vars", c.dropEnvVars());
        m.put("reexec_as", c.reexecAs());
        m.put("nice_master", c.niceMaster());
        m.put("nice_worker", c.niceWorker());
        m.put("renice_command", c.reniceCommand());
        m.put("signal_timeout", c.signalTimeout());
        m.put("max_unacked", c.maxUnacked());
        m.put("max_upgrade_additional", c.maxUpgradeAdditional());
        m.put("gc_before_fork", c.gcBeforeFork());
        m.put("graceful_signal", c.gracefulSignal());
        m.put("upgrade_timeout", c.upgradeTimeout());
        m.put("java", str(c.java()));
        m.put("preload_cache", str(c.preloadCache()));
        m.put("standby", c.standby());
        m.put("command", c.command());
        return m;
    }

    @SuppressWarnings("unchecked")
    public static Config fromMap(Map<String, Object> m) {
        List<BindSpec> binds = new ArrayList<>();
        for (Object o : (List<Object>) m.get("binds")) binds.add(bind((Map<String, Object>) o));
        return new Config(binds,
                (String) m.get("command_name"),
                path(m.get("socket_path")),
                path(m.get("pidfile")),
                path(m.get("lockfile")),
                (Boolean) m.get("command_socket_as_fd"),
                (Boolean) m.get("kill_children_on_exit"),
                integer(m.get("backlog")),
                (Boolean) m.get("ack_manual") ? AckMode.manualMode() : AckMode.timer(dbl(m.get("ack_timeout"))),
                integer(m.get("number")),
                (String) m.get("preload"),
                integer(m.get("verbosity")),
                dbl(m.get("seconds")),
                (List<String>) m.get("drop_env_vars"),
                (List<String>) m.get("reexec_as"),
                integer(m.get("nice_master")),
                integer(m.get("nice_worker")),
                (String) m.get("renice_command"),
                null,
                false,
                integer(m.get("signal_timeout")),
                integer(m.get("max_unacked")),
                integer(m.get("max_upgrade_additional")),
                (Boolean) m.get("gc_before_fork"),
                (String) m.get("graceful_signal"),
                m.get("upgrade_timeout") == null ? null : dbl(m.get("upgrade_timeout")),
                path(m.get("java")),
                path(m.get("preload_cache")),
                integer(m.get("standby")),
                (List<String>) m.get("command"));
    }

    private static Map<String, Object> bind(BindSpec b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("host", b.host());
        m.put("port", b.port());
        m.put("flags", b.flags());
        m.put("reuse_addr", b.reuseAddr());
        m.put("non_block", b.nonBlock());
        m.put("reuse_port", b.reusePort());
        if (b.unixPath() != null) m.put("unix_path", b.unixPath());
        if (b.unixMode() != null) m.put("unix_mode", b.unixMode());
        if (b.fdName() != null) m.put("fd_name", b.fdName());
        return m;
    }

    @SuppressWarnings("unchecked")
    private static BindSpec bind(Map<String, Object> m) {
        return new BindSpec((String) m.get("host"), integer(m.get("port")), (List<String>) m.get("flags"),
                (Boolean) m.get("reuse_addr"), (Boolean) m.get("non_block"), (Boolean) m.get("reuse_port"),
                (String) m.get("unix_path"), m.get("unix_mode") == null ? null : integer(m.get("unix_mode")),
                (String) m.get("fd_name"));
    }

    private static String str(Path p) {
        return p == null ? null : p.toString();
    }

    private static Path path(Object o) {
        return o == null ? null : Path.of((String) o);
    }

    private static Integer integer(Object o) {
        return o == null ? null : ((Number) o).intValue();
    }

    private static double dbl(Object o) {
        return ((Number) o).doubleValue();
    }
}
