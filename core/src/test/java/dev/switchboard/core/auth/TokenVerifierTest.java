package dev.switchboard.core.auth;

import static dev.switchboard.core.auth.AuthFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.CloseCode;
import dev.switchboard.protocol.RawJson;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** auth.md §3 (JWT format), §3.1 (claims), §3.2 (procedure), §4 and §5.1 as applied to tokens. */
class TokenVerifierTest {

    private final TokenVerifier verifier = new TokenVerifier(keyring());

    private Admission verify(String token) {
        return verifier.verify(token, NOW_MILLIS);
    }

    private void assertInvalid(String token) {
        assertThat(verify(token)).isEqualTo(new Admission.Refused(CloseCode.INVALID_TOKEN, "invalid token"));
    }

    private void assertExpired(Admission a) {
        assertThat(a).isEqualTo(new Admission.Refused(CloseCode.TOKEN_EXPIRED, "token expired"));
    }

    private Identity admitted(String token) {
        Admission a = verify(token);
        assertThat(a).isInstanceOf(Admission.Admitted.class);
        return ((Admission.Admitted) a).identity();
    }

    // ---- happy path

    @Test
    void validTokenIsAdmittedWithSubAsPeerIdExpAsExpiryAndKeyActionsAndPatterns() {
        Identity id = admitted(token(payload("")));
        assertThat(id.peerId()).isEqualTo("alice");
        assertThat(id.expiresAtSeconds()).isEqualTo(NOW_SECONDS + 3600);
        assertThat(id.app().id()).isEqualTo("app_abc");
        assertThat(id.key().config().id()).isEqualTo(SK_ID);
        assertThat(id.actions()).isEqualTo(ALL);
        assertThat(id.grants().allows("app_abc/anything/deep")).isTrue();
        assertThat(id.grants().allows("other/x")).isFalse();
        assertThat(id.peerMetadata()).isNull();
        assertThat(id.welcomeMetadata()).isNull();
    }

    @Test
    void tokenSignedByAnotherAppsKeyBelongsToThatApp() {
        String t = sign(header(SK_OTHER_APP_ID), payload(""), SK_OTHER_APP.secret());
        assertThat(admitted(t).app().id()).isEqualTo("app_other");
    }

    // ---- structure

    @Test
    void nullOrEmptyTokenIsRefusedWith4001() {
        assertInvalid(null);
        assertInvalid("");
    }

    @Test
    void tokenWithTwoOrFourSegmentsIsRefusedWith4001() {
        String t = token(payload(""));
        assertInvalid(t.substring(0, t.lastIndexOf('.')));
        assertInvalid(t + ".AAAA");
        assertInvalid(t.replace(".", ""));
    }

    @Test
    void tokenWithEmptySignatureOrPayloadIsRefusedWith4001() {
        String t = token(payload(""));
        assertInvalid(t.substring(0, t.lastIndexOf('.') + 1));
        String[] parts = t.split("\\.");
        assertInvalid(parts[0] + ".." + parts[2]);
    }

    @Test
    void tokenWithNonBase64UrlCharactersIsRefusedWith4001() {
        String t = token(payload(""));
        assertInvalid(t.replaceFirst("\\.", ".+"));
        assertInvalid(t.replace('-', '+').replace('_', '/') + "/");
        assertInvalid(" " + t);
        assertInvalid(t + "%3D");
    }

