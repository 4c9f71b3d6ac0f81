package dev.einhorn.children;

import dev.einhorn.posix.Posix;
import dev.einhorn.posix.PosixException;
import java.io.File;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --nice MASTER:WORKER}: Einhorn runs {@code RENICE_CMD N -p PID} through a shell; we call setpriority(2),
 * which needs no shell and no quoting (the RENICE_CMD part is accepted and not used).
 */
public final class Renice {
    private static final Logger log = LoggerFactory.getLogger(Renice.class);

    private Renice() {}

    /** Sets the nice level of every thread {@code target} has now; a failure is logged, never fatal. */
    public static void renice(Posix posix, int target, int nice, String who) {
        try {
            // Linux keeps a nice level per thread: set it on every thread the process has now (new ones inherit it)
            File[] tasks = new File("/proc/" + target + "/task").listFiles();
            if (tasks == null) {
                posix.setNice(target, nice);
            } else {
                for (File task : tasks) posix.setNice(Integer.parseInt(task.getName()), nice);
            }
            log.info("Reniced {} to level {}", who, nice);
        } catch (PosixException e) {
            log.error("Could not renice {} to level {}: {}, but continuing on anyway.", who, nice, e.getMessage());
        }
    }
}
