package dev.switchboard.loadtest.scenario;

import dev.switchboard.loadtest.Cpu;
import dev.switchboard.loadtest.Figure;
import dev.switchboard.loadtest.Series;
import dev.switchboard.loadtest.peer.Peer;
import dev.switchboard.loadtest.ws.WsClient;
import dev.switchboard.loadtest.ws.WsConnection;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Fan-out: N subscribers on one channel (or spread over several, {@link Shape}), one publisher (or several
 * sharing the rate) whose rate ramps up (×1.5 per step) until a backlog
 * builds — deliveries fall below 90% of what was offered, the median latency passes 100 ms and twice the
 * first step's, the publisher's socket stops being writable, or the server closes subscribers — on two steps
 * in a row (one noisy step on a shared machine does not end the ramp) or once with deliveries below 60%. Reports the ceiling (highest
 * delivered msg/s of any step) and then the latency percentiles in a steady run at half of that ceiling,
 * after the backlog drained and a second of warm-up at that rate.
 */
public final class FanoutScenario implements Scenario {
    private static final double SATURATION_RATIO = 0.90;
    private static final double SEVERE_RATIO = 0.60;
    private static final double SATURATION_P50_MS = 100;
    /**
     * A median above 100 ms only counts as a backlog once it is also this many times the first step's: with
     * 10,000 subscribers one message takes tens of milliseconds to reach them all even at the lowest rate.
     */
    private static final double BASELINE_P50_FACTOR = 2;
    /**
     * The step compared at equal load: the eleventh, 20,000 × 1.5¹⁰ ≈ 1.15M deliveries/s offered for every server
     * and every N. Generator-bound ceilings compare the generator's cost of reading each protocol as much as the
     * servers; the server CPU per delivery at one offered rate that both sides keep up with compares the servers.
     */
    private static final int REFERENCE_STEP = 10;

    /**
     * How the load is laid out: N subscribers spread over {@code channels} channels, each with
     * {@code publishersPerChannel} publishers sharing the ramp's publish rate. With one event loop per core,
     * several publishers on one channel contend for its room lock from different loops, and publishers on
     * different channels for the app-wide counters only.
     *
     * @param id the scenario id and the prefix of its figure keys
     * @param label the prefix of its figure labels
     */
    public record Shape(String id, String title, String label, int channels, int publishersPerChannel,
                        String channelPrefix) {
        public Shape {
            if (channels < 1 || publishersPerChannel < 1) {
                throw new IllegalArgumentException("at least one channel and one publisher per channel");
            }
        }

        int publishers() {
            return channels * publishersPerChannel;
        }
    }

    /** The classic fan-out: one publisher, one channel. */
    public static final Shape ONE_PUBLISHER = new Shape("fanout", "Fan-out: one publisher, one channel, N subscribers",
            "Fan-out", 1, 1, "fan");
    /**
     * The classic fan-out on a channel with history (Switchboard's {@code hist-*} rule: every message appended to
     * its stream and sent with its offset; each recipient's writes confirmed by a ping per drain; on a cluster
     * every publish one Lua script in Redis, the publisher read again once its own node delivered it): against
     * {@link #ONE_PUBLISHER}, what history costs.
     */
    public static final Shape HISTORY = new Shape("fanout-history",
            "Fan-out with history: one publisher, one channel with history, N subscribers", "Fan-out, history on",
            1, 1, "hist-fan");
    /** Eight publishers on one channel: its room lock taken from every event loop. */
    public static final Shape FAN_IN = new Shape("fanin", "Fan-in: 8 publishers on one channel, N subscribers",
            "Fan-in (8 publishers)", 1, 8, "fan");
    /** Eight channels with a publisher each, the subscribers spread over them: no shared room. */
    public static final Shape ROOMS = new Shape("rooms", "Rooms: 8 channels with a publisher each, N subscribers across them",
            "Rooms (8 channels)", 8, 1, "fan");

    private final Shape shape;
    private final int[] subscriberCounts;

    public FanoutScenario(int... subscriberCounts) {
        this(ONE_PUBLISHER, subscriberCounts);
    }

    public FanoutScenario(Shape shape, int... subscriberCounts) {
        this.shape = shape;
        this.subscriberCounts = subscriberCounts;
    }

    @Override
    public String id() {
        return shape.id();
    }

    @Override
    public String title() {
        return shape.title();
    }

