package dev.switchboard.core;

import dev.switchboard.core.auth.Action;
import dev.switchboard.core.auth.ChannelRule;
import dev.switchboard.core.auth.Grants;
import dev.switchboard.core.auth.Identity;
import dev.switchboard.core.auth.TurnConfig;
import dev.switchboard.core.spi.Metrics;
import dev.switchboard.core.spi.Scheduler;
import dev.switchboard.core.spi.Streams;
import dev.switchboard.core.spi.Transport;
import dev.switchboard.protocol.Channels;
import dev.switchboard.protocol.ClientFrame;
import dev.switchboard.protocol.CloseCode;
import dev.switchboard.protocol.ErrorCode;
import dev.switchboard.protocol.FrameDecoder;
import dev.switchboard.protocol.Invalid;
import dev.switchboard.protocol.Limits;
import dev.switchboard.protocol.Ping;
import dev.switchboard.protocol.Publish;
import dev.switchboard.protocol.RawJson;
import dev.switchboard.protocol.Send;
import dev.switchboard.protocol.ServerFrames;
import dev.switchboard.protocol.Subscribe;
import dev.switchboard.protocol.Unsubscribe;
import dev.switchboard.protocol.Glob;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admitted WebSocket connection: its identity, subscriptions, rate bucket and outbox, and the handling of
 * every client frame (protocol.md §4).
 *
 * <p>Threading: inbound callbacks ({@code on…}) arrive on the connection's I/O thread, one at a time, so frames
 * are handled strictly in arrival order and every reply and delivery a frame causes is enqueued before the next
 * frame is looked at (§3.3, §8.3). {@link #deliver} and {@link #close} may be called from any thread. The
 * subscription map is touched only on the I/O thread.
 *
 * <p>Publisher flow control: when a broadcast finds a recipient whose I/O thread has more than {@link
 * Outbox#BACKLOG_HIGH_BYTES} of frames waiting for it, the publisher stops reading until that recipient is
 * down to {@link Outbox#BACKLOG_LOW_BYTES}. Past the server's ceiling the backlog then waits in the publisher's
 * socket instead of in millions of queued frames whose memory traffic would lower the ceiling itself. A reader
 * that is slow on the network never holds a publisher back (its outbox parks and has no backlog).
 */
public final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    /** RFC 6455 §7.1.5: a Close frame that carried no status code. */
    private static final int NO_STATUS_CODE = 1005;
    /** Stands for a binary frame among the held ones. */
    /** Publishes to channels with history a connection may have with the store at once. */
    static final int MAX_APPENDING = 64;
    private static final byte[] NO_FRAME = new byte[0];

    private final Node node;
    private final Tenant tenant;
    private final Identity identity;
    private final Transport transport;
    private final Outbox outbox;
    private final RateLimiter rate;
    private final boolean receivesPresence;
    /** Subscription string → includeSenderMetadata; I/O thread only; null until the first subscribe. */
    private Map<String, Boolean> subscriptions;
    private Scheduler.Cancellable expiry;
    /** Set when a close was decided; later inbound frames are ignored. */
    private volatile boolean closing;
    /** Set once the session has left every index; I/O thread only. */
    private boolean released;
    /** Set while inbound reads are paused behind a recipient's backlog; I/O thread only. */
    private boolean readsPaused;
    /**
     * Set while a frame waits for the cluster (a subscribe to a room that is not ready here yet, a send to a peer
     * not on this node, a frame after publishes to channels with history the store has not answered): reads are
     * paused and frames read meanwhile are held in {@link #held}, so replies keep the order of the frames. I/O
     * thread only.
     */
    private boolean waiting;
    /** Frames read while {@link #waiting}, in order ({@link #NO_FRAME} for a binary one). I/O thread only. */
    private ArrayDeque<byte[]> held;
    /** On a cluster: publishes to channels with history sent to the store and not answered yet. I/O thread only. */
    private int appending;
    /** Set while {@link #waiting} for {@link #appending} to come down to 0 (see {@link #mustAwaitAppends}). */
    private boolean awaitingAppends;
    /** The {@code role} of the peer metadata ({@link #inAudience}); null until first needed. */
    private volatile List<String> roles;
    /**
     * Where the connection stands in the streams of its channels with history; null until it has one. Set on the
     * I/O thread, read by other connections of the peer when they resume (hence volatile).
     */
    private volatile Positions positions;
    /** Whether this connection holds a cluster-wide connection slot of its app (to give back at the end). */
    private final boolean clusterSlot;
    /** The code the connection ends with, for metrics: set by the first close decided; 0 until then. */
    private volatile int endCode;
    private volatile boolean endedByClient;

    // Keepalive bookkeeping (protocol.md §9.2), read by the node's sweeper.
    volatile long lastInboundNanos;
    volatile long pingSentNanos;
    long nextPingNanos;

    Session(Node node, Tenant tenant, Identity identity, Transport transport, boolean clusterSlot) {
        this.node = node;
        this.clusterSlot = clusterSlot;
        this.tenant = tenant;
        this.identity = identity;
        this.transport = transport;
        this.outbox = new Outbox(transport, node.settings().outboxMaxBytes(), node.budget(),
                () -> closeNow(CloseCode.POLICY_VIOLATION, true));
        long now = node.clock().nanoTime();
        this.rate = new RateLimiter(tenant.rate(), now);
        this.receivesPresence = identity.can(Action.PRESENCE);
        this.lastInboundNanos = now;
        this.nextPingNanos = now + node.settings().pingInterval().toNanos();
    }

    /** Sends {@code welcome} as the first frame and arms the 4002 timer of a JWT session (§2.3, §10). */
    void start() {
        long nowMillis = node.clock().currentTimeMillis();
        RawJson metadata = identity.welcomeMetadata();
        TurnConfig turn = identity.app().turn();
        if (turn != null && identity.key().config().autoInjectTurn()) {
            metadata = turn.inject(metadata, identity.peerId(), nowMillis / 1000, identity.expiresAtSeconds());
        }
        deliver(ServerFrames.welcome(identity.peerId(), identity.expiresAtSeconds(), nowMillis / 1000,
                node.settings().maxMessageSize(), metadata));
        Long expiresAt = identity.expiresAtSeconds();
        if (expiresAt != null) {
            long delay = expiresAt * 1000 - Limits.EXPIRY_EARLY_CLOSE_MILLIS - nowMillis;
            expiry = node.scheduler().schedule(() -> close(CloseCode.TOKEN_EXPIRED), Math.max(0, delay),
                    TimeUnit.MILLISECONDS);
        }
    }

    public String peerId() {
        return identity.peerId();
    }

    public String appId() {
        return tenant.id;
    }

    RawJson peerMetadata() {
        return identity.peerMetadata();
    }

    Grants grants() {
        return identity.grants();
    }

    Identity identity() {
        return identity;
    }

    Tenant tenant() {
        return tenant;
    }

    boolean receivesPresence() {
        return receivesPresence;
    }

    /**
     * Whether this connection is in the audience of a channel's presence: its token grants one of the rule's
     * actions, or its peer metadata's {@code role} (a string, or a list of strings) is one of the rule's roles.
     */
    boolean inAudience(ChannelRule.PresenceRule rule) {
        for (Action action : rule.actions()) {
            if (identity.can(action)) {
                return true;
            }
        }
        if (!rule.roles().isEmpty()) {
            for (String role : roles()) {
                if (rule.roles().contains(role)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The roles of the peer metadata, read once (a benign race: every thread computes the same). */
    private List<String> roles() {
        List<String> known = roles;
        if (known == null) {
            roles = known = Roles.of(identity.peerMetadata());
        }
        return known;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Inbound (I/O thread)
    // ---------------------------------------------------------------------------------------------------------

    /** One inbound text frame, as the UTF-8 bytes it arrived as. */
    public void onText(byte[] frame) {
        if (closing) {
            return;
        }
        long now = node.clock().nanoTime();
        lastInboundNanos = now;
        if (waiting) {
            hold(frame);
            return;
        }
        handleText(frame, now);
    }

    private void handleText(byte[] frame, long now) {
        if (frame.length > node.settings().maxFrameBytes()) {
            close(CloseCode.MESSAGE_TOO_BIG);
            return;
        }
        ClientFrame decoded = FrameDecoder.decode(frame, 0, frame.length);
        if (mustAwaitAppends(decoded)) {
            awaitAppends(frame);
            return;
        }
        if (!(decoded instanceof Ping) && !rate.tryAcquire(now, tenant.rate())) {
            close(CloseCode.OVER_MESSAGE_RATE);
            return;
        }
        try {
            switch (decoded) {
                case Ping ignored -> deliver(ServerFrames.pong());
                case Subscribe subscribe -> subscribe(subscribe);
                case Unsubscribe unsubscribe -> unsubscribe(unsubscribe);
                case Publish publish -> publish(publish);
                case Send send -> send(send);
                case Invalid invalid -> error(invalid.code(), invalid.requestId(), invalid.message());
            }
        } catch (RuntimeException e) {
            log.atError().setMessage("frame_failed").addKeyValue("app", appId()).addKeyValue("peer", peerId())
                    .setCause(e).log();
            error(ErrorCode.INTERNAL_ERROR, decoded.requestId(), "internal error");
        }
    }

    /** A binary frame: never part of the protocol (open-questions.md Q15). */
    public void onBinary() {
        if (closing) {
            return;
        }
        long now = node.clock().nanoTime();
        lastInboundNanos = now;
        if (waiting) {
            hold(null);
            return;
        }
        handleBinary(now);
    }

    private void handleBinary(long now) {
        if (appending > 0) {
            awaitAppends(null);
            return;
        }
        if (!rate.tryAcquire(now, tenant.rate())) {
            close(CloseCode.OVER_MESSAGE_RATE);
            return;
        }
        error(ErrorCode.MALFORMED_MESSAGE, null, "binary frames are not supported; send JSON text frames");
    }

    /** A pong or ping control frame: proof of life for the keepalive. */
    public void onControlFrame() {
        lastInboundNanos = node.clock().nanoTime();
    }

    /**
     * The pong of ping {@code sequence} ({@link Transport#sendPing}; -1 for a pong the transport did not ask
     * for): proof of life, and the release of a presence snapshot waiting for it. I/O thread.
     */
    public void onPong(long sequence) {
        onControlFrame();
        if (sequence > 0) {
            outbox.onPong(sequence);
        }
    }

    /**
     * The client's Close frame (RFC 6455 §5.5.1): the outbox is sealed and what still waits in it is dropped, since
     * the client is leaving; the echo of {@code code} (none if negative) is the last frame. Idempotent.
     */
    public void onPeerClose(int code) {
        closeNow(code, "", true, true);
    }

    /** The transport takes bytes again after {@link Transport#isWritable} said no: sends what queued meanwhile. */
    public void onWritable() {
        outbox.resume();
    }

    /** The transport is gone (closed by either side or aborted): leave every index. Idempotent. */
    public void onTransportClosed() {
        closing = true;
        release();
    }

    private void subscribe(Subscribe frame) {
        String channel = frame.channel();
        ErrorCode refusal = Channels.isReserved(channel) ? ErrorCode.CHANNEL_RESERVED
                : !identity.can(Action.SUBSCRIBE) ? ErrorCode.ACTION_NOT_PERMITTED
                : !identity.grants().allows(channel) ? ErrorCode.CHANNEL_NOT_AUTHORIZED
                : subscriptionCount() >= Limits.MAX_SUBSCRIPTIONS && !subscriptions.containsKey(channel)
                        ? ErrorCode.CHANNEL_LIMIT_EXCEEDED
                        : null;
        if (refusal != null) {
            error(refusal, frame.requestId(), refusalMessage(refusal, channel));
            return;
        }
        if (subscriptions == null) {
            subscriptions = new HashMap<>(4);
        }
        boolean repeat = subscriptions.put(channel, frame.includeSenderMetadata()) != null;
        ChannelRule rule = Glob.isPattern(channel) ? null : tenant.rule(channel);
        if (rule != null && rule.history() != null) {
            subscribeWithHistory(frame, rule, repeat);
            return;
        }
        waiting = true; // before asking: the answer may come at once, even on this thread
        if (tenant.hub.subscribe(this, channel, frame.includeSenderMetadata(), ackFor(frame))) {
            waiting = false;
        } else {
            pauseWhileWaiting();
        }
    }

    /**
     * A subscribe to a channel with history (docs/history.md): joins under the channel's stream lock with what
     * {@link #resume} works out there. A first subscribe of this connection without {@code since} looks for where a
     * dropped connection of the same peer stood: in this node's cursors, or on a cluster in the store's and, for
     * a connection of the peer on another node that may be dead without its node knowing yet, in that node's
     * positions (both asked first, so the peer resumes on any node).
     */
    private void subscribeWithHistory(Subscribe frame, ChannelRule rule, boolean repeat) {
        if (positions == null) {
            positions = new Positions(transport, node.clock(), node.scheduler());
            outbox.follow(positions);
        }
        boolean findsCursor = frame.since() == null && !repeat;
        waiting = true; // before asking: the answer may come at once, even on this thread
        if (!node.relay().shared() || !findsCursor) {
            boolean joined = joinWithHistory(frame, rule, repeat, stream -> !findsCursor ? null
                    : tenant.cursors.claim(peerId(), stream.channel, stream.epoch, node.clock().currentTimeMillis()));
            if (joined) {
                waiting = false;
            } else {
                pauseWhileWaiting();
            }
            return;
        }
        History.Stream copy = tenant.history.existing(frame.channel());
        String epoch = copy == null ? null : copy.epoch;
        Streams streams = node.relay().cluster().streams();
        CompletableFuture<Streams.Cursor> dropped = streams.claimCursor(appId(), peerId(), frame.channel(), epoch,
                node.clock().currentTimeMillis()).toCompletableFuture().exceptionally(failure -> null);
        CompletableFuture<Streams.Cursor> elsewhere = streams.takeOver(appId(), peerId(), frame.channel())
                .toCompletableFuture().exceptionally(failure -> null);
        dropped.thenCombine(elsewhere, (a, b) -> Streams.older(a, b, epoch))
                .whenComplete((cursor, failure) -> transport.execute(() -> {
                    if (closing) {
                        stopWaiting();
                        return;
                    }
                    if (joinWithHistory(frame, rule, repeat, stream -> cursor)) { // none if the store did not answer
                        stopWaiting();
                    }
                }));
        pauseWhileWaiting();
    }

    /**
     * Joins the channel's room with history; false if the room is not ready yet ({@link #subscribed} follows).
     * {@link #waiting} is set. I/O thread.
     */
    private boolean joinWithHistory(Subscribe frame, ChannelRule rule, boolean repeat,
                                    Function<History.Stream, Streams.Cursor> cursor) {
        return tenant.hub.subscribe(this, frame.channel(), frame.includeSenderMetadata(), rule.history(),
                stream -> resume(frame, rule, repeat, stream, cursor));
    }

    /**
     * Where a subscribe to a channel with history starts, worked out under the channel's stream lock when it joins
     * (on this connection's I/O thread, or on a cluster's when its room gets ready): the {@code since} the client
     * sent, else (a first subscribe of this connection) where a dropped connection of the same peer stood, else
     * nowhere — with the messages since then to replay after the ack and snapshot; a first-time subscriber may get
     * the newest {@code replayOnSubscribe} instead.
     */
    private Hub.Resumed resume(Subscribe frame, ChannelRule rule, boolean repeat, History.Stream stream,
                               Function<History.Stream, Streams.Cursor> cursor) {
        if (stream == null) {
            return new Hub.Resumed(ackFor(frame), List.of());
        }
        long now = node.clock().currentTimeMillis();
        Subscribe.Since since = frame.since() != null ? frame.since()
                : repeat ? null : resumePosition(stream, cursor.apply(stream));
        long last = stream.lastOffset();
        List<Streams.Entry> entries;
        Boolean recovered = null;
        if (since == null) {
            int replay = repeat ? 0 : rule.replayOnSubscribe();
            entries = replay == 0 ? List.of() : stream.newest(replay, now);
        } else if (!since.epoch().equals(stream.epoch)) {
            entries = stream.after(0, Integer.MAX_VALUE, now); // the stream was lost since: all it has is new
            recovered = false;
        } else {
            entries = stream.after(since.offset(), Integer.MAX_VALUE, now);
            recovered = since.offset() <= last && since.offset() >= stream.firstOffset() - 1;
        }
        List<Outbox.StreamMessage> replay = replayFrames(stream, entries, frame.includeSenderMetadata());
        if (replay.size() < entries.size()) {
            recovered = recovered == null ? null : false;
            entries = entries.subList(entries.size() - replay.size(), entries.size());
        }
        positions.follow(stream, entries.isEmpty() ? last : entries.getFirst().offset() - 1);
        byte[] ack = frame.requestId() == null ? null
                : ServerFrames.ack(frame.requestId(), last, stream.epoch, recovered);
        return new Hub.Resumed(ack, replay);
    }

    /**
     * Where this peer's new connection resumes in {@code stream}: the oldest of the position of its dropped
     * connection ({@code cursor}, claimed; may be null) and of its other connections here that have unconfirmed
     * messages (possibly dead without the server knowing yet, as the old socket of a reconnect; they are marked
     * taken over and keep no cursor when they drop, unless a pong proves them alive first). Null if none. Stream
     * lock held.
     */
    private Subscribe.Since resumePosition(History.Stream stream, Streams.Cursor cursor) {
        if (cursor != null && !cursor.epoch().equals(stream.epoch)) {
            return new Subscribe.Since(cursor.offset(), cursor.epoch());
        }
        long here = takeOver(tenant.hub.sessionsOf(peerId()), stream, this);
        Streams.Cursor oldest = Streams.older(cursor,
                here < 0 ? null : new Streams.Cursor(here, stream.epoch, Long.MAX_VALUE), stream.epoch);
        return oldest == null ? null : new Subscribe.Since(oldest.offset(), oldest.epoch());
    }

    /**
     * Marks taken over those of {@code sessions} (one peer's, but {@code except}) that have unconfirmed messages
     * in {@code stream}, and returns the oldest confirmed position among them, or -1 if none. Stream lock held.
     */
    static long takeOver(Session[] sessions, History.Stream stream, Session except) {
        long oldest = -1;
        for (Session other : sessions) {
            Positions.Mark mark = other == except || other.positions == null ? null : other.positions.mark(stream);
            if (mark != null && mark.lagging() && !mark.takenOver) {
                mark.takenOver = true;
                oldest = oldest < 0 ? mark.confirmed : Math.min(oldest, mark.confirmed);
            }
        }
        return oldest;
    }

    /**
     * The message frames of {@code entries}, the newest that fit in half the connection's outbound bound (a replay
     * must not close the connection it is for).
     */
    private List<Outbox.StreamMessage> replayFrames(History.Stream stream, List<Streams.Entry> entries,
                                                    boolean includeSenderMetadata) {
        long room = node.settings().outboxMaxBytes() / 2;
        ArrayList<Outbox.StreamMessage> frames = new ArrayList<>(entries.size());
        for (int i = entries.size() - 1; i >= 0; i--) {
            Streams.Entry entry = entries.get(i);
            byte[] frame = ServerFrames.message(stream.channel, entry.from(), entry.data(),
                    includeSenderMetadata ? entry.fromMetadata() : null, entry.offset(), stream.epoch);
            room -= frame.length;
            if (room < 0) {
                break;
            }
            frames.add(new Outbox.StreamMessage(frame, stream, entry.offset()));
        }
        return frames.reversed();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Waiting for the cluster (I/O thread)
    // ---------------------------------------------------------------------------------------------------------

    /**
     * The current frame's reply depends on other nodes ({@link #waiting} was set before asking them): read
     * nothing more until {@link #stopWaiting}, unless the answer came already.
     */
    private void pauseWhileWaiting() {
        if (waiting) {
            transport.pauseReads();
        }
    }

    /**
     * Whether {@code frame} must wait for this connection's publishes to channels with history that the store has
     * not answered yet: every frame but another such publish (up to {@link #MAX_APPENDING} at once) does, so that
     * what the connection does next (a publish without history, a send, a ping's pong) follows them everywhere.
     */
    private boolean mustAwaitAppends(ClientFrame frame) {
        return appending > 0 && !(appending < MAX_APPENDING && frame instanceof Publish publish
                && !Glob.isPattern(publish.channel()) && tenant.rule(publish.channel()).history() != null);
    }

    /** Holds {@code frame} (null: a binary one) first in line; reads nothing more until the appends are answered. */
    private void awaitAppends(byte[] frame) {
        if (held == null) {
            held = new ArrayDeque<>();
        }
        held.addFirst(frame == null ? NO_FRAME : frame); // first: it may come from the held frames themselves
        waiting = true;
        awaitingAppends = true;
        transport.pauseReads();
    }

    private void hold(byte[] frame) {
        if (held == null) {
            held = new ArrayDeque<>();
        }
        held.add(frame == null ? NO_FRAME : frame);
    }

    /** The frame waited for is answered: handles the frames held meanwhile, until one waits again. */
    private void stopWaiting() {
        waiting = false;
        while (!waiting && !closing && held != null && !held.isEmpty()) {
            byte[] frame = held.poll();
            long now = node.clock().nanoTime();
            if (frame == NO_FRAME) {
                handleBinary(now);
            } else {
                handleText(frame, now);
            }
        }
        if (!waiting && !readsPaused) {
            transport.resumeReads();
        }
    }

    /** Called by the hub, from any thread, once a subscribe that had to wait for its room is answered. */
    void subscribed() {
        transport.execute(this::stopWaiting);
    }

    private void unsubscribe(Unsubscribe frame) {
        if (subscriptions != null && subscriptions.remove(frame.channel()) != null) {
            tenant.hub.unsubscribe(this, frame.channel());
            if (positions != null) {
                positions.unfollow(frame.channel());
            }
        }
        acknowledge(frame);
    }

    private void publish(Publish frame) {
        if (frame.data().length() > node.settings().maxMessageSize()) {
            close(CloseCode.MESSAGE_TOO_BIG);
            return;
        }
        String channel = frame.channel();
        ErrorCode refusal = Channels.isReserved(channel) ? ErrorCode.CHANNEL_RESERVED
                : !identity.can(Action.PUBLISH) ? ErrorCode.ACTION_NOT_PERMITTED
                : !identity.grants().allows(channel) ? ErrorCode.CHANNEL_NOT_AUTHORIZED
                : !tenant.countMessage() ? ErrorCode.OVER_MESSAGE_QUOTA
                : null;
        if (refusal != null) {
            error(refusal, frame.requestId(), refusalMessage(refusal, channel));
            return;
        }
        ChannelRule.History history = node.relay().shared() ? tenant.rule(channel).history() : null;
        if (history != null) {
            publishToStream(frame, history);
            return;
        }
        Fanout fanout = node.relay().publish(tenant, this, channel, peerId(), frame.data(), identity.peerMetadata());
        tenant.metrics.published(fanout.delivered());
        Session behind = fanout.behind();
        acknowledge(frame);
        if (behind != null && !readsPaused) {
            readsPaused = true;
            transport.pauseReads();
            behind.transport.execute(new ResumeReads(behind));
        }
    }

    /**
     * A publish to a channel with history on a cluster: appended to the store's stream, which brings it to every
     * node, this one too, in the stream's order. Acked once this node delivered it, or refused with
     * {@code backend_error} if the store did not take it: then no one got it and the client may send it again.
     * Further publishes to such channels go out meanwhile (the store keeps their order); any other frame waits
     * until all are answered ({@link #mustAwaitAppends}), so what it causes reaches everyone after them.
     */
    private void publishToStream(Publish frame, ChannelRule.History history) {
        appending++;
        node.relay().append(tenant, this, frame.channel(), history, peerId(), frame.data(), identity.peerMetadata(),
                false).whenComplete((delivered, failure) -> transport.execute(() -> {
                    appending--;
                    if (!closing) {
                        if (failure != null) {
                            error(ErrorCode.BACKEND_ERROR, frame.requestId(),
                                    "message not published: the history store is unreachable; retry");
                        } else {
                            tenant.metrics.published(delivered);
                            acknowledge(frame);
                        }
                    }
                    if (appending == 0 && awaitingAppends) {
                        awaitingAppends = false;
                        stopWaiting();
                    }
                }));
    }

    /**
     * Runs on a lagging recipient's I/O thread after the drains queued before it, until the recipient's backlog
     * is down to {@link Outbox#BACKLOG_LOW_BYTES}; then lets this publisher read again.
     */
    private final class ResumeReads implements Runnable {
        private final Session recipient;

        ResumeReads(Session recipient) {
            this.recipient = recipient;
        }

        @Override
        public void run() {
            if (recipient.backlogBytes() > Outbox.BACKLOG_LOW_BYTES) {
                recipient.transport.execute(this);
            } else {
                transport.execute(Session.this::resumeReads);
            }
        }
    }

    private void resumeReads() {
        readsPaused = false;
        if (!waiting) {
            transport.resumeReads();
        }
    }

    private void send(Send frame) {
        if (frame.data().length() > node.settings().maxMessageSize()) {
            close(CloseCode.MESSAGE_TOO_BIG);
            return;
        }
        ErrorCode refusal = !identity.can(Action.SEND) ? ErrorCode.ACTION_NOT_PERMITTED
                : !tenant.countMessage() ? ErrorCode.OVER_MESSAGE_QUOTA
                : null;
        if (refusal != null) {
            error(refusal, frame.requestId(), refusalMessage(refusal, frame.to()));
            return;
        }
        byte[] direct = null;
        int delivered = 0;
        for (Session target : tenant.hub.sessionsOf(frame.to())) {
            if (target != this) {
                if (direct == null) {
                    direct = ServerFrames.direct(peerId(), frame.data(), identity.peerMetadata());
                }
                target.deliver(direct);
                delivered++;
            }
        }
        if (node.relay().shared()) {
            if (direct == null) {
                direct = ServerFrames.direct(peerId(), frame.data(), identity.peerMetadata());
            }
            if (delivered == 0) { // the answer depends on whether another node has the peer
                waiting = true;
                node.relay().sendElsewhere(tenant, peerId(), frame.to(), direct).whenComplete((nodes, failure) ->
                        transport.execute(() -> {
                            if (!closing) {
                                sent(frame, failure == null ? nodes : 0);
                            }
                            stopWaiting();
                        }));
                pauseWhileWaiting();
                return;
            }
            node.relay().sendElsewhere(tenant, peerId(), frame.to(), direct); // the peer's connections on other nodes
        }
        sent(frame, delivered);
    }

    /** Answers a send handed to {@code delivered} connections here (or, in a cluster, nodes elsewhere). */
    private void sent(Send frame, int delivered) {
        if (delivered == 0) {
            error(ErrorCode.PEER_NOT_FOUND, frame.requestId(), "peer not online: " + frame.to());
            return;
        }
        tenant.metrics.sent(delivered);
        acknowledge(frame);
    }

    private int subscriptionCount() {
        return subscriptions == null ? 0 : subscriptions.size();
    }

    private static String refusalMessage(ErrorCode code, String subject) {
        return switch (code) {
            case CHANNEL_RESERVED -> "channel name is reserved: " + subject;
            case ACTION_NOT_PERMITTED -> "action not permitted for this credential";
            case CHANNEL_NOT_AUTHORIZED -> "not authorized: " + subject;
            case CHANNEL_LIMIT_EXCEEDED -> "connection already holds " + Limits.MAX_SUBSCRIPTIONS + " subscriptions";
            case OVER_MESSAGE_QUOTA -> "app message quota exhausted";
            default -> code.wire();
        };
    }

    private static byte[] ackFor(ClientFrame frame) {
        return frame.requestId() == null ? null : ServerFrames.ack(frame.requestId());
    }

    private void acknowledge(ClientFrame frame) {
        if (frame.requestId() != null) {
            deliver(ServerFrames.ack(frame.requestId()));
        }
    }

    private void error(ErrorCode code, String requestId, String message) {
        tenant.metrics.error(code);
        deliver(ServerFrames.error(code, requestId, message));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Outbound and lifecycle (any thread)
    // ---------------------------------------------------------------------------------------------------------

    /** Bytes queued for this connection that wait for its I/O thread (see {@link Outbox#backlogBytes}). */
    long backlogBytes() {
        return outbox.backlogBytes();
    }

    /** Enqueues one encoded frame; a connection that cannot keep up is closed with 1008 (§8.7). */
    void deliver(byte[] frame) {
        if (!outbox.offer(frame)) {
            slowConsumer();
        }
    }

    /**
     * Enqueues frames shared by many connections (each a {@code byte[]} or an {@link Outbox.Cut} of one): a big
     * room's presence batch. Like a snapshot's chunk frames they do not count against this connection's bound,
     * which is for what it alone holds: ten thousand members do not hold ten thousand copies of a batch.
     */
    void deliverShared(Object[] frames) {
        if (!outbox.offerFrames(frames, 0)) {
            slowConsumer();
        }
    }

    /** Enqueues a message of a channel with history (see {@link Outbox#offer(Outbox.StreamMessage)}). */
    void deliver(Outbox.StreamMessage message) {
        if (!outbox.offer(message)) {
            slowConsumer();
        }
    }

    /** Over its own outbound bound: closed with 1008, what waits for it dropped (§8.7). */
    private void slowConsumer() {
        if (!outbox.isSealed()) {
            node.countSlowConsumerClose();
        }
        closeNow(CloseCode.POLICY_VIOLATION, true);
    }

    /**
     * Enqueues a presence snapshot, one frame or several back to back, released by the pong of a ping written
     * after what is queued before it (see {@link Outbox#offerSnapshot}).
     */
    void deliver(Presence.Snapshot snapshot) {
        if (!outbox.offerSnapshot(snapshot.frames(), snapshot.ownBytes())) {
            slowConsumer();
        }
    }

    /** Closes the connection with {@code code} after the frames already queued for it. */
    public void close(CloseCode code) {
        closeNow(code, false);
    }

    /**
     * Closes with a WebSocket-level code the transport detected (1002 protocol error, 1007 invalid payload), after
     * the frames already queued.
     */
    public void closeForProtocolError(int code, String reason) {
        closeNow(code, reason, false, false);
    }

    /** True once a close was decided by either side: no keepalive ping may follow. */
    boolean isClosing() {
        return closing;
    }

    /** Sends {@code going_away} and closes with 1001 (graceful shutdown, §12). */
    void goAway(int retryAfterMs) {
        deliver(ServerFrames.goingAway(retryAfterMs));
        close(CloseCode.GOING_AWAY);
    }

    /** Drops a dead connection without a close handshake (§9.2); presence {@code left} follows as for any close. */
    void abort() {
        closing = true;
        ending(Metrics.App.NO_CLOSE_FRAME, false);
        node.closeLog().closed(Metrics.App.NO_CLOSE_FRAME, appId(), peerId(), transport.remoteAddress());
        transport.abort();
        transport.execute(this::release);
    }

    private void closeNow(CloseCode code, boolean discardQueued) {
        closeNow(code.code(), code.reason(), discardQueued, false);
    }

    private void closeNow(int code, String reason, boolean discardQueued, boolean byClient) {
        if (outbox.isSealed()) {
            return;
        }
        closing = true;
        ending(code, byClient);
        if (!byClient && CloseLog.worthLogging(code)) {
            node.closeLog().closed(code, appId(), peerId(), transport.remoteAddress());
        }
        log.atDebug().setMessage("close").addKeyValue("app", appId()).addKeyValue("peer", peerId())
                .addKeyValue("code", code).addKeyValue("by", byClient ? "client" : "server").log();
        outbox.close(code, reason, discardQueued);
        transport.execute(this::release);
    }

    /** Records how the connection ends, if nothing decided that before; a Close without a code is 1005. */
    private void ending(int code, boolean byClient) {
        if (endCode == 0) {
            endedByClient = byClient;
            endCode = code < 0 ? NO_STATUS_CODE : code;
        }
    }

    /** Leaves every room (announcing {@code left}), the peer index and the app's connection count. I/O thread. */
    private void release() {
        if (released) {
            return;
        }
        released = true;
        tenant.metrics.closed(endCode == 0 ? Metrics.App.NO_CLOSE_FRAME : endCode, endCode == 0 || endedByClient);
        outbox.forget();
        if (expiry != null) {
            expiry.cancel();
        }
        if (subscriptions != null) {
            for (String channel : subscriptions.keySet()) {
                tenant.hub.unsubscribe(this, channel);
            }
            keepCursors();
            subscriptions = null;
        }
        node.forget(this, tenant, clusterSlot);
    }

    /**
     * Keeps, for the peer's next connection, where this one stood in the streams of its subscriptions with history
     * (the last message it confirmed), unless another connection of the peer resumed from here already.
     */
    private void keepCursors() {
        if (positions == null) {
            return;
        }
        long now = node.clock().currentTimeMillis();
        boolean shared = node.relay().shared();
        positions.marks().forEach((stream, mark) -> {
            if (!mark.takenOver && subscriptions.containsKey(stream.channel)) {
                Streams.Cursor cursor = new Streams.Cursor(mark.confirmed, stream.epoch,
                        now + stream.rule.ttl().toMillis());
                if (shared) {
                    node.relay().cluster().streams().keepCursor(appId(), peerId(), stream.channel, cursor);
                } else {
                    tenant.cursors.put(peerId(), stream.channel, cursor);
                }
            }
        });
    }

    Transport transport() {
        return transport;
    }

    @Override
    public String toString() {
        return "Session[app=" + appId() + " peer=" + peerId() + " remote=" + transport.remoteAddress() + "]";
    }
}
