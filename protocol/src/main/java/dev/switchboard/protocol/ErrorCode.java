package dev.switchboard.protocol;

/**
 * The stable {@code error.code} values of protocol.md §14. Every error frame leaves the connection open;
 * the SDK turns a correlated error into a rejected promise whose {@code name} is {@link #wire()}.
 */
public enum ErrorCode {
    MALFORMED_MESSAGE("malformed_message"),
    UNKNOWN_TYPE("unknown_type"),
    INVALID_CHANNEL("invalid_channel"),
    INVALID_PEER_ID("invalid_peer_id"),
    MISSING_DATA("missing_data"),
    CHANNEL_RESERVED("channel_reserved"),
    ACTION_NOT_PERMITTED("action_not_permitted"),
    CHANNEL_NOT_AUTHORIZED("channel_not_authorized"),
    CHANNEL_LIMIT_EXCEEDED("channel_limit_exceeded"),
    PEER_NOT_FOUND("peer_not_found"),
    OVER_MESSAGE_QUOTA("over_message_quota"),
    BACKEND_ERROR("backend_error"),
    INTERNAL_ERROR("internal_error");

    private final String wire;

    ErrorCode(String wire) {
        this.wire = wire;
    }

    /** The code as it appears on the wire, e.g. {@code "channel_not_authorized"}. */
    public String wire() {
        return wire;
    }
}
