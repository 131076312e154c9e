package dev.switchboard.server.rest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.auth.TokenMinter;
import dev.switchboard.core.auth.TokenRequest;
import dev.switchboard.protocol.RawJson;
import dev.switchboard.server.ConfigLoader;
import dev.switchboard.server.SwitchboardServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

/**
 * Runs every {@code curl} example of docs/rest-api.md, in document order, against a live server with the
 * dev app's shape (Alice online in {@code dev/room-1}), and checks the documented status and answer: the same
 * fields with the same JSON types, identical stable values (error codes, echoed ids, counts).
 */
class RestDocsTest {
    private static final Path DOC = Path.of(System.getProperty("basedir", "."), "..", "docs", "rest-api.md");
    private static final Pattern EXAMPLE = Pattern.compile(
            "```sh\\n([^`]*)```\\s*\\nPrints \\(HTTP (\\d{3})\\):\\s*\\n```json\\n(.*?)```", Pattern.DOTALL);
    private static final Set<String> EXACT = Set.of("error", "channel", "peerId", "appId", "delivered", "closed",
            "offset", "hasMore", "missed", "from", "data",
            "peers", "name", "overagesAllowed", "overagesEnabled", "maxConcurrentConnections", "maxMessagesPerPeriod");
    private static final String SK = "sk_id_docs000000000000000000001";
    private static final String SECRET = "sk_secret_docs0000000000000000000000000001";

    private static SwitchboardServer server;
    private static WsClient alice;

    record Example(String command, int status, String answer) {
    }

    @BeforeAll
    static void start() throws Exception {
        server = SwitchboardServer.start(ConfigLoader.parse("docs", """
                server: {host: 127.0.0.1, port: 0}
                apps:
                  - id: dev
                    keys:
                      - {type: secret, id: %s, secret: %s, channelPatterns: ["**"], actions: [subscribe, publish, presence, send]}
                    channels:
                      - {pattern: "dev/**", history: {size: 100, ttl: 5m}}
                """.formatted(SK, SECRET)));
        long now = System.currentTimeMillis() / 1000;
        String token = TokenMinter.mint(server.config().apps().getFirst().keys().getFirst(),
                new TokenRequest("alice", now, now + 600, null, null, null,
                        RawJson.of("{\"username\":\"Alice\"}")));
        alice = WsClient.connect(server.origin() + "/v1?token=" + token);
        alice.next("welcome");
        alice.subscribe("dev/room-1", false);
    }

    @AfterAll
    static void stop() {
        alice.close();
        server.close();
    }

    static List<Example> examples(String markdown) {
        List<Example> examples = new ArrayList<>();
        Matcher m = EXAMPLE.matcher(markdown);
        while (m.find()) {
            examples.add(new Example(m.group(1).replace("\\\n", " ").strip(), Integer.parseInt(m.group(2)),
                    m.group(3).strip()));
        }
        return examples;
    }

    @Test
    void everyCurlBlockIsFollowedByItsDocumentedAnswer() throws Exception {
        String markdown = Files.readString(DOC);
        long curlBlocks = Pattern.compile("```sh\\n[^`]*curl ").matcher(markdown).results().count();
        assertThat(examples(markdown)).hasSize((int) curlBlocks).hasSizeGreaterThanOrEqualTo(5);
        for (String endpoint : new String[] {"POST \"$SWITCHBOARD_URL/v1/tokens\"", "/peers\"", "/publish\"", "/history?",
                "DELETE \"$SWITCHBOARD_URL/v1/peers/", "/v1/usage\""}) {
            assertThat(examples(markdown)).anyMatch(e -> e.command().contains(endpoint));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCurlExampleAnswersAsDocumented() throws Exception {
        return examples(Files.readString(DOC)).stream().map(example -> DynamicTest.dynamicTest(
                example.command().lines().findFirst().orElseThrow(), () -> run(example)));
    }

    private static void run(Example example) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", example.command() + " -w '\\n%{http_code}'");
        builder.environment().put("SWITCHBOARD_URL", server.httpOrigin());
        builder.environment().put("SWITCHBOARD_KEY", SK + ":" + SECRET);
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        int split = output.lastIndexOf('\n');
        assertThat(Integer.parseInt(output.substring(split + 1).strip())).as(output).isEqualTo(example.status());
        JsonNode actual = RestHarness.JSON.readTree(output.substring(0, split));
        assertSameShape(RestHarness.JSON.readTree(example.answer()), actual, "$");
    }

    private static void assertSameShape(JsonNode documented, JsonNode actual, String path) {
        assertThat(RestHarness.fieldNames(actual)).as(path + " fields").containsExactlyElementsOf(
                RestHarness.fieldNames(documented));
        for (String field : RestHarness.fieldNames(documented)) {
            JsonNode want = documented.get(field);
            JsonNode got = actual.get(field);
            String at = path + "." + field;
            assertThat(got.getNodeType()).as(at + " type").isEqualTo(want.getNodeType());
            if (want.isObject()) {
                assertSameShape(want, got, at);
            } else if (EXACT.contains(field)) {
                assertThat(got).as(at).isEqualTo(want);
            }
        }
    }
}
