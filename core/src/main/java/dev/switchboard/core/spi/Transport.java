package dev.switchboard.core.spi;

/**
 * The write-only side of one client connection, as the domain sees it. The domain never reads from a
 * transport: inbound frames are pushed into {@link dev.switchboard.core.Session} by the transport's own handler.
 *
 * <p>Threading: {@link #execute} may be called from any thread. {@link #write}, {@link #flush}, {@link #close},
 * {@link #sendPing}, {@link #isWritable}, {@link #pauseReads} and {@link #resumeReads} are called only on the
 * connection's I/O thread (inbound callbacks and tasks passed to {@code execute}).
 * {@link #ping}, {@link #abort} and {@link #pendingBytes} may be called from any thread.
 */
public interface Transport {

    /** Runs {@code task} on this connection's I/O thread, after tasks submitted earlier. */
    void execute(Runnable task);

    /**
     * Runs {@code task} on this connection's I/O thread in {@code delayNanos}, without a hop through another
     * thread; returns false, doing nothing, if this transport cannot (the caller then uses a timer of its own).
     */
    default boolean schedule(Runnable task, long delayNanos) {
        return false;
    }

    /** Queues one text frame holding {@code utf8Json}; nothing reaches the socket before {@link #flush}. */
    void write(byte[] utf8Json);

    /**
     * Queues one text frame holding {@code utf8Json} without its bytes {@code [cutFrom, cutTo)}: a frame shared by
     * many recipients minus one part, such as a presence frame without the recipient's own entry. The default
     * copies the two remaining parts into a new array; a transport may send them as they are.
     */
    default void write(byte[] utf8Json, int cutFrom, int cutTo) {
        byte[] frame = new byte[utf8Json.length - (cutTo - cutFrom)];
        System.arraycopy(utf8Json, 0, frame, 0, cutFrom);
        System.arraycopy(utf8Json, cutTo, frame, cutFrom, utf8Json.length - cutTo);
        write(frame);
    }

    /** Pushes queued frames to the socket. */
    void flush();

    /**
     * Sends a close frame with {@code code} (a negative code: a close frame without a status) after everything
     * queued, then closes the connection once the client has had the chance to read it (the closing handshake).
     */
    void close(int code, String reason);

    /** Sends a WebSocket ping control frame (keepalive, protocol.md §9.2). */
    void ping();

    /**
     * Writes a WebSocket ping after what is queued (flushed with it) and returns its sequence number, increasing
     * per connection from 1; the transport reports the pong of ping {@code n} with {@link
     * dev.switchboard.core.Session#onPong}{@code (n)}. Returns -1, writing nothing, if it cannot ping (closing, or
     * a transport without control frames): nothing may then wait for a pong. I/O thread.
     */
    default long sendPing() {
        return -1;
    }

    /** Whether this transport writes pings at all ({@link #sendPing} may still refuse one while closing). */
    default boolean canPing() {
        return false;
    }

    /** Drops the connection without a close handshake (dead peer, protocol.md §9.2). */
    void abort();

    /** Bytes handed to the transport but not yet written to the socket. */
    long pendingBytes();

    /**
     * False while the connection has more unwritten bytes than it should take (the reader is behind). The outbox
     * then keeps frames queued, shared and counted against its bound, until {@link
     * dev.switchboard.core.Session#onWritable} says the transport takes bytes again. Called on the I/O thread.
     */
    default boolean isWritable() {
        return true;
    }

    /**
     * Stops reading this connection's inbound frames until {@link #resumeReads}: what the peer sends waits in
     * its socket, and TCP flow control slows the peer down. Frames already read are still handled. Used to hold
     * a publisher back while the recipients of its broadcasts are behind on CPU (see {@code Session}).
     */
    default void pauseReads() {
    }

    /** Reads inbound frames again after {@link #pauseReads}. */
    default void resumeReads() {
    }

    /** The peer's address for logs and throttling, e.g. {@code 127.0.0.1:51234}. */
    String remoteAddress();
}
