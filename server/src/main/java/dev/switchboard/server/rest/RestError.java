package dev.switchboard.server.rest;

/**
 * The stable error codes of the REST control plane with their HTTP status (rest-api.md §1.3), declared once.
 * Several statuses share a code: a body over the cap is 413 {@code invalid_request}.
 */
public enum RestError {
    INVALID_REQUEST(400, "invalid_request"),
    CHANNEL_RESERVED(400, "channel_reserved"),
    UNAUTHORIZED(401, "unauthorized"),
    ACTION_NOT_PERMITTED(403, "action_not_permitted"),
    CHANNEL_NOT_AUTHORIZED(403, "channel_not_authorized"),
    NOT_FOUND(404, "not_found"),
    BODY_TOO_LARGE(413, "invalid_request"),
    RATE_LIMITED(429, "rate_limited"),
    OVER_MESSAGE_QUOTA(429, "over_message_quota"),
    INTERNAL_ERROR(503, "internal_error");

    private final int status;
    private final String code;

    RestError(int status, String code) {
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    /** The machine-readable {@code error} field. */
    public String code() {
        return code;
    }
}
