package dev.switchboard.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** One event, one line: values a client chose can neither break the line nor forge a field. */
class LogfmtLayoutTest {
    private final LoggerContext context = new LoggerContext();

    private String line(String message, Object... keysAndValues) {
        LoggingEvent event = new LoggingEvent("x", context.getLogger("dev.switchboard.core.Session"), Level.INFO,
                message, null, null);
        event.setTimeStamp(0);
        for (int i = 0; i < keysAndValues.length; i += 2) {
            event.addKeyValuePair(new KeyValuePair((String) keysAndValues[i], keysAndValues[i + 1]));
        }
        return new LogfmtLayout().doLayout(event);
    }

    @Test
    void plainValuesStayBare() {
        assertThat(line("close", "app", "app_a", "code", 4011))
                .isEqualTo("ts=1970-01-01T00:00:00Z level=INFO logger=Session event=close app=app_a code=4011\n");
    }

    @Test
    void valuesWithSpacesQuotesEqualsOrControlCharactersAreQuotedAndEscaped() {
        assertThat(line("close", "peer", "a b")).endsWith(" peer=\"a b\"\n");
        assertThat(line("close", "peer", "x code=1000")).endsWith(" peer=\"x code=1000\"\n");
        assertThat(line("close", "peer", "say \"hi\"\\")).endsWith(" peer=\"say \\\"hi\\\"\\\\\"\n");
        assertThat(line("close", "peer", "two\nlines\r\t\u0001")).endsWith(" peer=\"two\\nlines\\r\\t\\u0001\"\n");
        assertThat(line("close", "peer", "")).endsWith(" peer=\"\"\n");
        // a forged line or field stays inside the quoted value
        assertThat(line("close", "peer", "a\nts=0 level=ERROR")).endsWith(" peer=\"a\\nts=0 level=ERROR\"\n");
        assertThat(line("close", "peer", "a\" code=\"1")).endsWith(" peer=\"a\\\" code=\\\"1\"\n");
    }
}
