package dev.switchboard.testkit;

import dev.switchboard.core.Node;
import dev.switchboard.core.auth.AppConfig;
import dev.switchboard.core.auth.KeyConfig;
import dev.switchboard.core.auth.TokenMinter;
import dev.switchboard.core.auth.TokenRequest;
import dev.switchboard.protocol.RawJson;
import dev.switchboard.server.ConfigException;
import dev.switchboard.server.ConfigLoader;
import dev.switchboard.server.SwitchboardServer;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * An in-process Switchboard on 127.0.0.1 and a random port, for black-box tests. {@link #start()} uses
 * {@link #defaultConfig(String)}: the apps and keys every admission, permission and quota scenario needs, each
 * named by a constant below. {@link #close()} is the server's graceful drain. Start one per test class from
 * {@code @BeforeAll} and close it from {@code @AfterAll}.
 */
public final class TestServer implements AutoCloseable {

    /** App with every kind of key; the app most tests use. */
    public static final String APP_A = "app_a";
    /** Second app with the same kind of keys, for tenant isolation. */
    public static final String APP_B = "app_b";
    public static final String APP_SUSPENDED = "app_suspended";
    /** {@code maxConcurrentConnections: 1}. */
    public static final String APP_CAPPED = "app_capped";
    /** {@code maxMessagesPerPeriod: 3}. */
    public static final String APP_QUOTA = "app_quota";

    public static final String PK_ALL = "pk_live_all0000000000000000000a";
    public static final String SK_ALL = "sk_id_all00000000000000000000a";
    public static final String SK_ALL_SECRET = "sk_secret_all_0123456789abcdef0123456789abcdef";
    /** Publishable key limited to {@code room-*}. */
    public static final String PK_ROOMS = "pk_live_rooms000000000000000000";
    public static final String PK_NO_SEND = "pk_live_nosend0000000000000000";
    public static final String PK_NO_PRESENCE = "pk_live_nopresence000000000000";
    public static final String PK_NO_SUBSCRIBE = "pk_live_nosubscribe00000000000";
    public static final String PK_NO_PUBLISH = "pk_live_nopublish0000000000000";
    /** Publishable key with {@code allowedOrigins: [ALLOWED_ORIGIN]}. */
    public static final String PK_ORIGIN = "pk_live_origin0000000000000000";
    public static final String ALLOWED_ORIGIN = "https://app.example.com";
    public static final String PK_DISABLED = "pk_live_disabled00000000000000";
    public static final String SK_DISABLED = "sk_id_disabled000000000000000";
    public static final String SK_DISABLED_SECRET = "sk_secret_disabled_0123456789abcdef0123456789";
    public static final String PK_B = "pk_live_bbbb000000000000000000b";
    public static final String SK_B = "sk_id_bbbb00000000000000000000b";
    public static final String SK_B_SECRET = "sk_secret_bbbb_0123456789abcdef0123456789abcdef";
    public static final String PK_SUSPENDED = "pk_live_suspended0000000000000";
    public static final String SK_SUSPENDED = "sk_id_suspended00000000000000";
    public static final String SK_SUSPENDED_SECRET = "sk_secret_suspended_0123456789abcdef0123456789";
    public static final String PK_CAPPED = "pk_live_capped0000000000000000";
    public static final String PK_QUOTA = "pk_live_quota00000000000000000";
    public static final String SK_QUOTA = "sk_id_quota0000000000000000000";
    public static final String SK_QUOTA_SECRET = "sk_secret_quota_0123456789abcdef0123456789abcdef";

    private final SwitchboardServer server;

    private TestServer(SwitchboardServer server) {
        this.server = server;
    }

    /** Starts {@link #defaultConfig(String)} with no server overrides. */
    public static TestServer start() {
        return start(defaultConfig(""));
    }

    /** Starts a server from a YAML configuration (host should be 127.0.0.1, port 0). */
    public static TestServer start(String yaml) {
        return start(() -> ConfigLoader.parse("testkit", yaml));
    }

    /** Starts a server from a configuration file, as {@code serve --config} does (reload and state directory). */
    public static TestServer start(java.nio.file.Path file) {
        return start(() -> ConfigLoader.load(file));
    }

    private interface Loader {
        dev.switchboard.server.SwitchboardConfig load() throws ConfigException;
    }

    private static TestServer start(Loader loader) {
        try {
            return new TestServer(SwitchboardServer.start(loader.load()));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("bad test configuration: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * The default apps and keys, with {@code serverExtras} (YAML lines such as
     * {@code "keepalive: { interval: 200ms, grace: 200ms }"}, one per line) added to the {@code server} section.
     */
    public static String defaultConfig(String serverExtras) {
        StringBuilder server = new StringBuilder("server:\n  host: 127.0.0.1\n  port: 0\n");
        for (String line : serverExtras.split("\n")) {
            if (!line.isBlank()) {
                server.append("  ").append(line.strip()).append('\n');
            }
        }
        String all = "actions: [subscribe, publish, presence, send]";
        return server + """
                apps:
                  - id: %1$s
                    keys:
                      - { type: publishable, id: %6$s, channelPatterns: ["**"], %5$s }
                      - { type: secret, id: %7$s, secret: %8$s, channelPatterns: ["**"], %5$s }
                      - { type: publishable, id: %9$s, channelPatterns: ["room-*"], %5$s }
                      - { type: publishable, id: %10$s, channelPatterns: ["**"], actions: [subscribe, publish, presence] }
                      - { type: publishable, id: %11$s, channelPatterns: ["**"], actions: [subscribe, publish, send] }
                      - { type: publishable, id: %12$s, channelPatterns: ["**"], actions: [publish, presence, send] }
                      - { type: publishable, id: %13$s, channelPatterns: ["**"], actions: [subscribe, presence, send] }
                      - { type: publishable, id: %14$s, channelPatterns: ["**"], %5$s, allowedOrigins: ["%15$s"] }
                      - { type: publishable, id: %16$s, channelPatterns: ["**"], %5$s, enabled: false }
                      - { type: secret, id: %17$s, secret: %18$s, channelPatterns: ["**"], %5$s, enabled: false }
                  - id: %2$s
                    keys:
                      - { type: publishable, id: %19$s, channelPatterns: ["**"], %5$s }
                      - { type: secret, id: %20$s, secret: %21$s, channelPatterns: ["**"], %5$s }
                  - id: %3$s
                    suspended: true
                    keys:
                      - { type: publishable, id: %22$s, channelPatterns: ["**"], %5$s }
                      - { type: secret, id: %23$s, secret: %24$s, channelPatterns: ["**"], %5$s }
                  - id: %4$s
                    limits: { maxConcurrentConnections: 1 }
                    keys:
                      - { type: publishable, id: %25$s, channelPatterns: ["**"], %5$s }
                  - id: %26$s
                    limits: { maxMessagesPerPeriod: 3 }
                    keys:
                      - { type: publishable, id: %27$s, channelPatterns: ["**"], %5$s }
                      - { type: secret, id: %28$s, secret: %29$s, channelPatterns: ["**"], %5$s }
                """.formatted(APP_A, APP_B, APP_SUSPENDED, APP_CAPPED, all,
                PK_ALL, SK_ALL, SK_ALL_SECRET, PK_ROOMS, PK_NO_SEND, PK_NO_PRESENCE, PK_NO_SUBSCRIBE, PK_NO_PUBLISH,
                PK_ORIGIN, ALLOWED_ORIGIN, PK_DISABLED, SK_DISABLED, SK_DISABLED_SECRET,
                PK_B, SK_B, SK_B_SECRET, PK_SUSPENDED, SK_SUSPENDED, SK_SUSPENDED_SECRET, PK_CAPPED,
                APP_QUOTA, PK_QUOTA, SK_QUOTA, SK_QUOTA_SECRET);
    }

    public int port() {
        return server.port();
    }

    /** {@code ws://127.0.0.1:PORT}, what the SDK is configured with. */
    public String origin() {
        return server.origin();
    }

    /** {@code ws://127.0.0.1:PORT/v1?query} ({@code query} already encoded, may be empty). */
    public URI uri(String query) {
        return URI.create(origin() + "/v1" + (query == null || query.isEmpty() ? "" : "?" + query));
    }

    public Node node() {
        return server.node();
    }

    public SwitchboardServer server() {
        return server;
    }

    /** The configured key with this id, from any app. */
    public KeyConfig key(String keyId) {
        for (AppConfig app : server.config().apps()) {
            for (KeyConfig key : app.keys()) {
                if (key.id().equals(keyId)) {
                    return key;
                }
            }
        }
        throw new IllegalArgumentException("no key " + keyId);
    }

    /** {@code key=<id>}, percent-encoded. */
    public static String keyQuery(String keyId) {
        return "key=" + URLEncoder.encode(keyId, StandardCharsets.UTF_8);
    }

    /** {@code token=<jwt>}, percent-encoded. */
    public static String tokenQuery(String jwt) {
        return "token=" + URLEncoder.encode(jwt, StandardCharsets.UTF_8);
    }

    /** A valid one-hour token for {@code sub} signed by {@link #SK_ALL}, no claims beyond sub/iat/exp. */
    public String token(String sub) {
        return tokenFor(sub).mint();
    }

    /** A token builder for {@code sub}: signed by {@link #SK_ALL}, {@code iat} now, {@code exp} in one hour. */
    public TokenBuilder tokenFor(String sub) {
        return new TokenBuilder(sub);
    }

    /** Builds a {@link TokenRequest} and mints it with {@link TokenMinter}. */
    public final class TokenBuilder {
        private String keyId = SK_ALL;
        private final String sub;
        private long iat = System.currentTimeMillis() / 1000;
        private long exp = iat + 3600;
        private List<String> channels;
        private List<String> permissions;
        private RawJson metadata;
        private RawJson peerMetadata;

        private TokenBuilder(String sub) {
            this.sub = sub;
        }

        public TokenBuilder key(String secretKeyId) {
            this.keyId = secretKeyId;
            return this;
        }

        public TokenBuilder expiresAt(long epochSeconds) {
            this.exp = epochSeconds;
            return this;
        }

        public TokenBuilder channels(List<String> channels) {
            this.channels = channels;
            return this;
        }

        public TokenBuilder channels(String... channels) {
            return channels(List.of(channels));
        }

        public TokenBuilder permissions(List<String> permissions) {
            this.permissions = permissions;
            return this;
        }

        public TokenBuilder permissions(String... permissions) {
            return permissions(List.of(permissions));
        }

        /** Connection-private {@code metadata}; valid JSON text. */
        public TokenBuilder metadata(String json) {
            this.metadata = RawJson.of(json);
            return this;
        }

        /** {@code peerMetadata}; valid JSON text. */
        public TokenBuilder peerMetadata(String json) {
            this.peerMetadata = RawJson.of(json);
            return this;
        }

        public String mint() {
            return TokenMinter.mint(TestServer.this.key(keyId), new TokenRequest(sub, iat, exp, channels, permissions, metadata,
                    peerMetadata));
        }

        /** {@code token=<jwt>} for this token. */
        public String query() {
            return tokenQuery(mint());
        }
    }

    /**
     * A hand-made HS256 JWS over arbitrary header and payload JSON, for the malformed-token cases TokenMinter
     * cannot produce (alg none, missing exp, wrong claim types).
     */
    public static String signRaw(String secret, String headerJson, String payloadJson) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String input = b64.encodeToString(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(payloadJson.getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Graceful drain: {@code going_away} and 1001 to every open connection. */
    @Override
    public void close() {
        server.close();
    }
}
