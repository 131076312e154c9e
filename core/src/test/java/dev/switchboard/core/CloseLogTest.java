package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** At most {@link CloseLog#LINES_PER_SECOND} lines a second; the rest counted and reported with the next line. */
class CloseLogTest {
    private final ManualClock clock = new ManualClock();
    private final CloseLog closes = new CloseLog(clock);

    @Test
    void theTwentyFirstLineOfASecondIsHeldBackAndTheNextSecondWritesAgain() {
        for (int i = 0; i < CloseLog.LINES_PER_SECOND; i++) {
            assertThat(closes.admit()).as("line %d", i + 1).isTrue();
        }
        assertThat(closes.admit()).isFalse();
        assertThat(closes.admit()).isFalse();
        assertThat(closes.suppressed()).isEqualTo(2);
        clock.advance(Duration.ofMillis(999));
        assertThat(closes.admit()).as("still the same second").isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(closes.admit()).as("a new second").isTrue();
    }

    @Test
    void theNextLineWrittenCarriesTheCountAndResetsIt() {
        for (int i = 0; i < CloseLog.LINES_PER_SECOND + 3; i++) {
            closes.closed(4011, "app", "peer" + i, "127.0.0.1");
        }
        assertThat(closes.suppressed()).isEqualTo(3);
        clock.advance(Duration.ofSeconds(1));
        closes.refused(4001, "invalid token", null, "127.0.0.1");
        assertThat(closes.suppressed()).isZero();
    }
}
