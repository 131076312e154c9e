package dev.switchboard.netty;

/**
 * Plain HTTP routes served beside the WebSocket endpoint (the REST control plane, health, metrics). The
 * transport hands over a complete request and writes back whatever the routes answer; routes never see Netty.
 */
@FunctionalInterface
public interface HttpRoutes {

    /**
     * Answers {@code request}, or returns null when no route matches (the transport then answers 404
     * {@code not_found}). Called on an I/O thread: must not block.
     */
    HttpReply handle(HttpCall request);

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

    /** A response: status and a JSON body (empty for none). */
    record HttpReply(int status, byte[] json) {
    }
}
