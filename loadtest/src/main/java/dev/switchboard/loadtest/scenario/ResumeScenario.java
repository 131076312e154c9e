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

/**
 * What a gapless resume costs (docs/history.md): {@code subscribers} JWT connections of one channel drop their TCP
 * connections, {@code missed} messages are published, and all reconnect with the same peerIds and subscribe again,
 * as the official SDK does. On a {@code hist-*} channel each resubscribe replays what its connection missed; on a
 * plain channel (the baseline) it replays nothing. The figures are the time until every connection is back with
 * everything it missed, and the server's CPU over that time for both, so their difference is the replay's cost.
 */
public final class ResumeScenario implements Scenario {
    private final int subscribers;
    private final int missed;

    public ResumeScenario(int subscribers, int missed) {
        this.subscribers = subscribers;
        this.missed = missed;
    }

    @Override
    public String id() {
        return "resume";
    }

    @Override
    public String title() {
        return "Resume: " + subscribers + " connections drop, " + missed + " messages later all come back";
    }

    @Override
    public boolean supports(Peer peer) {
        return peer.jvm() && !peer.cluster(); // history is Switchboard's, on one node
    }

    @Override
    public void run(Target t, BenchContext ctx, Outcome out) throws Exception {
        for (String channel : new String[] {"plain-resume", "hist-resume"}) {
            boolean history = channel.startsWith("hist-");
            String host = "127.0.0.1:" + t.port();
            List<String> tokens = new ArrayList<>();
            for (int i = 0; i < subscribers; i++) {
                tokens.add(Jwt.sign(SwitchboardProtocol.SECRET_KEY_ID, SwitchboardProtocol.SECRET,
                        channel + "-" + i));
            }
            DeliveryStats before = new DeliveryStats();
            WsClient.Opened first = ctx.client().openAll(t.port(), subscribers, 256, 120_000,
                    i -> new WsConnection(t.protocol(), host, i + 1, channel, false, tokens.get(i), before));
            DeliveryStats witnessed = new DeliveryStats();
            WsClient.Opened witness = ctx.client().openAll(t.port(), 1, 1, 10_000,
                    i -> new WsConnection(t.protocol(), host, subscribers + 1, channel, false, null, witnessed));
            WsClient.Opened publisher = ctx.client().openAll(t.port(), 1, 1, 10_000,
                    i -> new WsConnection(t.protocol(), host, subscribers + 2, channel, true, null,
                            WsConnection.NO_LISTENER));
            if (first.ready().size() < subscribers || witness.ready().isEmpty() || publisher.ready().isEmpty()) {
                out.error = channel + ": connections failed: " + first.firstError();
                return;
            }
            before.stopCountingCloses();
            WsClient.closeAll(first.ready()); // the network drops: TCP closed, no WebSocket close
            Pacer pacer = new Pacer(publisher.ready().getFirst(), t.protocol().publishTemplate(channel));
            pacer.start();
            pacer.rate(2000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (pacer.sent() < missed && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            pacer.rate(0);
            while (witnessed.delivered() < pacer.sent() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long published = pacer.sent();
            pacer.stop();

            DeliveryStats after = new DeliveryStats();
            Cpu cpu = Cpu.sample(t.process(), ctx);
            long start = System.nanoTime();
            WsClient.Opened again = ctx.client().openAll(t.port(), subscribers, 256, 120_000,
                    i -> new WsConnection(t.protocol(), host, i + 1, channel, false, tokens.get(i), after));
            long expected = history ? published * again.ready().size() : 0;
            while (after.delivered() < expected && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(30)) {
                Thread.sleep(1);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            Cpu.Usage usage = cpu.since();
            ctx.log("resume %s: %d connections back in %.2f s with %d of %d missed messages %s", channel,
                    again.ready().size(), seconds, after.delivered(), expected, usage);
            String kind = history ? "history" : "plain";
            out.figure(new Figure("resume." + kind + ".seconds", "Resume of " + subscribers + " connections, "
                    + (history ? published + " missed messages each replayed" : "no history (baseline)"), "s", false,
                    seconds, usage.generatorSaturated(), after.delivered() + " messages replayed").during(usage));
            WsClient.closeAll(again.ready());
            WsClient.closeAll(witness.ready());
            WsClient.closeAll(publisher.ready());
            Thread.sleep(ctx.smoke() ? 100 : 1000);
        }
    }
}
