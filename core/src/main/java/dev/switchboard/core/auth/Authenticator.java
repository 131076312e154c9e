package dev.switchboard.core.auth;

import dev.switchboard.protocol.CloseCode;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Admits WebSocket connections: protocol.md §2.2 checks 1–5, with auth.md §2 (publishable keys) and §3 (JWTs).
 * The first failing check wins:
 *
 * <ol>
 *   <li>credentials: neither parameter → 4001 {@code missing credential}; both parameters (even if one is
 *       empty) → 4001 {@code ambiguous credential}; the single parameter empty → 4001 {@code missing credential};
 *   <li>{@code key}: not an enabled publishable key id (secret ids and JWTs included) → 4001 {@code invalid key};
 *   <li>{@code key}: non-empty {@code allowedOrigins} and an {@code Origin} header not in it → 4001
 *       {@code origin not allowed} (a missing header is accepted, Q18);
 *   <li>{@code token}: structural/header/signature/claim failure → 4001 {@code invalid token};
 *   <li>{@code token}: less than 250 ms before {@code exp} → 4002 {@code token expired}.
 * </ol>
 *
 * App suspension (4012) and the concurrent-connection cap (4010) come next and are the caller's job: they depend
 * on live state, this class only on configuration. Immutable and thread-safe; never logs credentials.
 */
public final class Authenticator {

    static final Admission.Refused MISSING = new Admission.Refused(CloseCode.INVALID_TOKEN, "missing credential");
    static final Admission.Refused AMBIGUOUS = new Admission.Refused(CloseCode.INVALID_TOKEN, "ambiguous credential");
    static final Admission.Refused INVALID_KEY = new Admission.Refused(CloseCode.INVALID_TOKEN, "invalid key");
    static final Admission.Refused ORIGIN_NOT_ALLOWED =
            new Admission.Refused(CloseCode.INVALID_TOKEN, "origin not allowed");

    private final Keyring keyring;
    private final TokenVerifier tokens;

    public Authenticator(Keyring keyring) {
        this.keyring = Objects.requireNonNull(keyring, "keyring");
        this.tokens = new TokenVerifier(keyring);
    }

    /**
     * Authenticates one connection attempt.
     *
     * @param token     the {@code ?token=} value, percent-decoded; {@code null} when the parameter is absent
     * @param key       the {@code ?key=} value, percent-decoded; {@code null} when the parameter is absent
     * @param origin    the {@code Origin} header, or {@code null} when absent
     * @param nowMillis the current time, Unix milliseconds
     * @return the identity, or the 4001/4002 close code and reason; never throws
     */
    public Admission admit(String token, String key, String origin, long nowMillis) {
        if (token != null && key != null) {
            return AMBIGUOUS;
        }
        if (token != null) {
            return token.isEmpty() ? MISSING : tokens.verify(token, nowMillis);
        }
        if (key == null || key.isEmpty()) {
            return MISSING;
        }
        Optional<Key> pk = keyring.publishable(key);
        if (pk.isEmpty()) {
            return INVALID_KEY;
        }
        Key k = pk.get();
        if (!originAllowed(k.config(), origin)) {
            return ORIGIN_NOT_ALLOWED;
        }
        return new Admission.Admitted(new Identity(k.app(), k, UUID.randomUUID().toString(), null,
                k.config().actions(), k.grants(), null, null));
    }

    /**
     * auth.md §2 step 2 / Q18: true if the key has no {@code allowedOrigins}, the request has no {@code Origin}
     * header, or the header equals a listed origin with scheme and host compared ASCII-case-insensitively and the
     * port exactly (an explicit default port is not the same origin text as an omitted one). One trailing
     * {@code '/'} on a configured entry is tolerated.
     */
    static boolean originAllowed(KeyConfig key, String origin) {
        if (key.allowedOrigins().isEmpty() || origin == null) {
            return true;
        }
        for (String allowed : key.allowedOrigins()) {
            String entry = allowed.endsWith("/") ? allowed.substring(0, allowed.length() - 1) : allowed;
            if (equalsIgnoreAsciiCase(entry, origin)) {
                return true;
            }
        }
        return false;
    }

    /**
     * ASCII case folding only, so a non-ASCII look-alike (U+212A KELVIN SIGN for {@code k}) never matches. Ports
     * are digits, which folding leaves alone, so they compare exactly.
     */
    private static boolean equalsIgnoreAsciiCase(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y && lower(x) != lower(y)) {
                return false;
            }
        }
        return true;
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }
}
