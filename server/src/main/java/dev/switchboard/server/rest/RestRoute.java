package dev.switchboard.server.rest;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Which endpoint a request names, taken from the raw (still percent-encoded) path as rest-api.md §1.4 demands:
 * strip {@code /v1/channels/} and the {@code /peers}, {@code /history} or {@code /publish} suffix and keep the remainder whole,
 * so {@code app/room-1} and {@code app%2Froom-1} name the same channel. An unknown path or a known path with
 * another method matches nothing (404 {@code not_found}, Q26).
 *
 * @param endpoint the endpoint
 * @param rawId    the undecoded channel or peer id from the path; empty for endpoints without one
 */
record RestRoute(Endpoint endpoint, String rawId) {
    private static final String CHANNELS = "/v1/channels/";
    private static final String PEERS = "/v1/peers/";

    enum Endpoint { MINT, PEERS, HISTORY, PUBLISH, KICK, USAGE, HEALTH }

    /** The route of {@code method} on {@code rawPath}, or null. */
    static RestRoute match(String method, String rawPath) {
        switch (rawPath) {
            case "/v1/tokens" -> {
                return method.equals("POST") ? new RestRoute(Endpoint.MINT, "") : null;
            }
            case "/v1/usage" -> {
                return method.equals("GET") ? new RestRoute(Endpoint.USAGE, "") : null;
            }
            case "/healthz" -> {
                return method.equals("GET") ? new RestRoute(Endpoint.HEALTH, "") : null;
            }
            default -> {
            }
        }
        if (rawPath.startsWith(CHANNELS)) {
            String rest = rawPath.substring(CHANNELS.length() - 1); // keep the '/' so an empty id still matches
            if (method.equals("GET") && rest.endsWith("/peers") && rest.length() >= "//peers".length()) {
                return new RestRoute(Endpoint.PEERS, rest.substring(1, rest.length() - "/peers".length()));
            }
            if (method.equals("GET") && rest.endsWith("/history") && rest.length() >= "//history".length()) {
                return new RestRoute(Endpoint.HISTORY, rest.substring(1, rest.length() - "/history".length()));
            }
            if (method.equals("POST") && rest.endsWith("/publish") && rest.length() >= "//publish".length()) {
                return new RestRoute(Endpoint.PUBLISH, rest.substring(1, rest.length() - "/publish".length()));
            }
            return null;
        }
        if (rawPath.startsWith(PEERS) && method.equals("DELETE")) {
            return new RestRoute(Endpoint.KICK, rawPath.substring(PEERS.length()));
        }
        return null;
    }

    /** Whether the endpoint needs a secret key (everything but the health check). */
    boolean authenticated() {
        return endpoint != Endpoint.HEALTH;
    }

    /** The id percent-decoded as UTF-8, or 400 {@code invalid_request} for a broken escape or invalid UTF-8. */
    String decodedId() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(rawId.length());
        for (int i = 0; i < rawId.length(); i++) {
            char c = rawId.charAt(i);
            if (c != '%') {
                bytes.write(c); // the request line arrives as ISO-8859-1: one char per raw byte
                continue;
            }
            int hi = i + 2 < rawId.length() ? Character.digit(rawId.charAt(i + 1), 16) : -1;
            int lo = hi < 0 ? -1 : Character.digit(rawId.charAt(i + 2), 16);
            if (lo < 0) {
                throw RestProblem.invalid("bad percent-encoding in the path: " + rawId);
            }
            bytes.write(hi << 4 | lo);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw RestProblem.invalid("the path id is not valid UTF-8 once percent-decoded");
        }
    }
}
