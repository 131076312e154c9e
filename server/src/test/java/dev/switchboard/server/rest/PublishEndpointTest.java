package dev.switchboard.server.rest;

import static dev.switchboard.server.rest.RestHarness.AUTH_NARROW;
import static dev.switchboard.server.rest.RestHarness.AUTH_OTHER;
import static dev.switchboard.server.rest.RestHarness.AUTH_QUOTA;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** rest-api.md §4: POST /v1/channels/:id/publish. */
class PublishEndpointTest {
    private static RestHarness rest;

    @BeforeAll
    static void start() throws Exception {
        rest = RestHarness.start();
    }

    @AfterAll
    static void stop() {
        rest.close();
    }

    @Test
    void deliversToSubscribersFromSystemWithoutFromMetadata() throws Exception {
        try (WsClient alice = rest.connectAs("alice", null); WsClient bob = rest.connectAs("bob", null)) {
            alice.subscribe("app/room-1", false);
            bob.subscribe("app/*", true);
            RestHarness.Answer answer = rest.post("/v1/channels/app%2Froom-1/publish",
                    "{\"data\":{\"anything\":\"json-serializable\",\"n\":1.50}}");
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("{\"channel\":\"app/room-1\",\"delivered\":2}");
            for (WsClient peer : new WsClient[] {alice, bob}) {
                JsonNode message = peer.next("message");
                assertThat(message.toString()).isEqualTo("{\"type\":\"message\",\"channel\":\"app/room-1\","
                        + "\"from\":\"system\",\"data\":{\"anything\":\"json-serializable\",\"n\":1.50}}");
            }
        }
    }

    @Test
    void peerMetadataReachesOnlySubscribersThatOptedIn() throws Exception {
        try (WsClient plain = rest.connectAs("plain", null); WsClient opted = rest.connectAs("opted", null)) {
            plain.subscribe("meta-room", false);
            opted.subscribe("meta-room", true);
            assertThat(rest.post("/v1/channels/meta-room/publish",
                    "{\"data\":null,\"from\":\"moderator\",\"peerMetadata\":{\"kind\":\"bot\"}}").status())
                    .isEqualTo(200);
            JsonNode toPlain = plain.next("message");
            assertThat(toPlain.path("from").asString()).isEqualTo("moderator");
            assertThat(toPlain.has("fromMetadata")).isFalse();
            assertThat(toPlain.get("data").isNull()).isTrue();
            assertThat(opted.next("message").path("fromMetadata").toString()).isEqualTo("{\"kind\":\"bot\"}");
        }
    }

    @Test
    void restPublishesKeepTheirOrderWithPeerPublishes() throws Exception {
        try (WsClient listener = rest.connectAs("listener", null); WsClient talker = rest.connectAs("talker", null)) {
            listener.subscribe("ordered", false);
            talker.publish("ordered", "1");
            talker.next("ack");
            rest.post("/v1/channels/ordered/publish", "{\"data\":2}");
            talker.publish("ordered", "3");
            talker.next("ack");
            rest.post("/v1/channels/ordered/publish", "{\"data\":4}");
            for (int i = 1; i <= 4; i++) {
                assertThat(listener.next("message").path("data").asInt()).isEqualTo(i);
            }
        }
    }

    @Test
    void nobodySubscribedIsStillSuccess() throws Exception {
        assertThat(rest.post("/v1/channels/empty/publish", "{\"data\":\"x\"}").body())
                .isEqualTo("{\"channel\":\"empty\",\"delivered\":0}");
    }

    @Test
    void otherAppsDoNotReceiveIt() throws Exception {
        try (WsClient alice = rest.connectAs("alice", null)) {
            alice.subscribe("shared", false);
            assertThat(rest.call("POST", "/v1/channels/shared/publish", AUTH_OTHER, "{\"data\":1}").body())
                    .contains("\"delivered\":0");
            Thread.sleep(200);
            assertThat(alice.frames).noneMatch(frame -> frame.path("type").asString().equals("message"));
        }
    }

    @Test
    void missingDataOrBadFieldsAreInvalidRequests() throws Exception {
        for (String body : new String[] {"{}", "{\"from\":\"x\"}", "[]", "nope", "{\"data\":1,\"from\":\"\"}",
                "{\"data\":1,\"from\":7}", "{\"data\":1,\"from\":\"" + "f".repeat(129) + "\"}",
                "{\"data\":1,\"from\":\"tab\\there\"}", "{\"data\":1,\"peerMetadata\":\"x\"}",
                "{\"data\":1,\"peerMetadata\":{\"x\":\"" + "y".repeat(4100) + "\"}}"}) {
            RestHarness.Answer answer = rest.post("/v1/channels/room-1/publish", body);
            assertThat(answer.status()).as(body).isEqualTo(400);
            assertThat(answer.error()).as(body).isEqualTo("invalid_request");
        }
    }

    @Test
    void reservedChannelIsChannelReservedEvenForAKeyThatCouldNotPublishThere() throws Exception {
        assertThat(rest.post("/v1/channels/_system%2Fx/publish", "{\"data\":1}").error()).isEqualTo("channel_reserved");
        assertThat(rest.call("POST", "/v1/channels/_system%2Fx/publish", AUTH_NARROW, "{\"data\":1}").error())
                .isEqualTo("channel_reserved");
    }

    @Test
    void channelOutsideTheKeyPatternsIsChannelNotAuthorized() throws Exception {
        RestHarness.Answer answer = rest.call("POST", "/v1/channels/lobby/publish", AUTH_NARROW, "{\"data\":1}");
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.error()).isEqualTo("channel_not_authorized");
        assertThat(rest.call("POST", "/v1/channels/team%2Fa%2Fb/publish", AUTH_NARROW, "{\"data\":1}").status())
                .isEqualTo(200);
    }

    @Test
    void keyWithoutPublishIsActionNotPermitted() throws Exception {
        RestHarness.Answer answer = rest.call("POST", "/v1/channels/room-1/publish", RestHarness.AUTH_READONLY,
                "{\"data\":1}");
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.error()).isEqualTo("action_not_permitted");
    }

    @Test
    void exhaustedMessageQuotaAnswers429OverMessageQuota() throws Exception {
        assertThat(rest.call("POST", "/v1/channels/q/publish", AUTH_QUOTA, "{\"data\":1}").status()).isEqualTo(200);
        assertThat(rest.call("POST", "/v1/channels/q/publish", AUTH_QUOTA, "{\"data\":2}").status()).isEqualTo(200);
        RestHarness.Answer answer = rest.call("POST", "/v1/channels/q/publish", AUTH_QUOTA, "{\"data\":3}");
        assertThat(answer.status()).isEqualTo(429);
        assertThat(answer.error()).isEqualTo("over_message_quota");
        assertThat(rest.call("GET", "/v1/usage", AUTH_QUOTA, null).json().path("messagesUsed").asLong()).isEqualTo(3);
    }
}
