package dev.switchboard.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The immutable registry of all apps and their keys. Key ids are unique across apps, so a key id alone names its
 * tenant. Lookups return only enabled keys of the requested type: a disabled key, or a key of the other type, is
 * indistinguishable from an unknown one (auth.md §2, §3, §7). A configuration change builds a new {@code Keyring}.
 */
public final class Keyring {

    /** Compared against when the key id is unknown, so the REST check does the same work either way. */
    private static final byte[] DUMMY_SECRET = "sk_secret_00000000000000000000000000000000".getBytes(StandardCharsets.UTF_8);
    private static final String BEARER = "Bearer ";

    private final List<AppConfig> apps;
    private final Map<String, AppConfig> appsById;
    private final Map<String, Key> keysById;

    /**
     * Indexes {@code apps}.
     *
     * @throws IllegalArgumentException if two apps share an id, or a key id occurs twice (within one app or
     *                                  across apps, whatever the key types)
     */
    public Keyring(List<AppConfig> apps) {
        this.apps = List.copyOf(Objects.requireNonNull(apps, "apps"));
        Map<String, AppConfig> byId = new HashMap<>();
        Map<String, Key> keys = new HashMap<>();
        for (AppConfig app : this.apps) {
            if (byId.putIfAbsent(app.id(), app) != null) {
                throw new IllegalArgumentException("duplicate app id: " + app.id());
            }
            for (KeyConfig kc : app.keys()) {
                Key previous = keys.putIfAbsent(kc.id(), Key.of(app, kc));
                if (previous != null) {
                    throw new IllegalArgumentException("duplicate key id " + kc.id() + " (in app " + app.id()
                            + ", already used in app " + previous.app().id() + ")");
                }
            }
        }
        this.appsById = Map.copyOf(byId);
        this.keysById = Map.copyOf(keys);
    }

    /** The enabled publishable key with this id; empty for unknown, disabled or secret-key ids. */
    public Optional<Key> publishable(String id) {
        return lookup(id, KeyType.PUBLISHABLE);
    }

    /** The enabled secret key with this id; empty for unknown, disabled or publishable ids. */
    public Optional<Key> secret(String id) {
        return lookup(id, KeyType.SECRET);
    }

    /** The app with this id, suspended or not. */
    public Optional<AppConfig> app(String id) {
        return id == null ? Optional.empty() : Optional.ofNullable(appsById.get(id));
    }

    /** All apps, in configuration order. */
    public List<AppConfig> apps() {
        return apps;
    }

    /**
     * Authenticates a REST request (auth.md §7): {@code Authorization: Bearer <sk_id>:<sk_secret>}, split at the
     * first {@code ':'}; the left part must be an enabled secret key id and the right part its signing secret
     * (constant-time comparison of the UTF-8 bytes). The scheme name is matched case-insensitively (RFC 9110 §11.1).
     *
     * @return the key, or empty for every kind of failure — missing header, other scheme, no {@code ':'}, unknown /
     *         disabled / publishable id, wrong secret — so callers answer one identical 401 and ids cannot be probed
     */
    public Optional<Key> authenticateRest(String authorizationHeader) {
        if (authorizationHeader == null
                || !authorizationHeader.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Optional.empty();
        }
        String credential = authorizationHeader.substring(BEARER.length()).strip();
        int colon = credential.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        Optional<Key> key = secret(credential.substring(0, colon));
        byte[] expected = key.map(k -> k.config().secret().getBytes(StandardCharsets.UTF_8)).orElse(DUMMY_SECRET);
        byte[] presented = credential.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        boolean equal = MessageDigest.isEqual(expected, presented);
        return equal && key.isPresent() ? key : Optional.empty();
    }

    private Optional<Key> lookup(String id, KeyType type) {
        if (id == null) {
            return Optional.empty();
        }
        Key key = keysById.get(id);
        return key != null && key.config().enabled() && key.config().type() == type
                ? Optional.of(key)
                : Optional.empty();
    }
}
