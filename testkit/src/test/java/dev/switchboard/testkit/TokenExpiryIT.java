package dev.switchboard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** protocol.md §10 and §2.2 check 5: 4002 at exp − 250 ms, at connect and during the session. */
class TokenExpiryIT extends ServerTestBase {

    /** Sleeps until the wall clock's millisecond-of-second is in [from, from + 100). */
    private static void alignToMillisOfSecond(int from) throws InterruptedException {
        while (true) {
            long ms = System.currentTimeMillis() % 1000;
            if (ms >= from && ms < from + 100) {
                return;
            }
            Thread.sleep(5);
        }
    }

    @Test
    void tokenWithLessThan250MillisecondsLeftClosesWith4002AtConnect() throws InterruptedException {
        alignToMillisOfSecond(800);
        long exp = System.currentTimeMillis() / 1000 + 1; // 100–200 ms left
        expectRefused(connect(server.tokenFor(sub("late")).expiresAt(exp).query()), 4002);
    }

    @Test
    void tokenWithMoreThan250MillisecondsLeftIsAdmittedAndClosedWith4002At250MillisecondsBeforeExp()
            throws InterruptedException {
        alignToMillisOfSecond(450);
        long exp = System.currentTimeMillis() / 1000 + 1; // 450–550 ms left
        WsProbe p = connect(server.tokenFor(sub("short")).expiresAt(exp).query());
        p.awaitWelcome();
        WsProbe.Event close = p.expectClose(4002);
        long closedAt = System.currentTimeMillis();
        assertReasonFits(close);
        assertThat(closedAt).as("closed near exp − 250 ms").isBetween(exp * 1000 - 250 - 50, exp * 1000 - 250 + 200);
    }

    @Test
    void expiringSessionIsClosedEvenWhileActiveAndOthersSeeLeft() throws InterruptedException {
        String c = channel("exp");
        WsProbe watcher = pk();
        subscribe(watcher, c);
        String alice = sub("alice");
        long exp = System.currentTimeMillis() / 1000 + 2;
        WsProbe a = connect(server.tokenFor(alice).expiresAt(exp).peerMetadata("{\"u\":\"A\"}").query());
        a.awaitWelcome();
        subscribe(a, c);
        expectPresence(watcher, c, List.of(alice), List.of());
        long deadline = exp * 1000 - 400;
        while (System.currentTimeMillis() < deadline) {
            a.sendFrame("type", "ping");
            a.expectType("pong");
            Thread.sleep(100);
        }
        while (true) {
            WsProbe.Event e = a.nextEvent(WsProbe.DEFAULT_TIMEOUT);
            if (e.kind() == WsProbe.Event.Kind.CLOSE) {
                assertThat(e.code()).isEqualTo(4002);
                break;
            }
        }
        var left = expectPresence(watcher, c, List.of(), List.of(alice));
        assertThat(left.get("left").get(0).get("metadata")).isEqualTo(WsProbe.parse("{\"u\":\"A\"}"));
    }
}
