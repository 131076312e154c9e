package dev.switchboard.loadtest.scenario;

import dev.switchboard.loadtest.Cpu;
import dev.switchboard.loadtest.Figure;
import dev.switchboard.loadtest.Marker;
import dev.switchboard.loadtest.peer.Peer;
import dev.switchboard.loadtest.ws.WsClient;
import dev.switchboard.loadtest.ws.WsConnection;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Chat: many small rooms, every member publishing at a modest rate and receiving the others' messages.
 * Members are split into 100 slots; every 10 ms one slot publishes, so each member sends once a second
 * (times {@code perMemberPerSecond}) and the load is smooth. Deliveries to the sender itself (Centrifuge
 * echoes) are not counted.
 */
public final class ChatScenario implements Scenario {
    private static final int SLOTS = 100;
    private final int rooms;
    private final int members;
    private final int perMemberPerSecond;

    public ChatScenario(int rooms, int members, int perMemberPerSecond) {
        this.rooms = rooms;
        this.members = members;
        this.perMemberPerSecond = perMemberPerSecond;
    }

    @Override
    public String id() {
        return "chat";
    }

    @Override
    public String title() {
        return "Chat: " + rooms + " rooms × " + members + " members, everyone publishing";
    }

    @Override
    public boolean supports(Peer peer) {
        return peer.protocols().create(false).supportsChat();
    }

    @Override
    public void run(Target t, BenchContext ctx, Outcome out) throws Exception {
        int n = rooms * members;
        double warmSeconds = ctx.smoke() ? 0.5 : ctx.quick() ? 2 : 5;
        double seconds = ctx.smoke() ? 1 : ctx.quick() ? 4 : 15;
        DeliveryStats stats = new DeliveryStats();
        WsClient.Opened opened = ctx.client().openAll(t.port(), n, 256, 120_000,
                i -> new WsConnection(t.protocol(), "127.0.0.1:" + t.port(), i + 1, "room" + (i % rooms), false,
                        null, stats));
        List<WsConnection> conns = opened.ready();
        if (conns.isEmpty()) {
            out.error = "no member could connect: " + opened.firstError();
            return;
        }
        if (opened.failed() > 0) {
            out.note("chat: " + opened.failed() + " members failed to connect (" + opened.firstError() + ")");
        }
        ctx.log("chat: %d members ready in %.1f s", conns.size(), opened.seconds());
        Thread.sleep(ctx.smoke() ? 200 : 700);

        Marker.Template[] templates = new Marker.Template[rooms];
        for (int r = 0; r < rooms; r++) {
            templates[r] = t.protocol().publishTemplate("room" + r);
        }
        @SuppressWarnings("unchecked")
        List<WsConnection>[] slots = new List[SLOTS];
        for (int s = 0; s < SLOTS; s++) {
            slots[s] = new ArrayList<>();
        }
        for (WsConnection c : conns) {
            slots[c.id % SLOTS].add(c);
        }
        LongAdder sent = new LongAdder();
        EventLoop loop = conns.get(0).channel().eventLoop();
        int[] tick = {0};
        ScheduledFuture<?> task = loop.scheduleAtFixedRate(() -> {
            List<WsConnection> slot = slots[tick[0]++ % SLOTS];
            for (WsConnection c : slot) {
                Channel ch = c.channel();
                if (!ch.isActive() || !ch.isWritable()) {
                    continue;
                }
                for (int k = 0; k < perMemberPerSecond; k++) {
                    ch.write(templates[(c.id - 1) % rooms].frame(ch.alloc(), Marker.now(), c.id), ch.voidPromise());
                }
                ch.flush();
                sent.add(perMemberPerSecond);
            }
        }, 10, 10, TimeUnit.MILLISECONDS);

        Thread.sleep((long) (warmSeconds * 1000));
        stats.interval();
        long d0 = stats.delivered();
        long s0 = sent.sum();
        Cpu cpu = Cpu.sample(t.process(), ctx);
        long w0 = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        double secs = (System.nanoTime() - w0) / 1e9;
        Cpu.Usage usage = cpu.since();
        Histogram h = stats.interval();
        long published = sent.sum() - s0;
        double got = (stats.delivered() - d0) / secs;
        double expected = published * (double) (members - 1) / secs;
        task.cancel(false);
        ctx.log("chat: published %.0f/s delivered %.0f/s (expected %.0f/s) p50 %.2f p99 %.2f p99.9 %.2f ms %s",
                published / secs, got, expected, DeliveryStats.ms(h, 50), DeliveryStats.ms(h, 99),
                DeliveryStats.ms(h, 99.9), usage);
        boolean gb = usage.generatorSaturated();
        String note = String.format("%.0f publishes/s, %.0f%% of expected deliveries", published / secs,
                100 * got / Math.max(1, expected));
        out.figure(new Figure("chat.delivered", "Chat: delivered", "msg/s", true, got, gb, note).during(usage));
        out.figure(new Figure("chat.p50", "Chat: p50", "ms", false, DeliveryStats.ms(h, 50), gb, null).during(usage));
        out.figure(new Figure("chat.p99", "Chat: p99", "ms", false, DeliveryStats.ms(h, 99), gb, null).during(usage));
        out.figure(new Figure("chat.p999", "Chat: p99.9", "ms", false, DeliveryStats.ms(h, 99.9), gb, null).during(usage));
        if (!Double.isNaN(usage.server()) && usage.server() > 0.02) {
            out.figure(new Figure("chat.per_core", "Chat: deliveries per server CPU-second", "msg/s/core", true,
                    got / usage.server(), gb, null).during(usage));
        }
        out.figure(new Figure("chat.server_cpu", "Chat: server CPU", "% of 1 core", false, usage.server() * 100, gb,
                null));
        if (stats.closed.get() > 0) {
            out.note("chat: " + stats.closed.get() + " members were closed by the server during the run");
        }
        stats.stopCountingCloses();
        Thread.sleep(300);
        WsClient.closeAll(conns);
        Thread.sleep(ctx.smoke() ? 100 : 1000);
    }
}
