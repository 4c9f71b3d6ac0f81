package dev.einhorn.spring;

import dev.einhorn.runtime.Einhorn;
import dev.einhorn.spring.jetty.JettyDrainBeforeGracefulShutdown;
import dev.einhorn.spring.jetty.JettyInheritedSocketCustomizer;
import dev.einhorn.spring.tomcat.TomcatInheritedSocketCustomizer;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.web.embedded.EmbeddedWebServerFactoryCustomizerAutoConfiguration;
import org.springframework.boot.web.server.ConfigurableWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the starter does in an einhorn worker (and nothing elsewhere, see {@link ConditionalOnEinhornWorker}): ack
 * when ready, shut down gracefully on the graceful signal, and, with sockets from {@code einhorn -b}, serve on them
 * with the embedded Tomcat or Jetty instead of binding {@code server.port}.
 */
@AutoConfiguration(after = EmbeddedWebServerFactoryCustomizerAutoConfiguration.class)
@ConditionalOnEinhornWorker
public class EinhornAutoConfiguration {
    private static final Log LOG = LogFactory.getLog(EinhornAutoConfiguration.class);

    @Bean
    AckWhenReady einhornAckWhenReady() {
        return new AckWhenReady();
    }

    @Bean
    ParkStandbyBeforeWebServer einhornParkStandbyBeforeWebServer() {
        return new ParkStandbyBeforeWebServer();
    }

    @Bean
    GracefulShutdownOnSignal einhornGracefulShutdownOnSignal(ConfigurableApplicationContext context) {
        return new GracefulShutdownOnSignal(context);
    }

    /** The embedded web server on einhorn's sockets, when the master bound any. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnWebApplication
    @ConditionalOnEinhornSockets
    static class InheritedSockets {
        @Bean
        static WebServerFactoryCustomizer<ConfigurableWebServerFactory> einhornUnsupportedServerCheck() {
            return factory -> {
                String name = factory.getClass().getName();
                if (!name.startsWith("org.springframework.boot.web.embedded.tomcat.")
                        && !name.startsWith("org.springframework.boot.web.embedded.jetty.")) {
                    LOG.warn("einhorn: " + name + " cannot serve on einhorn's " + Einhorn.socketCount()
                            + " socket(s) (the starter supports embedded Tomcat and Jetty); it binds server.port itself");
                }
            };
        }

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(name = {"org.apache.catalina.startup.Tomcat", "org.apache.coyote.http11.Http11NioProtocol"})
        static class Tomcat {
            @Bean
            static TomcatInheritedSocketCustomizer einhornTomcatInheritedSocketCustomizer() {
                return new TomcatInheritedSocketCustomizer();
            }
        }

        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass(name = {"org.eclipse.jetty.server.Server", "org.eclipse.jetty.server.ServerConnector"})
        static class Jetty {
            @Bean
            static JettyInheritedSocketCustomizer einhornJettyInheritedSocketCustomizer() {
                return new JettyInheritedSocketCustomizer();
            }

            @Bean
            JettyDrainBeforeGracefulShutdown einhornJettyDrainBeforeGracefulShutdown(ApplicationContext context) {
                return new JettyDrainBeforeGracefulShutdown(context);
            }
        }
    }
}
