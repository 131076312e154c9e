package dev.switchboard.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.ConfigLoader;
import dev.switchboard.server.SwitchboardConfig;
import dev.switchboard.server.SwitchboardServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator verbs as a shell runs them: each case starts a fresh JVM on the shaded {@code switchboard.jar}
 * (built in the package phase; failsafe passes its path as {@code switchboard.jar}), and checks the exit status,
 * stdout and stderr. The REST verbs
 * talk to a real server started in this JVM.
 */
class CliIT {
    private static final String SK = "sk_id_clitest00000000000000001";
    private static final String SECRET = "sk_secret_clitest000000000000000000000001";
    private static final String NARROW = "sk_id_clinarrow0000000000000001";
    private static final String YAML = """
            server: {host: 127.0.0.1, port: 0}
            apps:
              - id: app_cli
                keys:
                  - {type: secret, id: %s, secret: %s, channelPatterns: ["**"], actions: [subscribe, publish, presence, send]}
                  - {type: secret, id: %s, secret: sk_secret_clinarrow00000000000000000000001, channelPatterns: ["room-*"], actions: [publish]}
            """.formatted(SK, SECRET, NARROW);

    @TempDir
    static Path dir;
    private static Path config;
    private static SwitchboardServer server;

    record Run(int exit, String out, String err) {
    }

