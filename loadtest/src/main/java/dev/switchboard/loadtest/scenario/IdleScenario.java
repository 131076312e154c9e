package dev.switchboard.loadtest.scenario;

import dev.switchboard.loadtest.Figure;
import dev.switchboard.loadtest.Series;
import dev.switchboard.loadtest.peer.Peer;
import dev.switchboard.loadtest.ws.WsClient;
import dev.switchboard.loadtest.ws.WsConnection;
import java.util.ArrayList;
import java.util.List;

/**
 * Idle: memory per idle subscribed connection at growing connection counts (each subscribed to one of 1,000
 * channels), from several loopback source addresses. For the JVM: live heap after a full GC ({@code jcmd
 * GC.class_histogram}, which collects fully first) and NMT committed, minus the same before any connection; for every server:
 * RSS of the process tree minus its baseline. Levels above what the open-files limit allows are skipped.
 */
public final class IdleScenario implements Scenario {
    private final int[] levels;
    private final int[] peerLevels;

    /** {@code levels} for Switchboard, {@code peerLevels} for the others (quick runs keep peers small). */
    public IdleScenario(int[] levels, int[] peerLevels) {
        this.levels = levels;
        this.peerLevels = peerLevels;
    }

    @Override
    public String id() {
        return "idle";
    }

    @Override
    public String title() {
        return "Idle: memory per idle subscribed connection";
    }

    @Override
    public boolean supports(Peer peer) {
        return true;
    }

    @Override
    public boolean nmt() {
        return true;
    }

    /**
     * The levels the open-files limit allows; when some are over it, the largest round level under it is
     * measured instead, so every run reports memory at the highest count this machine can hold.
     */
    static int[] feasible(int[] wanted, int maxConnections, Outcome out) {
        int cap = (maxConnections - 200) / 1000 * 1000;
        java.util.List<Integer> list = new java.util.ArrayList<>();
        boolean skipped = false;
        for (int level : wanted) {
            if (level <= cap) {
                list.add(level);
            } else {
                skipped = true;
            }
        }
        if (skipped) {
            out.note("idle: levels above " + cap + " skipped: the open-files limit is " + (maxConnections + 2000)
                    + " (ulimit -n; a container's hard limit cannot be raised) — measured at " + cap + " instead");
            if (cap > 0 && !list.contains(cap)) {
                list.add(cap);
            }
        }
        return list.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public void run(Target t, BenchContext ctx, Outcome out) throws Exception {
        int[] mine = feasible(t.peer().jvm() ? levels : peerLevels, ctx.maxConnections(), out);
        long settleMillis = ctx.smoke() ? 200 : 2000;
        // one connect/subscribe/close cycle first, so class loading, JIT and lazily built structures are in
        // the baseline rather than charged to the connections; then two full GCs
        int warm = Math.min(1000, Math.max(50, mine.length == 0 ? 0 : mine[0] / 10));
        WsClient.Opened warmup = ctx.client().openAll(t.port(), warm, 256, 60_000,
                i -> new WsConnection(t.protocol(), "127.0.0.1:" + t.port(), 900_000 + i, "idle" + (i % 1000), false,
                        null, WsConnection.NO_LISTENER));
        WsClient.closeAll(warmup.ready());
        Thread.sleep(settleMillis);
        if (t.process() != null) {
            t.process().liveHeapBytes();
        }
        long heap0 = t.process() == null ? -1 : t.process().liveHeapBytes();
        long nmt0 = t.process() == null ? -1 : t.process().nmtCommittedBytes();
        long rss0 = t.process() == null ? -1 : t.process().rssBytes();
        DeliveryStats stats = new DeliveryStats();
        List<WsConnection> all = new ArrayList<>();
        Series heapSeries = new Series("idle-memory", t.peer().label() + " live heap", "connections", "KiB per connection");
        Series rssSeries = new Series("idle-memory", t.peer().label() + " RSS", "connections", "KiB per connection");
        Series nmtSeries = new Series("idle-memory", t.peer().label() + " NMT committed", "connections", "KiB per connection");
        try {
            for (int level : mine) {
                int more = level - all.size();
                int base = all.size();
                WsClient.Opened opened = ctx.client().openAll(t.port(), more, 512, 300_000,
                        i -> new WsConnection(t.protocol(), "127.0.0.1:" + t.port(), base + i + 1,
                                "idle" + ((base + i) % 1000), false, null, stats));
                all.addAll(opened.ready());
                ctx.log("idle: %d connections open (+%d in %.1f s, %d failed%s)", all.size(), opened.ready().size(),
                        opened.seconds(), opened.failed(), opened.failed() > 0 ? ": " + opened.firstError() : "");
                if (opened.failed() > 0) {
                    out.note("idle " + level + ": " + opened.failed() + " connections failed (" + opened.firstError() + ")");
                }
                Thread.sleep(settleMillis);
                int open = (int) all.stream().filter(WsConnection::isOpen).count();
                if (open == 0 || t.process() == null) {
                    continue;
                }
                String k = "idle." + level + ".";
                String label = "Idle " + String.format("%,d", level) + ": ";
                long rss = t.process().rssBytes();
                if (t.peer().jvm()) {
                    long heap = t.process().liveHeapBytes();
                    long nmt = t.process().nmtCommittedBytes();
                    rss = t.process().rssBytes();
                    double heapPer = (heap - heap0) / 1024.0 / open;
                    out.figure(new Figure(k + "heap", label + "live heap per connection", "KiB", false, heapPer, false,
                            open + " open"));
                    heapSeries.add(open, heapPer);
                    if (nmt > 0 && nmt0 > 0) {
                        double nmtPer = (nmt - nmt0) / 1024.0 / open;
                        out.figure(new Figure(k + "nmt", label + "NMT committed per connection", "KiB", false, nmtPer,
                                false, null));
                        nmtSeries.add(open, nmtPer);
                    }
                    ctx.log("idle: %d open: live heap %.2f KiB/conn, NMT %.2f KiB/conn, RSS %.2f KiB/conn", open,
                            heapPer, nmt > 0 ? (nmt - nmt0) / 1024.0 / open : Double.NaN, (rss - rss0) / 1024.0 / open);
                } else {
                    ctx.log("idle: %d open: RSS %.2f KiB/conn", open, (rss - rss0) / 1024.0 / open);
                }
                double rssPer = (rss - rss0) / 1024.0 / open;
                out.figure(new Figure(k + "rss", label + "RSS per connection", "KiB", false, rssPer, false,
                        t.peer().jvm() ? "JVM RSS includes heap the GC keeps committed" : null));
                rssSeries.add(open, rssPer);
            }
        } finally {
            stats.stopCountingCloses();
            WsClient.closeAll(all);
        }
        if (!heapSeries.points().isEmpty()) {
            out.series.add(heapSeries);
        }
        if (!nmtSeries.points().isEmpty()) {
            out.series.add(nmtSeries);
        }
        if (!rssSeries.points().isEmpty()) {
            out.series.add(rssSeries);
        }
        Thread.sleep(ctx.smoke() ? 100 : 1000);
    }
}
