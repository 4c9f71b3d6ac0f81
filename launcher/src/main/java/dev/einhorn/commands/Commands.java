package dev.einhorn.commands;

import dev.einhorn.log.EinhornLog;
import dev.einhorn.pool.Pool;
import dev.einhorn.posix.Signals;
import dev.einhorn.protocol.Excerpt;
import dev.einhorn.protocol.Framing;
import dev.einhorn.protocol.ParseException;
import dev.einhorn.protocol.Replies;
import dev.einhorn.protocol.RubyInspect;
import dev.einhorn.protocol.Yaml;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Einhorn's command-socket commands (docs/COMPATIBILITY.md#commands), with its reply texts. Each request is
 * answered on the loop thread; nothing here blocks.
 */
public final class Commands {
    private static final Logger log = LoggerFactory.getLogger(Commands.class);

    /** Documented commands, as {@code help} and the unknown-command reply list them (sorted by name). */
    static final Map<String, String> DESCRIPTIONS = new TreeMap<>(Map.ofEntries(
            Map.entry("config", "Merge in a new set of config options. (Note: this will likely be subsumed by "
                    + "config file reloading at some point.)"),
            Map.entry("dec", "Decrement the number of Einhorn child processes"),
            Map.entry("die", "Send SIGNAL (default: SIGUSR2) to all workers, stop spawning new ones, and exit once "
                    + "all workers die (args: [SIGNAL])"),
            Map.entry("help", "Print out available commands"),
            Map.entry("inc", "Increment the number of Einhorn child processes"),
            Map.entry("louder", "Increase verbosity"),
            Map.entry("metrics", "Get the master's metrics in the Prometheus text format"),
            Map.entry("quieter", "Decrease verbosity"),
            Map.entry("reload", "Reload Einhorn"),
            Map.entry("set_workers", "Set the number of Einhorn child processes"),
            Map.entry("signal", "Send one or more signals to all workers (args: SIG1 [SIG2 ...])"),
            Map.entry("state", "Get a dump of Einhorn's current state"),
            Map.entry("upgrade", "Upgrade all Einhorn workers smoothly. This causes Einhorn to reload its own "
                    + "code as well."),
            Map.entry("upgrade_fleet", "Upgrade all Einhorn workers a fleet at a time. This causes Einhorn to "
                    + "reload its own code as well.")));

    private final MasterControl master;
    private final Pool pool;
    private final UpgradeQueue upgrades;

    public Commands(MasterControl master, Pool pool, UpgradeQueue upgrades) {
        this.master = master;
        this.pool = pool;
        this.upgrades = upgrades;
    }

    public static String descriptions() {
        return DESCRIPTIONS.entrySet().stream().map(e -> e.getKey() + ": " + e.getValue())
                .collect(Collectors.joining("\n"));
    }

    /** One request line from a client. */
    public void onLine(Connection c, String line) {
        log.debug("[{}] Read a record of {} bytes.", c.label(), line.length());
        Map<String, Object> request;
        try {
            request = Yaml.parseMapping(Framing.decode(line));
        } catch (ParseException | RuntimeException e) {
            // Einhorn's text; a refused alias says why, since the same document is valid YAML elsewhere
            boolean alias = Yaml.ALIASES_REFUSED.equals(e.getMessage());
            reply(c, null, "Could not parse command" + (alias ? ": " + Yaml.ALIASES_REFUSED : ""), true);
            return;
        }
        Object id = request.get("id");
        Object command = request.get("command");
        if (command == null) {
            reply(c, id, "No \"command\" parameter provided; not sure what you want me to do.", true);
            return;
        }
        String name = String.valueOf(command);
        try {
            dispatch(c, id, name, request);
        } catch (BadRequest e) {
            reply(c, id, e.getMessage(), true);
        } catch (RuntimeException e) {
            String message = "Error while processing command " + Excerpt.of(name) + ": " + e.getMessage() + " ("
                    + e.getClass().getSimpleName() + ")";
            log.error("[{}] {}", c.label(), message);
            reply(c, id, message, true);
        }
    }

