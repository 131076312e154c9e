package dev.switchboard.loadtest.peer;

import dev.switchboard.loadtest.Marker;
import dev.switchboard.loadtest.ws.WsConnection;

/**
 * How the generator speaks to one kind of server: where to connect, the handshake and subscribe exchange
 * (in {@link WsConnection.Protocol}), the publish frame as a {@link Marker.Template}, and, where the server
 * has presence, how to join and leave a room on an open connection. Channel names given to a protocol are
 * plain alphanumerics ({@code fan}, {@code room17}); each protocol maps them to its own naming.
 */
public interface PeerProtocol extends WsConnection.Protocol {

    /** A pre-encoded publish of the marker payload to {@code channel}. */
    Marker.Template publishTemplate(String channel);

    /** Whether a publisher must itself be subscribed to the channel it publishes to (Pusher client events). */
    default boolean publisherSubscribes() {
        return false;
    }

    /** Whether one connection can both publish and receive on a room (false for nchan's split endpoints). */
    default boolean supportsChat() {
        return true;
    }

    /** Whether the server tracks presence with join/leave events the generator can count. */
    default boolean supportsPresence() {
        return false;
    }

    /** Joins {@code channel} on an open, ready connection (presence churn). */
    default void join(WsConnection c, String channel) {
        throw new UnsupportedOperationException("no presence");
    }

    /** Leaves {@code channel} on an open, ready connection (presence churn). */
    default void leave(WsConnection c, String channel) {
        throw new UnsupportedOperationException("no presence");
    }

    /** Whether handshakes carry a credential the server verifies (a signed JWT or an HMAC). */
    default String authNote() {
        return "none";
    }
}
