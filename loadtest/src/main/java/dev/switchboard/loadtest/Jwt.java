package dev.switchboard.loadtest;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HS256 JWTs as spec/auth.md §3 describes them, signed by hand (the generator needs no JWT library). */
public final class Jwt {
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Jwt() {
    }

    /** A token for {@code sub}, valid for an hour, narrowed to subscribe + publish (no presence traffic). */
    public static String sign(String kid, String secret, String sub) {
        long now = System.currentTimeMillis() / 1000;
        String header = "{\"alg\":\"HS256\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}";
        String claims = "{\"sub\":\"" + sub + "\",\"iat\":" + now + ",\"exp\":" + (now + 3600)
                + ",\"permissions\":[\"subscribe\",\"publish\"]}";
        String signingInput = B64.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "."
                + B64.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
