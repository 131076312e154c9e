package dev.switchboard.loadtest.scenario;

import dev.switchboard.loadtest.Marker;
import dev.switchboard.loadtest.ws.WsConnection;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counts what the generator's connections receive: deliveries with their publish→receive latency
 * (HdrHistogram {@link Recorder}, microseconds, wait-free for the event loops), presence events, acks and
 * unexpected closes.
 */
public final class DeliveryStats implements WsConnection.Listener {
    public final LongAdder delivered = new LongAdder();
    public final LongAdder presence = new LongAdder();
    public final LongAdder acks = new LongAdder();
    public final AtomicInteger closed = new AtomicInteger();
    private final Recorder latency = new Recorder(TimeUnit.SECONDS.toMicros(120), 3);
    private volatile boolean counting = true;

    @Override
    public void onDelivery(WsConnection c, long sentNanos) {
        delivered.increment();
        long micros = (Marker.now() - sentNanos) / 1000;
        if (micros >= 0 && micros < TimeUnit.SECONDS.toMicros(120)) {
            latency.recordValue(micros);
        }
    }

    @Override
    public void onPresence(WsConnection c) {
        presence.increment();
    }

    @Override
    public void onAck(WsConnection c) {
        acks.increment();
    }

    @Override
    public void onClosed(WsConnection c) {
        if (counting) {
            closed.incrementAndGet();
        }
    }

    /** Stop counting closes (the scenario is closing its own connections). */
    public void stopCountingCloses() {
        counting = false;
    }

    /** Latencies recorded since the previous call (the first call discards the warm-up). */
    public Histogram interval() {
        return latency.getIntervalHistogram();
    }

    public static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }
}
