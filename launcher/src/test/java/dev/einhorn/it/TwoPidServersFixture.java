package dev.einhorn.it;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A master with two acked python pid servers ({@code -n 2 -m manual}), started before and stopped after each test. */
abstract class TwoPidServersFixture {
    @TempDir
    Path dir;
    EinhornUnderTest einhorn;
    List<Long> workers;

    @BeforeEach
    void start() throws Exception {
        einhorn = EinhornUnderTest.start(dir, "-n", "2", "-m", "manual", "-b", "127.0.0.1:0",
                "python3", EinhornUnderTest.WORKERS.resolve("pid_server.py").toString());
        workers = einhorn.awaitAckedWorkers(2);
    }

    @AfterEach
    void stop() throws Exception {
        einhorn.close();
    }
}
