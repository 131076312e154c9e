package dev.switchboard.loadtest.scenario;

import dev.switchboard.loadtest.ws.WsConnection;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Counts what the generator's connections receive: deliveries with their publish→receive latency
 * (HdrHistogram, microseconds), presence events, acks and unexpected closes.
 *
 * <p>Deliveries are the generator's hot path — millions per second on one core — so they are recorded without
 * a single atomic read-modify-write: each event loop owns a shard (a plain histogram and a counter only it
 * writes), the receive time is taken once per socket read ({@link WsConnection#receivedNanos}), and a reader
 * swaps a shard's histogram out by running the swap on the shard's own event loop. A concurrent histogram or
 * recorder costs four to six atomic operations per value, which at these rates is a tenth of the generator.
 */
public final class DeliveryStats implements WsConnection.Listener {
    private static final long MAX_MICROS = TimeUnit.SECONDS.toMicros(120);
    private static final long SWAP_TIMEOUT_MS = 10_000;

    public final LongAdder presence = new LongAdder();
    public final LongAdder acks = new LongAdder();
    public final AtomicInteger closed = new AtomicInteger();
    private final FastThreadLocal<Shard> local = new FastThreadLocal<>();
    private final List<Shard> shards = new CopyOnWriteArrayList<>();
    private volatile boolean counting = true;

    /** One event loop's share: written only on that loop. */
    private static final class Shard {
        final EventExecutor loop;
        /** Written with lazySet by the owner (a plain store), read by any thread. */
        final AtomicLong delivered = new AtomicLong();
        Histogram latency = newHistogram();

        Shard(EventExecutor loop) {
            this.loop = loop;
        }

        Histogram swap() {
            Histogram h = latency;
            latency = newHistogram();
            return h;
        }
    }

    private static Histogram newHistogram() {
        return new Histogram(MAX_MICROS, 3);
    }

    @Override
    public void onDelivery(WsConnection c, long sentNanos) {
        Shard s = local.get();
        if (s == null) {
            s = new Shard(c.channel().eventLoop());
            local.set(s);
            shards.add(s);
        }
        s.delivered.lazySet(s.delivered.get() + 1);
        long micros = (c.receivedNanos() - sentNanos) / 1000;
        if (micros >= 0 && micros < MAX_MICROS) {
            s.latency.recordValue(micros);
        }
    }

    /** Deliveries counted so far, on every event loop. */
    public long delivered() {
        long sum = 0;
        for (Shard s : shards) {
            sum += s.delivered.get();
        }
        return sum;
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

    /**
     * Latencies recorded since the previous call (the first call discards the warm-up): each shard's histogram
     * is swapped on its own event loop, so no value is torn or lost, and the shards are merged here.
     */
    public Histogram interval() {
        Histogram merged = newHistogram();
        for (Shard s : shards) {
            try {
                merged.add(s.loop.inEventLoop() ? s.swap()
                        : s.loop.submit(s::swap).get(SWAP_TIMEOUT_MS, TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while collecting latencies", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("event loop did not hand over its latencies", e);
            }
        }
        return merged;
    }

    public static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }
}
