package dev.switchboard.netty;

import java.util.concurrent.CompletionStage;

/**
 * Plain HTTP routes served beside the WebSocket endpoint (the REST control plane, health, metrics). The
 * transport asks {@link #screen} once the headers are in, then reads the body (at most
 * {@code Limits.MAX_REST_BODY_BYTES}, else 413 without reading it whole) and hands the complete request to
 * {@link #handle}; routes never see Netty.
 */
@FunctionalInterface
public interface HttpRoutes {

    /**
     * Answers {@code request}, or returns null when no route matches (the transport then answers 404
     * {@code not_found}). Called on an I/O thread: must not block.
     */
    HttpReply handle(HttpCall request);

    /**
     * Looks at a request before its body is read (rest-api.md §1.3: route and authentication come before the
     * body-size check). A non-null reply is sent at once and the body is never read (the connection is closed
     * if one was announced); null lets the transport read the body and call {@link #handle}. {@code head.body()}
     * is empty. Called on an I/O thread: must not block. The default screens nothing.
     */
    default HttpReply screen(HttpCall head) {
        return null;
    }

    /** No routes besides the WebSocket endpoint. */
    HttpRoutes NONE = request -> null;

    /**
     * One HTTP request.
     *
     * @param method upper-case method name
     * @param rawPath the request target's path exactly as sent, still percent-encoded (rest-api.md §1.4)
     * @param query the raw query string without {@code ?}, or empty
     * @param authorization the {@code Authorization} header, or null
     * @param body the request body (already bounded by the transport)
     * @param remoteAddress the source IP
     * @param loopback whether the source is a loopback address
     */
    record HttpCall(String method, String rawPath, String query, String authorization, byte[] body,
                    String remoteAddress, boolean loopback) {
    }

    /**
     * A response: status, a body (empty for none) and its media type; or, when {@code later} is not null, a
     * response that follows when it completes (an answer that needs other nodes), the rest unused.
     */
    record HttpReply(int status, byte[] json, String contentType, CompletionStage<HttpReply> later) {
        public static final String JSON = "application/json; charset=utf-8";

        public HttpReply(int status, byte[] json, String contentType) {
            this(status, json, contentType, null);
        }

        /** A JSON answer. */
        public HttpReply(int status, byte[] json) {
            this(status, json, JSON);
        }

        /** An answer that follows when {@code later} completes; the transport reads nothing more until then. */
        public static HttpReply later(CompletionStage<HttpReply> later) {
            return new HttpReply(0, new byte[0], JSON, later);
        }
    }
}
