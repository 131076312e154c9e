package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.server.SwitchboardServer.ReloadResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload without restart (SIGHUP or {@code switchboard reload}; here {@code SwitchboardServer.reload()}, which both
 * call): keys and apps added and revoked, limits and suspension changed, a bad file refused with the old
 * configuration kept, and message counts kept across a restart in the state directory.
 */
class ReloadIT extends ServerTestBase {
    static final String PK_ONE = "pk_live_reload0ne000000000000a";
    static final String PK_TWO = "pk_live_reloadtw0000000000000a";
    static final String PK_NEW = "pk_live_reloadnew000000000000a";
    static final String SK = "sk_id_reload00000000000000000a";
    static final String SK_SECRET = "sk_secret_reload_0123456789abcdef0123456789";
    static final String PK_Q = "pk_live_reloadquota0000000000a";

    @TempDir
    Path dir;
    private Path file;

    @Override
    @org.junit.jupiter.api.BeforeAll
    void startServer() {
        // one server per test, started from a file in each test's directory
    }

    @BeforeEach
    void startFromFile() throws IOException {
        file = dir.resolve("switchboard.yaml");
        write(config(false, true, "", null));
        server = TestServer.start(file);
    }

    @AfterEach
    void stopFromFile() {
        server.close();
    }

    /** The app under test and a quota app; {@code extraKey} is a YAML key line added to app_r. */
    private static String config(boolean suspended, boolean withTwo, String extraKey, Integer cap) {
        String all = "channelPatterns: [\"**\"], actions: [subscribe, publish, presence, send]";
        return """
                server: { host: 127.0.0.1, port: 0 }
                apps:
                  - id: app_r
                    suspended: %s
                    limits: { maxConcurrentConnections: %s }
                    keys:
                      - { type: publishable, id: %s, %s }
                %s      - { type: secret, id: %s, secret: %s, %s }
                %s
                  - id: app_q
                    limits: { maxMessagesPerPeriod: 5 }
                    keys:
                      - { type: publishable, id: %s, %s }
                """.formatted(suspended, cap == null ? "null" : cap, PK_ONE, all,
                withTwo ? "      - { type: publishable, id: " + PK_TWO + ", " + all + " }\n" : "",
                SK, SK_SECRET, all, extraKey, PK_Q, all);
    }

    private void write(String yaml) throws IOException {
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
    }

    private ReloadResult reload(String yaml) throws IOException {
        write(yaml);
        return server.server().reload();
    }

    @Test
    void aRevokedKeysSessionsCloseWith4001AndAnAddedKeyIsAdmitted() throws IOException {
        WsProbe one = pk(PK_ONE);
        WsProbe two = pk(PK_TWO);
        ReloadResult result = reload(config(false, false,
                "      - { type: publishable, id: " + PK_NEW + ", channelPatterns: [\"**\"], actions: [subscribe] }", null));
        assertThat(result.applied()).as(result.message()).isTrue();
        assertThat(result.message()).contains("closed_revoked=1");
        assertReasonFits(two.expectClose(4001));
        expectOpenWithNothingPending(one);
        expectRefused(connect(TestServer.keyQuery(PK_TWO)), 4001);
        pk(PK_NEW);
    }

    @Test
    void aJwtSessionClosesWith4001WhenItsSigningKeyIsRevoked() throws IOException {
        WsProbe session = jwt(server.tokenFor("alice").key(SK));
        String withoutSecret = config(false, true, "", null).replace(
                "      - { type: secret, id: " + SK + ", secret: " + SK_SECRET, "      - { type: secret, id: " + SK
                        + ", enabled: false, secret: " + SK_SECRET);
        assertThat(reload(withoutSecret).applied()).isTrue();
        session.expectClose(4001);
    }

    @Test
    void aNewlySuspendedAppsSessionsCloseWith4012AndItsNewConnectionsAreRefused() throws IOException {
        WsProbe one = pk(PK_ONE);
        WsProbe other = pk(PK_Q);
        ReloadResult result = reload(config(true, true, "", null));
        assertThat(result.message()).contains("closed_suspended=1");
        one.expectClose(4012);
        expectOpenWithNothingPending(other);
        expectRefused(connect(TestServer.keyQuery(PK_ONE)), 4012);
        assertThat(reload(config(false, true, "", null)).applied()).isTrue();
        pk(PK_ONE);
    }

    @Test
    void aChangedConcurrencyCapAppliesAtOnce() throws IOException {
        WsProbe first = pk(PK_ONE);
        assertThat(reload(config(false, true, "", 1)).applied()).isTrue();
        expectRefused(connect(TestServer.keyQuery(PK_TWO)), 4010);
        expectOpenWithNothingPending(first);
        first.close();
        assertThat(reload(config(false, true, "", 2)).applied()).isTrue();
        pk(PK_ONE);
        pk(PK_TWO);
    }

    @Test
    void aBadFileKeepsTheRunningConfigurationAndNamesTheFieldAndReason() throws IOException {
        WsProbe one = pk(PK_ONE);
        ReloadResult result = reload(config(false, true, "", null).replace("maxConcurrentConnections: null",
                "maxConcurrentConnections: -3"));
        assertThat(result.applied()).isFalse();
        assertThat(result.message()).contains("file=" + file).contains("field=apps[0].limits.maxConcurrentConnections")
                .contains("must be a non-negative integer");
        expectOpenWithNothingPending(one);
        pk(PK_TWO);
        assertThat(reload("apps: [").applied()).isFalse();
        pk(PK_TWO);
    }

    @Test
    void theMessageCountOfThePeriodSurvivesARestart() throws IOException {
        WsProbe sender = pk(PK_Q);
        String c = channel("quota");
        for (int i = 0; i < 3; i++) {
            sender.sendFrame("type", "publish", "channel", c, "data", i, "requestId", "p" + i);
            expectAck(sender, "p" + i);
        }
        sender.close();
        server.close(); // saves the state directory (beside the file by default)
        assertThat(dir.resolve("state").resolve("usage.json")).exists();
        server = TestServer.start(file);
        assertThat(server.node().usage("app_q").messagesUsed()).isEqualTo(3);
        WsProbe again = pk(PK_Q);
        for (int i = 3; i < 5; i++) {
            again.sendFrame("type", "publish", "channel", c, "data", i, "requestId", "p" + i);
            expectAck(again, "p" + i);
        }
        again.sendFrame("type", "publish", "channel", c, "data", 5, "requestId", "p5");
        expectError(again, "over_message_quota", "p5");
        expectOpenWithNothingPending(again);
    }
}