    private void dispatch(Connection c, Object id, String name, Map<String, Object> request) throws BadRequest {
        switch (name) {
            case "worker:ack" -> workerAck(c, request);
            case "worker:ping" -> workerPing(c, request);
            case "ehlo" -> reply(c, id, "Welcome, " + stringOr(request.get("user"), "")
                    + "! You are speaking to Einhorn Master Process " + master.pid()
                    + (master.commandName() != null ? " (" + master.commandName() + ")" : "")
                    + ".\nThis is Einhorn 0.8.2.\n", true);
            case "help" -> reply(c, id, "You are speaking to the Einhorn command socket. You can run the "
                    + "following commands:\n\n" + descriptions() + "\n", true);
            case "state" -> reply(c, id, master.state(jsonRequested(request)), true);
            case "metrics" -> reply(c, id, master.metrics(), true);
            case "inc" -> reply(c, id, increment(), true);
            case "dec" -> reply(c, id, decrement(), true);
            case "set_workers" -> reply(c, id, setWorkers(args(request)), true);
            case "quieter" -> reply(c, id, setVerbosity(EinhornLog.verbosity() + 1), true);
            case "louder" -> reply(c, id, setVerbosity(EinhornLog.verbosity() - 1), true);
            case "signal" -> reply(c, id, signal(args(request)), true);
            case "die" -> reply(c, id, die(args(request)), true);
            case "config" -> reply(c, id, config(args(request)), true);
            case "reload" -> {
                reply(c, id, "Reloading, as commanded", true);
                master.reexec(false);
            }
            case "upgrade" -> upgrade(c, id, true);
            case "upgrade_fleet" -> upgrade(c, id, false);
            default -> reply(c, id, "Unrecognized command: " + Excerpt.of(name) + "\n\n" + descriptions()
                    + "\n", true);
        }
    }

    // ---------------------------------------------------------------- workers talking to us

    private void workerAck(Connection c, Map<String, Object> request) {
        Integer pid = pid(c, request);
        if (pid != null) pool.manualAck(pid);
        master.closeWhenFlushed(c);
    }

    /**
     * The longest value the master keeps from a request: a ping's {@code request_id} (every worker keeps its last
     * one until it exits, and {@code state} and each re-exec carry them all: eight pings of 1 MB made every
     * {@code state} answer "Reply too large") and an upgrade's {@code id} ({@link #keptIdRefusal}). Dozens of
     * megabyte values would fill the master's heap (docs/PROTOCOL.md, "Bounds").
     */
    static final int MAX_KEPT_VALUE_CHARS = 1024;

    private void workerPing(Connection c, Map<String, Object> request) {
        Integer pid = pid(c, request);
        Object requestId = request.get("request_id");
        if (pid != null && pingRequestIdAcceptable(c, requestId)) pool.ping(pid, requestId);
        master.closeWhenFlushed(c);
    }

    /**
     * Why an upgrade's {@code id} cannot be kept, or null. The master keeps it until the upgrade ends (queued
     * ones too) and hands it to every image in between; twenty clients each queueing an upgrade with a 1 MB id
     * filled the master's 64 MiB heap during the re-exec and it died, orphaning its workers.
     */
    static String keptIdRefusal(Object id) {
        if (id instanceof Map<?, ?> || id instanceof List<?>) {
            return "an upgrade's id must be a scalar, not a " + RubyInspect.className(id);
        }
        if (id != null && id.toString().length() > MAX_KEPT_VALUE_CHARS) {
            return "an upgrade's id is kept until the upgrade ends and may be at most " + MAX_KEPT_VALUE_CHARS
                    + " characters (this one: " + id.toString().length() + ")";
        }
        return null;
    }

    private static boolean pingRequestIdAcceptable(Connection c, Object requestId) {
        if (requestId instanceof Map<?, ?> || requestId instanceof List<?>) {
            log.error("[{}] Invalid request (request_id is not a scalar: {}): ignoring the ping", c.label(),
                    RubyInspect.className(requestId));
            return false;
        }
        if (requestId != null && requestId.toString().length() > MAX_KEPT_VALUE_CHARS) {
            log.error("[{}] Invalid request (request_id of {} characters, the limit is {}): ignoring the ping",
                    c.label(), requestId.toString().length(), MAX_KEPT_VALUE_CHARS);
            return false;
        }
        return true;
    }

