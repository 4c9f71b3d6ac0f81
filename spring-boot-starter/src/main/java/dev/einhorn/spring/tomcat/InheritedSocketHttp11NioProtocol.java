package dev.einhorn.spring.tomcat;

import org.apache.coyote.http11.Http11NioProtocol;

/**
 * Tomcat's HTTP/1.1 NIO protocol on an einhorn socket ({@link InheritedSocketNioEndpoint}). The no-argument
 * constructor, socket 0, is what Tomcat's {@code Connector(String protocol)} instantiates when a Spring Boot
 * factory is given this class's name as its protocol.
 */
public class InheritedSocketHttp11NioProtocol extends Http11NioProtocol {
    public InheritedSocketHttp11NioProtocol() {
        this(0);
    }

    public InheritedSocketHttp11NioProtocol(int socketIndex) {
        super(new InheritedSocketNioEndpoint(socketIndex));
    }
}
