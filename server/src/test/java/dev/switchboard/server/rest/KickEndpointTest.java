package dev.switchboard.server.rest;

import static dev.switchboard.server.rest.RestHarness.AUTH_OTHER;
import static dev.switchboard.server.rest.RestHarness.PK_OTHER;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** rest-api.md §5: DELETE /v1/peers/:id closes with 4020 and the others see left. */
class KickEndpointTest {
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
    void closesEveryConnectionOfThePeerWith4020AndTheOthersSeeLeft() throws Exception {
        try (WsClient tab1 = rest.connectAs("mallory", "{\"username\":\"M\"}");
             WsClient tab2 = rest.connectAs("mallory", "{\"username\":\"M\"}");
             WsClient watcher = rest.connectAs("watcher", null)) {
            watcher.subscribe("room-k", false);
            tab1.subscribe("room-k", false);
            tab2.subscribe("room-k", false);
            watcher.next("presence"); // own snapshot
            watcher.next("presence"); // mallory joined
            RestHarness.Answer answer = rest.call("DELETE", "/v1/peers/mallory", RestHarness.AUTH, null);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.body()).isEqualTo("{\"peerId\":\"mallory\",\"closed\":2}");
            assertThat(tab1.awaitClose()).isEqualTo(4020);
            assertThat(tab2.awaitClose()).isEqualTo(4020);
            JsonNode left = watcher.next("presence");
            assertThat(left.path("left").toString()).isEqualTo("[{\"peerId\":\"mallory\",\"metadata\":{\"username\":\"M\"}}]");
            assertThat(rest.get("/v1/channels/room-k/peers").json().path("peers").toString())
                    .isEqualTo("[{\"peerId\":\"watcher\"}]");
        }
    }

    @Test
    void offlinePeerIsStillSuccessWithZeroClosed() throws Exception {
        RestHarness.Answer answer = rest.call("DELETE", "/v1/peers/nobody", RestHarness.AUTH, null);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo("{\"peerId\":\"nobody\",\"closed\":0}");
    }

    @Test
    void onlyTheKeysAppIsAffected() throws Exception {
        try (WsClient mine = rest.connectAs("same-name", null);
             WsClient theirs = rest.connect("key=" + PK_OTHER)) {
            theirs.next("welcome");
            assertThat(rest.call("DELETE", "/v1/peers/same-name", AUTH_OTHER, null).body()).contains("\"closed\":0");
            Thread.sleep(200);
            assertThat(mine.closeCode.isDone()).isFalse();
            assertThat(theirs.closeCode.isDone()).isFalse();
        }
    }

    @Test
    void percentEncodedPeerIdsAreDecoded() throws Exception {
        try (WsClient spaced = rest.connectAs("user 1/a", null)) {
            RestHarness.Answer answer = rest.call("DELETE", "/v1/peers/user%201%2Fa", RestHarness.AUTH, null);
            assertThat(answer.body()).isEqualTo("{\"peerId\":\"user 1/a\",\"closed\":1}");
            assertThat(spaced.awaitClose()).isEqualTo(4020);
        }
    }

    @Test
    void invalidPeerIdsAreInvalidRequests() throws Exception {
        for (String id : new String[] {"", "p".repeat(129), "caf%C3%A9", "tab%09", "%zz"}) {
            RestHarness.Answer answer = rest.raw("DELETE", "/v1/peers/" + id, RestHarness.AUTH);
            assertThat(answer.status()).as(id).isEqualTo(400);
            assertThat(answer.error()).as(id).isEqualTo("invalid_request");
        }
    }

    @Test
    void anySecretKeyOfTheAppMayKickWhateverItsActions() throws Exception {
        try (WsClient target = rest.connectAs("target", null)) {
            assertThat(rest.call("DELETE", "/v1/peers/target", RestHarness.AUTH_READONLY, null).body())
                    .contains("\"closed\":1");
            assertThat(target.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(4020);
        }
    }
}