    /**
     * The request's {@code pid}, compared as the arbitrary-precision integer it was sent as: one that no process
     * can have (not in [1, 2^31)) is logged and ignored, never truncated (PID + 2^32 is not PID).
     */
    private static Integer pid(Connection c, Map<String, Object> request) {
        Object pid = request.get("pid");
        if (!(pid instanceof Integer || pid instanceof Long || pid instanceof java.math.BigInteger)) {
            log.error("[{}] Invalid request (no pid): {}", c.label(), Excerpt.of(request));
            return null;
        }
        java.math.BigInteger n = new java.math.BigInteger(pid.toString());
        if (n.signum() <= 0 || n.bitLength() > 31) {
            log.error("[{}] Invalid request (pid {} is not a possible process id): ignoring it", c.label(),
                    Excerpt.bounded(n.toString()));
            return null;
        }
        return n.intValue();
    }

    // ---------------------------------------------------------------- scaling

    /**
     * The most workers any command sets: {@code set_workers} and {@code config} refuse 1000 and more, and so does
     * {@code inc} (and SIGTTIN), which Einhorn leaves unbounded: 1500 pipelined {@code inc}s in one write would
     * otherwise ask for 1501 workers, a fork bomb a bound elsewhere does not stop (docs/PROTOCOL.md).
     */
    static final int MAX_WORKERS = 999;

    /** {@code inc} and SIGTTIN. */
    public String increment() {
        int old = pool.number();
        if (old >= MAX_WORKERS) {
            return "Can't increase number of workers (already at " + old + ", the most allowed).";
        }
        pool.setNumber(old + 1);
        String msg = "Incrementing number of workers from " + old + " -> " + (old + 1);
        EinhornLog.raw(msg);
        return msg;
    }

    /** {@code dec} and SIGTTOU. */
    public String decrement() {
        int old = pool.number();
        if (old <= 1) {
            return "Can't decrease number of workers (already at " + old + ").  Run kill " + master.pid()
                    + " if you really want to kill einhorn.";
        }
        pool.setNumber(old - 1);
        String msg = "Decrementing number of workers from " + old + " -> " + (old - 1);
        EinhornLog.raw(msg);
        return msg;
    }

    private String setWorkers(List<String> args) {
        String arg = args.isEmpty() ? "" : args.get(0);
        int count = strictCount(arg);
        if (count < 1 || count > MAX_WORKERS) {
            return "Invalid count: '" + Excerpt.bounded(arg) + "'. Must be an integer in [1,1000).";
        }
        int old = pool.number();
        if (count == old) return "";
        pool.setNumber(count);
        String msg = "Altering worker count, " + old + " -> " + count + ". Will "
                + (count > old ? "spin up additional workers." : "gracefully terminate workers.");
        EinhornLog.raw(msg);
        return msg;
    }

    /**
     * ASCII digits only (no sign, no blank, no other script's digits such as "٢"), as the value it reads as;
     * -1 for anything else or anything too long to be a count.
     */
    static int strictCount(String arg) {
        if (arg.isEmpty() || arg.length() > 9 || !arg.chars().allMatch(ch -> ch >= '0' && ch <= '9')) return -1;
        return Integer.parseInt(arg);
    }

    private String setVerbosity(int v) {
        EinhornLog.setVerbosity(v);
        String msg = "Verbosity set to " + EinhornLog.verbosity();
        log.info(msg);
        return msg;
    }

    // ---------------------------------------------------------------- signals

    private String signal(List<String> args) throws BadRequest {
        List<String> names = new ArrayList<>();
        for (String arg : args) names.add(signalName(arg));
        for (String name : names) pool.signalAll(name);
        return "\n".repeat(Math.max(0, names.size() - 1)); // Einhorn joins one empty result per signal
    }

    private String die(List<String> args) throws BadRequest {
        String sig = args.isEmpty() ? master.gracefulSignal() : signalName(args.get(0));
        pool.stop(sig);
        return "Einhorn is going down! ";
    }

    /** Einhorn's normalisation: upcase, strip a leading SIG, must be a known signal. */
    static String signalName(String arg) throws BadRequest {
        String name = arg.toUpperCase(Locale.ROOT);
        if (name.startsWith("SIG")) name = name.substring(3);
        if (Signals.number(name).isEmpty() || name.chars().allMatch(Character::isDigit)) {
            throw new BadRequest("Invalid signal: " + Excerpt.of(name));
        }
        return Signals.name(Signals.number(name).get());
    }

    // ---------------------------------------------------------------- config

