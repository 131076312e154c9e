package dev.switchboard.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchboard.core.Node;
import dev.switchboard.core.NodeSettings;
import dev.switchboard.core.auth.Action;
import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.KeyConfig;
import dev.switchboard.core.auth.KeyType;
import dev.switchboard.core.auth.Keyring;
import dev.switchboard.core.spi.Clock;
import dev.switchboard.core.spi.ExecutorScheduler;
import dev.switchboard.netty.HttpRoutes.HttpCall;
import dev.switchboard.netty.HttpRoutes.HttpReply;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import tools.jackson.databind.json.JsonMapper;

/**
 * REST bodies are attacker-controlled: whatever bytes a correctly authenticated request carries to the endpoints
 * that read a body, the answer is a documented status with a JSON body, never an exception (which the transport
 * would turn into a 503). Stored inputs run under plain {@code mvn test}; fuzz with {@code JAZZER_FUZZ=1}.
 */
class RestBodyFuzzTest {
    private static final String SK = "sk_id_fuzz0000000000000000000";
    private static final String SECRET = "sk_secret_fuzz_0123456789abcdef0123456789";
    private static final ExecutorScheduler SCHEDULER = new ExecutorScheduler();
    private static final Node NODE = new Node(new Keyring(List.of(new AppConfig("app_fuzz", false, null, List.of(
            new KeyConfig(KeyType.SECRET, SK, SECRET, List.of("**"), EnumSet.allOf(Action.class), List.of(),
                    true))))), NodeSettings.defaults(), Clock.SYSTEM, SCHEDULER);
    private static final RestApi API = new RestApi(NODE, new RestRateLimit(0, 1, 0, 1, true), Map.of(), Clock.SYSTEM);
    private static final Set<Integer> DOCUMENTED = Set.of(200, 400, 403, 404, 413, 429);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @AfterAll
    static void stop() {
        NODE.stop();
        SCHEDULER.close();
    }

    @FuzzTest
    void anyBodyGetsADocumentedStatusAndAJsonAnswer(FuzzedDataProvider data) {
        String path = switch (data.consumeInt(0, 2)) {
            case 0 -> "/v1/tokens";
            case 1 -> "/v1/channels/room-1/publish";
            default -> "/v1/channels/" + data.consumeString(40) + "/publish";
        };
        byte[] body = data.consumeRemainingAsBytes();
        HttpCall call = new HttpCall("POST", path, "", "Bearer " + SK + ":" + SECRET, body, "192.0.2.1", false);
        HttpReply screened = API.screen(call);
        HttpReply reply = screened != null ? screened : API.handle(call);
        assertThat(reply).isNotNull();
        if (reply.later() != null) { // a publish answers once every node has (here: this one)
            reply = reply.later().toCompletableFuture().join();
        }
        assertThat(reply.status()).as("status for %s", path).isIn(DOCUMENTED);
        JSON.readTree(new String(reply.json(), StandardCharsets.UTF_8)); // throws if not JSON
    }
}
