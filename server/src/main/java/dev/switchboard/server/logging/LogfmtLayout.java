package dev.switchboard.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import org.slf4j.event.KeyValuePair;

/**
 * One log event as one logfmt line: {@code ts=… level=… logger=… event=<message>} and then the event's key-value
 * pairs in the order they were added, with a stack trace as {@code error="…"}. A value is quoted when it is
 * empty or holds a space, {@code =} or {@code "}, and escaped ({@code \"}, {@code \\}, {@code \n}, {@code \t},
 * {@code \u0000}-style for other control characters), so a peer id or a path that a client chose can neither
 * break the line nor forge a field.
 */
public final class LogfmtLayout extends LayoutBase<ILoggingEvent> {

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(160);
        line.append("ts=").append(Instant.ofEpochMilli(event.getTimeStamp()));
        line.append(" level=").append(event.getLevel());
        String logger = event.getLoggerName();
        line.append(" logger=");
        value(line, logger.substring(logger.lastIndexOf('.') + 1));
        line.append(" event=");
        value(line, event.getFormattedMessage());
        if (event.getKeyValuePairs() != null) {
            for (KeyValuePair pair : event.getKeyValuePairs()) {
                line.append(' ').append(pair.key).append('=');
                value(line, String.valueOf(pair.value));
            }
        }
        IThrowableProxy thrown = event.getThrowableProxy();
        if (thrown != null) {
            line.append(" error=");
            value(line, ThrowableProxyUtil.asString(thrown));
        }
        return line.append('\n').toString();
    }

    /** Appends {@code value}, quoted and escaped if it needs to be. */
    static void value(StringBuilder line, String value) {
        boolean quote = value.isEmpty();
        for (int i = 0; i < value.length() && !quote; i++) {
            char c = value.charAt(i);
            quote = c <= ' ' || c == '=' || c == '"' || c == '\\' || c == 0x7f;
        }
        if (!quote) {
            line.append(value);
            return;
        }
        line.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    if (c < ' ' || c == 0x7f) {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
    }
}
