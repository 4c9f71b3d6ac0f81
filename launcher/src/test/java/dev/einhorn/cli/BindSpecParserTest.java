package dev.einhorn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.einhorn.config.BindSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BindSpecParserTest {
    @Test
    void hostAndPort() {
        assertEquals(new BindSpec("127.0.0.1", 8080, List.of(), false, false, false),
                BindSpecParser.parse("127.0.0.1:8080"));
        assertEquals(new BindSpec("localhost", 0, List.of(), false, false, false), BindSpecParser.parse("localhost:0"));
        assertEquals(new BindSpec("0.0.0.0", 65535, List.of(), false, false, false),
                BindSpecParser.parse("0.0.0.0:65535"));
        assertEquals(80, BindSpecParser.parse("h:0080").port());
    }

    @Test
    void flagsAreCaseInsensitiveAndDowncased() {
        BindSpec s = BindSpecParser.parse("127.0.0.1:80,R,N,SO_REUSEPORT");
        assertEquals(List.of("r", "n", "so_reuseport"), s.flags());
        assertEquals(new BindSpec("127.0.0.1", 80, List.of("r", "n", "so_reuseport"), true, true, true), s);
        BindSpec longNames = BindSpecParser.parse("127.0.0.1:80,so_reuseaddr,o_nonblock");
        assertEquals(new BindSpec("127.0.0.1", 80, List.of("so_reuseaddr", "o_nonblock"), true, true, false), longNames);
    }

    @Test
    void emptyFlagsAreDropped() {
        assertEquals(List.of("r"), BindSpecParser.parse("127.0.0.1:80,,r,").flags());
        assertEquals(List.of(), BindSpecParser.parse("127.0.0.1:80,").flags());
    }

    @Test
    void ipv6InBrackets() {
        BindSpec loopback = BindSpecParser.parse("[::1]:8080");
        assertEquals("::1", loopback.host());
        assertEquals(8080, loopback.port());
        assertEquals("[::1]:8080", loopback.address());
        BindSpec any = BindSpecParser.parse("[::]:0,r");
        assertEquals(new BindSpec("::", 0, List.of("r"), true, false, false), any);
        assertEquals("fe80::1%eth0", BindSpecParser.parse("[fe80::1%eth0]:80").host());
        assertEquals("::ffff:127.0.0.1", BindSpecParser.parse("[::ffff:127.0.0.1]:80").host());
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.1:", ":80", "::1:80", "[::1]", "[::1]80", "[host]:80",
            "127.0.0.1:-1", "127.0.0.1:http", "127.0.0.1:80:81", "", "a b:80", "[::1:80", "app.sock", "run/app.sock"})
    void badForms(String spec) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BindSpecParser.parse(spec));
        assertEquals(ShellWords.quote(spec)
                + ": bind address must be of the form HOST:PORT[,FLAG...] (IPv6: [ADDR]:PORT; a UNIX socket: /PATH or ./PATH; a systemd socket: name:NAME)", e.getMessage());
    }

    @Test
    void portOutOfRange() {
        assertEquals("\"127.0.0.1:65536\": port 65536 is out of range (0-65535)",
                assertThrows(IllegalArgumentException.class, () -> BindSpecParser.parse("127.0.0.1:65536")).getMessage());
        assertEquals("\"h:99999999999999999999\": port 99999999999999999999 is out of range (0-65535)",
                assertThrows(IllegalArgumentException.class,
                        () -> BindSpecParser.parse("h:99999999999999999999")).getMessage());
    }

    @Test
    void unknownFlagIsNamed() {
        assertEquals("\"127.0.0.1:80,rn\": unknown flag \"rn\" (valid: r, so_reuseaddr, n, o_nonblock, so_reuseport;"
                        + " separate flags with commas)",
                assertThrows(IllegalArgumentException.class, () -> BindSpecParser.parse("127.0.0.1:80,rn")).getMessage());
        assertEquals("\"h:80,r,Llama\": unknown flag \"llama\" (valid: r, so_reuseaddr, n, o_nonblock, so_reuseport;"
                        + " separate flags with commas)",
                assertThrows(IllegalArgumentException.class, () -> BindSpecParser.parse("h:80,r,Llama")).getMessage());
    }
}
