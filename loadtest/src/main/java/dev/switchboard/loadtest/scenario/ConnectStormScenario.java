package dev.switchboard.loadtest.scenario;

import dev.switchboard.loadtest.Cpu;
import dev.switchboard.loadtest.Figure;
import dev.switchboard.loadtest.Jwt;
import dev.switchboard.loadtest.peer.Peer;
import dev.switchboard.loadtest.peer.SwitchboardProtocol;
import dev.switchboard.loadtest.ws.WsClient;
import dev.switchboard.loadtest.ws.WsConnection;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * Connect storm: as many authenticated handshakes + subscribes per second as the server completes, with
 * {@code window} attempts in flight. For Switchboard every connection carries its own HS256 JWT (signed
 * before the clock starts) that the server verifies; the other servers authenticate as their protocol does
 * (see {@code PeerProtocol#authNote}). A storm's connections stay open until it ends, then close.
 * Warm-up storms run first until the rate settles ({@link #warmUp}); then three measured storms, of which the
 * median (by rate) is reported — on a shared two-core machine single storms vary by ±30 %.
 */
public final class ConnectStormScenario implements Scenario {
    private static final int MEASURED_ROUNDS = 3;
    private final int connections;
    private final int window;

    public ConnectStormScenario(int connections, int window) {
        this.connections = connections;
        this.window = window;
    }

    @Override
    public String id() {
        return "storm";
    }

    @Override
    public String title() {
        return "Connect storm: authenticated handshake + subscribe";
    }

    @Override
    public boolean supports(Peer peer) {
        return true;
    }

    @Override
    public void run(Target t, BenchContext ctx, Outcome out) throws Exception {
        List<String> warmRates = warmUp(t, ctx);
        int n = Math.min(connections, ctx.maxConnections() - 100);
        int rounds = ctx.smoke() ? 1 : MEASURED_ROUNDS;
        List<Round> measured = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            List<String> tokens = tokens(t, n, "s" + r); // signed before the clock starts
            Cpu cpu = Cpu.sample(t.process(), ctx);
            WsClient.Opened opened = storm(t, ctx, tokens, "s" + r);
            Cpu.Usage usage = cpu.since();
            WsClient.closeAll(opened.ready());
            Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(120), 3);
            for (WsConnection c : opened.ready()) {
                h.recordValue(Math.min(h.getHighestTrackableValue(), (c.readyNanos - c.startedNanos) / 1000));
            }
            measured.add(new Round(opened, usage, h));
            ctx.log("storm %d: %d/%d ready in %.2f s = %.0f/s, p50 %.1f p99 %.1f ms, %s", r, opened.ready().size(), n,
                    opened.seconds(), opened.rate(), h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0, usage);
            Thread.sleep(ctx.smoke() ? 50 : 500);
        }
        List<Round> byRate = measured.stream().sorted(Comparator.comparingDouble(m -> m.opened().rate())).toList();
        Round median = byRate.get(byRate.size() / 2);
        WsClient.Opened opened = median.opened();
        Cpu.Usage usage = median.usage();
        Histogram h = median.latency();
        double rate = opened.rate();
        boolean gb = usage.generatorSaturated();
        String note = t.protocol().authNote() + String.format(
                "; %d connections, %d in flight; median of %d storms (%s/s) after warm-up storms at %s/s", n, window,
                rounds, measured.stream().map(m -> String.format("%.0f", m.opened().rate())).collect(Collectors.joining(", ")),
                String.join(", ", warmRates));
        if (opened.failed() > 0) {
            note += "; " + opened.failed() + " failed (" + opened.firstError() + ")";
        }
        out.figure(new Figure("storm.rate", "Connect storm: handshakes+subscribes", "/s", true, rate, gb, note).during(usage));
        if (!Double.isNaN(usage.server()) && usage.server() > 0.02) {
            out.figure(new Figure("storm.per_core", "Connect storm: handshakes per server CPU-second", "/s/core", true,
                    rate / usage.server(), gb, null).during(usage));
        }
        out.figure(new Figure("storm.p99", "Connect storm: p99 handshake+subscribe", "ms", false,
                h.getValueAtPercentile(99) / 1000.0, gb, null).during(usage));
    }

    /** One measured storm: what opened, the CPU it took, and the connect→subscribed latencies. */
    private record Round(WsClient.Opened opened, Cpu.Usage usage, Histogram latency) {
    }

    /**
     * Warm-up storms until the rate settles: a JVM server compiles its handshake path only after tens of thousands
     * of connections (on one core C2 was still taking a quarter of the CPU after 40,000), and the generator warms
     * up with it. A round is {@code min(connections, 5000)} connections, opened then closed, with a pause for the
     * server to finish the closes; at least eight rounds, then until the last three agree within 15 %, within a
     * time budget. Every server gets the same treatment.
     */
    private List<String> warmUp(Target t, BenchContext ctx) throws InterruptedException {
        int size = ctx.smoke() ? connections : Math.min(connections, 5000);
        int minRounds = ctx.smoke() ? 1 : 8;
        long budget = System.nanoTime() + TimeUnit.SECONDS.toNanos(ctx.smoke() ? 5 : ctx.quick() ? 30 : 60);
        List<Double> rates = new ArrayList<>();
        while (true) {
            String tag = "w" + rates.size();
            WsClient.Opened w = storm(t, ctx, tokens(t, size, tag), tag);
            WsClient.closeAll(w.ready());
            rates.add(w.rate());
            Thread.sleep(ctx.smoke() ? 50 : 300);
            if (rates.size() >= minRounds && settled(rates.subList(Math.max(0, rates.size() - 3), rates.size()))
                    || System.nanoTime() > budget || w.ready().isEmpty()) {
                break;
            }
        }
        List<String> shown = rates.stream().map(r -> String.format("%.0f", r)).toList();
        ctx.log("storm warm-up: %s /s", String.join(", ", shown));
        return shown;
    }

    private static boolean settled(List<Double> lastRates) {
        double min = lastRates.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double max = lastRates.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return max <= 1.15 * min;
    }

    /** One token per connection for Switchboard (each verified by the server); nulls for the other servers. */
    private static List<String> tokens(Target t, int n, String tag) {
        boolean jwt = t.protocol() instanceof SwitchboardProtocol;
        List<String> tokens = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tokens.add(jwt ? Jwt.sign(SwitchboardProtocol.SECRET_KEY_ID, SwitchboardProtocol.SECRET, "u" + tag + i) : null);
        }
        return tokens;
    }

    /** Opens one connection per token, each subscribing to a channel of its own ({@code storm<tag><i>}). */
    private WsClient.Opened storm(Target t, BenchContext ctx, List<String> tokens, String tag)
            throws InterruptedException {
        return ctx.client().openAll(t.port(), tokens.size(), window, 120_000,
                i -> new WsConnection(t.protocol(), "127.0.0.1:" + t.port(), i + 1, "storm" + tag + i, false,
                        tokens.get(i), WsConnection.NO_LISTENER));
    }
}