    @Test
    void tokenWithTrailingPaddingIsAccepted() {
        String header = header(SK_ID) + " "; // 43 bytes → base64url needs one '='
        String payload = payload("") + "  ";
        String unpadded = b64(header) + "." + b64(payload);
        String sig = b64(hmac(SK_SECRET, unpadded));
        String padded = b64(header) + "=." + b64(payload) + "==".substring(0, (4 - b64(payload).length() % 4) % 4)
                + "." + sig + "=";
        assertThat(padded).contains("=");
        assertThat(verify(padded)).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void tokenSignedOverItsPaddedTextIsAccepted() {
        String input = b64(header(SK_ID) + " ") + "=." + b64(payload(""));
        String t = input + "." + b64(hmac(SK_SECRET, input));
        assertThat(verify(t)).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void headerThatIsNotAJsonObjectIsRefusedWith4001() {
        assertInvalid(sign("not json", payload(""), SK_SECRET));
        assertInvalid(sign("[\"HS256\"]", payload(""), SK_SECRET));
        assertInvalid(sign(header(SK_ID) + "{}", payload(""), SK_SECRET));
        assertInvalid(sign("{\"alg\":\"HS256\",\"kid\":\"" + SK_ID + "\"", payload(""), SK_SECRET));
    }

    @Test
    void payloadThatIsNotAJsonObjectIsRefusedWith4001() {
        assertInvalid(token("[" + payload("") + "]"));
        assertInvalid(token("\"alice\""));
        assertInvalid(token(payload("") + " x"));
        assertInvalid(token(payload("") + payload("")));
        assertInvalid(token("{\"sub\":\"alice\",\"exp\":" + (NOW_SECONDS + 60)));
    }

    @Test
    void duplicateClaimIsRefusedWith4001() {
        assertInvalid(token(payload(",\"sub\":\"mallory\"")));
        assertInvalid(token(payload(",\"exp\":" + (NOW_SECONDS + 99_999))));
    }

    // ---- header

    @Test
    void tokenSignedWithAlgNoneIsRefusedWith4001() {
        String h = "{\"alg\":\"none\",\"kid\":\"" + SK_ID + "\",\"typ\":\"JWT\"}";
        assertInvalid(b64(h) + "." + b64(payload("")) + ".");
        assertInvalid(sign(h, payload(""), SK_SECRET));
    }

    @Test
    void tokenWithAnyAlgOtherThanExactlyHs256IsRefusedWith4001() {
        for (String alg : new String[] {"HS384", "HS512", "RS256", "ES256", "hs256", "HS256 ", "PS256", ""}) {
            assertInvalid(sign("{\"alg\":\"" + alg + "\",\"kid\":\"" + SK_ID + "\"}", payload(""), SK_SECRET));
        }
        assertInvalid(sign("{\"alg\":[\"HS256\"],\"kid\":\"" + SK_ID + "\"}", payload(""), SK_SECRET));
        assertInvalid(sign("{\"kid\":\"" + SK_ID + "\"}", payload(""), SK_SECRET));
    }

    @Test
    void tokenWithoutKidIsRefusedWith4001() {
        assertInvalid(sign("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payload(""), SK_SECRET));
        assertInvalid(sign("{\"alg\":\"HS256\",\"kid\":null}", payload(""), SK_SECRET));
        assertInvalid(sign("{\"alg\":\"HS256\",\"kid\":42}", payload(""), SK_SECRET));
    }

    @Test
    void tokenWithUnknownKidIsRefusedWith4001() {
        assertInvalid(sign(header("sk_id_unknown"), payload(""), SK_SECRET));
    }

    @Test
    void tokenWhoseKidIsADisabledSecretKeyIsRefusedWith4001() {
        assertInvalid(sign(header(SK_DISABLED_ID), payload(""), SK_DISABLED.secret()));
    }

    @Test
    void tokenWhoseKidIsAPublishableKeyIsRefusedWith4001() {
        assertInvalid(sign(header(PK_ID), payload(""), PK_ID));
        assertInvalid(sign(header(PK_ID), payload(""), SK_SECRET));
    }

    @Test
    void typHeaderIsNotEnforced() {
        String h = "{\"alg\":\"HS256\",\"kid\":\"" + SK_ID + "\",\"typ\":\"JOSE\",\"x5u\":{\"a\":[1]}}";
        assertThat(verify(sign(h, payload(""), SK_SECRET))).isInstanceOf(Admission.Admitted.class);
        String noTyp = "{\"alg\":\"HS256\",\"kid\":\"" + SK_ID + "\"}";
        assertThat(verify(sign(noTyp, payload(""), SK_SECRET))).isInstanceOf(Admission.Admitted.class);
    }

    // ---- signature

    @Test
    void tokenSignedWithWrongSecretIsRefusedWith4001() {
        assertInvalid(sign(header(SK_ID), payload(""), SK_SECRET + "x"));
        assertInvalid(sign(header(SK_ID), payload(""), SK_OTHER_APP.secret()));
    }

    @Test
    void tokenWithTamperedPayloadIsRefusedWith4001() {
        String t = token(payload(""));
        String[] parts = t.split("\\.");
        assertInvalid(parts[0] + "." + b64(payload(",\"channels\":[\"x\"]")) + "." + parts[2]);
    }

    @Test
    void tokenWithTruncatedSignatureIsRefusedWith4001() {
        String t = token(payload(""));
        assertInvalid(t.substring(0, t.length() - 2));
    }

    @Test
    void tokenForSecretKeyShorterThan256BitsIsRefusedWith4001RatherThanThrowing() {
        assertInvalid(sign(header(SK_SHORT_ID), payload(""), SK_SHORT.secret()));
    }

    // ---- sub

    @Test
    void subMissingOrNotAStringIsRefusedWith4001() {
        assertInvalid(token("{\"exp\":" + (NOW_SECONDS + 60) + "}"));
        assertInvalid(token("{\"sub\":42,\"exp\":" + (NOW_SECONDS + 60) + "}"));
        assertInvalid(token("{\"sub\":null,\"exp\":" + (NOW_SECONDS + 60) + "}"));
        assertInvalid(token("{\"sub\":[\"alice\"],\"exp\":" + (NOW_SECONDS + 60) + "}"));
    }

    private String withSub(String subJson) {
        return token("{\"sub\":" + subJson + ",\"exp\":" + (NOW_SECONDS + 60) + "}");
    }

    @Test
    void subOf128CharactersIsAcceptedAnd129IsRefusedWith4001() {
        assertThat(admitted(withSub("\"" + "a".repeat(128) + "\"")).peerId()).hasSize(128);
        assertInvalid(withSub("\"" + "a".repeat(129) + "\""));
    }

    @Test
    void emptySubIsRefusedWith4001() {
        assertInvalid(withSub("\"\""));
    }

    @Test
    void subWithSpaceAndTildeIsAcceptedVerbatim() {
        assertThat(admitted(withSub("\" Alice ~ Anderson \"")).peerId()).isEqualTo(" Alice ~ Anderson ");
    }

    @Test
    void subWithControlOrNonAsciiCharactersIsRefusedWith4001() {
        assertInvalid(withSub("\"a\\u001fb\""));
        assertInvalid(withSub("\"a\\u007fb\""));
        assertInvalid(withSub("\"a\\nb\""));
        assertInvalid(withSub("\"zoë\""));
        assertInvalid(withSub("\"a\\u0085\""));
    }

    // ---- exp

    @Test
    void expMissingOrNonNumericIsRefusedWith4001() {
        assertInvalid(token("{\"sub\":\"alice\"}"));
        assertInvalid(token("{\"sub\":\"alice\",\"exp\":\"" + (NOW_SECONDS + 60) + "\"}"));
        assertInvalid(token("{\"sub\":\"alice\",\"exp\":null}"));
        assertInvalid(token("{\"sub\":\"alice\",\"exp\":true}"));
        assertInvalid(token("{\"sub\":\"alice\",\"exp\":[1]}"));
    }

    @Test
    void tokenIsExpiredWith4002FromExpMinus250Milliseconds() {
        long exp = NOW_SECONDS + 10;
        String t = token("{\"sub\":\"alice\",\"exp\":" + exp + "}");
        assertThat(verifier.verify(t, exp * 1000 - 251)).isInstanceOf(Admission.Admitted.class);
        assertExpired(verifier.verify(t, exp * 1000 - 250));
        assertExpired(verifier.verify(t, exp * 1000 - 249));
        assertExpired(verifier.verify(t, exp * 1000));
        assertExpired(verifier.verify(t, exp * 1000 + 3_600_000));
    }

    @Test
    void fractionalExpIsFlooredToWholeSeconds() {
        Identity id = admitted(token("{\"sub\":\"alice\",\"exp\":" + (NOW_SECONDS + 60) + ".999}"));
        assertThat(id.expiresAtSeconds()).isEqualTo(NOW_SECONDS + 60);
        String t = token("{\"sub\":\"alice\",\"exp\":" + (NOW_SECONDS + 1) + ".9}");
        assertExpired(verifier.verify(t, (NOW_SECONDS + 1) * 1000 - 250));
    }

    @Test
    void absurdExpValuesSaturateInsteadOfWrappingAround() {
        assertThat(admitted(token("{\"sub\":\"a\",\"exp\":123456789012345678901234567890}")).expiresAtSeconds())
                .isEqualTo(Long.MAX_VALUE);
        assertThat(admitted(token("{\"sub\":\"a\",\"exp\":1e300}")).expiresAtSeconds()).isEqualTo(Long.MAX_VALUE);
        assertExpired(verify(token("{\"sub\":\"a\",\"exp\":-123456789012345678901234567890}")));
        assertExpired(verify(token("{\"sub\":\"a\",\"exp\":" + Long.MIN_VALUE + "}")));
        assertExpired(verify(token("{\"sub\":\"a\",\"exp\":-1e300}")));
    }

    @Test
    void claimFailureWinsOverExpiry() {
        assertInvalid(token("{\"sub\":\"\",\"exp\":1}"));
        assertInvalid(token("{\"sub\":\"a\",\"exp\":1,\"metadata\":[]}"));
    }

    // ---- nbf

    @Test
    void nbfUpTo60SecondsAheadIsAcceptedAnd61IsRefusedWith4001() {
        assertThat(verify(token(payload(",\"nbf\":" + (NOW_SECONDS + 60))))).isInstanceOf(Admission.Admitted.class);
        assertThat(verify(token(payload(",\"nbf\":" + (NOW_SECONDS + 59))))).isInstanceOf(Admission.Admitted.class);
        assertInvalid(token(payload(",\"nbf\":" + (NOW_SECONDS + 61))));
    }

    @Test
    void nbfInThePastIsAccepted() {
        assertThat(verify(token(payload(",\"nbf\":" + (NOW_SECONDS - 3600))))).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void nonNumericNbfIsRefusedWith4001() {
        assertInvalid(token(payload(",\"nbf\":\"soon\"")));
        assertInvalid(token(payload(",\"nbf\":null")));
    }

    // ---- ignored claims

    @Test
    void iatIssAudJtiAndUnknownClaimsAreIgnoredWhateverTheirType() {
        String extra = ",\"iss\":{\"x\":1},\"aud\":[\"a\",2],\"jti\":null,\"custom\":{\"deep\":[[[]]]}";
        assertThat(verify(token("{\"sub\":\"alice\",\"iat\":\"yesterday\",\"exp\":" + (NOW_SECONDS + 60) + extra + "}")))
                .isInstanceOf(Admission.Admitted.class);
    }

    // ---- channels

    @Test
    void channelsNarrowTheKeyPatterns() {
        Grants g = admitted(token(payload(",\"channels\":[\"app_abc/room-1\",\"app_abc/tasks/**\",\"other/x\"]"))).grants();
        assertThat(g.allows("app_abc/room-1")).isTrue();
        assertThat(g.allows("app_abc/tasks/a/b")).isTrue();
        assertThat(g.allows("app_abc/room-2")).isFalse();
        assertThat(g.allows("other/x")).as("outside the key's patterns: useless, not rejected (Q31)").isFalse();
    }

    @Test
    void emptyChannelsArrayMeansNoNarrowing() {
        Grants g = admitted(token(payload(",\"channels\":[]"))).grants();
        assertThat(g.allows("app_abc/anything")).isTrue();
        assertThat(g.tokenChannels()).isEmpty();
    }

    @Test
    void hundredChannelsAreAcceptedAnd101AreRefusedWith4001() {
        assertThat(admitted(token(payload(",\"channels\":" + jsonStrings(100, "app_abc/c")))).grants().tokenChannels())
                .hasSize(100);
        assertInvalid(token(payload(",\"channels\":" + jsonStrings(101, "app_abc/c"))));
    }

    @Test
    void channelsThatAreNotAnArrayOfStringsAreRefusedWith4001() {
        assertInvalid(token(payload(",\"channels\":\"app_abc/room-1\"")));
        assertInvalid(token(payload(",\"channels\":null")));
        assertInvalid(token(payload(",\"channels\":{}")));
        assertInvalid(token(payload(",\"channels\":[\"app_abc/a\",1]")));
        assertInvalid(token(payload(",\"channels\":[[\"app_abc/a\"]]")));
    }

    @Test
    void channelEntryOf256BytesIsAcceptedAnd257IsRefusedWith4001() {
        assertThat(verify(token(payload(",\"channels\":[\"" + "c".repeat(256) + "\"]"))))
                .isInstanceOf(Admission.Admitted.class);
        assertInvalid(token(payload(",\"channels\":[\"" + "c".repeat(257) + "\"]")));
        assertThat(verify(token(payload(",\"channels\":[\"" + "é".repeat(128) + "\"]"))))
                .isInstanceOf(Admission.Admitted.class);
        assertInvalid(token(payload(",\"channels\":[\"" + "é".repeat(128) + "c\"]")));
    }

    @Test
    void emptyOrControlCharacterChannelEntryIsRefusedWith4001() {
        assertInvalid(token(payload(",\"channels\":[\"\"]")));
        assertInvalid(token(payload(",\"channels\":[\"a\\u0000b\"]")));
        assertInvalid(token(payload(",\"channels\":[\"a\\u007f\"]")));
        assertInvalid(token(payload(",\"channels\":[\"a\\u009f\"]")));
    }

    // ---- permissions

    @Test
    void permissionsNarrowTheKeyActions() {
        Identity id = admitted(token(payload(",\"permissions\":[\"subscribe\",\"publish\"]")));
        assertThat(id.actions()).containsExactlyInAnyOrder(Action.SUBSCRIBE, Action.PUBLISH);
        assertThat(id.can(Action.SEND)).isFalse();
        assertThat(id.can(Action.PUBLISH)).isTrue();
    }

    @Test
    void permissionsNeverWidenTheKeyActions() {
        String t = sign(header(SK_NARROW_ID), payload(",\"permissions\":[\"publish\",\"subscribe\",\"send\"]"),
                SK_NARROW.secret());
        assertThat(admitted(t).actions()).containsExactly(Action.SUBSCRIBE);
    }

    @Test
    void emptyPermissionsArrayMeansTheKeyActions() {
        assertThat(admitted(token(payload(",\"permissions\":[]"))).actions()).isEqualTo(ALL);
    }

    @Test
    void unknownPermissionNamesAreIgnoredButStillNarrow() {
        assertThat(admitted(token(payload(",\"permissions\":[\"admin\",\"send\",\"SUBSCRIBE\"]"))).actions())
                .containsExactly(Action.SEND);
        assertThat(admitted(token(payload(",\"permissions\":[\"admin\"]"))).actions()).isEmpty();
    }

    @Test
    void sixteenPermissionsAreAcceptedAnd17AreRefusedWith4001() {
        assertThat(verify(token(payload(",\"permissions\":" + jsonStrings(16, "p"))))).isInstanceOf(Admission.Admitted.class);
        assertInvalid(token(payload(",\"permissions\":" + jsonStrings(17, "p"))));
    }

    @Test
    void permissionsThatAreNotAnArrayOfStringsAreRefusedWith4001() {
        assertInvalid(token(payload(",\"permissions\":\"publish\"")));
        assertInvalid(token(payload(",\"permissions\":null")));
        assertInvalid(token(payload(",\"permissions\":[\"publish\",null]")));
        assertInvalid(token(payload(",\"permissions\":[{\"publish\":true}]")));
    }

    // ---- peerMetadata / metadata

    /** A JSON object whose compact UTF-8 encoding is exactly {@code size} bytes. */
    static String objectOfSize(int size) {
        return "{\"k\":\"" + "x".repeat(size - 8) + "\"}";
    }

    @Test
    void peerMetadataOf4096BytesIsAcceptedAnd4097IsRefusedWith4001() {
        Identity id = admitted(token(payload(",\"peerMetadata\":" + objectOfSize(4096))));
        assertThat(id.peerMetadata().length()).isEqualTo(4096);
        assertInvalid(token(payload(",\"peerMetadata\":" + objectOfSize(4097))));
    }

    @Test
    void metadataOf8192BytesIsAcceptedAnd8193IsRefusedWith4001() {
        Identity id = admitted(token(payload(",\"metadata\":" + objectOfSize(8192))));
        assertThat(id.welcomeMetadata().length()).isEqualTo(8192);
        assertInvalid(token(payload(",\"metadata\":" + objectOfSize(8193))));
    }

    @Test
    void metadataSizeIsMeasuredOnTheCompactEncodingNotTheTokenText() {
        String pretty = "{ \"k\" :\n  \"" + "x".repeat(4096 - 8) + "\" }";
        Identity id = admitted(token(payload(",\"peerMetadata\":" + pretty)));
        assertThat(id.peerMetadata().length()).isEqualTo(4096);
        String escaped = "{\"k\":\"\\u0041" + "x".repeat(4096 - 9) + "\"}"; // 6 escape chars encode 1 byte
        assertThat(verify(token(payload(",\"peerMetadata\":" + escaped)))).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void metadataIsKeptAsCompactJsonWithExactNumbers() {
        String meta = "{ \"iceServers\" : [ { \"urls\" : [\"stun:stun.example.org:3478\"] } ], \"n\": 1.10,"
                + " \"big\": 12345678901234567890.5, \"u\": \"zoë/\\u00e9\" }";
        Identity id = admitted(token(payload(",\"metadata\":" + meta + ",\"peerMetadata\":{\"role\":\"presenter\"}")));
        assertThat(id.welcomeMetadata()).isEqualTo(RawJson.of(
                "{\"iceServers\":[{\"urls\":[\"stun:stun.example.org:3478\"]}],\"n\":1.10,"
                        + "\"big\":12345678901234567890.5,\"u\":\"zoë/é\"}"));
        assertThat(id.peerMetadata()).isEqualTo(RawJson.of("{\"role\":\"presenter\"}"));
    }

    @Test
    void peerMetadataOrMetadataThatIsNotAnObjectIsRefusedWith4001() {
        for (String v : new String[] {"[]", "\"x\"", "null", "1", "true"}) {
            assertInvalid(token(payload(",\"peerMetadata\":" + v)));
            assertInvalid(token(payload(",\"metadata\":" + v)));
        }
    }

    @Test
    void duplicateNamesInsideMetadataAreRefusedWith4001() {
        assertInvalid(token(payload(",\"metadata\":{\"a\":1,\"a\":2}")));
    }

    @Test
    void deeplyNestedMetadataIsRefusedWithoutThrowing() {
        String deep = "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
        assertInvalid(token(payload(",\"metadata\":" + deep)));
    }

    @Test
    void effectiveActionsAreAnEnumSetIndependentOfTheKey() {
        Identity id = admitted(token(payload(",\"permissions\":[\"send\"]")));
        assertThat(id.actions()).isEqualTo(EnumSet.of(Action.SEND));
        assertThat(SK.actions()).isEqualTo(ALL);
    }
}
