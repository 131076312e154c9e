package dev.switchboard.protocol;

/**
 * Every fixed number of the protocol (spec/limits.md), declared once. Configurable defaults
 * (rates, timers, quotas) live with the configuration; this class holds the wire constants.
 */
public final class Limits {
    /** Default per-message payload cap advertised as {@code welcome.maxMessageSize}. */
    public static final int MAX_MESSAGE_SIZE = 65_536;
    /** Envelope allowance on top of the payload cap for the inbound frame limit (protocol.md §13.1). */
    public static final int FRAME_ENVELOPE_ALLOWANCE = 4_096;
    /** Channel names: 1–256 bytes of UTF-8. */
    public static final int MAX_CHANNEL_BYTES = 256;
    /** {@code send.to}, JWT {@code sub}, REST peer ids: 1–128 characters. */
    public static final int MAX_PEER_ID_LENGTH = 128;
    /** {@code requestId}: a non-empty string of at most 128 bytes of UTF-8. */
    public static final int MAX_REQUEST_ID_BYTES = 128;
    /** Distinct subscriptions one connection may hold. */
    public static final int MAX_SUBSCRIPTIONS = 100;
    /** JWT {@code peerMetadata}, compact serialized size. */
    public static final int MAX_PEER_METADATA_BYTES = 4_096;
    /** JWT {@code metadata}, compact serialized size. */
    public static final int MAX_METADATA_BYTES = 8_192;
    /** Entries in a JWT {@code channels} claim. */
    public static final int MAX_TOKEN_CHANNELS = 100;
    /** Entries in a JWT {@code permissions} claim. */
    public static final int MAX_TOKEN_PERMISSIONS = 16;
    /** RFC 6455 limit on a close reason. */
    public static final int MAX_CLOSE_REASON_BYTES = 123;
    /** A JWT session is closed with 4002 this many milliseconds before {@code exp}. */
    public static final long EXPIRY_EARLY_CLOSE_MILLIS = 250;
    /** JWT {@code nbf} leeway. */
    public static final long NOT_BEFORE_LEEWAY_SECONDS = 60;
    /** REST request bodies. */
    public static final int MAX_REST_BODY_BYTES = 32_768;
    /** REST-minted token lifetime: default and maximum. */
    public static final int DEFAULT_TOKEN_TTL_SECONDS = 3_600;
    public static final int MAX_TOKEN_TTL_SECONDS = 86_400;
    /** {@code going_away.retryAfterMs}. */
    public static final int GOING_AWAY_RETRY_AFTER_MS = 1_000;
    /** The upgrade request line and headers must fit at least this (long JWTs travel in the query). */
    public static final int MAX_HTTP_HEADER_BYTES = 65_536;

    private Limits() {
    }

    /** The inbound WebSocket frame limit for a given payload cap. */
    public static int maxFrameBytes(int maxMessageSize) {
        return maxMessageSize + FRAME_ENVELOPE_ALLOWANCE;
    }
}
