package dev.switchboard.server.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.Node;
import dev.switchboard.core.NodeSettings;
import dev.switchboard.core.auth.Action;
import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.KeyConfig;
import dev.switchboard.core.auth.KeyType;
import dev.switchboard.core.auth.Keyring;
import dev.switchboard.core.spi.Clock;
import dev.switchboard.core.spi.ExecutorScheduler;
import dev.switchboard.netty.HttpRoutes;
import dev.switchboard.netty.HttpRoutes.HttpCall;
import dev.switchboard.netty.HttpRoutes.HttpReply;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The demo's routes: tokens minted with the page's identity, teacher tools only for teachers, assets only by name. */
class DemoRoutesTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final ExecutorScheduler scheduler = new ExecutorScheduler();
    private final Node node = new Node(new Keyring(List.of(new AppConfig("dev", false, null, List.of(
            new KeyConfig(KeyType.SECRET, "sk_id_demo0000000000000000000", "sk_secret_demo_0123456789abcdef0123456789",
                    List.of("**"), EnumSet.allOf(Action.class), List.of(), true))))),
            NodeSettings.defaults(), Clock.SYSTEM, scheduler);
    private final HttpReply notMine = new HttpReply(418, new byte[0]);
    private final DemoRoutes routes = new DemoRoutes(node, call -> notMine);

    @AfterEach
    void stop() {
        node.stop();
        scheduler.close();
    }

    /** The route's answer; one that follows later (a kick asks the other nodes) once it is there. */
    private HttpReply post(String path, String body, String authorization) {
        HttpReply reply = routes.handle(new HttpCall("POST", path, "", authorization,
                body.getBytes(StandardCharsets.UTF_8), "127.0.0.1", true));
        return reply.later() == null ? reply : reply.later().toCompletableFuture().join();
    }

    private static JsonNode json(HttpReply reply) {
        return JSON.readTree(new String(reply.json(), StandardCharsets.UTF_8));
    }

    private String token(String role) {
        HttpReply reply = post("/demo/token", "{\"name\":\"Ada\",\"avatar\":\"🦊\",\"role\":\"" + role + "\"}", null);
        assertThat(reply.status()).isEqualTo(200);
        return json(reply).path("token").asString();
    }

    @Test
    void aTokenCarriesTheIdentityAsPeerMetadataAndOnlyTheClassroomChannels() {
        JsonNode body = json(post("/demo/token", "{\"name\":\"Ada\",\"avatar\":\"🦊\",\"role\":\"student\",\"peerId\":\"p-1\"}",
                null));
        String[] parts = body.path("token").asString().split("\\.");
        JsonNode claims = JSON.readTree(new String(java.util.Base64.getUrlDecoder().decode(parts[1]),
                StandardCharsets.UTF_8));
        assertThat(claims.path("sub").asString()).isEqualTo("p-1");
        assertThat(claims.path("peerMetadata").toString()).isEqualTo("{\"name\":\"Ada\",\"avatar\":\"🦊\",\"role\":\"student\"}");
        assertThat(claims.path("channels").toString()).isEqualTo("[\"classroom/**\"]");
    }

    @Test
    void badIdentitiesAreRefusedWith400() {
        assertThat(post("/demo/token", "{\"name\":\"\",\"role\":\"student\",\"avatar\":\"\"}", null).status()).isEqualTo(400);
        assertThat(post("/demo/token", "{\"name\":\"Ada\",\"role\":\"admin\",\"avatar\":\"\"}", null).status()).isEqualTo(400);
        assertThat(post("/demo/token", "{\"name\":\"A\\u0007\",\"role\":\"student\",\"avatar\":\"\"}", null).status())
                .isEqualTo(400);
        assertThat(post("/demo/token", "not json", null).status()).isEqualTo(400);
    }

    @Test
    void onlyATeacherOrModeratorMayRemoveOrBroadcast() {
        assertThat(post("/demo/remove", "{\"peerId\":\"p-1\"}", null).status()).isEqualTo(401);
        assertThat(post("/demo/remove", "{\"peerId\":\"p-1\"}", "Bearer garbage").status()).isEqualTo(401);
        assertThat(post("/demo/remove", "{\"peerId\":\"p-1\"}", "Bearer " + token("student")).status()).isEqualTo(403);
        HttpReply removed = post("/demo/remove", "{\"peerId\":\"p-1\"}", "Bearer " + token("teacher"));
        assertThat(removed.status()).isEqualTo(200);
        assertThat(json(removed).path("closed").asInt()).isZero();
        assertThat(post("/demo/notice", "{\"room\":\"main\",\"text\":\"hi\"}", "Bearer " + token("moderator")).status())
                .isEqualTo(200);
    }

    @Test
    void statsListTheAppsCountersAndChannels() {
        HttpReply reply = routes.handle(new HttpCall("GET", "/demo/stats", "", null, new byte[0], "127.0.0.1", true));
        JsonNode stats = json(reply);
        assertThat(stats.path("usage").path("appId").asString()).isEqualTo("dev");
        assertThat(stats.path("usage").path("connections").asInt()).isZero();
        assertThat(stats.path("channels").isArray()).isTrue();
    }

    @Test
    void assetsAreServedByNameOnlyAndOtherPathsGoToTheNextRoutes() {
        HttpReply page = routes.handle(new HttpCall("GET", "/", "", null, new byte[0], "127.0.0.1", true));
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        assertThat(routes.handle(new HttpCall("GET", "/assets/../../etc/passwd", "", null, new byte[0], "127.0.0.1",
                true))).isNull();
        assertThat(routes.handle(new HttpCall("GET", "/assets/realtime.mjs", "", null, new byte[0], "127.0.0.1", true))
                .contentType()).startsWith("text/javascript");
        assertThat(routes.handle(new HttpCall("GET", "/v1/usage", "", null, new byte[0], "127.0.0.1", true)))
                .isSameAs(notMine);
    }
}
