package dev.switchboard.core.spi;

import dev.switchboard.protocol.CloseCode;
import dev.switchboard.protocol.ErrorCode;

/**
 * The events an operator counts, reported by the domain as they happen; the server module exports them to
 * Prometheus, {@link #NONE} drops them. Levels (connections open, rooms, presence members, bytes queued) are not
 * events: an exporter reads them from {@link dev.switchboard.core.Node#stats()} when it is scraped.
 *
 * <p>Calls come from I/O threads, several at once, some on the fan-out path: an implementation must be cheap,
 * must not block and must not throw. A publish is reported once with its number of recipients, never once per
 * recipient.
 */
public interface Metrics {
    /** Counts nothing. */
    Metrics NONE = appId -> App.NONE;

    /** The counters of one app, asked for once when the app is configured (and again after a reload adds it). */
    App app(String appId);

    /** A connection refused at admission (protocol.md §2.2) with {@code code}; its app may be unknown. */
    default void refused(CloseCode code) {
    }

    /** A WebSocket upgrade answered 429 by the per-address connect throttle (protocol.md §1.2). */
    default void connectThrottled() {
    }

    /** The counters of one app. */
    interface App {
        /** Counts nothing. */
        App NONE = new App() {
        };

        /** The code of a connection that ended without a Close frame (RFC 6455 §7.1.5; never sent). */
        int NO_CLOSE_FRAME = 1006;

        /** A connection admitted (its {@code welcome} queued). */
        default void admitted() {
        }

        /**
         * An admitted connection ended, reported once: with the code the server closed it with, or (when
         * {@code byClient}) the code of the client's Close frame; 1006 when the socket ended without a Close
         * (the keepalive aborted it, or the client's TCP connection went away).
         */
        default void closed(int code, boolean byClient) {
        }

        /** An {@code error} frame sent to one of the app's connections. */
        default void error(ErrorCode code) {
        }

        /** A publish accepted (from a connection or the REST plane), enqueued for {@code deliveries} recipients. */
        default void published(int deliveries) {
        }

        /** A publication of another node of the cluster, enqueued here for {@code deliveries} recipients. */
        default void relayed(int deliveries) {
        }

        /** A direct {@code send} accepted, enqueued for {@code deliveries} connections of the target peer. */
        default void sent(int deliveries) {
        }
    }
}
