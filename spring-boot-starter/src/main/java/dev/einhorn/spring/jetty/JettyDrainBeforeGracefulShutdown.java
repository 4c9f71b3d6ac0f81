package dev.einhorn.spring.jetty;

import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.boot.web.embedded.jetty.JettyWebServer;
import org.springframework.boot.web.server.WebServer;
import org.springframework.context.ApplicationContext;
import org.springframework.context.SmartLifecycle;

/**
 * Before Spring's graceful shutdown of Jetty, stops this worker accepting on einhorn's sockets and lets the
 * connections it accepted just before finish. Jetty's graceful shutdown closes connections that have no request
 * in progress yet; a connection accepted a moment before, whose request the selector has not read, is such a
 * connection, and its client would get an empty answer (seen under load during upgrades). The other workers and
 * the master keep the socket listening, so a connection not accepted here is served by them.
 *
 * <p>Runs as a lifecycle stopped just before Spring Boot's graceful-shutdown lifecycle (whose phase is
 * {@link SmartLifecycle#DEFAULT_PHASE} - 1024): it closes this process's copy of each connector's listening
 * socket, then waits, at most {@link #RECENT_MILLIS}, until the connections opened in the last
 * {@link #RECENT_MILLIS} are closed.
 */
public class JettyDrainBeforeGracefulShutdown implements SmartLifecycle {
    static final long RECENT_MILLIS = 2000;
    /** An accept that was completing as the socket closed hands its connection to a selector this long after. */
    static final long HANDOVER_MILLIS = 20;
    private final ApplicationContext context;
    private volatile boolean running;

    public JettyDrainBeforeGracefulShutdown(ApplicationContext context) {
        this.context = context;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        if (!(context instanceof WebServerApplicationContext web)) return;
        WebServer server = web.getWebServer();
        if (server instanceof JettyWebServer jetty) drain(jetty.getServer());
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 1024 + 1;
    }

    static void drain(Server server) {
        List<ServerConnector> connectors = new ArrayList<>();
        for (Connector c : server.getConnectors()) {
            if (c instanceof ServerConnector sc) connectors.add(sc);
        }
        for (ServerConnector c : connectors) {
            c.setAccepting(false);
            c.close();   // this worker's copy of the socket only
        }
        long deadline = System.currentTimeMillis() + RECENT_MILLIS;
        if (!pause(HANDOVER_MILLIS)) return;
        while (System.currentTimeMillis() < deadline && recentOpen(connectors)) {
            if (!pause(2)) return;
        }
    }

    private static boolean recentOpen(List<ServerConnector> connectors) {
        long now = System.currentTimeMillis();
        for (ServerConnector c : connectors) {
            for (EndPoint ep : c.getConnectedEndPoints()) {
                if (ep.isOpen() && now - ep.getCreatedTimeStamp() < RECENT_MILLIS) return true;
            }
        }
        return false;
    }

    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