    /**
     * Einhorn merges any YAML hash into its state, mostly as inert junk. We apply the keys that mean something
     * at run time ({@code number}, {@code verbosity}, with or without Ruby's leading colon) and refuse others.
     */
    private String config(List<String> args) throws BadRequest {
        if (args.isEmpty()) return "Must pass in a YAML-encoded hash";
        Map<String, Object> hash;
        try {
            hash = Yaml.parseMapping(String.join(" ", args));
        } catch (ParseException e) {
            return "Could not parse config: " + e.getMessage();
        }
        for (Map.Entry<String, Object> e : hash.entrySet()) {
            String key = e.getKey().startsWith(":") ? e.getKey().substring(1) : e.getKey();
            if (!key.equals("number") && !key.equals("verbosity")) {
                return "Unknown config key " + Excerpt.of(e.getKey()) + " (known: number, verbosity)";
            }
            if (!(e.getValue() instanceof Integer || e.getValue() instanceof Long
                    || e.getValue() instanceof java.math.BigInteger)) {
                return "Config value for " + key + " must be an integer";
            }
            java.math.BigInteger n = new java.math.BigInteger(e.getValue().toString()); // compared whole, never cut
            if (key.equals("number") && !inRange(n, 1, MAX_WORKERS)) {
                return "Invalid count: '" + n + "'. Must be an integer in [1,1000).";
            }
            if (key.equals("verbosity") && !inRange(n, EinhornLog.DEBUG, EinhornLog.ERROR)) {
                return "Invalid verbosity: '" + n + "'. Must be 0 (debug), 1 (info) or 2 (errors only).";
            }
        }
        Map<String, Object> stored = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Object> e : hash.entrySet()) {
            int value = ((Number) e.getValue()).intValue();
            if (e.getKey().endsWith("number")) {
                pool.setNumber(value);
                stored.put(e.getKey(), pool.number());
            } else {
                EinhornLog.setVerbosity(value);
                stored.put(e.getKey(), EinhornLog.verbosity());
            }
        }
        return "Successfully merged in config: " + RubyInspect.inspect(stored); // what is in effect now
    }

    private static boolean inRange(java.math.BigInteger n, int min, int max) {
        return n.compareTo(java.math.BigInteger.valueOf(min)) >= 0 && n.compareTo(java.math.BigInteger.valueOf(max)) <= 0;
    }

    /** Sends one reply (docs/COMPATIBILITY.md#requests-and-replies): with an id, {@code wait: true} unless last. */
    private void reply(Connection c, Object requestId, String message, boolean last) {
        master.send(c, Replies.encode(message, requestId, last));
    }

    // ---------------------------------------------------------------- upgrades

    /** Answers the client, then starts the upgrade or queues it behind the one in flight ({@link UpgradeQueue}). */
    private void upgrade(Connection c, Object id, boolean smooth) {
        if (!pool.respawning()) {
            reply(c, id, "Upgrade failed: einhorn is shutting down", true);
            return;
        }
        String refusal = keptIdRefusal(id);
        if (refusal != null) {
            log.error("[{}] Upgrade refused: {}", c.label(), refusal);
            reply(c, id, "Upgrade refused: " + refusal, true);
            return;
        }
        boolean streamed = id != null;
        reply(c, id, smooth ? "Upgrading smoothly, as commanded" : "Upgrading fleet, as commanded", !streamed);
        upgrades.request(c, id, smooth);
    }

    // ---------------------------------------------------------------- argument checks (validate_args)

    @SuppressWarnings("unchecked")
    private static List<String> args(Map<String, Object> request) throws BadRequest {
        if (!request.containsKey("args") || request.get("args") == null) throw new BadRequest("No args provided");
        if (!(request.get("args") instanceof List<?> list)) throw new BadRequest("Args must be an array");
        for (Object o : list) {
            if (!(o instanceof String)) {
                throw new BadRequest("Argument is a " + RubyInspect.className(o) + ", not a string: " + Excerpt.of(o));
            }
        }
        return (List<String>) list;
    }

    /** {@code state} with {@code args: ["--json"]}: the versioned JSON form (docs/OPERATIONS.md). */
    private static boolean jsonRequested(Map<String, Object> request) {
        return request.get("args") instanceof List<?> list && list.contains("--json");
    }

    private static String stringOr(Object o, String fallback) {
        return o == null ? fallback : String.valueOf(o);
    }

    /** A request the master understood but will not carry out: its message is the reply. */
    static final class BadRequest extends Exception {
        BadRequest(String message) {
            super(message);
        }
    }
}
