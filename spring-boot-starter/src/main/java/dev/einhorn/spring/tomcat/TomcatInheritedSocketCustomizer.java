package dev.einhorn.spring.tomcat;

import dev.einhorn.runtime.Einhorn;
import dev.einhorn.spring.EinhornSockets;
import org.apache.catalina.connector.Connector;
import org.springframework.boot.web.embedded.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatReactiveWebServerFactory;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.core.Ordered;

/**
 * Makes Spring Boot's embedded Tomcat serve on einhorn's sockets: the main connector (with all of {@code server.*})
 * on socket 0, one more plain HTTP connector per further socket. {@code server.port} and {@code server.address}
 * are then unused: Tomcat binds nothing itself.
 */
public class TomcatInheritedSocketCustomizer implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory>, Ordered {
    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        String protocol = InheritedSocketHttp11NioProtocol.class.getName();
        int sockets = Einhorn.socketCount();
        // Tomcat binds no port (the endpoint adopts the socket) but names the connector and its threads after it.
        factory.setPort(EinhornSockets.port(0));
        if (factory instanceof TomcatServletWebServerFactory servlet) {
            servlet.setProtocol(protocol);
            for (int i = 1; i < sockets; i++) {
                servlet.addAdditionalTomcatConnectors(connector(i));
            }
        } else if (factory instanceof TomcatReactiveWebServerFactory reactive) {
            reactive.setProtocol(protocol);
            for (int i = 1; i < sockets; i++) {
                reactive.addAdditionalTomcatConnectors(connector(i));
            }
        } else {
            throw new IllegalStateException("einhorn: cannot put " + factory.getClass().getName()
                    + " on einhorn's sockets (expected Spring Boot's Tomcat servlet or reactive factory)");
        }
    }

    /** A plain HTTP/1.1 connector on einhorn socket {@code n}. */
    private static Connector connector(int n) {
        Connector connector = new Connector(new InheritedSocketHttp11NioProtocol(n));
        connector.setPort(EinhornSockets.port(n));
        return connector;
    }

    /** Last: a protocol set by another customizer would bind a port of its own. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
