package dev.switchboard.core.auth;

import dev.switchboard.protocol.RawJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * ICE servers injected into {@code welcome.metadata.iceServers} (auth.md §8, open-questions.md Q33) for sessions
 * of keys with {@code autoInjectTurn}: a static list, time-limited credentials for {@link #urls} derived from a
 * shared secret, or both.
 *
 * <p>The credentials follow the TURN REST convention that coturn checks with {@code use-auth-secret}: the username
 * is {@code <unix expiry>:<peerId>}, the credential the base64 HMAC-SHA1 of the username under the shared secret.
 * The expiry is {@code now + ttl}, never past the session's own {@code expiresAt}.
 *
 * @param urls          the {@code turn:}/{@code turns:}/{@code stun:} URLs the derived credentials are for; empty
 *                      = none
 * @param secret        coturn's {@code static-auth-secret}; required when {@code urls} holds a TURN URL
 * @param ttl           how long a derived credential is valid
 * @param staticServers entries injected as they are, before the derived one
 */
public record TurnConfig(List<String> urls, String secret, Duration ttl, List<IceServer> staticServers) {

    /** The SDK ignores the whole list beyond these (auth.md §8). */
    public static final int MAX_ENTRIES = 16;
    public static final int MAX_URL_CHARS = 512;
    public static final int MAX_CREDENTIAL_CHARS = 1024;
    public static final Duration DEFAULT_TTL = Duration.ofHours(24);
    private static final JsonFactory JSON = JsonFactory.builder().build();

    /** One RTCIceServer entry. */
    public record IceServer(List<String> urls, String username, String credential) {
        public IceServer {
            urls = List.copyOf(urls);
        }

        /** Never prints the credential. */
        @Override
        public String toString() {
            return "IceServer[urls=" + urls + ", username=" + username + ", credential="
                    + (credential == null ? "null" : "***") + "]";
        }
    }

    /**
     * Checks the SDK's acceptance limits, so a list the SDK would ignore is refused at load.
     *
     * @throws IllegalArgumentException naming the field ({@code urls[2]: ...}) and the reason
     */
    public TurnConfig {
        urls = urls == null ? List.of() : List.copyOf(urls);
        staticServers = staticServers == null ? List.of() : List.copyOf(staticServers);
        ttl = ttl == null ? DEFAULT_TTL : ttl;
        if (urls.isEmpty() && staticServers.isEmpty()) {
            throw new IllegalArgumentException("needs urls (with a secret) or iceServers");
        }
        for (int i = 0; i < urls.size(); i++) {
            checkUrl("urls[" + i + "]", urls.get(i));
        }
        boolean relays = urls.stream().anyMatch(u -> u.startsWith("turn:") || u.startsWith("turns:"));
        if (relays && (secret == null || secret.isEmpty())) {
            throw new IllegalArgumentException("secret: TURN urls need the shared secret of the TURN server");
        }
        if (ttl.toSeconds() < 1) {
            throw new IllegalArgumentException("ttl: must be at least 1s");
        }
        int entries = staticServers.size() + (urls.isEmpty() ? 0 : 1);
        if (entries > MAX_ENTRIES) {
            throw new IllegalArgumentException("iceServers: at most " + MAX_ENTRIES + " entries in all, not " + entries);
        }
        for (int i = 0; i < staticServers.size(); i++) {
            IceServer server = staticServers.get(i);
            if (server.urls().isEmpty()) {
                throw new IllegalArgumentException("iceServers[" + i + "].urls: must not be empty");
            }
            for (int j = 0; j < server.urls().size(); j++) {
                checkUrl("iceServers[" + i + "].urls[" + j + "]", server.urls().get(j));
            }
            checkLength("iceServers[" + i + "].username", server.username());
            checkLength("iceServers[" + i + "].credential", server.credential());
        }
    }

    private static void checkUrl(String field, String url) {
        if (url == null || url.isEmpty()) {
            throw new IllegalArgumentException(field + ": must not be empty");
        }
        if (url.length() > MAX_URL_CHARS) {
            throw new IllegalArgumentException(field + ": at most " + MAX_URL_CHARS + " characters");
        }
        if (!(url.startsWith("stun:") || url.startsWith("stuns:") || url.startsWith("turn:")
                || url.startsWith("turns:"))) {
            throw new IllegalArgumentException(field + ": must start with stun:, stuns:, turn: or turns:, not '"
                    + url + "'");
        }
    }

    private static void checkLength(String field, String value) {
        if (value != null && value.length() > MAX_CREDENTIAL_CHARS) {
            throw new IllegalArgumentException(field + ": at most " + MAX_CREDENTIAL_CHARS + " characters");
        }
    }

    /**
     * The {@code iceServers} for one session: the static entries, then one entry for {@link #urls} with a
     * credential that expires at {@code min(now + ttl, expiresAtSeconds)}.
     */
    public List<IceServer> iceServersFor(String peerId, long nowSeconds, Long expiresAtSeconds) {
        List<IceServer> out = new ArrayList<>(staticServers);
        if (!urls.isEmpty()) {
            if (secret == null || secret.isEmpty()) {
                out.add(new IceServer(urls, null, null)); // STUN only
            } else {
                long expiry = nowSeconds + ttl.toSeconds();
                if (expiresAtSeconds != null) {
                    expiry = Math.min(expiry, expiresAtSeconds);
                }
                String username = expiry + ":" + peerId;
                out.add(new IceServer(urls, username, credential(secret, username)));
            }
        }
        return out;
    }

    /** The TURN REST credential: base64 of HMAC-SHA1(secret, username). */
    public static String credential(String secret, String username) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(username.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is part of every JDK", e);
        }
    }

    /**
     * {@code metadata} (a compact JSON object, or null) with {@code iceServers} added, unless it already has its
     * own (a JWT's own list wins, Q33).
     */
    public RawJson inject(RawJson metadata, String peerId, long nowSeconds, Long expiresAtSeconds) {
        if (metadata != null && hasIceServers(metadata)) {
            return metadata;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeStartObject();
            g.writeName("iceServers");
            g.writeStartArray();
            for (IceServer server : iceServersFor(peerId, nowSeconds, expiresAtSeconds)) {
                g.writeStartObject();
                g.writeName("urls");
                g.writeStartArray();
                for (String url : server.urls()) {
                    g.writeString(url);
                }
                g.writeEndArray();
                if (server.username() != null) {
                    g.writeStringProperty("username", server.username());
                }
                if (server.credential() != null) {
                    g.writeStringProperty("credential", server.credential());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            if (metadata != null) {
                try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), metadata.array(), metadata.offset(),
                        metadata.length())) {
                    p.nextToken(); // START_OBJECT
                    for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
                        g.writeName(p.currentName());
                        p.nextToken();
                        g.copyCurrentStructureExact(p);
                    }
                }
            }
            g.writeEndObject();
        }
        return RawJson.wrap(out.toByteArray());
    }

    private static boolean hasIceServers(RawJson metadata) {
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), metadata.array(), metadata.offset(),
                metadata.length())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.PROPERTY_NAME; t = p.nextToken()) {
                if ("iceServers".equals(p.currentName())) {
                    return true;
                }
                p.nextToken();
                p.skipChildren();
            }
            return false;
        }
    }

    /** Never prints the secret. */
    @Override
    public String toString() {
        return "TurnConfig[urls=" + urls + ", secret=" + (secret == null ? "null" : "***") + ", ttl=" + ttl
                + ", staticServers=" + staticServers + "]";
    }
}
