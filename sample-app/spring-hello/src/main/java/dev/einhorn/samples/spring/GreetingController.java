package dev.einhorn.samples.spring;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The sample's endpoints. Every answer names the worker process ({@code pid}), so a client can see which
 * worker served it. {@code /slow} holds a request open, to show that a graceful shutdown lets it finish.
 */
@RestController
public class GreetingController {
    private static final Logger LOG = LoggerFactory.getLogger(GreetingController.class);
    private static final long PID = ProcessHandle.current().pid();
    private final AtomicLong served = new AtomicLong();

    /** A greeting as JSON. */
    public record Greeting(String message, long pid, long served) {
    }

    /** A greeting request, validated: a non-blank name of at most 40 characters, repeated 1 to 5 times. */
    public record GreetingRequest(@NotBlank @Size(max = 40) String name, @Min(1) @Max(5) int times) {
    }

    @GetMapping("/hello")
    public Greeting hello(@RequestParam(defaultValue = "world") @Size(max = 40) String name) {
        return new Greeting("Hello, " + name + "!", PID, served.incrementAndGet());
    }

    @GetMapping("/hello/{name}")
    public Greeting helloPath(@PathVariable @Size(max = 40) String name) {
        return hello(name);
    }

    @PostMapping("/greetings")
    public ResponseEntity<List<Greeting>> greetings(@Valid @RequestBody GreetingRequest request) {
        Greeting g = hello(request.name());
        return ResponseEntity.status(HttpStatus.CREATED).body(java.util.Collections.nCopies(request.times(), g));
    }

    /** Answers after {@code ms} milliseconds (at most 30 s): a request in flight during a shutdown. */
    @GetMapping("/slow")
    public Greeting slow(@RequestParam(defaultValue = "2000") @Min(0) @Max(30_000) long ms) throws InterruptedException {
        LOG.info("Sleeping {} ms before answering", ms);
        Thread.sleep(ms);
        return new Greeting("Slept " + ms + " ms", PID, served.incrementAndGet());
    }

    /** Bean-validation failures of a request body as a 400 with the offending fields. */
    @ExceptionHandler(MethodArgumentNotValidException.class)
    public ResponseEntity<Map<String, Object>> invalid(MethodArgumentNotValidException e) {
        Map<String, String> fields = new java.util.TreeMap<>();
        e.getBindingResult().getFieldErrors().forEach(f -> fields.put(f.getField(), f.getDefaultMessage()));
        return ResponseEntity.badRequest().body(Map.of("error", "invalid request", "fields", fields));
    }
}
