package dev.einhorn.it;

import dev.einhorn.posix.Signals;
import dev.einhorn.protocol.Framing;
import dev.einhorn.protocol.ParseException;
import dev.einhorn.protocol.Replies;
import dev.einhorn.protocol.Yaml;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the master will do with a generated request line, judged with the master's own framing and YAML
 * loader: refuse it with a reply, close the connection without one (worker messages, over-long lines), or
 * change the pool. The fuzz test must keep one pool of workers for its whole run, so the last kind
 * (inc, dec, set_workers, die, reload, upgrade, a real signal, a config that sets number) is never sent.
 */
final class RequestOracle {
    enum Outcome { REPLY, CLOSE, DISRUPTIVE }

    /**
     * @param parsed the line loads as a YAML mapping (else the reply is "Could not parse command")
     * @param idEchoable the reply encoder can write the request's {@code id} back (else the master closes the
     *                   connection without a reply: a known defect, counted apart)
     */
    record Judgement(Outcome outcome, boolean parsed, boolean idEchoable) {}

    private static final Set<String> POOL_CHANGING = Set.of("inc", "dec", "set_workers", "die", "reload",
            "upgrade", "upgrade_fleet");
    /** Signals a python worker ignores: `signal` with only these leaves the pool alone. */
    static final List<String> HARMLESS_SIGNALS = List.of("WINCH", "URG", "CONT", "CHLD");

    private RequestOracle() {}

    static Judgement judge(byte[] line) {
        if (line.length > Framing.MAX_LINE_BYTES) return new Judgement(Outcome.CLOSE, false, true);
        Map<String, Object> request;
        try {
            request = Yaml.parseMapping(Framing.decode(new String(line, StandardCharsets.UTF_8)));
        } catch (ParseException | RuntimeException | StackOverflowError e) {
            return new Judgement(Outcome.REPLY, false, true);
        }
        boolean echoable;
        try {
            Replies.encode("", request.get("id"), true);
            echoable = true;
        } catch (RuntimeException | StackOverflowError e) {
            echoable = false;
        }
        try {
            return new Judgement(outcome(request), true, echoable);
        } catch (StackOverflowError e) { // a self-referencing value (an alias to its own ancestor)
            return new Judgement(Outcome.REPLY, true, echoable);
        }
    }

    private static Outcome outcome(Map<String, Object> request) {
        Object command = request.get("command");
        if (command == null) return Outcome.REPLY;
        if (!(command instanceof String || command instanceof Number || command instanceof Boolean)) {
            return Outcome.REPLY; // "Unrecognized command"
        }
        String name = String.valueOf(command);
        if (POOL_CHANGING.contains(name)) return Outcome.DISRUPTIVE;
        if (name.equals("signal") && signalsSomething(request.get("args"))) return Outcome.DISRUPTIVE;
        if (name.equals("config") && String.valueOf(request.get("args")).contains("number")) return Outcome.DISRUPTIVE;
        if (name.equals("worker:ack") || name.equals("worker:ping")) return Outcome.CLOSE;
        return Outcome.REPLY;
    }

    /** True if `signal` with these args would send a signal a worker does not ignore. */
    private static boolean signalsSomething(Object args) {
        if (!(args instanceof List<?> list) || !list.stream().allMatch(a -> a instanceof String)) return false;
        for (Object a : list) {
            if (Signals.number(normalized((String) a)).isEmpty() || normalized((String) a).chars().allMatch(Character::isDigit)) {
                return false; // one invalid name refuses the whole request before any signal is sent
            }
        }
        for (Object a : list) {
            if (!HARMLESS_SIGNALS.contains(Signals.name(Signals.number(normalized((String) a)).get()))) return true;
        }
        return false;
    }

    private static String normalized(String arg) {
        String name = arg.toUpperCase(Locale.ROOT);
        return name.startsWith("SIG") ? name.substring(3) : name;
    }
}
