package dev.einhorn.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.einhorn.cli.CliResult;
import dev.einhorn.cli.EinhornCli;
import dev.einhorn.protocol.Yaml;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** UNIX and systemd-named -b specs survive the master's re-exec (state through YAML and back). */
class ConfigCodecBindTest {
    @Test
    void unixAndNamedSpecsRoundTrip() throws Exception {
        CliResult r = EinhornCli.parse(new String[] {"-b", "/run/a.sock,mode=0660,n", "-b", "name:web",
                "-b", "127.0.0.1:0,r", "x"}, Map.of());
        Config c = ((CliResult.Run) r).config();
        Config back = ConfigCodec.fromMap(Yaml.parseMapping(Yaml.dump(ConfigCodec.toMap(c))));
        assertEquals(c.binds(), back.binds());
    }
}
