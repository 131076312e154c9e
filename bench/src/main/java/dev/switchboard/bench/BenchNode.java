package dev.switchboard.bench;

import dev.switchboard.core.Node;
import dev.switchboard.core.NodeSettings;
import dev.switchboard.core.Session;
import dev.switchboard.core.auth.Action;
import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.KeyConfig;
import dev.switchboard.core.auth.KeyType;
import dev.switchboard.core.auth.Keyring;
import dev.switchboard.core.auth.TokenMinter;
import dev.switchboard.core.auth.TokenRequest;
import dev.switchboard.core.spi.Clock;
import dev.switchboard.core.spi.Scheduler;
import dev.switchboard.protocol.Limits;
import dev.switchboard.protocol.RawJson;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;

/**
 * An in-memory {@link Node} for benchmarks: one app whose secret key signs tokens, rate limits that never bite
 * (a benchmark publishes millions of times a second from one session), and timers that never fire.
 */
public final class BenchNode {
    public static final String APP = "app_bench";
    public static final String SECRET_KEY = "sk_id_bench";
    public static final String SECRET = "sk_secret_0123456789abcdef0123456789abcdef";
    public static final KeyConfig SIGNING_KEY = new KeyConfig(KeyType.SECRET, SECRET_KEY, SECRET, List.of("**"),
            EnumSet.allOf(Action.class), List.of(), true);
    /** About 200 bytes, as a typical app attaches to a peer (name, avatar, role). */
    public static final String PEER_METADATA = "{\"name\":\"Ada Lovelace\",\"avatar\":"
            + "\"https://cdn.example.com/u/ada-lovelace/avatar-128.png\",\"role\":\"moderator\","
            + "\"team\":\"analytical-engines\",\"locale\":\"en-GB\",\"status\":\"in a meeting\","
            + "\"tags\":[\"vip\",\"beta\"]}";

    private static final Scheduler NEVER = (task, delay, unit) -> () -> {
    };

    public final Keyring keyring = new Keyring(List.of(new AppConfig(APP, false, null, List.of(SIGNING_KEY))));
    public final Node node = new Node(keyring, new NodeSettings(Limits.MAX_MESSAGE_SIZE, Integer.MAX_VALUE, 1e15,
            NodeSettings.DEFAULT_OUTBOX_MAX_BYTES, Duration.ofSeconds(30), Duration.ofSeconds(10),
            Duration.ofSeconds(5)), Clock.SYSTEM, NEVER);

    /** A token for {@code peerId}, valid for a day; null channels / permissions = everything the key allows. */
    public static String token(String peerId, List<String> channels, List<String> permissions, String peerMetadata) {
        long now = System.currentTimeMillis() / 1000;
        return TokenMinter.mint(SIGNING_KEY, new TokenRequest(peerId, now, now + 86_400, channels, permissions, null,
                peerMetadata == null ? null : RawJson.of(peerMetadata)));
    }

    /**
     * Opens a JWT session narrowed to {@code action} on {@code transport}; fails loudly if admission refuses it.
     * Narrowing keeps presence out of the picture: no subscriber receives join announcements, so setting up a
     * thousand-member room costs a thousand subscribes, not half a million presence frames.
     */
    public Session open(String peerId, Action action, String peerMetadata, CountingTransport transport) {
        String token = token(peerId, null, List.of(action.wire()), peerMetadata);
        Node.Opening opening = node.open(token, null, null, transport);
        if (!(opening instanceof Node.Opening.Opened opened)) {
            throw new IllegalStateException("not admitted: " + opening);
        }
        return opened.session();
    }
}
