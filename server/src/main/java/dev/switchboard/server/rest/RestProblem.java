package dev.switchboard.server.rest;

import dev.switchboard.netty.HttpRoutes.HttpReply;

/**
 * A refused REST request: the stable error and a message that says what to fix. Thrown by validation and turned
 * into the shared error body {@code {"error","message"}} at the edge of {@link RestApi}. Carries no stack trace:
 * it is an answer, not a failure.
 */
public final class RestProblem extends RuntimeException {
    private final RestError error;

    public RestProblem(RestError error, String message) {
        super(message, null, false, false);
        this.error = error;
    }

    public RestError error() {
        return error;
    }

    /** The HTTP answer: the error's status and {@code {"error":…,"message":…}}. */
    public HttpReply reply() {
        return new HttpReply(error.status(), RestJson.write(g -> {
            g.writeStringProperty("error", error.code());
            g.writeStringProperty("message", getMessage());
        }));
    }

    static RestProblem invalid(String message) {
        return new RestProblem(RestError.INVALID_REQUEST, message);
    }
}
