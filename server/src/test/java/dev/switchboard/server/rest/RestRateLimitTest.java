package dev.switchboard.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** rest-api.md §1.5: per-key and per-IP limits answer 429; loopback is exempt unless configured otherwise. */
class RestRateLimitTest {

    @Test
    void perKeyLimitAnswers429AndOtherKeysAreUnaffected() throws Exception {
        try (RestHarness rest = RestHarness.start("restRateLimit: {perKey: 1, perKeyBurst: 3, perIp: 0, "
                + "exemptLoopback: false}")) {
            for (int i = 0; i < 3; i++) {
                assertThat(rest.get("/v1/usage").status()).isEqualTo(200);
            }
            RestHarness.Answer limited = rest.get("/v1/usage");
            assertThat(limited.status()).isEqualTo(429);
            assertThat(limited.error()).isEqualTo("rate_limited");
            assertThat(rest.call("GET", "/v1/usage", RestHarness.AUTH_OTHER, null).status()).isEqualTo(200);
        }
    }

    @Test
    void perIpLimitAnswers429EvenForBadCredentials() throws Exception {
        try (RestHarness rest = RestHarness.start("restRateLimit: {perKey: 0, perIp: 1, perIpBurst: 2, "
                + "exemptLoopback: false}")) {
            assertThat(rest.call("GET", "/v1/usage", "Bearer x", null).status()).isEqualTo(401);
            assertThat(rest.get("/v1/usage").status()).isEqualTo(200);
            assertThat(rest.get("/v1/usage").status()).isEqualTo(429);
            assertThat(rest.call("GET", "/healthz", null, null).status()).isEqualTo(200);
        }
    }

    @Test
    void loopbackIsExemptByDefault() throws Exception {
        try (RestHarness rest = RestHarness.start("restRateLimit: {perKey: 1, perKeyBurst: 1, perIp: 1, perIpBurst: 1}")) {
            for (int i = 0; i < 10; i++) {
                assertThat(rest.get("/v1/usage").status()).isEqualTo(200);
            }
        }
    }
}