    @BeforeAll
    static void start() throws Exception {
        config = dir.resolve("switchboard.yaml");
        Files.writeString(config, YAML);
        server = SwitchboardServer.start(ConfigLoader.parse("cli", YAML));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Run run(String... args) throws IOException, InterruptedException {
        String jar = System.getProperty("switchboard.jar");
        assertThat(jar).as("failsafe passes -Dswitchboard.jar").isNotNull();
        assertThat(Path.of(jar)).as("the shaded jar exists").isRegularFile();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("SWITCHBOARD_URL");
        builder.environment().remove("SWITCHBOARD_KEY");
        Process process = builder.start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
        String out = read(process.getInputStream());
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), out, err.join());
    }

    private static String read(java.io.InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String url() {
        return server.httpOrigin();
    }

    private static String key() {
        return SK + ":" + SECRET;
    }

    @Test
    void everyVerbHasHelp() throws Exception {
        for (String[] verb : new String[][] {{"keys", "new"}, {"token"}, {"publish"}, {"peers"}, {"kick"}, {"usage"}}) {
            List<String> args = new ArrayList<>(List.of(verb));
            args.add("--help");
            Run run = run(args.toArray(String[]::new));
            assertThat(run.exit()).as(String.join(" ", verb)).isZero();
            assertThat(run.out()).startsWith("Usage: switchboard " + String.join(" ", verb));
        }
    }

    @Test
    void keysNewPrintsAConfigBlockThatLoads() throws Exception {
        Run run = run("keys", "new", "--type", "secret", "--app", "shop", "--channels", "shop/*", "--actions",
                "publish,presence");
        assertThat(run.exit()).isZero();
        SwitchboardConfig loaded = ConfigLoader.parse("printed", "apps:\n" + run.out());
        var key = loaded.apps().getFirst().keys().getFirst();
        assertThat(loaded.apps().getFirst().id()).isEqualTo("shop");
        assertThat(key.id()).startsWith("sk_id_");
        assertThat(key.secret()).startsWith("sk_secret_").hasSizeGreaterThanOrEqualTo(32);
        assertThat(key.channelPatterns()).containsExactly("shop/*");
        assertThat(run.err()).contains("shown only once").contains(key.id() + ":" + key.secret());

        Run publishable = run("keys", "new", "--type", "publishable");
        assertThat(publishable.exit()).isZero();
        SwitchboardConfig withKey = ConfigLoader.parse("printed", "apps:\n  - id: a\n    keys:\n"
                + publishable.out().indent(6));
        assertThat(withKey.apps().getFirst().keys().getFirst().id()).startsWith("pk_live_");
    }

    @Test
    void keysNewRefusesBadValuesWithExit2() throws Exception {
        Run run = run("keys", "new", "--type", "admin");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--type");
        Run action = run("keys", "new", "--type", "secret", "--actions", "publish,admin");
        assertThat(action.exit()).isEqualTo(2);
        assertThat(action.err()).contains("admin").contains("subscribe, publish, presence or send");
        assertThat(run("keys").exit()).isEqualTo(2);
    }

    @Test
    void tokenMintsAJwtThatConnectsWithTheRequestedIdentity() throws Exception {
        Run run = run("token", "--config", config.toString(), "--app", "app_cli", "--key", SK, "--sub", "alice",
                "--channels", "room-1", "--ttl", "10m", "--peer-metadata", "{\"name\":\"Alice\"}");
        assertThat(run.exit()).as(run.err()).isZero();
        String token = run.out().strip();
        assertThat(token.split("\\.")).hasSize(3);
        try (Peer alice = Peer.connect(server.origin() + "/v1?token=" + token)) {
            String welcome = alice.next("welcome");
            assertThat(welcome).contains("\"peerId\":\"alice\"");
        }
    }

    @Test
    void tokenExplainsWhatToFix() throws Exception {
        Run ttl = run("token", "--config", config.toString(), "--app", "app_cli", "--sub", "a", "--ttl", "25h");
        assertThat(ttl.exit()).isEqualTo(2);
        assertThat(ttl.err()).contains("--ttl").contains("24h");
        Run app = run("token", "--config", config.toString(), "--app", "nope", "--sub", "a");
        assertThat(app.exit()).isEqualTo(2);
        assertThat(app.err()).contains("--app nope").contains("app_cli");
        Run scope = run("token", "--config", config.toString(), "--app", "app_cli", "--key", NARROW, "--sub", "a",
                "--channels", "lobby");
        assertThat(scope.exit()).isEqualTo(2);
        assertThat(scope.err()).contains("channel not in key's allowed patterns: lobby");
        Run json = run("token", "--config", config.toString(), "--app", "app_cli", "--sub", "a", "--metadata", "{x");
        assertThat(json.exit()).isEqualTo(2);
        assertThat(json.err()).contains("--metadata is not valid JSON");
        Run missing = run("token", "--config", dir.resolve("missing.yaml").toString(), "--app", "a", "--sub", "a");
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("cannot read file");
    }

    @Test
    void publishPeersKickAndUsageCallTheServerAndPrintItsAnswer() throws Exception {
        String token = run("token", "--config", config.toString(), "--app", "app_cli", "--sub", "bob").out().strip();
        try (Peer bob = Peer.connect(server.origin() + "/v1?token=" + token)) {
            bob.next("welcome");
            bob.send("{\"type\":\"subscribe\",\"channel\":\"news/today\",\"requestId\":\"s\"}");
            bob.next("ack");

            Run publish = run("publish", "--url", url(), "--key", key(), "news/today", "{\"text\":\"hello\"}");
            assertThat(publish.exit()).as(publish.err()).isZero();
            assertThat(publish.out().strip()).isEqualTo("{\"channel\":\"news/today\",\"delivered\":1}");
            assertThat(bob.next("message")).isEqualTo(
                    "{\"type\":\"message\",\"channel\":\"news/today\",\"from\":\"system\",\"data\":{\"text\":\"hello\"}}");

            Run peers = run("peers", "--url", server.origin() + "/v1", "--key", key(), "news/today");
            assertThat(peers.exit()).isZero();
            assertThat(peers.out().strip()).isEqualTo("{\"channel\":\"news/today\",\"peers\":[{\"peerId\":\"bob\"}]}");

            Run usage = run("usage", "--url", url(), "--key", key());
            assertThat(usage.exit()).isZero();
            assertThat(usage.out()).contains("\"appId\":\"app_cli\"").contains("\"concurrentNow\":1");

            Run kick = run("kick", "--url", url(), "--key", key(), "bob");
            assertThat(kick.exit()).isZero();
            assertThat(kick.out().strip()).isEqualTo("{\"peerId\":\"bob\",\"closed\":1}");
            assertThat(bob.closeCode.get(5, TimeUnit.SECONDS)).isEqualTo(4020);
        }
    }

    @Test
    void refusalsExitWith1AndSayWhatToFix() throws Exception {
        Run wrong = run("usage", "--url", url(), "--key", SK + ":sk_secret_wrongwrongwrongwrongwrongwrong0");
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.out()).contains("\"error\":\"unauthorized\"");
        assertThat(wrong.err()).contains("HTTP 401").contains("--key");
        Run reserved = run("publish", "--url", url(), "--key", key(), "_system/x", "1");
        assertThat(reserved.exit()).isEqualTo(1);
        assertThat(reserved.out()).contains("channel_reserved");
        Run unreachable = run("usage", "--url", "http://127.0.0.1:1", "--key", key());
        assertThat(unreachable.exit()).isEqualTo(1);
        assertThat(unreachable.err()).contains("cannot connect").contains("--url");
    }

    @Test
    void badUsageExitsWith2() throws Exception {
        Run noKey = run("usage", "--url", url());
        assertThat(noKey.exit()).isEqualTo(2);
        assertThat(noKey.err()).contains("--key").contains("SWITCHBOARD_KEY");
        Run idOnly = run("usage", "--url", url(), "--key", SK);
        assertThat(idOnly.exit()).isEqualTo(2);
        assertThat(idOnly.err()).contains("SK_ID:SK_SECRET");
        Run data = run("publish", "--url", url(), "--key", key(), "room-1", "not json");
        assertThat(data.exit()).isEqualTo(2);
        assertThat(data.err()).contains("DATA is not valid JSON");
        Run badUrl = run("usage", "--url", "localhost:7070", "--key", key());
        assertThat(badUrl.exit()).isEqualTo(2);
        assertThat(badUrl.err()).contains("http://127.0.0.1:7070");
        assertThat(run("publish", "--url", url(), "--key", key()).exit()).isEqualTo(2);
    }

    /** A minimal WebSocket peer. */
    static final class Peer implements WebSocket.Listener, AutoCloseable {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Peer connect(String url) throws Exception {
            Peer peer = new Peer();
            peer.socket = HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create(url), peer)
                    .get(5, TimeUnit.SECONDS);
            return peer;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCode.complete(statusCode);
            return null;
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        String next(String type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (System.nanoTime() < deadline) {
                String frame = frames.poll(50, TimeUnit.MILLISECONDS);
                if (frame != null && frame.contains("\"type\":\"" + type + "\"")) {
                    return frame;
                }
            }
            throw new AssertionError("no " + type + " frame within 5 s");
        }

        @Override
        public void close() {
            socket.abort();
        }
    }
}
