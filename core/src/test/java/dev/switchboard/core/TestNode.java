package dev.switchboard.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.auth.Action;
import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.AppLimits;
import dev.switchboard.core.auth.KeyConfig;
import dev.switchboard.core.auth.KeyType;
import dev.switchboard.core.auth.Keyring;
import dev.switchboard.core.auth.TokenMinter;
import dev.switchboard.core.auth.TokenRequest;
import dev.switchboard.protocol.RawJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link Node} on a manual clock and scheduler with one app ({@value #APP}) whose secret key signs JWTs and
 * whose publishable key admits anonymous sessions; both allow every channel ({@code **}) and every action.
 * Connections are {@link Client}s over a {@link RecordingTransport}; {@link #settle()} runs every pending
 * I/O-thread task, as the event loops would.
 */
final class TestNode {
    static final String APP = "app1";
    static final String OTHER_APP = "app2";
    static final String SECRET_KEY = "sk_id_test";
    static final String SECRET = "sk_secret_0123456789abcdef0123456789abcdef";
    static final String PUBLISHABLE_KEY = "pk_live_test";
    static final String OTHER_PUBLISHABLE_KEY = "pk_live_other";
    static final KeyConfig SIGNING_KEY = new KeyConfig(KeyType.SECRET, SECRET_KEY, SECRET, List.of("**"),
            EnumSet.allOf(Action.class), List.of(), true);

    final ManualClock clock = new ManualClock();
    final ManualScheduler scheduler = new ManualScheduler(clock);
    final Node node;
    private final List<Client> clients = new ArrayList<>();

    TestNode() {
        this(NodeSettings.defaults(), AppLimits.UNLIMITED, List.of("**"));
    }

    TestNode(NodeSettings settings) {
        this(settings, AppLimits.UNLIMITED, List.of("**"));
    }

    TestNode(AppLimits limits) {
        this(NodeSettings.defaults(), limits, List.of("**"));
    }

    /** A node of {@code cluster} (a test double of the channel engine). */
    TestNode(dev.switchboard.core.spi.Cluster cluster) {
        this(NodeSettings.defaults(), AppLimits.UNLIMITED, List.of("**"), cluster);
    }

    /**
     * A node of {@code cluster} whose connections run their I/O tasks at once on the calling thread, as an event
     * loop of their own would: for nodes that other nodes deliver to from their threads. {@link #settle()} then
     * has nothing to do; tests await what arrives.
     */
    static TestNode directIo(dev.switchboard.core.spi.Cluster cluster) {
        TestNode fx = new TestNode(cluster);
        fx.directIo = true;
        return fx;
    }

    /** As {@link #directIo(dev.switchboard.core.spi.Cluster)}, with the channel settings {@code channels}. */
    static TestNode directIo(dev.switchboard.core.spi.Cluster cluster,
                             List<dev.switchboard.core.auth.ChannelRule> channels) {
        TestNode fx = new TestNode(NodeSettings.defaults(), AppLimits.UNLIMITED, List.of("**"), cluster, channels);
        fx.directIo = true;
        return fx;
    }

    private boolean directIo;

    TestNode(NodeSettings settings, AppLimits limits, List<String> keyPatterns) {
        this(settings, limits, keyPatterns, dev.switchboard.core.cluster.MemoryCluster.standalone());
    }

    TestNode(NodeSettings settings, AppLimits limits, List<String> keyPatterns,
             dev.switchboard.core.spi.Cluster cluster) {
        this(settings, limits, keyPatterns, cluster, List.of());
    }

    /** A standalone node whose app {@link #APP} has the channel settings {@code channels}. */
    static TestNode withChannels(List<dev.switchboard.core.auth.ChannelRule> channels) {
        return new TestNode(NodeSettings.defaults(), AppLimits.UNLIMITED, List.of("**"),
                dev.switchboard.core.cluster.MemoryCluster.standalone(), channels);
    }

    TestNode(NodeSettings settings, AppLimits limits, List<String> keyPatterns,
             dev.switchboard.core.spi.Cluster cluster, List<dev.switchboard.core.auth.ChannelRule> channels) {
        KeyConfig signing = new KeyConfig(KeyType.SECRET, SECRET_KEY, SECRET, keyPatterns,
                EnumSet.allOf(Action.class), List.of(), true);
        KeyConfig publishable = new KeyConfig(KeyType.PUBLISHABLE, PUBLISHABLE_KEY, null, keyPatterns,
                EnumSet.allOf(Action.class), List.of(), true);
        KeyConfig other = new KeyConfig(KeyType.PUBLISHABLE, OTHER_PUBLISHABLE_KEY, null, List.of("**"),
                EnumSet.allOf(Action.class), List.of(), true);
        Keyring keyring = new Keyring(List.of(
                new AppConfig(APP, false, limits, List.of(signing, publishable), null, channels),
                new AppConfig(OTHER_APP, false, null, List.of(other))));
        this.node = new Node(keyring, settings, clock, scheduler, dev.switchboard.core.spi.Metrics.NONE, cluster);
    }

    /** A JWT for {@code peerId} valid for an hour. */
    String token(String peerId, List<String> channels, List<String> permissions, String peerMetadata) {
        return token(peerId, clock.epochSeconds() + 3600, channels, permissions, peerMetadata);
    }

    String token(String peerId, long exp, List<String> channels, List<String> permissions, String peerMetadata) {
        return TokenMinter.mint(SIGNING_KEY, new TokenRequest(peerId, clock.epochSeconds(), exp, channels,
                permissions, null, peerMetadata == null ? null : RawJson.of(peerMetadata)));
    }

    /** A JWT session of {@code peerId} with every action and channel. */
    Client connect(String peerId) {
        return connectToken(token(peerId, null, null, null));
    }

    /** A JWT session of {@code peerId} carrying {@code peerMetadata}. */
    Client connectWithMetadata(String peerId, String peerMetadata) {
        return connectToken(token(peerId, null, null, peerMetadata));
    }

    /** A JWT session of {@code peerId} whose token narrows actions to {@code actions}. */
    Client connect(String peerId, Set<Action> actions) {
        return connectToken(token(peerId, null, actions.stream().map(Action::wire).toList(), null));
    }

    Client connectToken(String token) {
        return open(token, null, directIo ? new RecordingTransport(Runnable::run) : new RecordingTransport());
    }

    Client open(String token, String key, RecordingTransport transport) {
        Node.Opening opening = node.open(token, key, null, transport);
        if (opening instanceof Node.Opening.Deferred deferred) { // a cluster's admission: ends on the I/O thread
            transport.runPending();
            opening = deferred.outcome().toCompletableFuture().getNow(null);
        }
        assertThat(opening).isInstanceOf(Node.Opening.Opened.class);
        Client client = new Client(((Node.Opening.Opened) opening).session(), transport);
        transport.name = client.peerId() + "#" + clients.size();
        clients.add(client);
        settle();
        assertThat(client.take()).singleElement().satisfies(f -> assertThat(type(f)).isEqualTo("welcome"));
        return client;
    }

    /** Runs every pending I/O task of every connection until the node is quiet. */
    void settle() {
        boolean ran;
        do {
            ran = false;
            for (Client c : List.copyOf(clients)) {
                ran |= c.transport.runPending() > 0;
            }
        } while (ran);
    }

    Hub hub() {
        return hubOf(APP);
    }

    Hub hubOf(String app) {
        try {
            var field = Node.class.getDeclaredField("tenants");
            field.setAccessible(true);
            @SuppressWarnings("unchecked")
            var tenants = (java.util.Map<String, Tenant>) field.get(node);
            return tenants.get(app).hub;
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static final Pattern TYPE = Pattern.compile("^\\{\"type\":\"([a-z_]+)\"");

    static String type(String frame) {
        Matcher m = TYPE.matcher(frame);
        assertThat(m.find()).as("frame %s has a leading type", frame).isTrue();
        return m.group(1);
    }

    static String errorCode(String frame) {
        Matcher m = Pattern.compile("\"code\":\"([a-z_]+)\"").matcher(frame);
        assertThat(m.find()).as("error frame %s", frame).isTrue();
        return m.group(1);
    }

    /** One connection: feeds client frames to its session and reads what the server wrote. */
    final class Client {
        final Session session;
        final RecordingTransport transport;

        Client(Session session, RecordingTransport transport) {
            this.session = session;
            this.transport = transport;
        }

        String peerId() {
            return session.peerId();
        }

        /** Feeds one client frame (as if read from the socket) and lets every connection drain. */
        Client send(String json) {
            session.onText(json.getBytes(StandardCharsets.UTF_8));
            settle();
            return this;
        }

        Client subscribe(String channel) {
            return send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\"}");
        }

        Client subscribe(String channel, String requestId) {
            return send("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"requestId\":\"" + requestId + "\"}");
        }

        Client unsubscribe(String channel, String requestId) {
            return send("{\"type\":\"unsubscribe\",\"channel\":\"" + channel + "\",\"requestId\":\"" + requestId
                    + "\"}");
        }

        Client publish(String channel, String data) {
            return send("{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":" + data + "}");
        }

        Client publish(String channel, String data, String requestId) {
            return send("{\"type\":\"publish\",\"channel\":\"" + channel + "\",\"data\":" + data
                    + ",\"requestId\":\"" + requestId + "\"}");
        }

        Client direct(String to, String data, String requestId) {
            return send("{\"type\":\"send\",\"to\":\"" + to + "\",\"data\":" + data + ",\"requestId\":\""
                    + requestId + "\"}");
        }

        /** Frames written to this connection since the last {@code take()}. */
        List<String> take() {
            return transport.take();
        }

        Integer closeCode() {
            return transport.closeCode();
        }
    }
}
