package dev.switchboard.core.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.util.Base64URL;
import dev.switchboard.protocol.Channels;
import dev.switchboard.protocol.CloseCode;
import dev.switchboard.protocol.Limits;
import dev.switchboard.protocol.RawJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;

/**
 * Verifies connect tokens exactly as auth.md §3 prescribes: compact JWS, HS256 only, {@code kid} naming an enabled
 * secret key, HMAC over the UTF-8 bytes of the signing secret compared in constant time, then the claims of §3.1 in
 * the order {@code sub}, {@code exp} presence, {@code nbf}, {@code channels}, {@code permissions},
 * {@code peerMetadata}, {@code metadata}, and finally expiry.
 *
 * <p>Decisions the spec leaves open, made here:
 * <ul>
 *   <li>Segments may carry trailing {@code '='} padding; the signature is checked over the unpadded signing input
 *       (RFC 7515) and, only if padding was present and that fails, over the input exactly as written.</li>
 *   <li>Duplicate member names anywhere in the header or payload make the token invalid, so no two JSON parsers can
 *       disagree about which {@code sub} or {@code exp} it carries.</li>
 *   <li>{@code exp} and {@code nbf} may be any JSON number; fractional values are floored to whole seconds
 *       ({@code welcome.expiresAt} is an integer, and flooring {@code exp} only closes earlier). A present but
 *       non-numeric {@code nbf} is invalid (RFC 7519 NumericDate). Out-of-range values saturate.</li>
 *   <li>A non-empty {@code permissions} array narrows even if none of its names is known ({@code ["admin"]}
 *       yields no actions): unknown names are ignored, but the token still asked to narrow, and a claim must never
 *       widen what the token's author meant to allow. Only an absent claim or {@code []} means "key actions" (Q8).</li>
 *   <li>A secret key whose secret is shorter than 256 bits can never verify a token (nimbus refuses it, RFC 7518
 *       §3.2): configuration validation must require secrets of at least 32 bytes.</li>
 * </ul>
 *
 * <p>{@link #verify} never throws and never logs: tokens are credentials. Immutable and thread-safe.
 */
public final class TokenVerifier {

    static final Admission.Refused INVALID = new Admission.Refused(CloseCode.INVALID_TOKEN, "invalid token");
    static final Admission.Refused EXPIRED = new Admission.Refused(CloseCode.TOKEN_EXPIRED, "token expired");

    /** Immutable after construction; duplicate names are an error (see class comment). */
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    private static final JWSHeader HS256 = new JWSHeader(JWSAlgorithm.HS256);

    private final Keyring keyring;
    /** By secret key id; keys whose secret is too short for HS256 are absent. */
    private final Map<String, MACVerifier> macs;

    /** A verifier resolving {@code kid} against {@code keyring}. */
    public TokenVerifier(Keyring keyring) {
        this.keyring = keyring;
        Map<String, MACVerifier> byId = new HashMap<>();
        for (AppConfig app : keyring.apps()) {
            for (KeyConfig key : app.keys()) {
                if (key.type() == KeyType.SECRET && key.enabled()) {
                    try {
                        byId.put(key.id(), new MACVerifier(key.secret().getBytes(StandardCharsets.UTF_8)));
                    } catch (JOSEException tooShort) {
                        // left out: every token naming this key is refused with 4001
                    }
                }
            }
        }
        this.macs = Map.copyOf(byId);
    }

    /**
     * Verifies {@code token} (already percent-decoded) at {@code nowMillis}.
     *
     * @return {@link Admission.Admitted} with the session identity; {@link Admission.Refused} with 4001
     *         {@code invalid token} for any structural, header, signature or claim failure; or 4002
     *         {@code token expired} when {@code nowMillis ≥ exp·1000 − 250}. Never throws.
     */
    public Admission verify(String token, long nowMillis) {
        try {
            return verifyOrThrow(token, nowMillis);
        } catch (RuntimeException | JOSEException e) {
            return INVALID;
        }
    }

