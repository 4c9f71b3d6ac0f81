package dev.einhorn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.einhorn.cli.CliResult;
import dev.einhorn.cli.EinhornCli;
import java.lang.ref.WeakReference;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Main's two start-up paths that skip the CLI parser, and the parser's disposable class loader. */
class MainTest {
    @Test
    void onlyTheReexecCommandLineSkipsTheParser() {
        assertEquals(31, Main.reexecStateFd(new String[] {"--with-state-fd", "31", "--", "sleep", "100"}));
        assertEquals(0, Main.reexecStateFd(new String[] {"--with-state-fd", "0", "--"}));
        for (String[] other : new String[][] {{}, {"--with-state-fd", "31"}, {"--with-state-fd", "31", "sleep"},
                {"--with-state-fd", "x1", "--", "sleep"}, {"--with-state-fd", "-1", "--", "sleep"},
                {"--with-state-fd", "", "--", "sleep"}, {"--with-state-fd", "99999999999", "--", "sleep"},
                {"-n", "2", "--with-state-fd", "31", "--", "sleep"}, {"--with-state-fd=31", "--", "sleep"}}) {
            assertEquals(-1, Main.reexecStateFd(other), List.of(other).toString());
        }
    }

    @Test
    void theDisposableParserGivesTheParsersResult() {
        for (String[] args : new String[][] {{"-n", "3", "-m", "manual", "--", "sleep", "1"}, {"--bogus", "x"}, {"-h"},
                {"--version"}, {"-n", "0", "x"}, {"--upgrade-check", "--bogus"}}) {
            Map<String, String> env = Map.of("TMPDIR", "/tmp");
            assertEquals(EinhornCli.parse(args, env), DisposableCli.parse(args, env), List.of(args).toString());
        }
    }

    @Test
    void theResultCrossesOverAndTheParserStaysBehind() throws Exception {
        CliResult r = DisposableCli.parse(new String[] {"-n", "2", "sleep", "1"}, Map.of("TMPDIR", "/tmp"));
        ClassLoader app = MainTest.class.getClassLoader();
        CliResult.Run run = (CliResult.Run) r;
        assertSame(app, run.config().getClass().getClassLoader());
        DisposableCli.CliClassLoader loader = new DisposableCli.CliClassLoader(app);
        Class<?> parser = loader.loadClass("dev.einhorn.cli.EinhornCli");
        assertSame(loader, parser.getClassLoader());
        assertNotSame(EinhornCli.class, parser);
        assertSame(loader, loader.loadClass("picocli.CommandLine").getClassLoader());
        assertSame(CliResult.class, loader.loadClass("dev.einhorn.cli.CliResult"));
        assertSame(app, loader.loadClass("dev.einhorn.config.Config").getClassLoader());
        assertTrue(DisposableCli.CliClassLoader.ownsClass("dev.einhorn.cli.UsageText"));
        assertFalse(DisposableCli.CliClassLoader.ownsClass("dev.einhorn.cli.LegacySrvTemplate"));
        assertFalse(DisposableCli.CliClassLoader.ownsClass("dev.einhorn.cli.CliResult$Run"));
    }

    @Test
    void theParsersClassesCanBeUnloaded() {
        WeakReference<ClassLoader> ref = parseInALoader();
        for (int i = 0; i < 20 && ref.get() != null; i++) {
            System.gc();
            Thread.onSpinWait();
        }
        assertNull(ref.get(), "nothing holds on to the parser's class loader after the parse");
    }

    private static WeakReference<ClassLoader> parseInALoader() {
        try {
            DisposableCli.CliClassLoader loader = new DisposableCli.CliClassLoader(MainTest.class.getClassLoader());
            Object r = Class.forName("dev.einhorn.cli.EinhornCli", true, loader)
                    .getMethod("parse", String[].class, Map.class)
                    .invoke(null, new String[] {"-n", "2", "-b", "127.0.0.1:0", "sleep", "1"}, Map.of("TMPDIR", "/tmp"));
            assertTrue(r instanceof CliResult.Run, String.valueOf(r));
            return new WeakReference<>(loader);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
