package dev.switchboard.loadtest.scenario;

import dev.switchboard.loadtest.Marker;
import dev.switchboard.loadtest.ws.WsConnection;
import io.netty.channel.Channel;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Publishes from one connection at a set rate: every millisecond on the connection's event loop it writes as
 * many stamped frames as the rate says are due, then flushes once. When the socket is not writable (the
 * server is not reading fast enough) the due messages are skipped and counted as {@link #blocked}, not
 * queued, so the generator never builds its own backlog.
 */
public final class Pacer implements Runnable {
    private final WsConnection conn;
    private final Marker.Template template;
    private ScheduledFuture<?> task;
    private double rate;
    private long t0;
    private long issuedAtT0;
    private long issued;
    private volatile long sent;
    private volatile long blocked;

    public Pacer(WsConnection conn, Marker.Template template) {
        this.conn = conn;
        this.template = template;
    }

    public void start() {
        task = conn.channel().eventLoop().scheduleAtFixedRate(this, 1, 1, TimeUnit.MILLISECONDS);
    }

    /** Changes the rate (messages per second) from now on. */
    public void rate(double perSecond) {
        conn.channel().eventLoop().execute(() -> {
            rate = perSecond;
            t0 = System.nanoTime();
            issuedAtT0 = issued;
        });
    }

    public long sent() {
        return sent;
    }

    public long blocked() {
        return blocked;
    }

    @Override
    public void run() {
        if (rate <= 0) {
            return;
        }
        Channel ch = conn.channel();
        if (!ch.isActive()) {
            return;
        }
        long target = (long) (rate * (System.nanoTime() - t0) / 1e9);
        long due = target - (issued - issuedAtT0);
        long s = sent;
        long b = blocked;
        int wrote = 0;
        for (; due > 0; due--) {
            if (!ch.isWritable()) {
                b += due;
                issued += due;
                break;
            }
            ch.write(template.frame(ch.alloc(), Marker.now(), conn.id), ch.voidPromise());
            s++;
            issued++;
            wrote++;
        }
        if (wrote > 0) {
            ch.flush();
        }
        sent = s;
        blocked = b;
    }

    public void stop() {
        if (task != null) {
            task.cancel(false);
        }
        rate = 0;
    }
}
