package dev.einhorn.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the master writes on the wire does not follow the JVM's default locale: under a locale with other digits
 * (Arabic here, as LANG=ar_EG.UTF-8 gives the JVM) a float's exponent came out in Arabic-Indic digits ({@code
 * 1.0e+٢٠}), which no YAML reader takes for a number. bin/lib/jvm.sh pins the master's locale as well; this test
 * runs without it.
 */
class LocaleIndependenceTest {
    private Locale saved;

    @BeforeEach
    void arabicDefaultLocale() {
        saved = Locale.getDefault();
        Locale.setDefault(new Locale("ar", "EG"));
    }

    @AfterEach
    void restore() {
        Locale.setDefault(saved);
    }

    @Test
    void aFloatsExponentIsWrittenInAsciiDigits() {
        assertEquals("---\ng: 1.0e+20\n", Yaml.dump(Map.of("g", 1e20)));
        assertEquals("---\ng: 1.0e-05\n", Yaml.dump(Map.of("g", 1e-5)));
    }
}
