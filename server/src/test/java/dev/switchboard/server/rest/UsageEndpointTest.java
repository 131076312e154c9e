package dev.switchboard.server.rest;

import static dev.switchboard.server.rest.RestHarness.AUTH_QUOTA;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** rest-api.md §6 and open-questions.md Q34: GET /v1/usage. */
class UsageEndpointTest {
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
    void reportsLiveConnectionsTotalsAndUnlimitedCapsInTheCurrentPeriod() throws Exception {
        JsonNode before = rest.get("/v1/usage").json();
        assertThat(RestHarness.fieldNames(before)).containsExactly("appId", "periodStartUnix", "periodEndUnix",
                "concurrentNow", "peakConcurrent", "messagesUsed", "overageMessages", "overageConnections", "plan",
                "serverVersion");
        assertThat(before.path("serverVersion").asString()).isEqualTo(dev.switchboard.server.Version.get()).isNotBlank();
        assertThat(before.path("appId").asString()).isEqualTo("app_rest");
        long period = 30L * 24 * 3600; // the default: 30 days, aligned to the Unix epoch
        long now = System.currentTimeMillis() / 1000;
        assertThat(before.get("periodStartUnix").asLong()).isEqualTo(now / period * period);
        assertThat(before.get("periodEndUnix").asLong()).isEqualTo(before.get("periodStartUnix").asLong() + period);
        assertThat(before.path("plan").toString()).isEqualTo("{\"name\":null,\"maxConcurrentConnections\":2147483647,"
                + "\"maxMessagesPerPeriod\":2147483647,\"overagesAllowed\":false,\"overagesEnabled\":false}");
        try (WsClient a = rest.connectAs("u1", null); WsClient b = rest.connectAs("u2", null)) {
            a.subscribe("count", false);
            a.publish("count", "1");
            a.next("ack");
            rest.post("/v1/channels/count/publish", "{\"data\":2}");
            JsonNode during = rest.get("/v1/usage").json();
            assertThat(during.path("concurrentNow").asInt()).isEqualTo(before.path("concurrentNow").asInt() + 2);
            assertThat(during.path("peakConcurrent").asInt()).isGreaterThanOrEqualTo(2);
            assertThat(during.path("messagesUsed").asLong()).isEqualTo(before.path("messagesUsed").asLong() + 2);
            assertThat(during.path("overageMessages").asLong()).isZero();
            assertThat(during.path("overageConnections").asLong()).isZero();
        }
    }

    @Test
    void reportsTheConfiguredPlanAndLimits() throws Exception {
        JsonNode usage = rest.call("GET", "/v1/usage", AUTH_QUOTA, null).json();
        assertThat(usage.path("appId").asString()).isEqualTo("app_quota");
        assertThat(usage.path("plan").toString()).isEqualTo("{\"name\":\"SIGNALLING_BASIC\","
                + "\"maxConcurrentConnections\":5,\"maxMessagesPerPeriod\":2,\"overagesAllowed\":true,"
                + "\"overagesEnabled\":true}");
    }
}
