package dev.einhorn.report;

import dev.einhorn.cli.EinhornCli;
import dev.einhorn.config.Config;
import dev.einhorn.listen.Listeners;
import dev.einhorn.log.EinhornLog;
import dev.einhorn.pool.Clock;
import dev.einhorn.pool.Pool;
import dev.einhorn.pool.StandbyProcess;
import dev.einhorn.pool.Worker;
import dev.einhorn.protocol.RubySymbol;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable state: {@code state} with args {@code ["--json"]} ({@code einhornsh -e 'state --json'}).
 * One JSON object, described by docs/state-schema.json; {@link #SCHEMA_VERSION} changes only when a field is
 * removed or changes meaning (new fields may appear at any time: ignore what you do not know).
 */
public final class StateJson {
    static final int SCHEMA_VERSION = 1;
    /** Worker keys of StateDump's child map that this form renames, drops or already carries. */
    private static final List<String> KNOWN_CHILD_KEYS = List.of("type", "version", "acked", "signaled", "index",
            "last_signaled_at", "spinup_time", "pinged_at", "pinged_request_id", "archive", "pss_kb", "shared_clean_kb");

    private StateJson() {}

    /** The JSON text plus a newline (so the reply is a YAML literal block, byte-exact on the wire). */
    public static String json(MasterView master) {
        return Json.write(state(master, Clock.SYSTEM.now())) + "\n";
    }

    static Map<String, Object> state(MasterView master, double now) {
        Config c = master.config();
        Pool pool = master.pool();
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("schema_version", SCHEMA_VERSION);
        root.put("einhorn_jvm_version", EinhornCli.VERSION);
        root.put("einhorn_compatible_version", EinhornCli.EINHORN_VERSION);
        root.put("time", Instant.now());

        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", master.pid());
        m.put("cmd_name", c.commandName());
        m.put("socket_path", c.socketPath().toString());
        m.put("pidfile", c.pidfile().toString());
        m.put("command", master.workerArgv());
        m.put("verbosity", EinhornLog.verbosity());
        root.put("master", m);

        Map<String, Object> p = new LinkedHashMap<>();
        p.put("number", pool.number());
        p.put("version", pool.version());
        p.put("acked", pool.ackCount());
        p.put("respawn", pool.respawning());
        p.put("upgrading", pool.upgrading());
        p.put("smooth_upgrade", pool.smoothUpgrade());
        p.put("upgrades_completed", pool.upgradesCompleted());
        p.put("upgrades_failed", pool.upgradesFailed());
        p.put("respawns", pool.respawns());
        p.put("consecutive_deaths_before_ack", pool.consecutiveDeathsBeforeAck());
        p.put("standby_target", pool.standbyTarget());
        p.put("standby_activations", pool.activations());
        p.put("standbys_started", pool.standbysStarted());
        p.put("standbys_given_up", pool.standbysGivenUp());
        Map<String, Object> ack = new LinkedHashMap<>();
        ack.put("type", c.ackMode().manual() ? "manual" : "timer");
        ack.put("timeout", c.ackMode().manual() ? null : c.ackMode().timeoutSeconds());
        p.put("ack_mode", ack);
        root.put("pool", p);

        List<Object> listeners = new ArrayList<>();
        List<Listeners.Listener> ls = master.listeners();
        for (int i = 0; i < ls.size(); i++) {
            Listeners.Listener l = ls.get(i);
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("index", i);
            o.put("address", l.spec().address());
            o.put("family", l.family());
            o.put("fd", l.fd());
            o.put("port", l.family().equals("AF_UNIX") ? null : l.port());
            o.put("path", l.spec().unixPath());
            o.put("flags", l.spec().flags());
            listeners.add(o);
        }
        root.put("listeners", listeners);

        List<Object> workers = new ArrayList<>();
        for (Worker w : pool.workers()) workers.add(worker(master, w, pool, now));
        root.put("workers", workers);
        List<Object> standbys = new ArrayList<>();
        for (StandbyProcess s : pool.standbys()) standbys.add(standby(master, s, now));
        root.put("standbys", standbys);
        // -p: the app jar, its layout, the JDK, the archive and whether this generation's archive is ready
        root.put("preload", master.preloadState());
        return root;
    }

    static Map<String, Object> worker(MasterView master, Worker w, Pool pool, double now) {
        Map<String, Object> child = StateDump.child(master, w);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("pid", w.pid());
        o.put("index", w.index());
        o.put("version", w.version());
        o.put("state", stateOf(w, pool));
        o.put("acked", w.acked());
        o.put("ack_latency_s", w.ackLatency());
        o.put("spawned_at", w.spinupWall());
        o.put("uptime_s", Math.max(0, now - w.spawnedAt()));
        o.put("signaled", new ArrayList<>(w.signaled()));
        o.put("abandoned", w.abandoned());
        o.put("pinged_at", w.pingedAt());
        o.put("pinged_request_id", w.pingedRequestId() == null ? null : String.valueOf(w.pingedRequestId()));
        // -p: the archive and what the worker costs (from StateDump); null without preload
        o.put("archive", child.get("archive"));
        o.put("pss_kb", child.get("pss_kb"));
        o.put("shared_kb", child.get("shared_clean_kb"));
        // Anything else StateDump shows for a child (archive_mapped, ...), under its own name.
        child.forEach((k, v) -> {
            if (!KNOWN_CHILD_KEYS.contains(k)) o.put(k, plain(v));
        });
        return o;
    }

    /** A warm standby: a worker JVM with no index yet (--standby). */
    static Map<String, Object> standby(MasterView master, StandbyProcess s, double now) {
        Map<String, Object> dump = StateDump.standby(master, s);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("pid", s.pid());
        o.put("version", s.version());
        o.put("state", dump.get("state"));
        o.put("ready_since", s.readyWall());
        o.put("spawned_at", s.spawnedWall());
        o.put("archive", dump.get("archive"));
        o.put("archive_mapped", dump.get("archive_mapped"));
        o.put("pss_kb", dump.get("pss_kb"));
        o.put("shared_kb", dump.get("shared_clean_kb"));
        return o;
    }

    /** acked, unacked, old (an older or abandoned version), signaled (being stopped). */
    static String stateOf(Worker w, Pool pool) {
        if (w.isSignaled()) return "signaled";
        if (w.version() != pool.version() || w.abandoned()) return "old";
        return w.acked() ? "acked" : "unacked";
    }

    private static Object plain(Object v) {
        if (v instanceof RubySymbol s) return s.name();
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(plain(k)), plain(x)));
            return out;
        }
        if (v instanceof java.util.Collection<?> c) return c.stream().map(StateJson::plain).toList();
        return v;
    }
}
