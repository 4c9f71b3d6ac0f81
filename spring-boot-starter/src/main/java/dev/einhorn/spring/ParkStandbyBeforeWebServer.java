package dev.einhorn.spring;

import dev.einhorn.runtime.Einhorn;
import dev.einhorn.runtime.Standby;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A warm standby ({@code einhorn --standby}, docs/PRELOAD.md "Warm standbys") of a Spring Boot app parks here: the
 * context is refreshed (every singleton created), and this is the first lifecycle to start, so the web server (which
 * adopts einhorn's socket when it starts) and every other lifecycle (schedulers, message listeners) start only once
 * the master activated the standby. In a worker that was spawned, {@link Standby#parkIfStandby()} returns at once.
 * The starter's resource {@code META-INF/einhorn/standby-parks-in-app} tells the runtime's Bootstrap to enter the
 * app at once instead of parking before it.
 */
class ParkStandbyBeforeWebServer implements SmartLifecycle {
    private static final Log LOG = LogFactory.getLog(ParkStandbyBeforeWebServer.class);
    private volatile boolean running;

    @Override
    public void start() {
        if (Standby.parkIfStandby()) {
            LOG.info("einhorn: standby activated as worker " + Einhorn.childIndex().orElse(-1));
        }
        running = true;
    }

    @Override
    public void stop() {
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before every other lifecycle, the web server's included. */
    @Override
    public int getPhase() {
        return Integer.MIN_VALUE;
    }
}
