package dev.switchboard.core.auth;

import static dev.switchboard.core.auth.AuthFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.switchboard.protocol.RawJson;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** rest-api.md §2 token format; mint → verify round trips; interop with jsonwebtoken-style tokens. */
class TokenMinterTest {

    private final TokenVerifier verifier = new TokenVerifier(keyring());

    private static String decode(String segment) {
        return new String(Base64.getUrlDecoder().decode(segment), StandardCharsets.UTF_8);
    }

    private Identity admitted(String token) {
        Admission a = verifier.verify(token, NOW_MILLIS);
        assertThat(a).isInstanceOf(Admission.Admitted.class);
        return ((Admission.Admitted) a).identity();
    }

    @Test
    void mintedHeaderIsExactlyAlgKidTyp() {
        String t = TokenMinter.mint(SK, new TokenRequest("alice", NOW_SECONDS, NOW_SECONDS + 60, null, null, null, null));
        assertThat(decode(t.split("\\.")[0])).isEqualTo("{\"alg\":\"HS256\",\"kid\":\"" + SK_ID + "\",\"typ\":\"JWT\"}");
        assertThat(t).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    }

    @Test
    void nullFieldsAreOmittedFromThePayload() {
        String t = TokenMinter.mint(SK, new TokenRequest("alice", 100, 200, null, null, null, null));
        assertThat(decode(t.split("\\.")[1])).isEqualTo("{\"sub\":\"alice\",\"iat\":100,\"exp\":200}");
    }

    @Test
    void mintedTokenRoundTripsThroughTheVerifier() {
        RawJson meta = RawJson.of("{\"iceServers\":[{\"urls\":[\"stun:stun.example.org:3478\"]}]}");
        RawJson peerMeta = RawJson.of("{\"userId\":\"u_alice_123\",\"username\":\"Alice Anderson\"}");
        String t = TokenMinter.mint(SK, new TokenRequest("u_alice_123", NOW_SECONDS, NOW_SECONDS + 3600,
                List.of("app_abc/room-1", "app_abc/dm-*"), List.of("publish", "subscribe"), meta, peerMeta));
        Identity id = admitted(t);
        assertThat(id.peerId()).isEqualTo("u_alice_123");
        assertThat(id.expiresAtSeconds()).isEqualTo(NOW_SECONDS + 3600);
        assertThat(id.actions()).containsExactlyInAnyOrder(Action.PUBLISH, Action.SUBSCRIBE);
        assertThat(id.grants().allows("app_abc/dm-alice-bob")).isTrue();
        assertThat(id.grants().allows("app_abc/room-2")).isFalse();
        assertThat(id.welcomeMetadata()).isEqualTo(meta);
        assertThat(id.peerMetadata()).isEqualTo(peerMeta);
    }

    @Test
    void mintedTokenWithoutOptionalClaimsGetsTheKeyGrants() {
        Identity id = admitted(TokenMinter.mint(SK, new TokenRequest("bob", NOW_SECONDS, NOW_SECONDS + 60,
                List.of(), List.of(), null, null)));
        assertThat(id.actions()).isEqualTo(ALL);
        assertThat(id.grants().allows("app_abc/x/y")).isTrue();
    }

    @Test
    void rawMetadataIsWrittenVerbatim() {
        RawJson meta = RawJson.of("{ \"a\" : [1, 2.50] }");
        String t = TokenMinter.mint(SK, new TokenRequest("a", 1, 2, null, null, meta, null));
        assertThat(decode(t.split("\\.")[1])).isEqualTo("{\"sub\":\"a\",\"iat\":1,\"exp\":2,\"metadata\":{ \"a\" : [1, 2.50] }}");
    }

    @Test
    void publishableKeyCannotMint() {
        assertThatThrownBy(() -> TokenMinter.mint(PK, new TokenRequest("a", 1, 2, null, null, null, null)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tokenMintedWithAShortSecretNeverVerifies() {
        String t = TokenMinter.mint(SK_SHORT, new TokenRequest("a", NOW_SECONDS, NOW_SECONDS + 60, null, null, null, null));
        assertThat(verifier.verify(t, NOW_MILLIS)).isInstanceOf(Admission.Refused.class);
    }

    @Test
    void tokenBuiltLikeNodeJsonwebtokenIsAccepted() {
        // jsonwebtoken.sign(payload, secret, { algorithm: "HS256", header: { alg: "HS256", kid } }):
        // header keys alg, typ, kid in that order; iat first in the payload; no padding
        String header = "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" + SK_ID + "\"}";
        String payload = "{\"iat\":" + NOW_SECONDS + ",\"sub\":\"u_alice_123\",\"channels\":[\"app_abc/room-1\"],"
                + "\"permissions\":[\"publish\",\"subscribe\",\"presence\",\"send\"],"
                + "\"peerMetadata\":{\"username\":\"Alice\"},\"exp\":" + (NOW_SECONDS + 3600) + ",\"iss\":\"your-backend\"}";
        String input = b64(header) + "." + b64(payload);
        String token = input + "." + b64(hmac(SK_SECRET, input));
        Identity id = admitted(token);
        assertThat(id.peerId()).isEqualTo("u_alice_123");
        assertThat(id.actions()).isEqualTo(ALL);
        assertThat(id.grants().allows("app_abc/room-1")).isTrue();
        assertThat(id.grants().allows("app_abc/room-2")).isFalse();
        assertThat(id.peerMetadata()).isEqualTo(RawJson.of("{\"username\":\"Alice\"}"));
    }
}