    private Admission verifyOrThrow(String token, long nowMillis) throws JOSEException {
        if (token == null) {
            return INVALID;
        }
        // 1. structure: exactly three base64url segments
        int dot1 = token.indexOf('.');
        int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
        if (dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) {
            return INVALID;
        }
        String header = unpad(token.substring(0, dot1));
        String payload = unpad(token.substring(dot1 + 1, dot2));
        String signature = unpad(token.substring(dot2 + 1));
        if (!isBase64Url(header) || !isBase64Url(payload) || !isBase64Url(signature)) {
            return INVALID;
        }
        Base64.Decoder decoder = Base64.getUrlDecoder();
        byte[] headerJson = decoder.decode(header);
        byte[] payloadJson = decoder.decode(payload);

        // 2. header: alg exactly HS256, kid naming an enabled secret key
        Optional<Key> key = readHeader(headerJson).flatMap(keyring::secret);
        if (key.isEmpty()) {
            return INVALID;
        }
        MACVerifier mac = macs.get(key.get().config().id());
        if (mac == null) {
            return INVALID;
        }

        // 3. signature, constant time inside MACVerifier
        Base64URL sig = new Base64URL(signature);
        boolean valid = mac.verify(HS256, ascii(header + "." + payload), sig);
        if (!valid && header.length() + payload.length() + 1 != dot2) {
            valid = mac.verify(HS256, ascii(token.substring(0, dot2)), sig);
        }
        if (!valid) {
            return INVALID;
        }

        // 4. claims, 5. expiry
        Claims claims = Claims.read(payloadJson);
        if (claims == null || !claims.valid(nowMillis)) {
            return INVALID;
        }
        if (nowMillis >= closeAtMillis(claims.exp)) {
            return EXPIRED;
        }
        Key k = key.get();
        Set<Action> actions = KeyConfig.enumSetOf(k.config().actions());
        if (claims.permissionsNarrow) {
            actions.retainAll(claims.permissions);
        }
        Grants grants = claims.channels.isEmpty() ? k.grants() : Grants.of(k.config().channelPatterns(), claims.channels);
        return new Admission.Admitted(new Identity(k.app(), k, claims.sub, claims.exp, actions, grants,
                claims.peerMetadata, claims.metadata));
    }

    /**
     * When a session with this {@code exp} must be closed with 4002: {@code exp} − 250 ms, saturating at the
     * {@code long} range so absurd {@code exp} values cannot wrap around.
     */
    static long closeAtMillis(long expSeconds) {
        return saturatingSubtract(saturatingMillis(expSeconds), Limits.EXPIRY_EARLY_CLOSE_MILLIS);
    }

    private static long saturatingMillis(long seconds) {
        if (seconds > Long.MAX_VALUE / 1000) {
            return Long.MAX_VALUE;
        }
        if (seconds < Long.MIN_VALUE / 1000) {
            return Long.MIN_VALUE;
        }
        return seconds * 1000;
    }

    private static long saturatingSubtract(long a, long b) {
        long r = a - b;
        return ((a ^ b) & (a ^ r)) < 0 ? (a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE) : r;
    }

    /** The {@code kid} if the header is a JSON object whose {@code alg} is exactly {@code "HS256"}. */
    private static Optional<String> readHeader(byte[] json) {
        String alg = null;
        String kid = null;
        try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if ("alg".equals(name) || "kid".equals(name)) {
                    if (value != JsonToken.VALUE_STRING) {
                        return Optional.empty();
                    }
                    if ("alg".equals(name)) {
                        alg = p.getString();
                    } else {
                        kid = p.getString();
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                return Optional.empty();
            }
        }
        return "HS256".equals(alg) && kid != null ? Optional.of(kid) : Optional.empty();
    }

    /** The claims of auth.md §3.1 as read from the payload; flags record claims present with a bad value. */
    private static final class Claims {
        String sub;
        boolean subBad;
        Long exp;
        boolean expBad;
        Long nbf;
        boolean nbfBad;
        final List<String> channels = new ArrayList<>();
        boolean channelsBad;
        final Set<Action> permissions = EnumSet.noneOf(Action.class);
        boolean permissionsNarrow;
        boolean permissionsBad;
        RawJson peerMetadata;
        boolean peerMetadataBad;
        RawJson metadata;
        boolean metadataBad;

