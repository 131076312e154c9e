package dev.switchboard.protocol;

/**
 * WebSocket close codes of protocol.md §15, each with the reason the server sends (≤ 123 bytes, RFC 6455).
 * The SDK branches on the code and never parses the reason.
 */
public enum CloseCode {
    NORMAL(1000, "normal closure"),
    GOING_AWAY(1001, "server shutting down"),
    POLICY_VIOLATION(1008, "outbound buffer overflow"),
    MESSAGE_TOO_BIG(1009, "message too big"),
    INVALID_TOKEN(4001, "invalid token"),
    TOKEN_EXPIRED(4002, "token expired"),
    /** Reserved: defined for completeness, never emitted (open-questions.md Q3). */
    CHANNEL_NOT_AUTHORIZED(4003, "channel not authorized"),
    OVER_CONCURRENT_LIMIT(4010, "over concurrent limit"),
    OVER_MESSAGE_RATE(4011, "over message rate"),
    ACCOUNT_SUSPENDED(4012, "account suspended"),
    ADMIN_DISCONNECT(4020, "admin disconnect");

    private final int code;
    private final String reason;

    CloseCode(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    public int code() {
        return code;
    }

    /** The default close reason; short, informational, never parsed by clients. */
    public String reason() {
        return reason;
    }
}
