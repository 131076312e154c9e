package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * One stalled subscriber among a hundred in a room under a high publish rate (protocol.md §8.7): the 99 others
 * receive every message in order, the stalled one is closed with 1008 and counted, and nothing is left queued
 * for it afterwards. A 1 MiB outbox bound keeps the run short; the stalled reader's kernel buffers hold a few
 * MiB more, so 1,000 messages of 8 KiB are enough to pass both. The healthy subscribers are read after every
 * batch of 50, so they keep up by construction (the test clients read more slowly than the server writes).
 */
class StalledSubscriberIT extends ServerTestBase {
    private static final int HEALTHY = 99;
    private static final int MESSAGES = 1_000;
    private static final int BATCH = 50;

    @Override
    protected String config() {
        return TestServer.defaultConfig("""
                outboxMaxBytes: 1048576
                rateLimit: { burst: 100000, perSecond: 100000 }
                """);
    }

    @Test
    void theOthersReceiveEveryMessageInOrderAndTheStalledOneIsClosed1008() {
        String c = channel("stalled");
        List<WsProbe> healthy = new ArrayList<>();
        for (int i = 0; i < HEALTHY; i++) {
            WsProbe probe = pk(PK_NO_PRESENCE);
            subscribeWithoutPresence(probe, c);
            healthy.add(probe);
        }
        long slowBefore = server.node().slowConsumerCloses().slow();
        RawWebSocket stalled = track(RawWebSocket.open(server.port(), "/v1?" + keyQuery(PK_NO_PRESENCE), Map.of(), 4096));
        assertThat(stalled.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"welcome\"");
        stalled.sendText("{\"type\":\"subscribe\",\"channel\":\"" + c + "\",\"requestId\":\"s\"}");
        assertThat(stalled.readDataOrClose(Duration.ofSeconds(5)).text()).contains("\"ack\""); // then never reads

        WsProbe publisher = pk();
        String pad = "x".repeat(8 * 1024);
        for (int from = 0; from < MESSAGES; from += BATCH) {
            for (int i = from; i < from + BATCH; i++) {
                publisher.send("{\"type\":\"publish\",\"channel\":\"" + c + "\",\"data\":{\"seq\":" + i
                        + ",\"pad\":\"" + pad + "\"}}");
            }
            expectOpenWithNothingPending(publisher);
            for (int p = 0; p < HEALTHY; p++) {
                for (int i = from; i < from + BATCH; i++) {
                    JsonNode message = healthy.get(p).expectType("message");
                    assertThat(message.path("data").path("seq").asInt()).as("subscriber %d, message %d", p, i)
                            .isEqualTo(i);
                }
            }
        }
        for (WsProbe probe : healthy) {
            expectOpenWithNothingPending(probe);
        }
        assertThat(server.node().slowConsumerCloses().slow()).as("closed with 1008 and counted")
                .isEqualTo(slowBefore + 1);
        // What the stalled reader sees when it reads again: the frames that were already in its socket, then the
        // end. Its Close frame waited behind megabytes it never read, for the 3 s the close handshake allows, so
        // a reader that stays stalled that long gets the end of the stream instead of the 1008 frame.
        RawWebSocket.Frame last;
        do {
            last = stalled.readFrame(Duration.ofSeconds(10));
        } while (last.opcode() == RawWebSocket.TEXT || last.opcode() == RawWebSocket.PING);
        assertThat(last.opcode()).isIn(RawWebSocket.CLOSE, RawWebSocket.EOF);
        if (last.opcode() == RawWebSocket.CLOSE) {
            assertThat(last.closeCode()).isEqualTo(1008);
        }
        assertThat(server.node().outboundQueuedBytes()).as("nothing left queued on the node").isZero();
    }
}
