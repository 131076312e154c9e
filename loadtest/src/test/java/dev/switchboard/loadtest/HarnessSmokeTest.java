package dev.switchboard.loadtest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.loadtest.peer.Peer;
import dev.switchboard.loadtest.peer.SwitchboardProtocol;
import dev.switchboard.loadtest.report.Report;
import dev.switchboard.loadtest.scenario.BenchContext;
import dev.switchboard.loadtest.scenario.ChatScenario;
import dev.switchboard.loadtest.scenario.ConnectStormScenario;
import dev.switchboard.loadtest.scenario.FanoutScenario;
import dev.switchboard.loadtest.scenario.Outcome;
import dev.switchboard.loadtest.ws.WsClient;
import dev.switchboard.server.ConfigLoader;
import dev.switchboard.server.SwitchboardServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of the harness against a real in-process Switchboard: a tiny fan-out and chat, then the report.
 * Not a timed test — it asserts only that messages were delivered and the report files were written.
 */
class HarnessSmokeTest {

    @Test
    @Timeout(60)
    void tinyFanoutChatAndStormDeliverMessagesAndWriteTheReport(@TempDir Path dir) throws Exception {
        try (SwitchboardServer server = SwitchboardServer.start(
                ConfigLoader.parse("bench-smoke", SwitchboardProtocol.config(0, null, 1, true)));
             WsClient client = new WsClient(1, List.of())) {
            BenchContext ctx = new BenchContext(client, true, true, dir, 10_000, Placement.unpinned(), System.out);

            Outcome fanout = Bench.runAgainst(Peer.SWITCHBOARD, server.port(), new FanoutScenario(20), ctx);
            Outcome chat = Bench.runAgainst(Peer.SWITCHBOARD, server.port(), new ChatScenario(10, 3, 2), ctx);
            Outcome storm = Bench.runAgainst(Peer.SWITCHBOARD, server.port(), new ConnectStormScenario(40, 16), ctx);

            assertThat(fanout.error).isNull();
            assertThat(chat.error).isNull();
            assertThat(storm.error).isNull();
            assertThat(value(fanout, "fanout.20.ceiling")).isGreaterThan(0);
            assertThat(value(chat, "chat.delivered")).isGreaterThan(0);
            assertThat(value(storm, "storm.rate")).isGreaterThan(0);
            assertThat(note(storm, "storm.rate")).contains("40 connections").doesNotContain("failed");

            new Report(List.of(fanout, chat, storm), List.of(Report.SWITCHBOARD), Map.of(), Map.of("mode", "smoke test"))
                    .write(dir);
        }
        assertThat(dir.resolve("report.md")).isNotEmptyFile();
        assertThat(Files.readString(dir.resolve("report.md"))).contains("Fan-out 20 subs: ceiling", "Chat: delivered",
                "Connect storm: handshakes+subscribes");
        assertThat(dir.resolve("report.json")).isNotEmptyFile();
        assertThat(dir.resolve("fanout-20-throughput.png")).isNotEmptyFile();
    }

    private static double value(Outcome o, String key) {
        return figure(o, key).value();
    }

    private static String note(Outcome o, String key) {
        return figure(o, key).note();
    }

    private static Figure figure(Outcome o, String key) {
        return o.figures.stream().filter(f -> f.key().equals(key)).findFirst().orElseThrow();
    }
}
