package dev.switchboard.server;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as operators write them, in configuration files and on the command line: {@code 250ms}, {@code 30s},
 * {@code 5m}, {@code 1h}, or a bare number of seconds.
 */
public final class Durations {
    /** How to write one, for error messages. */
    public static final String EXAMPLES = "250ms, 30s, 5m or 1h";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})(ms|s|m|h)?");

    private Durations() {
    }

    /** The duration {@code text} names, or empty if it is not one. */
    public static Optional<Duration> parse(String text) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            return Optional.empty();
        }
        long amount = Long.parseLong(m.group(1));
        return Optional.of(switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        });
    }
}