    @Override
    public boolean supports(Peer peer) {
        return shape != HISTORY || peer.jvm(); // history is Switchboard's (one node, or two on Redis with --cluster)
    }

    @Override
    public void run(Target t, BenchContext ctx, Outcome out) throws Exception {
        for (int n : subscriberCounts) {
            if (n + shape.publishers() + 10 > ctx.maxConnections()) {
                out.note(shape.id() + " " + n + ": skipped, open-files limit allows " + ctx.maxConnections());
                continue;
            }
            runOnce(t, ctx, out, n);
        }
    }

    /** The name of channel {@code index} of the run with {@code n} subscribers. */
    private String channel(int n, int index) {
        return shape.channels() == 1 ? shape.channelPrefix() + n : shape.channelPrefix() + n + "-" + index;
    }

    /** One {@link Pacer} per publisher, sharing a total publish rate evenly. */
    private static final class Pacers {
        private final List<Pacer> pacers = new ArrayList<>();

        Pacers(List<WsConnection> publishers, dev.switchboard.loadtest.peer.PeerProtocol protocol) {
            for (WsConnection publisher : publishers) {
                pacers.add(new Pacer(publisher, protocol.publishTemplate(publisher.channel)));
            }
        }

        void start() {
            pacers.forEach(Pacer::start);
        }

        /** All publishers together publish {@code perSecond}. */
        void rate(double perSecond) {
            pacers.forEach(p -> p.rate(perSecond / pacers.size()));
        }

        long sent() {
            return pacers.stream().mapToLong(Pacer::sent).sum();
        }

        long blocked() {
            return pacers.stream().mapToLong(Pacer::blocked).sum();
        }

        void stop() {
            pacers.forEach(Pacer::stop);
        }
    }

