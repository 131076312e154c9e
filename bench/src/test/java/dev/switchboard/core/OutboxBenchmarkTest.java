package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OutboxBenchmarkTest {

    @Test
    void offerAndDrainWritesEveryFrameOfTheBatch() {
        var s = new OutboxBenchmark.Single();
        s.batch = 16;
        s.setUp();
        var counters = new OutboxBenchmark.Counters();
        var bench = new OutboxBenchmark();

        bench.offerAndDrain(s, counters);
        bench.offerAndDrain(s, counters);

        assertThat(s.transport.written).isEqualTo(2L * 16 * OutboxBenchmark.FRAME.length);
        assertThat(counters.frames).isEqualTo(32);
        assertThat(counters.refused).isZero();
        assertThat(s.transport.pending.get()).as("nothing left scheduled").isNull();
    }

    @Test
    void contendedProducersDrainInline() {
        var s = new OutboxBenchmark.Shared();
        s.setUp();
        var counters = new OutboxBenchmark.Counters();
        var bench = new OutboxBenchmark();

        assertThat(bench.produce(s, counters)).isTrue();
        assertThat(bench.produce(s, counters)).isTrue();

        assertThat(s.transport.written).isEqualTo(2L * OutboxBenchmark.FRAME.length);
        assertThat(s.transport.pending.get()).isNull();
    }
}
