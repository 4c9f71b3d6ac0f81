package dev.einhorn.spring;

import dev.einhorn.runtime.Einhorn;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * On einhorn's graceful signal (SIGUSR2 unless {@code EINHORN_GRACEFUL_SIGNAL} names another; the master sends it
 * to retire a worker on an upgrade, {@code dec} or its own shutdown) closes the application context and exits with
 * {@link SpringApplication#exit}'s code (0 unless the app says otherwise). Closing runs Spring Boot's graceful
 * shutdown ({@code server.shutdown=graceful}, the default since 3.4): the server stops accepting and requests in
 * flight finish, for up to {@code spring.lifecycle.timeout-per-shutdown-phase}. The trap is installed once the
 * singletons exist, so a worker told to go while still starting also leaves cleanly.
 */
class GracefulShutdownOnSignal implements SmartInitializingSingleton {
    private static final Log LOG = LogFactory.getLog(GracefulShutdownOnSignal.class);
    private final ConfigurableApplicationContext context;
    private final AtomicBoolean shuttingDown = new AtomicBoolean();

    GracefulShutdownOnSignal(ConfigurableApplicationContext context) {
        this.context = context;
    }

    @Override
    public void afterSingletonsInstantiated() {
        Einhorn.onGracefulShutdown(this::onSignal);
    }

    /** Runs on the JVM's signal thread: hands the (long) shutdown to a thread of its own, once. */
    private void onSignal() {
        if (!shuttingDown.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(this::shutDown, "einhorn-graceful-shutdown");
        t.setDaemon(false);
        t.start();
    }

    private void shutDown() {
        LOG.info("einhorn: SIG" + Einhorn.gracefulSignal() + " received, shutting down gracefully");
        int code = SpringApplication.exit(context);
        System.exit(code);
    }
}
