package dev.switchboard.server.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Command-line durations: {@code 90}, {@code 90s}, {@code 30m}, {@code 1h}. */
final class Durations {
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(s|m|h)?");

    private Durations() {
    }

    /** Whole seconds of {@code text}, or a {@link UsageError} naming {@code option}. */
    static long seconds(String text, String option) {
        Matcher m = DURATION.matcher(text.strip());
        if (!m.matches()) {
            throw new UsageError(option + " " + text + " is not a duration; use e.g. 90s, 30m or 1h");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "m" -> amount * 60;
            case "h" -> amount * 3600;
            default -> amount;
        };
    }
}
