package dev.einhorn.report;

import dev.einhorn.children.WorkerProbe;
import dev.einhorn.config.Config;
import dev.einhorn.listen.Listeners;
import dev.einhorn.log.EinhornLog;
import dev.einhorn.pool.Pool;
import dev.einhorn.pool.StandbyProcess;
import dev.einhorn.pool.Worker;
import dev.einhorn.protocol.RubySymbol;
import dev.einhorn.protocol.Yaml;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code state} command's dump: Einhorn's state keys (docs/COMPATIBILITY.md#state-dump-keys), so its tools
 * (and tests that read {@code [:state][:children]}, {@code signaled}, {@code pinged_at}) find what they expect.
 */
public final class StateDump {
    private StateDump() {}

    public static String yaml(MasterView master) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("state", state(master));
        return Yaml.dumpWithSymbolKeys(root);
    }

    static Map<String, Object> state(MasterView master) {
        Config c = master.config();
        Pool pool = master.pool();
        Map<String, Object> s = new LinkedHashMap<>();
        Map<Object, Object> children = new LinkedHashMap<>();
        for (Worker w : pool.workers()) children.put(w.pid(), child(master, w));
        s.put("children", children);
        // --standby: not in children, so tools that count workers (Einhorn's included) keep counting workers
        Map<Object, Object> standbys = new LinkedHashMap<>();
        for (StandbyProcess sb : pool.standbys()) standbys.put(sb.pid(), standby(master, sb));
        s.put("standbys", standbys);
        s.put("standby_target", pool.standbyTarget());
        s.put("standby_activations", pool.activations());
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("number", pool.number());
        config.put("backlog", c.backlog());
        config.put("seconds", c.seconds());
        if (c.maxUnacked() != null) config.put("max_unacked", c.maxUnacked());
        if (c.maxUpgradeAdditional() != null) config.put("max_upgrade_additional", c.maxUpgradeAdditional());
        s.put("config", config);
        s.put("versions", new LinkedHashMap<>());
        s.put("version", pool.version());
        s.put("sockets", new LinkedHashMap<>());
        s.put("orig_cmd", c.command());
        List<Object> bind = new ArrayList<>();
        List<Object> bindFds = new ArrayList<>();
        List<Object> boundPorts = new ArrayList<>();
        for (Listeners.Listener l : master.listeners()) {
            String host = l.spec().host() != null ? l.spec().host() : l.spec().address(); // UNIX path, name:NAME
            bind.add(List.of(host, l.spec().port(), l.spec().flags()));
            bindFds.add(l.fd());
            boundPorts.add(l.port());
        }
        s.put("bind", bind);
        s.put("bind_fds", bindFds);
        s.put("bound_ports", boundPorts);
        s.put("cmd", master.workerArgv());
        s.put("respawn", pool.respawning());
        s.put("upgrading", pool.upgrading());
        s.put("smooth_upgrade", pool.smoothUpgrade());
        s.put("reloading_for_upgrade", false);
        s.put("path", c.preload());
        s.put("cmd_name", c.commandName());
        s.put("verbosity", EinhornLog.verbosity());
        s.put("generation", master.generation());
        Map<String, Object> ackMode = new LinkedHashMap<>();
        ackMode.put("type", new RubySymbol(c.ackMode().manual() ? "manual" : "timer"));
        if (!c.ackMode().manual()) ackMode.put("timeout", c.ackMode().timeoutSeconds());
        s.put("ack_mode", ackMode);
        s.put("kill_children_on_exit", c.killChildrenOnExit());
        s.put("command_socket_as_fd", c.commandSocketAsFd());
        s.put("socket_path", c.socketPath().toString());
        s.put("pidfile", c.pidfile().toString());
        s.put("lockfile", c.lockfile().toString());
        s.put("consecutive_deaths_before_ack", pool.consecutiveDeathsBeforeAck());
        s.put("drop_environment_variables", c.dropEnvVars());
        s.put("signal_timeout", c.signalTimeout());
        s.put("graceful_signal", c.gracefulSignal());
        s.put("upgrade_timeout", c.upgradeTimeout());
        s.put("upgrades_completed", pool.upgradesCompleted());
        s.put("upgrades_failed", pool.upgradesFailed());
        s.put("preloaded", master.preloaded());
        return s;
    }

    /** A warm standby (docs/PRELOAD.md "Warm standbys"): ready (parked) or warming, or retired (exiting). */
    static Map<String, Object> standby(MasterView master, StandbyProcess s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", new RubySymbol("standby"));
        m.put("state", standbyState(s));
        m.put("version", s.version());
        m.put("ready", s.ready());
        m.put("ready_since", s.readyWall());
        m.put("spinup_time", s.spawnedWall());
        master.archiveOf(s.pid()).ifPresent(archive -> {
            m.put("archive", archive.toString());
            WorkerProbe.Reading reading = master.probe(s.pid(), archive);
            m.put("archive_mapped", reading.mapped());
            reading.memory().ifPresent(mem -> {
                m.put("pss_kb", mem.pssKb());
                m.put("shared_clean_kb", mem.sharedCleanKb());
            });
        });
        return m;
    }

    /** standby (ready, parked), warming (not ready yet), retired (signaled to exit, never activated). */
    static String standbyState(StandbyProcess s) {
        if (s.retired()) return "retired";
        return s.ready() ? "standby" : "warming";
    }

    static Map<String, Object> child(MasterView master, Worker w) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", new RubySymbol("worker"));
        m.put("version", w.version());
        m.put("acked", w.acked());
        m.put("signaled", new ArrayList<>(w.signaled()));
        m.put("index", w.index());
        m.put("last_signaled_at", null);
        m.put("spinup_time", w.spinupWall());
        if (w.pingedAt() != null) {
            m.put("pinged_at", w.pingedAt());
            m.put("pinged_request_id", w.pingedRequestId());
        }
        master.archiveOf(w.pid()).ifPresent(archive -> {
            // -p: proof the worker runs from the archive, and what it costs (kB, /proc/PID/smaps_rollup)
            m.put("archive", archive.toString());
            WorkerProbe.Reading reading = master.probe(w.pid(), archive);
            m.put("archive_mapped", reading.mapped());
            reading.memory().ifPresent(mem -> {
                m.put("pss_kb", mem.pssKb());
                m.put("shared_clean_kb", mem.sharedCleanKb());
            });
        });
        return m;
    }
}
