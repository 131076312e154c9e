package dev.switchboard.protocol;

/**
 * {@code subscribe} (protocol.md §4.1). {@code channel} is a valid name or pattern ({@link Channels#isValidName});
 * reserved prefixes and permissions are checked by the session, not the decoder.
 *
 * @param includeSenderMetadata true only when the frame carried exactly {@code true}
 * @param since                 the stream position to recover from (extension, docs/decisions.md D14); null when
 *                              absent
 */
public record Subscribe(String channel, boolean includeSenderMetadata, String requestId, Since since)
        implements ClientFrame {

    /** A subscribe without a recovery position, as every official SDK sends it. */
    public Subscribe(String channel, boolean includeSenderMetadata, String requestId) {
        this(channel, includeSenderMetadata, requestId, null);
    }

    /**
     * {@code "since":{"offset":…,"epoch":…}}: the last message the client has of the channel's stream.
     *
     * @param offset the offset of that message, 0 for "none yet"
     * @param epoch  the stream epoch the offset belongs to
     */
    public record Since(long offset, String epoch) {
    }
}
