package dev.einhorn.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchJsonTest {
    @Test
    void roundTrips() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a \"quoted\"\n\\line");
        m.put("i", 42);
        m.put("d", 0.5);
        m.put("small", 1.0E-5);
        m.put("nan", Double.NaN);
        m.put("list", List.of(1, "x", true));
        m.put("empty", Map.of());
        m.put("null", null);
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) BenchJson.parse(BenchJson.write(m));
        assertEquals("a \"quoted\"\n\\line", back.get("s"));
        assertEquals(42, ((Number) back.get("i")).intValue());
        assertEquals(0.5, ((Number) back.get("d")).doubleValue());
        assertEquals(1.0E-5, ((Number) back.get("small")).doubleValue());
        assertEquals(null, back.get("nan"));
        assertEquals(List.of(1, "x", true), back.get("list"));
        assertEquals(Map.of(), back.get("empty"));
        assertEquals(true, back.containsKey("null"));
    }
}