    private void runOnce(Target t, BenchContext ctx, Outcome out, int n) throws Exception {
        boolean smoke = ctx.smoke();
        double warmSeconds = smoke ? 0.5 : ctx.quick() ? 2 : 5;
        double stepSeconds = smoke ? 0.4 : ctx.quick() ? 1.25 : 3;
        int maxSteps = smoke ? 3 : ctx.quick() ? 17 : 18;
        double halfSeconds = smoke ? 0.5 : ctx.quick() ? 3 : 6;
        int channels = shape.channels();
        String name = shape.id() + " " + n;
        DeliveryStats stats = new DeliveryStats();
        WsClient client = ctx.client();

        WsClient.Opened subs = client.openAll(t.port(), n, 256, 120_000,
                i -> new WsConnection(t.protocol(), "127.0.0.1:" + t.port(), i + 1, channel(n, i % channels), false,
                        null, stats));
        if (subs.ready().isEmpty()) {
            out.note(name + ": no subscriber could connect (" + subs.firstError() + ")");
            return;
        }
        if (subs.failed() > 0) {
            out.note(name + ": " + subs.failed() + " subscribers failed to connect (" + subs.firstError() + ")");
        }
        // publisher j publishes to channel j % channels; its id (past the subscribers') marks its messages
        int publishPort = t.publishPort();
        WsClient.Opened pubs = client.openAll(publishPort, shape.publishers(), shape.publishers(), 10_000,
                j -> new WsConnection(t.protocol(), "127.0.0.1:" + publishPort, n + 1 + j, channel(n, j % channels),
                        true, null, WsConnection.NO_LISTENER));
        if (pubs.ready().size() < shape.publishers()) {
            out.note(name + ": publishers could not connect (" + pubs.firstError() + ")");
            WsClient.closeAll(pubs.ready());
            WsClient.closeAll(subs.ready());
            return;
        }
        int ready = subs.ready().size();
        ctx.log("%s: %d subscribers ready in %.1f s", name, ready, subs.seconds());
        Thread.sleep(smoke ? 200 : 700);

        Pacers pacer = new Pacers(pubs.ready(), t.protocol());
        pacer.start();
        double rate = Math.max(1, 20_000.0 / (ready / (double) channels));
        pacer.rate(rate);
        Thread.sleep((long) (warmSeconds * 1000));
        stats.interval();

        Series delivered = new Series(shape.id() + "-" + n + "-throughput", t.peer().label(),
                "offered deliveries/s", "delivered msg/s");
        Series p50 = new Series(shape.id() + "-" + n + "-latency", t.peer().label() + " p50", "offered deliveries/s", "ms");
        Series p99 = new Series(shape.id() + "-" + n + "-latency", t.peer().label() + " p99", "offered deliveries/s", "ms");
        // server CPU time per delivery: falls as the server writes several frames per socket write under load
        Series cost = new Series(shape.id() + "-" + n + "-cost", t.peer().label(), "offered deliveries/s",
                "server CPU µs per delivery");
        double ceiling = 0;
        double ceilingRate = rate;
        boolean ceilingGeneratorBound = false;
        double ceilingServerCpu = Double.NaN;
        Cpu.Usage ceilingUsage = null;
        boolean saturated = false;
        double baselineP50 = Double.NaN;
        boolean stop = false;
        int strikes = 0;
        List<String> steps = new ArrayList<>();
        double referenceOffered = Double.NaN;
        double referencePerCore = Double.NaN;
        Cpu.Usage referenceUsage = null;
        for (int step = 0; step < maxSteps && !stop; step++) {
            long d0 = stats.delivered();
            long s0 = pacer.sent();
            long b0 = pacer.blocked();
            Cpu cpu = Cpu.sample(t.process(), ctx);
            long w0 = System.nanoTime();
            pacer.rate(rate);
            Thread.sleep((long) (stepSeconds * 1000));
            double secs = (System.nanoTime() - w0) / 1e9;
            Cpu.Usage usage = cpu.since();
            long sent = pacer.sent() - s0;
            long blocked = pacer.blocked() - b0;
            int receivers = ready - stats.closed.get();
            double perPublish = receivers / (double) channels; // subscribers one publish reaches
            double offered = rate * perPublish;
            double got = (stats.delivered() - d0) / secs;
            Histogram h = stats.interval();
            double q99 = DeliveryStats.ms(h, 99);
            double ratio = got / Math.max(1, sent * perPublish / secs);
            if (step == 0) {
                baselineP50 = DeliveryStats.ms(h, 50);
            }
            double p50Limit = Double.isNaN(baselineP50) ? SATURATION_P50_MS
                    : Math.max(SATURATION_P50_MS, BASELINE_P50_FACTOR * baselineP50);
            saturated = ratio < SATURATION_RATIO || DeliveryStats.ms(h, 50) > p50Limit
                    || blocked > 0.05 * (sent + blocked) || stats.closed.get() > 0;
            strikes = saturated ? strikes + 1 : 0;
            stop = strikes >= 2 || ratio < SEVERE_RATIO || stats.closed.get() > 0;
            delivered.add(offered, got);
            p50.add(offered, DeliveryStats.ms(h, 50));
            p99.add(offered, q99);
            if (!Double.isNaN(usage.server()) && got > 0) {
                cost.add(offered, usage.server() * 1e6 / got);
            }
            steps.add(String.format("%.0f/s→%.0f/s (p99 %.1f ms, %s)", offered, got, q99, usage));
            ctx.log("%s: publish %.0f/s offered %.0f/s delivered %.0f/s p50 %.2f p99 %.2f ms blocked %d closed %d %s%s",
                    name, rate, offered, got, DeliveryStats.ms(h, 50), q99, blocked, stats.closed.get(), usage,
                    saturated ? " SATURATED" : "");
            if (step == REFERENCE_STEP && !saturated && usage.server() > 0.02) {
                referenceOffered = offered;
                referencePerCore = got / usage.server();
                referenceUsage = usage;
            }
            if (got > ceiling) {
                ceiling = got;
                ceilingRate = rate;
                ceilingGeneratorBound = usage.generatorSaturated();
                ceilingServerCpu = usage.server();
                ceilingUsage = usage;
            }
            rate *= 1.5;
        }
        // drain, then count what never arrived as backlog
        pacer.rate(0);
        long expected = (long) (pacer.sent() * (ready - stats.closed.get()) / (double) channels);
        long drainDeadline = System.nanoTime() + 5_000_000_000L;
        long last = -1;
        while (System.nanoTime() < drainDeadline) {
            Thread.sleep(250);
            long now = stats.delivered();
            if (now == last) {
                break;
            }
            last = now;
        }
        long backlog = Math.max(0, expected - stats.delivered());

        // steady run at half the ceiling for the latency figures, if any subscriber is left to measure it on
        long open = ready - stats.closed.get();
        Histogram half = null;
        Cpu.Usage halfUsage = null;
        double halfGot = Double.NaN;
        if (open > 0) {
            double halfRate = Math.max(1, ceiling / 2 / Math.max(1, open / (double) channels));
            pacer.rate(halfRate);
            Thread.sleep(smoke ? 200 : 1000);
            stats.interval();
            long d0 = stats.delivered();
            Cpu cpu = Cpu.sample(t.process(), ctx);
            long w0 = System.nanoTime();
            Thread.sleep((long) (halfSeconds * 1000));
            halfUsage = cpu.since();
            halfGot = (stats.delivered() - d0) / ((System.nanoTime() - w0) / 1e9);
            half = stats.interval();
            ctx.log("%s: ceiling %.0f msg/s; at half (%.0f pub/s): delivered %.0f/s p50 %.2f p99 %.2f p99.9 %.2f ms %s",
                    name, ceiling, halfRate, halfGot, DeliveryStats.ms(half, 50), DeliveryStats.ms(half, 99),
                    DeliveryStats.ms(half, 99.9), halfUsage);
        } else {
            ctx.log("%s: ceiling %.0f msg/s; every subscriber was closed, nothing to measure at half", name, ceiling);
        }
        pacer.stop();

        String k = shape.id() + "." + n + ".";
        String label = shape.label() + " " + String.format("%,d", n) + " subs: ";
        String capNote = stop ? "backlog reached" : "no backlog up to the last step (limit of the ramp)";
        if (stats.closed.get() > 0) {
            capNote += "; " + stats.closed.get() + " subscribers closed by the server";
        }
        out.figure(new Figure(k + "ceiling", label + "ceiling", "msg/s", true, ceiling, ceilingGeneratorBound,
                capNote + String.format("; at %.0f publishes/s", ceilingRate)).during(ceilingUsage));
        if (!Double.isNaN(ceilingServerCpu) && ceilingServerCpu > 0.02) {
            out.figure(new Figure(k + "per_core", label + "deliveries per server CPU-second at ceiling", "msg/s/core",
                    true, ceiling / ceilingServerCpu, ceilingGeneratorBound,
                    String.format("server CPU %.0f%% of one core at the ceiling step", ceilingServerCpu * 100))
                    .during(ceilingUsage));
        }
        if (!Double.isNaN(referencePerCore)) {
            out.figure(new Figure(k + "per_core_at_ref", label + "deliveries per server CPU-second at "
                    + String.format("%.2fM", referenceOffered / 1e6) + "/s offered (equal load)", "msg/s/core", true,
                    referencePerCore, referenceUsage.generatorSaturated(),
                    String.format("server CPU %.0f%% at this step", referenceUsage.server() * 100))
                    .during(referenceUsage));
        } else {
            out.note(name + ": no figure at equal load — the server saturated before step "
                    + (REFERENCE_STEP + 1) + " or its CPU is not known");
        }
        if (half != null) {
            Cpu.Usage usage = halfUsage;
            out.figure(new Figure(k + "half.p50", label + "p50 at ½ ceiling", "ms", false, DeliveryStats.ms(half, 50),
                    usage.generatorSaturated(), String.format("%.0f deliveries/s", halfGot)).during(usage));
            out.figure(new Figure(k + "half.p99", label + "p99 at ½ ceiling", "ms", false, DeliveryStats.ms(half, 99),
                    usage.generatorSaturated(), Double.isNaN(usage.server()) ? null
                            : String.format("server CPU %.0f%%, generator CPU %.0f%% at this rate",
                                    usage.server() * 100, usage.generator() * 100)).during(usage));
            out.figure(new Figure(k + "half.p999", label + "p99.9 at ½ ceiling", "ms", false,
                    DeliveryStats.ms(half, 99.9), usage.generatorSaturated(), null).during(usage));
        } else {
            out.note(name + ": no latency at ½ ceiling — the server closed every subscriber at the last step of the "
                    + "ramp (slow consumers; a cluster has no back-pressure across nodes: docs/scale-out.md)");
        }
        out.figure(new Figure(k + "backlog", label + "undelivered after ramp", "msgs", false, backlog, false,
                "counted as backlog, not loss"));
        out.series.add(delivered);
        out.series.add(p50);
        out.series.add(p99);
        out.series.add(cost);
        out.note(name + " steps: " + String.join("; ", steps));

        stats.stopCountingCloses();
        WsClient.closeAll(pubs.ready());
        WsClient.closeAll(subs.ready());
        Thread.sleep(smoke ? 100 : 1000);
    }
}
