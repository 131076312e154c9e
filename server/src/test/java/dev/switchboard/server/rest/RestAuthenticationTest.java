package dev.switchboard.server.rest;

import static dev.switchboard.server.rest.RestHarness.AUTH;
import static dev.switchboard.server.rest.RestHarness.PK;
import static dev.switchboard.server.rest.RestHarness.SK;
import static dev.switchboard.server.rest.RestHarness.SK_DISABLED;
import static dev.switchboard.server.rest.RestHarness.SK_DISABLED_SECRET;
import static dev.switchboard.server.rest.RestHarness.SK_SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** rest-api.md §1.1 (one 401 for every credential problem), §1.3 (404 before 401) and Q26. */
class RestAuthenticationTest {
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
    void everyKindOfCredentialFailureGetsTheSameUnauthorizedAnswer() throws Exception {
        List<String> headers = new ArrayList<>();
        headers.add(null);
        headers.add("Bearer " + PK);
        headers.add("Bearer " + SK);
        headers.add("Bearer " + SK + ":");
        headers.add("Bearer " + SK + ":sk_secret_wrongwrongwrongwrongwrongwrong01");
        headers.add("Bearer sk_id_unknown000000000000000001:" + SK_SECRET);
        headers.add("Bearer " + SK_DISABLED + ":" + SK_DISABLED_SECRET);
        headers.add("Basic " + SK + ":" + SK_SECRET);
        headers.add("Bearer " + SK_SECRET);
        headers.add("Bearer " + rest.token("someone", null));
        List<String> bodies = new ArrayList<>();
        for (String header : headers) {
            RestHarness.Answer answer = rest.call("GET", "/v1/usage", header, null);
            assertThat(answer.status()).as(String.valueOf(header)).isEqualTo(401);
            bodies.add(answer.body());
        }
        assertThat(bodies).allMatch(b -> b.equals(bodies.getFirst()));
        assertThat(rest.call("GET", "/v1/usage", null, null).error()).isEqualTo("unauthorized");
    }

    @Test
    void theBearerSchemeIsCaseInsensitiveAndASecretKeyPairAuthenticates() throws Exception {
        assertThat(rest.call("GET", "/v1/usage", "bearer " + SK + ":" + SK_SECRET, null).status()).isEqualTo(200);
        assertThat(rest.call("GET", "/v1/usage", AUTH, null).status()).isEqualTo(200);
    }

    @Test
    void everyEndpointRequiresTheCredential() throws Exception {
        assertThat(rest.call("POST", "/v1/tokens", null, "{\"peerId\":\"a\"}").status()).isEqualTo(401);
        assertThat(rest.call("GET", "/v1/channels/room-1/peers", null, null).status()).isEqualTo(401);
        assertThat(rest.call("POST", "/v1/channels/room-1/publish", null, "{\"data\":1}").status()).isEqualTo(401);
        assertThat(rest.call("DELETE", "/v1/peers/alice", null, null).status()).isEqualTo(401);
        assertThat(rest.call("GET", "/v1/usage", null, null).status()).isEqualTo(401);
    }

    @Test
    void unknownPathAnswersNotFoundBeforeAuthentication() throws Exception {
        RestHarness.Answer answer = rest.call("GET", "/v1/nothing-here", null, null);
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.error()).isEqualTo("not_found");
        assertThat(answer.json().path("message").isString()).isTrue();
        assertThat(answer.contentType()).isEqualTo("application/json; charset=utf-8");
        assertThat(rest.call("GET", "/v2/usage", AUTH, null).status()).isEqualTo(404);
        assertThat(rest.call("GET", "/v1/channels/peers", AUTH, null).status()).isEqualTo(404);
    }

    @Test
    void wrongMethodOnAKnownPathAnswersNotFound() throws Exception {
        assertThat(rest.call("GET", "/v1/tokens", AUTH, null).error()).isEqualTo("not_found");
        assertThat(rest.call("POST", "/v1/usage", AUTH, "{}").error()).isEqualTo("not_found");
        assertThat(rest.call("POST", "/v1/channels/room-1/peers", AUTH, "{}").error()).isEqualTo("not_found");
        assertThat(rest.call("GET", "/v1/channels/room-1/publish", AUTH, null).error()).isEqualTo("not_found");
        assertThat(rest.call("GET", "/v1/peers/alice", AUTH, null).error()).isEqualTo("not_found");
        assertThat(rest.call("PUT", "/v1/peers/alice", null, "{}").status()).isEqualTo(404);
    }

    @Test
    void healthCheckNeedsNoCredential() throws Exception {
        RestHarness.Answer answer = rest.call("GET", "/healthz", null, null);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().path("status").asString()).isEqualTo("ok");
    }

    @Test
    void webSocketPathWithoutUpgradeStillAnswersUpgradeRequired() throws Exception {
        assertThat(rest.call("GET", "/v1", null, null).status()).isEqualTo(426);
    }
}
