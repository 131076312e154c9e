package dev.switchboard.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Keys, apps and hand-built tokens shared by the auth tests. */
final class AuthFixtures {

    static final long NOW_MILLIS = 1_715_535_600_000L;
    static final long NOW_SECONDS = NOW_MILLIS / 1000;

    static final String SK_ID = "sk_id_0c9d8e7f6a5b4c3d";
    static final String SK_SECRET = "sk_secret_5e4d3c2b1a09f8e7d6c5b4a3";
    static final String PK_ID = "pk_live_8f3c2a91d6e04b7f";
    static final String PK_ORIGINS_ID = "pk_live_origins00000000";
    static final String PK_DISABLED_ID = "pk_live_disabled0000000";
    static final String SK_DISABLED_ID = "sk_id_disabled000000000";
    static final String SK_SHORT_ID = "sk_id_shortsecret000000";
    static final String SK_NARROW_ID = "sk_id_narrow00000000000";
    static final String SK_OTHER_APP_ID = "sk_id_otherapp000000000";

    static final Set<Action> ALL = EnumSet.allOf(Action.class);

    static final KeyConfig SK = new KeyConfig(KeyType.SECRET, SK_ID, SK_SECRET, List.of("app_abc/**"), ALL, List.of(), true);
    static final KeyConfig SK_NARROW = new KeyConfig(KeyType.SECRET, SK_NARROW_ID, "sk_secret_narrow_narrow_narrow_narrow_0",
            List.of("app_abc/room-*"), EnumSet.of(Action.SUBSCRIBE, Action.PRESENCE), List.of(), true);
    static final KeyConfig SK_DISABLED = new KeyConfig(KeyType.SECRET, SK_DISABLED_ID,
            "sk_secret_disabled_disabled_disabled_0", List.of("**"), ALL, List.of(), false);
    static final KeyConfig SK_SHORT = new KeyConfig(KeyType.SECRET, SK_SHORT_ID, "sk_secret_short", List.of("**"), ALL,
            List.of(), true);
    static final KeyConfig PK = new KeyConfig(KeyType.PUBLISHABLE, PK_ID, null, List.of("room-*", "demo/**"),
            EnumSet.of(Action.SUBSCRIBE, Action.PUBLISH, Action.PRESENCE), List.of(), true);
    static final KeyConfig PK_ORIGINS = new KeyConfig(KeyType.PUBLISHABLE, PK_ORIGINS_ID, null, List.of("**"), ALL,
            List.of("https://app.example.com", "http://localhost:3000", "https://Admin.Example.com/"), true);
    static final KeyConfig PK_DISABLED = new KeyConfig(KeyType.PUBLISHABLE, PK_DISABLED_ID, null, List.of("**"), ALL,
            List.of(), false);
    static final KeyConfig SK_OTHER_APP = new KeyConfig(KeyType.SECRET, SK_OTHER_APP_ID,
            "sk_secret_other_other_other_other_other_0", List.of("**"), ALL, List.of(), true);

    static final AppConfig APP = new AppConfig("app_abc", false, AppLimits.UNLIMITED,
            List.of(SK, SK_NARROW, SK_DISABLED, SK_SHORT, PK, PK_ORIGINS, PK_DISABLED));
    static final AppConfig OTHER_APP = new AppConfig("app_other", true, new AppLimits(10, 1000L), List.of(SK_OTHER_APP));

    static Keyring keyring() {
        return new Keyring(List.of(APP, OTHER_APP));
    }

    static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static byte[] hmac(String secret, String signingInput) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** A token with exactly this header and payload JSON text, signed with {@code secret}. */
    static String sign(String headerJson, String payloadJson, String secret) {
        String input = b64(headerJson) + "." + b64(payloadJson);
        return input + "." + b64(hmac(secret, input));
    }

    /** A token with arbitrary payload bytes, signed with {@code secret}, header {@code {"alg":"HS256","kid":kid}}. */
    static String signBytes(String kid, byte[] payload, String secret) {
        String input = b64("{\"alg\":\"HS256\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}") + "." + b64(payload);
        return input + "." + b64(hmac(secret, input));
    }

    /** Signed by {@link #SK} with the canonical header. */
    static String token(String payloadJson) {
        return sign(header(SK_ID), payloadJson, SK_SECRET);
    }

    static String header(String kid) {
        return "{\"alg\":\"HS256\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}";
    }

    /** A valid payload for {@code sub} expiring in an hour, with {@code extra} members appended (",..."). */
    static String payload(String extra) {
        return "{\"sub\":\"alice\",\"iat\":" + NOW_SECONDS + ",\"exp\":" + (NOW_SECONDS + 3600) + extra + "}";
    }

    static String jsonStrings(int n, String prefix) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append('"').append(prefix).append(i).append('"');
        }
        return sb.append(']').toString();
    }

    private AuthFixtures() {
    }
}
