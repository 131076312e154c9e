package dev.switchboard.server.rest;

import dev.switchboard.core.auth.KeyConfig;
import dev.switchboard.core.auth.TokenMinter;
import dev.switchboard.core.auth.TokenRequest;
import dev.switchboard.protocol.RawJson;
import dev.switchboard.server.ConfigLoader;
import dev.switchboard.server.SwitchboardServer;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real server on a free loopback port with a fixed set of apps and keys, plus an HTTP client for its REST
 * API and WebSocket clients to observe the effects.
 */
final class RestHarness implements AutoCloseable {
    static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    static final String PK = "pk_live_resttest0000000000000001";
    static final String SK = "sk_id_resttest00000000000000001";
    static final String SK_SECRET = "sk_secret_resttest000000000000000000000001";
    /** app_rest, patterns ["room-*", "team/**"], actions [publish] only. */
    static final String SK_NARROW = "sk_id_restnarrow000000000000001";
    static final String SK_NARROW_SECRET = "sk_secret_restnarrow0000000000000000000001";
    /** app_other, all actions on "**". */
    static final String SK_OTHER = "sk_id_restother00000000000000001";
    static final String SK_OTHER_SECRET = "sk_secret_restother000000000000000000000001";
    static final String PK_OTHER = "pk_live_restother000000000000001";
    /** app_quota: 2 messages, 5 connections, plan SIGNALLING_BASIC. */
    static final String SK_QUOTA = "sk_id_restquota00000000000000001";
    static final String SK_QUOTA_SECRET = "sk_secret_restquota000000000000000000000001";
    /** app_rest, patterns ["private", "room-*"], actions [presence] only. */
    static final String SK_READONLY = "sk_id_restreadonly0000000000001";
    static final String SK_READONLY_SECRET = "sk_secret_restreadonly00000000000000000001";
    /** Disabled secret key of app_rest. */
    static final String SK_DISABLED = "sk_id_restdisabled0000000000001";
    static final String SK_DISABLED_SECRET = "sk_secret_restdisabled00000000000000000001";

    static final String AUTH = "Bearer " + SK + ":" + SK_SECRET;
    static final String AUTH_NARROW = "Bearer " + SK_NARROW + ":" + SK_NARROW_SECRET;
    static final String AUTH_READONLY = "Bearer " + SK_READONLY + ":" + SK_READONLY_SECRET;
    static final String AUTH_OTHER = "Bearer " + SK_OTHER + ":" + SK_OTHER_SECRET;
    static final String AUTH_QUOTA = "Bearer " + SK_QUOTA + ":" + SK_QUOTA_SECRET;

    static String yaml(String serverExtra) {
        return """
                server:
                  host: 127.0.0.1
                  port: 0
                %s
                apps:
                  - id: app_rest
                    keys:
                      - {type: publishable, id: %s, channelPatterns: ["**"], actions: [subscribe, publish, presence, send]}
                      - {type: secret, id: %s, secret: %s, channelPatterns: ["**"], actions: [subscribe, publish, presence, send]}
                      - {type: secret, id: %s, secret: %s, channelPatterns: ["room-*", "team/**"], actions: [publish]}
                      - {type: secret, id: %s, secret: %s, channelPatterns: ["**"], actions: [publish], enabled: false}
                      - {type: secret, id: %s, secret: %s, channelPatterns: ["private", "room-*"], actions: [presence]}
                  - id: app_other
                    keys:
                      - {type: publishable, id: %s, channelPatterns: ["**"], actions: [subscribe, publish, presence, send]}
                      - {type: secret, id: %s, secret: %s, channelPatterns: ["**"], actions: [subscribe, publish, presence, send]}
                  - id: app_quota
                    limits: {maxConcurrentConnections: 5, maxMessagesPerPeriod: 2}
                    plan: {name: SIGNALLING_BASIC, overagesAllowed: true}
                    keys:
                      - {type: secret, id: %s, secret: %s, channelPatterns: ["**"], actions: [subscribe, publish, presence, send]}
                """.formatted(serverExtra.indent(2), PK, SK, SK_SECRET, SK_NARROW, SK_NARROW_SECRET, SK_DISABLED,
                SK_DISABLED_SECRET, SK_READONLY, SK_READONLY_SECRET, PK_OTHER, SK_OTHER, SK_OTHER_SECRET, SK_QUOTA, SK_QUOTA_SECRET);
    }

    final SwitchboardServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RestHarness(SwitchboardServer server) {
        this.server = server;
    }

    static RestHarness start() throws Exception {
        return start("");
    }

    static RestHarness start(String serverExtra) throws Exception {
        return new RestHarness(SwitchboardServer.start(ConfigLoader.parse("rest-test", yaml(serverExtra))));
    }

    String base() {
        return server.httpOrigin();
    }

    record Answer(int status, String body, String contentType) {
        JsonNode json() {
            return JSON.readTree(body);
        }

        String error() {
            return json().path("error").asString();
        }
    }

    Answer call(String method, String path, String authorization, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(response.statusCode(), response.body(),
                response.headers().firstValue("content-type").orElse(null));
    }

    /** A request sent as raw bytes, for request targets {@link URI} refuses (e.g. a broken escape). */
    Answer raw(String method, String target, String authorization) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write((method + " " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    + (authorization == null ? "" : "Authorization: " + authorization + "\r\n") + "\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            return new Answer(status, response.substring(response.indexOf("\r\n\r\n") + 4), null);
        }
    }

    Answer get(String path) throws Exception {
        return call("GET", path, AUTH, null);
    }

    Answer post(String path, String body) throws Exception {
        return call("POST", path, AUTH, body);
    }

    /** A JWT of app_rest's main secret key. */
    String token(String sub, String peerMetadata) {
        KeyConfig key = server.config().apps().getFirst().keys().get(1);
        long now = System.currentTimeMillis() / 1000;
        return TokenMinter.mint(key, new TokenRequest(sub, now, now + 3600, null, null, null,
                peerMetadata == null ? null : RawJson.of(peerMetadata)));
    }

    WsClient connect(String query) throws Exception {
        return WsClient.connect(server.origin() + "/v1?" + query);
    }

    WsClient connectAs(String sub, String peerMetadata) throws Exception {
        WsClient client = connect("token=" + token(sub, peerMetadata));
        client.next("welcome");
        return client;
    }

    static List<String> fieldNames(JsonNode node) {
        return node.propertyNames().stream().toList();
    }

    @Override
    public void close() {
        server.close();
    }
}
