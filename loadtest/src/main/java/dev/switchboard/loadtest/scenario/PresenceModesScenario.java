package dev.switchboard.loadtest.scenario;

import dev.switchboard.loadtest.Cpu;
import dev.switchboard.loadtest.Figure;
import dev.switchboard.loadtest.peer.Peer;
import dev.switchboard.loadtest.ws.WsClient;
import dev.switchboard.loadtest.ws.WsConnection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What one join costs a big room in each of Switchboard's presence modes (docs/history.md): a room of
 * {@code members} presence receivers per mode ({@code full-*}, {@code batched-*} with its 1 s interval from 100
 * members, {@code count-*}), then {@code joins} newcomers joining at 10 a second; the figure is the presence frames
 * the members received per join. Full mode sends every join to every member ({@code members} frames per join);
 * batched mode at most one frame per member per interval, however many joined in it; count mode one count per
 * member per interval.
 */
public final class PresenceModesScenario implements Scenario {
    private static final String[] MODES = {"full", "batched", "count"};
    private final int members;
    private final int joins;

    public PresenceModesScenario(int members, int joins) {
        this.members = members;
        this.joins = joins;
    }

    @Override
    public String id() {
        return "presence-modes";
    }

    @Override
    public String title() {
        return "Presence modes: frames per join in a " + members + "-member room, full / batched / count";
    }

    @Override
    public boolean supports(Peer peer) {
        return peer.jvm() && !peer.cluster(); // the channel rules are Switchboard's
    }

    @Override
    public boolean presence() {
        return true;
    }

    @Override
    public void run(Target t, BenchContext ctx, Outcome out) throws Exception {
        int base = 1;
        for (String mode : MODES) {
            String room = mode + "-room";
            DeliveryStats memberStats = new DeliveryStats();
            int first = base;
            WsClient.Opened opened = ctx.client().openAll(t.port(), members, 128, 180_000,
                    i -> new WsConnection(t.protocol(), "127.0.0.1:" + t.port(), first + i, room, false, null,
                            memberStats));
            base += members;
            List<WsConnection> roomConns = opened.ready();
            if (roomConns.isEmpty()) {
                out.error = mode + ": no member could join: " + opened.firstError();
                return;
            }
            PresenceChurnScenario.waitQuiet(memberStats.presence, ctx.smoke() ? 1500 : 2500, 120_000); // the room's own join storm
            DeliveryStats joinerStats = new DeliveryStats();
            long before = memberStats.presence.sum();
            Cpu cpu = Cpu.sample(t.process(), ctx);
            List<WsConnection> joiners = new ArrayList<>();
            long start = System.nanoTime();
            for (int j = 0; j < joins; j++) {
                int id = base + j;
                joiners.addAll(ctx.client().openAll(t.port(), 1, 1, 10_000,
                        i -> new WsConnection(t.protocol(), "127.0.0.1:" + t.port(), id, room, false, null,
                                joinerStats)).ready());
                long due = start + TimeUnit.MILLISECONDS.toNanos(100L * (j + 1));
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
            }
            base += joins;
            PresenceChurnScenario.waitQuiet(memberStats.presence, ctx.smoke() ? 1500 : 2500, 60_000);
            Cpu.Usage usage = cpu.since();
            long frames = memberStats.presence.sum() - before;
            double seconds = (System.nanoTime() - start) / 1e9;
            int receivers = roomConns.size() - memberStats.closed.get();
            ctx.log("presence-modes: %s, %d members, %d joins in %.1f s: %d member frames (%.0f per join, %.2f per "
                    + "member per second) %s", mode, receivers, joiners.size(), seconds, frames,
                    frames / (double) Math.max(1, joiners.size()), frames / (double) receivers / seconds, usage);
            out.figure(new Figure("presence-modes." + mode, "Presence frames per join, " + mode + " mode", "frames",
                    false, frames / (double) Math.max(1, joiners.size()), usage.generatorSaturated(),
                    receivers + "-member room, " + joiners.size() + " joins at 10/s; "
                            + String.format("%.2f frames per member per second", frames / (double) receivers / seconds))
                    .during(usage));
            memberStats.stopCountingCloses();
            joinerStats.stopCountingCloses();
            WsClient.closeAll(joiners);
            WsClient.closeAll(roomConns);
            Thread.sleep(ctx.smoke() ? 100 : 1000);
        }
    }
}
