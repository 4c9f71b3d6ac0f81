package dev.einhorn.protocol;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Framed command-socket records (docs/COMPATIBILITY.md#requests-and-replies), byte-identical to Einhorn 0.8.2's.
 */
public final class Replies {
    private Replies() {}

    /**
     * The longest message sent, in characters (docs/PROTOCOL.md, "Bounds"): the largest real reply, {@code state}
     * of a pool of 999 workers, is well under 1 MiB; a longer one is replaced by a short error before any YAML
     * is built from it, so no reply costs the master more than a few times this much memory.
     */
    public static final int MAX_MESSAGE_CHARS = 4 << 20;

    /**
     * One reply line. With a request id: keys {@code message}, {@code request_id} and, unless this is the
     * last message for that request, {@code wait: true}. Without one (an "old-style" request): only
     * {@code message}, and {@code last} is irrelevant since such a request gets exactly one reply.
     *
     * @param requestId the request's {@code id} as it was loaded (Integer, String, ...), or null
     */
    public static String encode(String message, Object requestId, boolean last) {
        if (message.length() > MAX_MESSAGE_CHARS) {
            message = "Reply too large: " + message.length() + " characters (the limit is " + MAX_MESSAGE_CHARS + ")";
        }
        Map<String, Object> reply = new LinkedHashMap<>();
        reply.put("message", message);
        if (requestId != null) {
            reply.put("request_id", requestId);
            if (!last) reply.put("wait", true);
        }
        return Framing.encode(Yaml.dump(reply));
    }

    /** One request line, as a client ({@code einhornsh}, {@code Einhorn::Worker}) sends it. */
    public static String encodeRequest(Map<String, Object> request) {
        return Framing.encode(Yaml.dump(request));
    }
}
