package dev.switchboard.loadtest.scenario;

import dev.switchboard.loadtest.Cpu;
import dev.switchboard.loadtest.Figure;
import dev.switchboard.loadtest.Jwt;
import dev.switchboard.loadtest.peer.Peer;
import dev.switchboard.loadtest.peer.SwitchboardProtocol;
import dev.switchboard.loadtest.ws.WsClient;
import dev.switchboard.loadtest.ws.WsConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Connect storm: as many authenticated handshakes + subscribes per second as the server completes, with
 * {@code window} attempts in flight. For Switchboard every connection carries its own HS256 JWT (signed
 * before the clock starts) that the server verifies; the other servers authenticate as their protocol does
 * (see {@code PeerProtocol#authNote}). Connections stay open until the end (no TIME_WAIT churn), then close.
 * A short warm-up storm runs first.
 */
public final class ConnectStormScenario implements Scenario {
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
        int warm = Math.min(connections / 4, 2000);
        storm(t, ctx, warm, "w", null);
        Thread.sleep(ctx.smoke() ? 100 : 1000);
        int n = Math.min(connections, ctx.maxConnections() - 100);
        Histogram h = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
        Cpu cpu = Cpu.sample(t.process(), ctx);
        WsClient.Opened opened = storm(t, ctx, n, "s", h);
        Cpu.Usage usage = cpu.since();
        double rate = opened.ready().size() / opened.seconds();
        ctx.log("storm: %d/%d ready in %.2f s = %.0f/s, p50 %.1f p99 %.1f ms, %s", opened.ready().size(), n,
                opened.seconds(), rate, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                usage);
        boolean gb = usage.generatorSaturated();
        String note = t.protocol().authNote() + String.format("; %d connections, %d in flight", n, window);
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
        Thread.sleep(ctx.smoke() ? 100 : 1000);
    }

    private WsClient.Opened storm(Target t, BenchContext ctx, int n, String tag, Histogram latency)
            throws InterruptedException {
        List<String> tokens = new ArrayList<>(n);
        boolean jwt = t.protocol() instanceof SwitchboardProtocol;
        for (int i = 0; i < n; i++) {
            tokens.add(jwt ? Jwt.sign(SwitchboardProtocol.SECRET_KEY_ID, SwitchboardProtocol.SECRET, "u" + tag + i) : null);
        }
        WsConnection.Listener recordLatency = WsConnection.NO_LISTENER;
        WsClient.Opened opened = ctx.client().openAll(t.port(), n, window, 120_000, i -> {
            WsConnection c = new WsConnection(t.protocol(), "127.0.0.1:" + t.port(), i + 1, "storm" + tag + i, false,
                    tokens.get(i), recordLatency);
            if (latency != null) {
                c.ready().thenAccept(x -> {
                    synchronized (latency) {
                        latency.recordValue(Math.min(latency.getHighestTrackableValue(),
                                (System.nanoTime() - x.startedNanos) / 1000));
                    }
                });
            }
            return c;
        });
        WsClient.closeAll(opened.ready());
        return opened;
    }
}
