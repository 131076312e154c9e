package dev.switchboard.server.rest;

import static dev.switchboard.server.rest.RestHarness.AUTH_NARROW;
import static dev.switchboard.server.rest.RestHarness.JSON;
import static dev.switchboard.server.rest.RestHarness.SK;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** rest-api.md §2: POST /v1/tokens. */
class TokensEndpointTest {
    private static RestHarness rest;

    @BeforeAll
    static void start() throws Exception {
        rest = RestHarness.start();
    }

    @AfterAll
    static void stop() {
        rest.close();
    }

    private static JsonNode part(String token, int index) {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[index]));
    }

    @Test
    void mintsAnHs256TokenWithTheRequestedClaimsSignedByTheAuthenticatingKey() throws Exception {
        long before = System.currentTimeMillis() / 1000;
        RestHarness.Answer answer = rest.post("/v1/tokens", """
                {"peerId":"u_alice_123","channels":["room-1","team/*"],"permissions":["subscribe","presence"],
                 "expiresInSec":600,"metadata":{"iceServers":[]},"peerMetadata":{"username":"Alice"},"unknown":1}""");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.contentType()).isEqualTo("application/json; charset=utf-8");
        String token = answer.json().path("token").asString();
        JsonNode header = part(token, 0);
        assertThat(header.path("alg").asString()).isEqualTo("HS256");
        assertThat(header.path("kid").asString()).isEqualTo(SK);
        assertThat(header.path("typ").asString()).isEqualTo("JWT");
        JsonNode payload = part(token, 1);
        assertThat(payload.path("sub").asString()).isEqualTo("u_alice_123");
        assertThat(payload.path("iat").asLong()).isBetween(before, before + 5);
        assertThat(payload.path("exp").asLong()).isEqualTo(payload.path("iat").asLong() + 600);
        assertThat(answer.json().path("expiresAt").asLong()).isEqualTo(payload.path("exp").asLong());
        assertThat(payload.path("channels").toString()).isEqualTo("[\"room-1\",\"team/*\"]");
        assertThat(payload.path("permissions").toString()).isEqualTo("[\"subscribe\",\"presence\"]");
        assertThat(payload.path("peerMetadata").path("username").asString()).isEqualTo("Alice");
        assertThat(payload.path("metadata").path("iceServers").isArray()).isTrue();
    }

    @Test
    void defaultsToOneHourAndOmitsClaimsThatWereNotRequested() throws Exception {
        RestHarness.Answer answer = rest.post("/v1/tokens", "{\"peerId\":\"bob\"}");
        assertThat(answer.status()).isEqualTo(200);
        JsonNode payload = part(answer.json().path("token").asString(), 1);
        assertThat(payload.path("exp").asLong() - payload.path("iat").asLong()).isEqualTo(3600);
        assertThat(RestHarness.fieldNames(payload)).containsExactlyInAnyOrder("sub", "iat", "exp");
    }

    @Test
    void aMintedTokenConnectsWithTheRequestedIdentityAndScope() throws Exception {
        String token = rest.post("/v1/tokens", "{\"peerId\":\"carol\",\"channels\":[\"room-1\"],"
                + "\"peerMetadata\":{\"name\":\"Carol\"}}").json().path("token").asString();
        try (WsClient carol = rest.connect("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))) {
            assertThat(carol.next("welcome").path("peerId").asString()).isEqualTo("carol");
            carol.subscribe("room-1", false);
            carol.send("{\"type\":\"subscribe\",\"channel\":\"room-2\",\"requestId\":\"x\"}");
            assertThat(carol.next("error").path("code").asString()).isEqualTo("channel_not_authorized");
            assertThat(rest.get("/v1/channels/room-1/peers").body())
                    .isEqualTo("{\"channel\":\"room-1\",\"peers\":[{\"peerId\":\"carol\",\"metadata\":{\"name\":\"Carol\"}}]}");
        }
    }

    @Test
    void lifetimeOver24HoursIsInvalid() throws Exception {
        assertThat(rest.post("/v1/tokens", "{\"peerId\":\"a\",\"expiresInSec\":86401}").error())
                .isEqualTo("invalid_request");
        assertThat(rest.post("/v1/tokens", "{\"peerId\":\"a\",\"expiresInSec\":86400}").status()).isEqualTo(200);
        assertThat(rest.post("/v1/tokens", "{\"peerId\":\"a\",\"expiresInSec\":0}").status()).isEqualTo(400);
        assertThat(rest.post("/v1/tokens", "{\"peerId\":\"a\",\"expiresInSec\":60.5}").status()).isEqualTo(400);
        assertThat(rest.post("/v1/tokens", "{\"peerId\":\"a\",\"expiresInSec\":\"60\"}").status()).isEqualTo(400);
    }

    @Test
    void malformedOrIncompleteBodiesAreInvalidRequests() throws Exception {
        for (String body : new String[] {"", "not json", "[]", "\"x\"", "{}", "{\"peerId\":\"\"}",
                "{\"peerId\":\"" + "p".repeat(129) + "\"}", "{\"peerId\":\"caf\u00e9\"}", "{\"peerId\":42}",
                "{\"peerId\":\"a\"} trailing", "{\"peerId\":\"a\",\"channels\":\"room-1\"}",
                "{\"peerId\":\"a\",\"channels\":[\"\"]}", "{\"peerId\":\"a\",\"channels\":[1]}",
                "{\"peerId\":\"a\",\"permissions\":[\"admin\"]}", "{\"peerId\":\"a\",\"metadata\":[1]}",
                "{\"peerId\":\"a\",\"peerMetadata\":{\"x\":\"" + "y".repeat(4100) + "\"}}",
                "{\"peerId\":\"a\",\"metadata\":{\"x\":\"" + "y".repeat(8200) + "\"}}"}) {
            RestHarness.Answer answer = rest.post("/v1/tokens", body);
            assertThat(answer.status()).as(body).isEqualTo(400);
            assertThat(answer.error()).as(body).isEqualTo("invalid_request");
        }
    }

    @Test
    void tooManyChannelsOrPermissionsAreInvalid() throws Exception {
        String channels = "\"c\",".repeat(100) + "\"c\"";
        assertThat(rest.post("/v1/tokens", "{\"peerId\":\"a\",\"channels\":[" + channels + "]}").status())
                .isEqualTo(400);
        String permissions = "\"send\",".repeat(16) + "\"send\"";
        assertThat(rest.post("/v1/tokens", "{\"peerId\":\"a\",\"permissions\":[" + permissions + "]}").status())
                .isEqualTo(400);
    }

    @Test
    void reservedChannelIsChannelReserved() throws Exception {
        RestHarness.Answer answer = rest.post("/v1/tokens", "{\"peerId\":\"a\",\"channels\":[\"_system/x\"]}");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.error()).isEqualTo("channel_reserved");
    }

    @Test
    void channelOutsideTheKeyPatternsIsRefused() throws Exception {
        RestHarness.Answer answer = rest.call("POST", "/v1/tokens", AUTH_NARROW,
                "{\"peerId\":\"a\",\"channels\":[\"lobby\"]}");
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.error()).isEqualTo("channel_not_authorized");
    }

    @Test
    void wildcardEntriesAreCoveredWhenTheKeyPatternsMatchThemLiterally() throws Exception {
        assertThat(rest.call("POST", "/v1/tokens", AUTH_NARROW,
                "{\"peerId\":\"a\",\"channels\":[\"room-*\",\"team/a/*\",\"room-7\"]}").status()).isEqualTo(200);
        assertThat(rest.call("POST", "/v1/tokens", AUTH_NARROW,
                "{\"peerId\":\"a\",\"channels\":[\"**\"]}").error()).isEqualTo("channel_not_authorized");
    }

    @Test
    void permissionOutsideTheKeyActionsIsActionNotPermitted() throws Exception {
        RestHarness.Answer answer = rest.call("POST", "/v1/tokens", AUTH_NARROW,
                "{\"peerId\":\"a\",\"permissions\":[\"publish\",\"subscribe\"]}");
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.error()).isEqualTo("action_not_permitted");
    }

    @Test
    void checksRunInTheSpecifiedOrder() throws Exception {
        // reserved (400) before action (403) before patterns (403)
        assertThat(rest.call("POST", "/v1/tokens", AUTH_NARROW,
                "{\"peerId\":\"a\",\"channels\":[\"_system/x\"],\"permissions\":[\"presence\"]}").error())
                .isEqualTo("channel_reserved");
        assertThat(rest.call("POST", "/v1/tokens", AUTH_NARROW,
                "{\"peerId\":\"a\",\"channels\":[\"lobby\"],\"permissions\":[\"presence\"]}").error())
                .isEqualTo("action_not_permitted");
    }
}
