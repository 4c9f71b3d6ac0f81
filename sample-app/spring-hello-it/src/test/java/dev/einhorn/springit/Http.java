package dev.einhorn.springit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One HTTP/1.1 GET on a fresh loopback connection ({@code Connection: close}), read to the end. Plain sockets, so a
 * refused, reset or unanswered connection shows as what it is rather than being retried by a client library.
 */
final class Http {
    private static final Pattern PID = Pattern.compile("\"pid\":(\\d+)");

    record Response(int status, String text) {
        /** The {@code pid} field of the sample's JSON answer: the worker that served it. */
        long pid() {
            Matcher m = PID.matcher(text);
            if (!m.find()) throw new AssertionError("no pid in answer: " + text);
            return Long.parseLong(m.group(1));
        }
    }

    private Http() {
    }

    static Response get(int port, String path) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(60_000);
            s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String text = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!text.startsWith("HTTP/1.1 ")) throw new IOException("not an HTTP answer: \"" + text + "\"");
            return new Response(Integer.parseInt(text.substring(9, 12)), text);
        }
    }
}
