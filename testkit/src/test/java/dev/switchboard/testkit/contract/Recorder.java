package dev.switchboard.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.spi.Broker;
import dev.switchboard.core.spi.PeerRouter;
import dev.switchboard.core.spi.PresenceStore;
import dev.switchboard.core.spi.Publication;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records what a node receives from the others, for the contract tests to await. */
final class Recorder implements Broker.Inbound, PresenceStore.Listener, PeerRouter.Inbound {
    /** What one node receives may take a moment on a loaded machine, never this long. */
    private static final long TIMEOUT_SECONDS = 10;

    final BlockingQueue<Publication> publications = new LinkedBlockingQueue<>();
    final BlockingQueue<PresenceStore.Delta> deltas = new LinkedBlockingQueue<>();
    final BlockingQueue<String> directs = new LinkedBlockingQueue<>();
    final BlockingQueue<String> kicks = new LinkedBlockingQueue<>();
    /**
     * Every publication, delta and direct frame as "message FROM", "joined PEER"/"left PEER" or "direct to PEER",
     * in arrival order.
     */
    final BlockingQueue<String> arrivals = new LinkedBlockingQueue<>();
    /** What {@link #kick} answers: how many connections this node "closed". */
    volatile int connectionsPerKick = 1;

    /** What {@link #publication} answers: to how many connections this node "delivered" it. */
    volatile int connectionsPerPublication = 1;

    @Override
    public int publication(Publication publication) {
        publications.add(publication);
        arrivals.add("message " + publication.from());
        return connectionsPerPublication;
    }

    @Override
    public void delta(PresenceStore.Delta delta) {
        deltas.add(delta);
        arrivals.add((delta.joined() ? "joined " : "left ") + delta.member().peerId());
    }

    @Override
    public void reconnected(boolean storeLost) {
    }

    @Override
    public void resynchronize() {
    }

    @Override
    public int direct(String app, String peerId, byte[] frame) {
        directs.add(app + "/" + peerId + ":" + new String(frame, java.nio.charset.StandardCharsets.UTF_8));
        arrivals.add("direct to " + peerId);
        return 1;
    }

    @Override
    public int kick(String app, String peerId) {
        kicks.add(app + "/" + peerId);
        return connectionsPerKick;
    }

    /** What {@link #takeOver} answers: where this node's connections of the peer stand (null: none lags). */
    volatile dev.switchboard.core.spi.Streams.Cursor position;
    /** Every take-over asked of this node, as "APP/PEER:CHANNEL". */
    final BlockingQueue<String> takeOvers = new LinkedBlockingQueue<>();

    @Override
    public dev.switchboard.core.spi.Streams.Cursor takeOver(String app, String peerId, String channel) {
        takeOvers.add(app + "/" + peerId + ":" + channel);
        return position;
    }

    Publication nextPublication() {
        return next(publications, "publication");
    }

    PresenceStore.Delta nextDelta() {
        return next(deltas, "presence delta");
    }

    String nextArrival() {
        return next(arrivals, "publication, delta or direct frame");
    }

    String nextDirect() {
        return next(directs, "direct frame");
    }

    String nextKick() {
        return next(kicks, "kick");
    }

    private static <T> T next(BlockingQueue<T> queue, String what) {
        try {
            T item = queue.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            assertThat(item).as("a " + what + " within " + TIMEOUT_SECONDS + " s").isNotNull();
            return item;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
