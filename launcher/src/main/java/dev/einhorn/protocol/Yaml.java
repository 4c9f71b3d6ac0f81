package dev.einhorn.protocol;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.events.AliasEvent;
import org.snakeyaml.engine.v2.events.CollectionEndEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.events.ScalarEvent;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.Parser;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.resolver.ScalarResolver;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

/**
 * YAML in and out.
 *
 * <p>In: a safe loader (snakeyaml-engine, YAML 1.2 core schema) that only builds maps ({@link
 * LinkedHashMap}, in document order), lists, strings, numbers ({@link Integer}, {@link Long} or {@link
 * java.math.BigInteger}, never a string: a {@code pid: "5"} stays a String), booleans and null, for
 * requests in YAML block, YAML flow or JSON form. <b>No alias is accepted</b> (as Psych 4's {@code safe_load}
 * by default): a chain of anchors each aliasing the previous one twice is a few hundred bytes and 2^k nodes
 * once anything walks it, so every document with an alias is refused before it is composed (an anchor alone
 * is harmless and accepted). Duplicate keys keep the last value (as Psych does). <b>Tags</b>: a node with a tag we do not know ({@code !ruby/object:Set},
 * {@code !ruby/sym}, {@code !foo}) is loaded as if it were untagged — its plain scalar, sequence or
 * mapping value — rather than rejected, because old Ruby clients add such tags to values that are
 * otherwise fine; no tag ever instantiates a class. Core-schema resolution differs from Psych's YAML 1.1
 * only for odd scalars ({@code yes}/{@code no} stay strings, timestamps stay strings).
 *
 * <p>Out: Psych-style {@code YAML.dump} (see {@link PsychEmitter}) of String, Integer, Long, Double,
 * Boolean, null, {@link RubySymbol}, {@link java.time.OffsetDateTime} (written like a local Ruby Time,
 * {@code 2026-11-23 23:12:40.755845814 +00:00}), {@link java.time.Instant} (a UTC Ruby Time, {@code ... Z}),
 * List and Map (keys: String, Integer, Long or RubySymbol; iteration order kept). Replies should use
 * only strings, integers and booleans (section 3.1); the rest exists for the {@code state} dump.
 */
public final class Yaml {
    private Yaml() {}

    /** The parse error of a document with an alias (docs/PROTOCOL.md, "Bounds"). */
    public static final String ALIASES_REFUSED = "YAML aliases are not accepted";

    /**
     * Deeper nesting is refused (docs/PROTOCOL.md, "Bounds"). The scanner's bookkeeping costs time in the
     * square of the depth (60,000 nested {@code [} took minutes), so the check stops it early.
     */
    public static final int MAX_DEPTH = 100;
    /**
     * Longer integers are refused: {@link java.math.BigInteger} reads a number in time quadratic in its
     * digits (a million digits, one request line, took 48 s of the master's only thread).
     */
    public static final int MAX_INTEGER_CHARS = 1000;
    private static final Pattern INTEGER_LIKE = Pattern.compile("[-+]?(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|[0-9_]+)");

    /**
     * Built once: building the settings (and their schema) allocated half of what parsing a request does, and the
     * garbage of every request makes the young collections that show in the command round trip's tail
     * (docs/FOOTPRINT.md). Immutable, so sharing them is safe.
     */
    private static final LoadSettings REQUEST_SETTINGS = settings(Framing.MAX_LINE_BYTES, 1024);
    private static final LoadSettings UNLIMITED_SETTINGS = settings(Integer.MAX_VALUE, 1024);
    /**
     * For documents shorter than this, settings whose reader buffers (a char[] and an int[]) are this long instead
     * of snakeyaml-engine's 1024 (6 KB a document). Only for short ones: the reader copies its window at every
     * refill, and a 1 MB document read 128 characters at a time took seconds.
     */
    private static final int SHORT_DOCUMENT = 256;
    private static final LoadSettings SHORT_REQUEST_SETTINGS = settings(Framing.MAX_LINE_BYTES, SHORT_DOCUMENT);

