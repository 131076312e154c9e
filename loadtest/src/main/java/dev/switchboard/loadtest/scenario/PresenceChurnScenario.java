package dev.switchboard.loadtest.scenario;

import dev.switchboard.loadtest.Cpu;
import dev.switchboard.loadtest.Figure;
import dev.switchboard.loadtest.Series;
import dev.switchboard.loadtest.peer.Peer;
import dev.switchboard.loadtest.ws.WsClient;
import dev.switchboard.loadtest.ws.WsConnection;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Presence churn: a room of {@code members} presence-subscribed connections, and a pool of churners that
 * join and leave it. Each join or leave should reach every member as a presence event; a step at a given
 * joins+leaves per second passes when at least 95% of those events arrived by one second after the step
 * (a backlog longer than that fails it). Steps double from 50/s until one fails.
 */
public final class PresenceChurnScenario implements Scenario {
    private static final String ROOM = "lobby";
    private final int members;
    private final int churners;

    public PresenceChurnScenario(int members, int churners) {
        this.members = members;
        this.churners = churners;
    }

    @Override
    public String id() {
        return "churn";
    }

    @Override
    public String title() {
        return "Presence churn: members joining and leaving a " + members + "-member room";
    }

    @Override
    public boolean supports(Peer peer) {
        return peer.presenceCapable();
    }

    @Override
    public boolean presence() {
        return true;
    }

    @Override
    public void run(Target t, BenchContext ctx, Outcome out) throws Exception {
        double stepSeconds = ctx.smoke() ? 0.5 : ctx.quick() ? 1.5 : 4;
        int maxSteps = ctx.smoke() ? 2 : ctx.quick() ? 8 : 10;
        DeliveryStats memberStats = new DeliveryStats();
        WsClient.Opened room = ctx.client().openAll(t.port(), members, 128, 120_000,
                i -> new WsConnection(t.protocol(), "127.0.0.1:" + t.port(), i + 1, ROOM, false, null, memberStats));
        if (room.ready().isEmpty()) {
            out.error = "no member could join: " + room.firstError();
            return;
        }
        DeliveryStats churnStats = new DeliveryStats();
        WsClient.Opened pool = ctx.client().openAll(t.port(), churners, 64, 60_000,
                i -> new WsConnection(t.protocol(), "127.0.0.1:" + t.port(), 100_000 + i, null, false, null, churnStats));
        List<WsConnection> roomConns = room.ready();
        List<WsConnection> churnConns = pool.ready();
        ctx.log("churn: %d members, %d churners ready", roomConns.size(), churnConns.size());
        if (churnConns.isEmpty()) {
            out.error = "no churner could connect: " + pool.firstError();
            WsClient.closeAll(roomConns);
            return;
        }
        // let the join storm of the room itself settle
        waitQuiet(memberStats.presence, ctx.smoke() ? 200 : 1000, 30_000);

        boolean[] joined = new boolean[churnConns.size()];
        LongAdder ops = new LongAdder();
        double[] rate = {0};
        int[] cursor = {0};
        long[] t0 = {System.nanoTime(), 0};
        EventLoop loop = churnConns.get(0).channel().eventLoop();
        ScheduledFuture<?> task = loop.scheduleAtFixedRate(() -> {
            long due = (long) (rate[0] * (System.nanoTime() - t0[0]) / 1e9) - t0[1];
            for (; due > 0; due--) {
                int k = cursor[0]++ % churnConns.size();
                WsConnection c = churnConns.get(k);
                if (!c.isOpen()) {
                    continue;
                }
                if (joined[k]) {
                    t.protocol().leave(c, ROOM);
                } else {
                    t.protocol().join(c, ROOM);
                }
                joined[k] = !joined[k];
                ops.increment();
                t0[1]++;
            }
        }, 5, 5, TimeUnit.MILLISECONDS);

        Series series = new Series("churn", t.peer().label(), "joins+leaves/s offered", "presence events delivered/s");
        double best = 0;
        boolean failed = false;
        boolean bestGeneratorBound = false;
        double at50 = Double.NaN;
        Cpu.Usage firstUsage = null;
        double r = 50;
        int receivers = roomConns.size();
        for (int step = 0; step < maxSteps; step++) {
            double stepRate = r;
            loop.execute(() -> {
                rate[0] = stepRate;
                t0[0] = System.nanoTime();
                t0[1] = 0;
            });
            long p0 = memberStats.presence.sum();
            long o0 = ops.sum();
            Cpu cpu = Cpu.sample(t.process(), ctx);
            Thread.sleep((long) (stepSeconds * 1000));
            Cpu.Usage usage = cpu.since();
            loop.execute(() -> rate[0] = 0);
            long stepOps = ops.sum() - o0;
            waitQuiet(memberStats.presence, 300, 1_000);
            long got = memberStats.presence.sum() - p0;
            double expected = (double) stepOps * (receivers - memberStats.closed.get());
            double ratio = got / Math.max(1, expected);
            series.add(stepOps / stepSeconds, got / stepSeconds);
            ctx.log("churn: %.0f ops/s → %d ops, %d/%.0f events (%.1f%%) %s", r, stepOps, got, expected, ratio * 100, usage);
            if (step == 0) {
                at50 = ratio;
                firstUsage = usage;
            }
            if (ratio < 0.95 || memberStats.closed.get() > 0) {
                failed = true;
                waitQuiet(memberStats.presence, 500, 20_000); // let the backlog go before closing
                break;
            }
            best = stepOps / stepSeconds;
            bestGeneratorBound = usage.generatorSaturated();
            r *= 2;
        }
        task.cancel(false);
        out.figure(new Figure("churn.max", "Presence churn: joins+leaves/s without backlog", "/s", true, best, bestGeneratorBound,
                receivers + "-member room; each op fans out to every member"
                        + (failed ? "" : "; no backlog up to the last step (limit of the ramp)")).during(firstUsage));
        out.figure(new Figure("churn.at50", "Presence churn: events delivered at 50/s", "%", true, at50 * 100, false,
                "within 1 s after the step").during(firstUsage));
        out.series.add(series);
        memberStats.stopCountingCloses();
        churnStats.stopCountingCloses();
        WsClient.closeAll(churnConns);
        WsClient.closeAll(roomConns);
        Thread.sleep(ctx.smoke() ? 100 : 1000);
    }

    /** Waits until {@code counter} has not moved for {@code quietMillis}, at most {@code maxMillis}. */
    static void waitQuiet(LongAdder counter, long quietMillis, long maxMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
        long last = counter.sum();
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(50);
            long now = counter.sum();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= TimeUnit.MILLISECONDS.toNanos(quietMillis)) {
                return;
            }
        }
    }
}
