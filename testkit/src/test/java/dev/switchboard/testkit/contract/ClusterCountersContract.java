package dev.switchboard.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.spi.ClusterCounters;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ClusterCounters} must do: hand out connection slots up to a cap over all nodes, sum the nodes'
 * reports (connections now, admissions and messages so far), start the message count again in a new period, and
 * give back a leaving node's connections.
 */
public abstract class ClusterCountersContract extends ThreeNodes {
    private static final long PERIOD = 1_700_000_000_000L;


    @Test
    void connectionSlotsAreHandedOutUpToTheCapOverAllNodes() {
        assertThat(join(a.counters().tryAcquire(app, 2))).isTrue();
        assertThat(join(b.counters().tryAcquire(app, 2))).isTrue();
        assertThat(join(c.counters().tryAcquire(app, 2))).isFalse();
        a.counters().release(app); // handed over without an answer: c sees the slot free once it has landed
        await().atMost(Duration.ofSeconds(10)).until(() -> join(c.counters().tryAcquire(app, 2)));
        assertThat(join(a.counters().tryAcquire(app, 2))).isFalse();
        assertThat(join(a.counters().report(app, PERIOD, 0, 0, 0)).peakConnections()).isEqualTo(2);
    }

    @Test
    void reportsAreSummedOverTheNodes() {
        join(a.counters().report(app, PERIOD, 3, 3, 10));
        ClusterCounters.Totals totals = join(b.counters().report(app, PERIOD, 2, 4, 5));
        assertThat(totals).isEqualTo(new ClusterCounters.Totals(5, 5, 7, 15));
        totals = join(a.counters().report(app, PERIOD, 1, 0, 1));
        assertThat(totals).isEqualTo(new ClusterCounters.Totals(3, 5, 7, 16));
    }

    @Test
    void aNewPeriodStartsTheMessageCountAgainAndAnOldOneIsNotCounted() {
        join(a.counters().report(app, PERIOD, 0, 0, 10));
        assertThat(join(b.counters().report(app, PERIOD * 2, 0, 0, 1)).messages()).isEqualTo(1);
        assertThat(join(a.counters().report(app, PERIOD, 0, 0, 5)).messages())
                .as("a late report of the old period").isEqualTo(1);
    }

    @Test
    void aLeavingNodesConnectionsAreGivenBack() {
        join(a.counters().report(app, PERIOD, 3, 3, 0));
        assertThat(join(c.counters().tryAcquire(app, 5))).isTrue();
        c.close();
        assertThat(join(b.counters().report(app, PERIOD, 1, 1, 0)).connections()).isEqualTo(4);
        a.close();
        assertThat(join(b.counters().report(app, PERIOD, 1, 0, 0)).connections()).isEqualTo(1);
    }
}