    private static LoadSettings settings(int codePointLimit, int bufferSize) {
        return LoadSettings.builder()
                .setSchema(new CoreSchemaOnce())
                .setMaxAliasesForCollections(0)
                .setAllowRecursiveKeys(false)
                .setAllowDuplicateKeys(true)
                .setCodePointLimit(codePointLimit)
                .setUseMarks(false)
                .setBufferSize(bufferSize)
                .build();
    }

    /**
     * The YAML 1.2 core schema with one scalar resolver: snakeyaml-engine's {@link CoreSchema} builds a new one (about
     * 30 regular-expression entries) each time it is asked, that is for every document loaded.
     */
    private static final class CoreSchemaOnce extends CoreSchema {
        private final ScalarResolver resolver = super.getScalarResolver();

        @Override
        public ScalarResolver getScalarResolver() {
            return resolver;
        }
    }

    /** Parses one decoded request; throws if it is not valid YAML or not a mapping. Keys become Strings. */
    public static Map<String, Object> parseMapping(String document) throws ParseException {
        return mapping(parse(document));
    }

    /**
     * {@link #parseMapping} of a document this program wrote itself, the hand-over between master images, with
     * no size limit: the limit on requests ({@link Framing#MAX_LINE_BYTES}) must not apply to what the master
     * keeps. A 1,000,000-character {@code worker:ping} request_id or {@code upgrade} id, each a valid request,
     * made the hand-over longer than a request may be, and the re-exec'd master exited ("Could not read the
     * state handed over ... exceeds the limit: 1048576 code points"), orphaning its workers.
     */
    public static Map<String, Object> parseOwnMapping(String document) throws ParseException {
        return mapping(parse(document, false));
    }

