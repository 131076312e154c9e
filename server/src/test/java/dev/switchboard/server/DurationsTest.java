package dev.switchboard.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {

    @Test
    void everyUnitAndABareNumberOfSeconds() {
        assertThat(Durations.parse("250ms")).contains(Duration.ofMillis(250));
        assertThat(Durations.parse("30s")).contains(Duration.ofSeconds(30));
        assertThat(Durations.parse("5m")).contains(Duration.ofMinutes(5));
        assertThat(Durations.parse("1h")).contains(Duration.ofHours(1));
        assertThat(Durations.parse(" 90 ")).contains(Duration.ofSeconds(90));
    }

    @Test
    void anythingElseIsNotADuration() {
        for (String bad : new String[] {"", "s", "-1s", "1.5s", "1d", "1 h", "10sec", "9999999999999s"}) {
            assertThat(Durations.parse(bad)).as(bad).isEmpty();
        }
    }
}
