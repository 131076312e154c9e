package dev.switchboard.testkit;

import static dev.switchboard.testkit.TestServer.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * protocol.md §13.2: a per-connection bucket of 200 frames; the frame that finds it empty closes 4011. The
 * dedicated server refills almost nothing (0.01/s) so the boundary is deterministic.
 */
class RateLimitIT extends ServerTestBase {

    @Override
    protected String config() {
        return TestServer.defaultConfig("rateLimit: { burst: 200, perSecond: 0.01 }");
    }

    @Test
    void twoHundredFramesPassAndTheTwoHundredAndFirstClosesWith4011() {
        WsProbe p = pk();
        String c = channel("rate");
        for (int i = 1; i <= 200; i++) {
            p.sendFrame("type", "unsubscribe", "channel", c, "requestId", "u" + i);
        }
        for (int i = 1; i <= 200; i++) {
            expectAck(p, "u" + i);
        }
        p.sendFrame("type", "unsubscribe", "channel", c, "requestId", "u201");
        assertReasonFits(p.expectClose(4011));
    }

    @Test
    void everyKindOfNonPingFrameCostsOneToken() {
        WsProbe p = pk();
        WsProbe target = pk();
        String c = channel("mix");
        subscribe(p, c);                                              // 1
        for (int i = 0; i < 40; i++) {
            p.sendFrame("type", "publish", "channel", c, "data", i);  // 40
            p.sendFrame("type", "send", "to", target.peerId(), "data", i); // 40
            p.sendFrame("type", "unsubscribe", "channel", "x");       // 40
            p.send("not json");                                       // 40
            p.sendFrame("type", "nope");                              // 40
        }
        // 1 + 200 = 201 frames: the last unknown type finds the bucket empty and closes instead of erroring.
        for (int i = 0; i < 39; i++) {
            expectError(p, "malformed_message", null);
            expectError(p, "unknown_type", null);
        }
        expectError(p, "malformed_message", null);
        p.expectClose(4011);
    }

    @Test
    void pingsAreFreeAndDoNotConsumeTheBucket() {
        WsProbe p = pk();
        for (int i = 0; i < 300; i++) {
            p.sendFrame("type", "ping");
        }
        for (int i = 0; i < 300; i++) {
            p.expectType("pong");
        }
        for (int i = 1; i <= 200; i++) {
            p.sendFrame("type", "unsubscribe", "channel", "x", "requestId", "k" + i);
        }
        for (int i = 1; i <= 200; i++) {
            expectAck(p, "k" + i);
        }
        p.sendFrame("type", "unsubscribe", "channel", "x");
        p.expectClose(4011);
    }

    @Test
    void aNewConnectionStartsWithAFullBucketAndOthersSeeLeftOn4011() {
        String c = channel("left");
        WsProbe watcher = pk();
        subscribe(watcher, c);
        WsProbe abuser = pk();
        subscribe(abuser, c);
        expectPresence(watcher, c, List.of(abuser.peerId()), List.of());
        for (int i = 0; i < 200; i++) {
            abuser.sendFrame("type", "unsubscribe", "channel", "x");
        }
        abuser.expectClose(4011);
        expectPresence(watcher, c, List.of(), List.of(abuser.peerId()));
        WsProbe fresh = pk();
        for (int i = 1; i <= 200; i++) {
            fresh.sendFrame("type", "unsubscribe", "channel", "x", "requestId", "f" + i);
        }
        for (int i = 1; i <= 200; i++) {
            expectAck(fresh, "f" + i);
        }
    }
}