    private static Map<String, Object> mapping(Object value) throws ParseException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new ParseException("not a YAML mapping: " + RubyInspect.className(value));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        map.forEach((k, v) -> result.put(String.valueOf(k), v));
        return result;
    }

    /**
     * Parses any single YAML document (the {@code config} command's argument, replies read by
     * einhornsh). An empty document is null. Nested maps keep their keys' loaded types.
     */
    public static Object parse(String document) throws ParseException {
        return parse(document, true);
    }

    /**
     * {@link #parse(String)} of a document the master wrote, as einhornsh reads a reply: up to the reply
     * limit of 4 Mi characters (docs/PROTOCOL.md, "Bounds"), plus its YAML quoting, not the 1 MiB of a request.
     */
    public static Object parseReply(String document) throws ParseException {
        return parse(document, false);
    }

    /** @param request whether the request limit of {@link Framing#MAX_LINE_BYTES} code points applies */
    private static Object parse(String document, boolean request) throws ParseException {
        LoadSettings settings = !request ? UNLIMITED_SETTINGS
                : document.length() < SHORT_DOCUMENT ? SHORT_REQUEST_SETTINGS : REQUEST_SETTINGS;
        try {
            // One pass: the composer pulls each event through the checks, so a hostile document is refused while
            // it is scanned, before anything is constructed (docs/FOOTPRINT.md: a second pass doubled the garbage
            // of every request, and with it the young collections that make the command round trip's tail).
            Parser parser = new CheckedParser(new ParserImpl(settings, new StreamReader(settings, document)));
            Optional<Node> node = new Composer(settings, parser).getSingleNode();
            return new UntaggingConstructor(settings).constructSingleDocument(node);
        } catch (Refused e) {
            throw e.reason;
        } catch (YamlEngineException e) {
            throw new ParseException(e.getMessage());
        } catch (StackOverflowError e) { // absurdly deep nesting in a hostile request
            throw new ParseException("YAML nested too deeply");
        }
    }

    /** A {@link ParseException} on its way out of the composer, which only lets unchecked exceptions through. */
    private static final class Refused extends RuntimeException {
        final ParseException reason;

        Refused(ParseException reason) {
            super(reason.getMessage(), null, false, false);
            this.reason = reason;
        }
    }

    /**
     * The parser's events, each checked once when first seen (peeked or taken): no alias, nesting at most
     * {@link #MAX_DEPTH}, no integer longer than {@link #MAX_INTEGER_CHARS}.
     */
    private static final class CheckedParser implements Parser {
        private final Parser parser;
        private Event checked;
        private int depth;

        CheckedParser(Parser parser) {
            this.parser = parser;
        }

        @Override
        public boolean checkEvent(Event.ID id) {
            return peekEvent().getEventId() == id;
        }

        @Override
        public Event peekEvent() {
            return check(parser.peekEvent());
        }

        @Override
        public Event next() {
            return check(parser.next());
        }

        @Override
        public boolean hasNext() {
            return parser.hasNext();
        }

        private Event check(Event e) {
            if (e == checked) return e;
            checked = e;
            if (e instanceof AliasEvent) throw new Refused(new ParseException(ALIASES_REFUSED));
            if (e instanceof CollectionStartEvent && ++depth > MAX_DEPTH) {
                throw new Refused(new ParseException("YAML nested deeper than " + MAX_DEPTH));
            }
            if (e instanceof CollectionEndEvent) depth--;
            if (e instanceof ScalarEvent s && s.getValue().length() > MAX_INTEGER_CHARS
                    && (s.isPlain() || s.getTag().filter(Tag.INT.getValue()::equals).isPresent())
                    && INTEGER_LIKE.matcher(s.getValue()).matches()) {
                throw new Refused(new ParseException("integer longer than " + MAX_INTEGER_CHARS + " characters"));
            }
            return e;
        }
    }

    /** {@code YAML.dump} of a value: starts with "---", ends with "\n". Keys in iteration order. */
    public static String dump(Object value) {
        return new PsychEmitter(false).document(value);
    }

    /**
     * {@code YAML.dump} of a tree whose String map keys are Ruby symbols, as in Einhorn's {@code state}
     * reply: {@code Map.of("state", Map.of("children", Map.of(4304, Map.of("type", new RubySymbol("worker")))))}
     * is written {@code ---\n:state:\n  :children:\n    4304:\n      :type: :worker\n}. Integer keys
     * (pids) stay integers; symbol <em>values</em> are explicit {@link RubySymbol}s; a Ruby Set should
     * be passed as a List (Psych-4 clients cannot load {@code !ruby/object:Set}).
     */
    public static String dumpWithSymbolKeys(Object value) {
        return new PsychEmitter(true).document(value);
    }

    /** Loads nodes with unknown tags as their untagged kind (see the class comment). */
    private static final class UntaggingConstructor extends StandardConstructor {
        UntaggingConstructor(LoadSettings settings) {
            super(settings);
        }

        /**
         * The core-schema tags whose values the rest of the master can hold, show and hand over. {@code !!binary}
         * (a {@code byte[]}) and {@code !!set} are read as untagged too: a {@code worker:ping} whose
         * {@code request_id} was {@code !!binary "aGk="} was kept in the worker's state, and from then on every
         * {@code state} and every re-exec failed with "cannot write [B as YAML" (reloads and upgrades refused).
         */
        private static final java.util.Set<Tag> KNOWN = java.util.Set.of(Tag.STR, Tag.SEQ, Tag.MAP, Tag.NULL,
                Tag.BOOL, Tag.INT, Tag.FLOAT);

        @Override
        protected Optional<ConstructNode> findConstructorFor(Node node) {
            Optional<ConstructNode> known = KNOWN.contains(node.getTag()) ? super.findConstructorFor(node)
                    : Optional.empty();
            if (known.isPresent()) return known;
            Tag plain = switch (node.getNodeType()) {
                case SCALAR -> Tag.STR;
                case SEQUENCE -> Tag.SEQ;
                case MAPPING -> Tag.MAP;
                default -> null;
            };
            return plain == null ? known : Optional.ofNullable(tagConstructors.get(plain));
        }
    }
}
