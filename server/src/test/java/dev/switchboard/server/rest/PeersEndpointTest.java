package dev.switchboard.server.rest;

import static dev.switchboard.server.rest.RestHarness.AUTH_NARROW;
import static dev.switchboard.server.rest.RestHarness.AUTH_OTHER;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** rest-api.md §3 and §1.4: GET /v1/channels/:id/peers, raw and percent-encoded ids. */
class PeersEndpointTest {
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
    void emptyChannelListsNobody() throws Exception {
        RestHarness.Answer answer = rest.get("/v1/channels/nobody-here/peers");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"channel\":\"nobody-here\",\"peers\":[]}");
    }

    @Test
    void listsEachSubscribedPeerOnceWithItsMetadata() throws Exception {
        try (WsClient alice1 = rest.connectAs("alice", "{\"username\":\"Alice\"}");
             WsClient alice2 = rest.connectAs("alice", "{\"username\":\"Alice\"}");
             WsClient bob = rest.connectAs("bob", null)) {
            alice1.subscribe("app/room-1", false);
            alice2.subscribe("app/room-1", false);
            bob.subscribe("app/room-1", false);
            JsonNode answer = rest.get("/v1/channels/app%2Froom-1/peers").json();
            assertThat(answer.path("channel").asString()).isEqualTo("app/room-1");
            assertThat(answer.path("peers").toString()).isEqualTo(
                    "[{\"peerId\":\"alice\",\"metadata\":{\"username\":\"Alice\"}},{\"peerId\":\"bob\"}]");
            assertThat(rest.get("/v1/channels/app/room-1/peers").body()).isEqualTo(rest.get(
                    "/v1/channels/app%2froom-1/peers").body());
        }
    }

    @Test
    void aLimitPagesThePeersSortedByPeerIdWithTheNextCursor() throws Exception {
        try (WsClient zoe = rest.connectAs("zoe", null);
             WsClient amy = rest.connectAs("amy", null);
             WsClient max = rest.connectAs("max", "{\"role\":\"host\"}")) {
            for (WsClient peer : new WsClient[] {zoe, amy, max}) {
                peer.subscribe("app/paged", false);
            }
            JsonNode first = rest.get("/v1/channels/app%2Fpaged/peers?limit=2").json();
            assertThat(first.path("peers").toString()).isEqualTo(
                    "[{\"peerId\":\"amy\"},{\"peerId\":\"max\",\"metadata\":{\"role\":\"host\"}}]");
            assertThat(first.path("next").asString()).isEqualTo("max");
            JsonNode last = rest.get("/v1/channels/app%2Fpaged/peers?limit=2&after=max").json();
            assertThat(last.path("peers").toString()).isEqualTo("[{\"peerId\":\"zoe\"}]");
            assertThat(last.has("next")).as("no more pages").isFalse();
            assertThat(rest.get("/v1/channels/app%2Fpaged/peers").json().has("next")).isFalse();
            for (String query : new String[] {"limit=0", "limit=10001", "limit=x", "after=amy"}) {
                RestHarness.Answer refused = rest.get("/v1/channels/app%2Fpaged/peers?" + query);
                assertThat(refused.status()).as(query).isEqualTo(400);
                assertThat(refused.error()).as(query).isEqualTo("invalid_request");
            }
        }
    }

    @Test
    void patternSubscriptionsAreListedByTheirLiteralText() throws Exception {
        try (WsClient carol = rest.connectAs("carol", null)) {
            carol.subscribe("lobby/*", false);
            assertThat(rest.get("/v1/channels/lobby%2F*/peers").json().path("peers").size()).isEqualTo(1);
            assertThat(rest.get("/v1/channels/lobby%2Fx/peers").json().path("peers").size()).isZero();
        }
    }

    @Test
    void otherAppsDoNotSeeThePeers() throws Exception {
        try (WsClient dave = rest.connectAs("dave", null)) {
            dave.subscribe("shared", false);
            assertThat(rest.call("GET", "/v1/channels/shared/peers", AUTH_OTHER, null).json().path("peers").size())
                    .isZero();
        }
    }

    @Test
    void utf8ChannelNamesArePercentDecoded() throws Exception {
        assertThat(rest.get("/v1/channels/caf%C3%A9/peers").json().path("channel").asString()).isEqualTo("café");
        assertThat(rest.get("/v1/channels/a+b/peers").json().path("channel").asString()).isEqualTo("a+b");
    }

    @Test
    void malformedChannelIdsAreInvalidRequests() throws Exception {
        for (String id : new String[] {"", "%", "%zz", "%C3", "a%00b", "x".repeat(257)}) {
            RestHarness.Answer answer = rest.raw("GET", "/v1/channels/" + id + "/peers", RestHarness.AUTH);
            assertThat(answer.status()).as(id).isEqualTo(400);
            assertThat(answer.error()).as(id).isEqualTo("invalid_request");
        }
    }

    @Test
    void reservedChannelIsChannelReserved() throws Exception {
        RestHarness.Answer answer = rest.get("/v1/channels/_metered%2Fx/peers");
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.error()).isEqualTo("channel_reserved");
        assertThat(rest.get("/v1/channels/_INTERNAL/x/peers").error()).isEqualTo("channel_reserved");
    }

    @Test
    void keyWithoutPresenceIsActionNotPermitted() throws Exception {
        RestHarness.Answer answer = rest.call("GET", "/v1/channels/room-1/peers", AUTH_NARROW, null);
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.error()).isEqualTo("action_not_permitted");
        // the action is checked before the patterns
        assertThat(rest.call("GET", "/v1/channels/lobby/peers", AUTH_NARROW, null).error())
                .isEqualTo("action_not_permitted");
    }

    @Test
    void channelOutsideTheKeyPatternsIsChannelNotAuthorized() throws Exception {
        RestHarness.Answer answer = rest.call("GET", "/v1/channels/private/peers", RestHarness.AUTH_READONLY, null);
        assertThat(answer.status()).isEqualTo(200);
        answer = rest.call("GET", "/v1/channels/_system%2Fx/peers", RestHarness.AUTH_READONLY, null);
        assertThat(answer.error()).isEqualTo("channel_reserved");
        answer = rest.call("GET", "/v1/channels/elsewhere/peers", RestHarness.AUTH_READONLY, null);
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.error()).isEqualTo("channel_not_authorized");
    }
}
