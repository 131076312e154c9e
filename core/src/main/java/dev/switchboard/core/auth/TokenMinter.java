package dev.switchboard.core.auth;

import dev.switchboard.protocol.RawJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Signs HS256 connect tokens (auth.md §3) for the REST mint endpoint, the CLI and tests. The header is exactly
 * {@code {"alg":"HS256","kid":"<sk id>","typ":"JWT"}}; the signature is HMAC-SHA-256 keyed with the UTF-8 bytes of
 * the signing secret, like {@code jsonwebtoken} with a string secret. Stateless.
 */
public final class TokenMinter {

    private static final JsonFactory JSON = new JsonFactory();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private TokenMinter() {
    }

    /**
     * A compact JWS for {@code req} signed by {@code secretKey}. Does not validate the claims (see
     * {@link TokenRequest}); a secret shorter than 32 bytes signs fine but will never verify.
     *
     * @throws IllegalArgumentException if {@code secretKey} is not a secret key
     */
    public static String mint(KeyConfig secretKey, TokenRequest req) {
        if (secretKey.type() != KeyType.SECRET || secretKey.secret() == null) {
            throw new IllegalArgumentException("only secret keys sign tokens: " + secretKey.id());
        }
        String signingInput = B64.encodeToString(header(secretKey.id())) + "." + B64.encodeToString(payload(req));
        return signingInput + "." + B64.encodeToString(hmacSha256(secretKey.secret(), signingInput));
    }

    private static byte[] header(String kid) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeStartObject();
            g.writeStringProperty("alg", "HS256");
            g.writeStringProperty("kid", kid);
            g.writeStringProperty("typ", "JWT");
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    private static byte[] payload(TokenRequest req) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeStartObject();
            if (req.sub() != null) {
                g.writeStringProperty("sub", req.sub());
            }
            g.writeNumberProperty("iat", req.issuedAtSeconds());
            g.writeNumberProperty("exp", req.expiresAtSeconds());
            writeStrings(g, "channels", req.channels());
            writeStrings(g, "permissions", req.permissions());
            writeRaw(g, "metadata", req.metadata());
            writeRaw(g, "peerMetadata", req.peerMetadata());
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    private static void writeStrings(JsonGenerator g, String name, List<String> values) {
        if (values != null) {
            g.writeName(name);
            g.writeStartArray();
            for (String v : values) {
                g.writeString(v);
            }
            g.writeEndArray();
        }
    }

    private static void writeRaw(JsonGenerator g, String name, RawJson value) {
        if (value != null) {
            g.writeName(name);
            g.writeRawValue(value.toString());
        }
    }

    private static byte[] hmacSha256(String secret, String signingInput) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