        /** The payload's claims, or {@code null} if it is not exactly one JSON object. */
        static Claims read(byte[] json) {
            Claims c = new Claims();
            try (JsonParser p = JSON.createParser(ObjectReadContext.empty(), json)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return null;
                }
                for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    switch (name) {
                        case "sub" -> {
                            if (value == JsonToken.VALUE_STRING) {
                                c.sub = p.getString();
                            } else {
                                p.skipChildren();
                                c.subBad = true;
                            }
                        }
                        case "exp" -> {
                            c.exp = seconds(p, value);
                            c.expBad = c.exp == null;
                        }
                        case "nbf" -> {
                            c.nbf = seconds(p, value);
                            c.nbfBad = c.nbf == null;
                        }
                        case "channels" -> c.channelsBad = !readChannels(p, value, c.channels);
                        case "permissions" -> {
                            int count = readPermissions(p, value, c.permissions);
                            c.permissionsBad = count < 0 || count > Limits.MAX_TOKEN_PERMISSIONS;
                            c.permissionsNarrow = count > 0;
                        }
                        case "peerMetadata" -> {
                            c.peerMetadata = compactObject(p, value, Limits.MAX_PEER_METADATA_BYTES);
                            c.peerMetadataBad = c.peerMetadata == null;
                        }
                        case "metadata" -> {
                            c.metadata = compactObject(p, value, Limits.MAX_METADATA_BYTES);
                            c.metadataBad = c.metadata == null;
                        }
                        default -> p.skipChildren(); // iat, iss, aud, jti and unknown claims are ignored
                    }
                }
                if (p.nextToken() != null) {
                    return null;
                }
            }
            return c;
        }

        /** Validation in the order of auth.md §3.2 step 4 (every failure is 4001, so only the order is shown). */
        boolean valid(long nowMillis) {
            if (subBad || !isPrintableAscii(sub)) {
                return false;
            }
            if (expBad || exp == null) {
                return false;
            }
            if (nbfBad || (nbf != null && saturatingSubtract(saturatingMillis(nbf),
                    Limits.NOT_BEFORE_LEEWAY_SECONDS * 1000) > nowMillis)) {
                return false;
            }
            return !channelsBad && !permissionsBad && !peerMetadataBad && !metadataBad;
        }

        /** A NumericDate floored to whole seconds, saturating; {@code null} if the value is not a number. */
        private static Long seconds(JsonParser p, JsonToken value) {
            if (value == JsonToken.VALUE_NUMBER_INT) {
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    return p.getBigIntegerValue().signum() > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
                }
                return p.getLongValue();
            }
            if (value == JsonToken.VALUE_NUMBER_FLOAT) {
                return (long) Math.floor(p.getDoubleValue()); // the cast saturates, ±Infinity included
            }
            p.skipChildren();
            return null;
        }

        /** Fills {@code out}; false unless an array of at most 100 valid channel names or patterns. */
        private static boolean readChannels(JsonParser p, JsonToken value, List<String> out) {
            if (value != JsonToken.START_ARRAY) {
                p.skipChildren();
                return false;
            }
            boolean ok = true;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.VALUE_STRING) {
                    p.skipChildren();
                    ok = false;
                    continue;
                }
                String entry = p.getString();
                if (!ok || out.size() == Limits.MAX_TOKEN_CHANNELS || !Channels.isValidName(entry)) {
                    ok = false;
                } else {
                    out.add(entry);
                }
            }
            return ok;
        }

        /** Fills {@code out} with the known actions; the number of entries, or −1 unless an array of strings. */
        private static int readPermissions(JsonParser p, JsonToken value, Set<Action> out) {
            if (value != JsonToken.START_ARRAY) {
                p.skipChildren();
                return -1;
            }
            int count = 0;
            boolean ok = true;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t != JsonToken.VALUE_STRING) {
                    p.skipChildren();
                    ok = false;
                    continue;
                }
                count++;
                Action.fromWire(p.getString()).ifPresent(out::add); // unknown names are ignored
            }
            return ok ? count : -1;
        }

        /**
         * The object at the parser, re-encoded as compact UTF-8 JSON; {@code null} if it is not an object or its
         * compact form exceeds {@code maxBytes}. These bytes are both the size that is checked and the bytes
         * spliced into {@code welcome}, presence and message frames later. Numbers keep their exact decimal value
         * but not always their text ({@code 1e999} becomes {@code 1E+999}, {@code -0.0} becomes {@code 0.0});
         * lone surrogates come out as six-character JSON escapes, so the result is always valid UTF-8 JSON.
         */
        private static RawJson compactObject(JsonParser p, JsonToken value, int maxBytes) {
            if (value != JsonToken.START_OBJECT) {
                p.skipChildren();
                return null;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream(256);
            try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
                g.copyCurrentStructureExact(p);
            }
            return out.size() <= maxBytes ? RawJson.wrap(out.toByteArray()) : null;
        }

        /** auth.md §6 / Q35: 1–128 chars, each U+0020–U+007E. */
        private static boolean isPrintableAscii(String s) {
            if (s == null || s.isEmpty() || s.length() > Limits.MAX_PEER_ID_LENGTH) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                char ch = s.charAt(i);
                if (ch < 0x20 || ch > 0x7E) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Strips at most two trailing {@code '='} (tolerated padding). */
    private static String unpad(String segment) {
        int end = segment.length();
        for (int i = 0; i < 2 && end > 0 && segment.charAt(end - 1) == '='; i++) {
            end--;
        }
        return segment.substring(0, end);
    }

    /** Non-empty and only {@code A–Z a–z 0–9 - _}. */
    private static boolean isBase64Url(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
