package dev.einhorn.spring.jetty;

import dev.einhorn.runtime.Einhorn;
import dev.einhorn.spring.EinhornSockets;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.springframework.boot.web.embedded.jetty.ConfigurableJettyWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Makes Spring Boot's embedded Jetty serve on einhorn's sockets. Jetty's {@link ServerConnector#open(
 * java.nio.channels.ServerSocketChannel)} takes an open, bound channel and then binds nothing itself; Spring runs
 * server customizers after it created the connector and before it starts it. Socket 0 goes to Spring's connector
 * (configured from {@code server.*}), each further socket to a connector with the same connection factories. On
 * a graceful shutdown Jetty closes the channel: this worker's copy only.
 */
public class JettyInheritedSocketCustomizer implements WebServerFactoryCustomizer<ConfigurableJettyWebServerFactory>, Ordered {
    @Override
    public void customize(ConfigurableJettyWebServerFactory factory) {
        factory.addServerCustomizers(JettyInheritedSocketCustomizer::adoptSockets);
    }

    static void adoptSockets(Server server) {
        Connector[] connectors = server.getConnectors();
        if (connectors.length == 0 || !(connectors[0] instanceof ServerConnector main)) {
            throw new IllegalStateException("einhorn: Jetty's first connector is not a ServerConnector, cannot put it on"
                    + " einhorn's socket 0");
        }
        try {
            main.open(EinhornSockets.tcp(0));
            for (int i = 1; i < Einhorn.socketCount(); i++) {
                ServerConnector extra = new ServerConnector(server, main.getConnectionFactories().toArray(new ConnectionFactory[0]));
                extra.setName("einhorn-" + i);   // distinct names: metrics are tagged by connector name
                extra.open(EinhornSockets.tcp(i));
                server.addConnector(extra);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("einhorn: Jetty cannot serve on an einhorn socket", e);
        }
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
