package dev.einhorn.samples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small Spring Boot web service, the class-heavy sample (~11,000 classes at start-up): JSON endpoints with
 * bean validation ({@link GreetingController}) and actuator health. Nothing einhorn-specific in the code: the
 * einhorn starter on the class path makes it serve on the master's socket, ack and shut down gracefully.
 */
@SpringBootApplication
public class SpringHelloApplication {
    public static void main(String[] args) {
        SpringApplication.run(SpringHelloApplication.class, args);
    }
}
