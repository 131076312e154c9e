package dev.switchboard.core;

import dev.switchboard.core.spi.Clock;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * What an operator wants to see without DEBUG: connections refused at admission and connections the server
 * closed (1008 slow consumer, 4011 flood, 1009 too big, 4002 expiry, 4020 kick, a reload's 4001 and 4012, a
 * protocol error, a keepalive abort), each with its code, app, peer and remote address, and never a credential.
 * Closes that signal trouble are WARN, the rest INFO.
 *
 * <p>A flood of them must not become a flood of log lines: at most {@link #LINES_PER_SECOND} a second are
 * written; the rest are counted, and the count goes out with the next line written or, from the keepalive
 * sweep, as a {@code closes_suppressed} line at most every {@link #SUMMARY_SECONDS} seconds.
 */
final class CloseLog {
    static final int LINES_PER_SECOND = 20;
    static final long SUMMARY_SECONDS = 10;
    private static final Logger log = LoggerFactory.getLogger(CloseLog.class);
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final Clock clock;
    private final AtomicLong windowStart;
    private final AtomicInteger linesInWindow = new AtomicInteger();
    private final AtomicLong suppressed = new AtomicLong();
    private final AtomicLong lastSummary;

    CloseLog(Clock clock) {
        this.clock = clock;
        long now = clock.nanoTime();
        this.windowStart = new AtomicLong(now);
        this.lastSummary = new AtomicLong(now);
    }

    /** A connection refused at admission with {@code code}; {@code appId} is null when no app is known. */
    void refused(int code, String reason, String appId, String remote) {
        if (admit()) {
            log.atInfo().setMessage("connection_refused").addKeyValue("code", code).addKeyValue("reason", reason)
                    .addKeyValue("app", appId == null ? "-" : appId).addKeyValue("remote", remote)
                    .addKeyValue("suppressed", suppressed.getAndSet(0)).log();
        }
    }

    /** A connection the server closed with {@code code} (not a normal close, not the drain's 1001). */
    void closed(int code, String appId, String peerId, String remote) {
        if (admit()) {
            log.atLevel(troubling(code) ? Level.WARN : Level.INFO).setMessage("connection_closed")
                    .addKeyValue("code", code).addKeyValue("app", appId).addKeyValue("peer", peerId)
                    .addKeyValue("remote", remote).addKeyValue("suppressed", suppressed.getAndSet(0)).log();
        }
    }

    /** Called by the keepalive sweep: reports what was suppressed, at most every {@link #SUMMARY_SECONDS}. */
    void summarise() {
        long now = clock.nanoTime();
        long last = lastSummary.get();
        if (now - last < SUMMARY_SECONDS * SECOND || !lastSummary.compareAndSet(last, now)) {
            return;
        }
        long count = suppressed.getAndSet(0);
        if (count > 0) {
            log.atWarn().setMessage("closes_suppressed").addKeyValue("count", count)
                    .addKeyValue("limit", LINES_PER_SECOND + " lines/s").log();
        }
    }

    /** Whether one more line may be written in this second; counts it as suppressed if not. */
    boolean admit() {
        long now = clock.nanoTime();
        long start = windowStart.get();
        if (now - start >= SECOND && windowStart.compareAndSet(start, now)) {
            linesInWindow.set(0);
        }
        if (linesInWindow.incrementAndGet() <= LINES_PER_SECOND) {
            return true;
        }
        suppressed.incrementAndGet();
        return false;
    }

    /** Lines held back since the last line written. */
    long suppressed() {
        return suppressed.get();
    }

    /** Codes that say a client or the server is in trouble, as opposed to a policy working as meant. */
    private static boolean troubling(int code) {
        return code == 1008 || code == 4011 || code == 1009 || code == 1002 || code == 1007 || code == 1006;
    }

    /** Whether a server-side close with {@code code} is worth a line: not a normal close nor the drain's 1001. */
    static boolean worthLogging(int code) {
        return code != 1000 && code != 1001;
    }
}
