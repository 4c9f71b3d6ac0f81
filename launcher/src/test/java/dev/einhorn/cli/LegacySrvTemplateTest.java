package dev.einhorn.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.config.BindSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cases of Einhorn's test/unit/einhorn.rb ("srv: parsing") and its observed run (docs/COMPATIBILITY.md#srv-template). */
class LegacySrvTemplateTest {
    @Test
    void plainTemplateWithFlags() {
        LegacySrvTemplate t = LegacySrvTemplate.scan(List.of("ruby", "srv:1.2.3.4:123,llama,test"));
        assertEquals(1, t.sockets().size());
        LegacySrvTemplate.Socket s = t.sockets().get(0);
        assertEquals("1.2.3.4", s.host());
        assertEquals("123", s.portText());
        assertEquals(new BindSpec("1.2.3.4", 123, List.of("llama", "test"), false, false, false), s.spec());
        assertEquals(List.of("llama", "test"), s.unknownFlags());
        assertEquals(List.of("ruby", "4"), t.substitute(List.of(4)));
        assertEquals(List.of("srv:1.2.3.4:123,llama,test"), t.templateArgs());
    }

    @Test
    void templateAfterEquals() {
        LegacySrvTemplate t = LegacySrvTemplate.scan(List.of("--opt=srv:1.2.3.4:456"));
        assertEquals(List.of(new BindSpec("1.2.3.4", 456, List.of(), false, false, false)), t.binds());
        assertEquals(List.of("--opt=5"), t.substitute(List.of(5)));
    }

    @Test
    void sameSpecTwiceBindsOnce() {
        LegacySrvTemplate t = LegacySrvTemplate.scan(List.of("foo", "srv:1.2.3.4:789", "srv:1.2.3.4:789"));
        assertEquals(1, t.binds().size());
        assertEquals(List.of("foo", "6", "6"), t.substitute(List.of(6)));
        assertEquals(2, t.templateArgs().size());
    }

    @Test
    void observedRunFirstFlagsWin() {
        LegacySrvTemplate t = LegacySrvTemplate.scan(List.of("server", "--port=srv:127.0.0.1:0,r", "srv:127.0.0.1:0"));
        assertEquals(List.of(new BindSpec("127.0.0.1", 0, List.of("r"), true, false, false)), t.binds());
        assertEquals(List.of("server", "--port=11", "11"), t.substitute(List.of(11)));
    }

    @Test
    void distinctPortTextsAreDistinctSockets() {
        LegacySrvTemplate t = LegacySrvTemplate.scan(
                List.of("a=srv:h:80,N", "b=srv:h:080", "srv:other:80", "a=srv:h:80,r"));
        assertEquals(3, t.sockets().size());
        assertEquals(List.of("n"), t.sockets().get(0).spec().flags());
        assertTrue(t.sockets().get(0).spec().nonBlock());
        assertEquals("080", t.sockets().get(1).portText());
        assertEquals(List.of("a=7", "b=8", "9", "a=7"), t.substitute(List.of(7, 8, 9)));
    }

    @Test
    void nonTemplatesAreLeftAlone() {
        List<String> cmd = List.of("srv:[::1]:80", "srv:1.2.3.4", "xsrv:1.2.3.4:80", "srv:h:80,bad-flag",
                "srv:h:8o", "--a=b=srv:h", "srv:h:1:2");
        LegacySrvTemplate t = LegacySrvTemplate.scan(cmd);
        assertTrue(t.isEmpty());
        assertEquals(cmd, t.substitute(List.of()));
        assertEquals(List.of(), t.templateArgs());
    }

    @Test
    void prefixMayContainEquals() {
        LegacySrvTemplate t = LegacySrvTemplate.scan(List.of("-Dx=y=srv:h:1"));
        assertFalse(t.isEmpty());
        assertEquals(List.of("-Dx=y=3"), t.substitute(List.of(3)));
    }

    @Test
    void badPortAndWrongFdCount() {
        assertEquals("\"srv:h:70000\": port 70000 is out of range (0-65535)",
                assertThrows(IllegalArgumentException.class,
                        () -> LegacySrvTemplate.scan(List.of("srv:h:70000"))).getMessage());
        LegacySrvTemplate t = LegacySrvTemplate.scan(List.of("srv:h:1"));
        assertThrows(IllegalArgumentException.class, () -> t.substitute(List.of()));
    }

    @Test
    void deprecationMessage() {
        assertEquals("Using deprecated command-line configuration for Einhorn; should upgrade to the environment"
                + " variable interface.", LegacySrvTemplate.DEPRECATION_MESSAGE);
    }
}
