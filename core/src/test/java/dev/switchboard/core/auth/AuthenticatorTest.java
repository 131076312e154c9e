package dev.switchboard.core.auth;

import static dev.switchboard.core.auth.AuthFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.protocol.CloseCode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** protocol.md §2.2 checks 1–5 and auth.md §2 (publishable keys). */
class AuthenticatorTest {

    private static final Admission MISSING = new Admission.Refused(CloseCode.INVALID_TOKEN, "missing credential");
    private static final Admission AMBIGUOUS = new Admission.Refused(CloseCode.INVALID_TOKEN, "ambiguous credential");
    private static final Admission INVALID_KEY = new Admission.Refused(CloseCode.INVALID_TOKEN, "invalid key");
    private static final Admission ORIGIN = new Admission.Refused(CloseCode.INVALID_TOKEN, "origin not allowed");
    private static final Admission INVALID_TOKEN = new Admission.Refused(CloseCode.INVALID_TOKEN, "invalid token");
    private static final Admission EXPIRED = new Admission.Refused(CloseCode.TOKEN_EXPIRED, "token expired");

    private final Authenticator auth = new Authenticator(keyring());

    private Admission withKey(String key, String origin) {
        return auth.admit(null, key, origin, NOW_MILLIS);
    }

    private Identity admitted(Admission a) {
        assertThat(a).isInstanceOf(Admission.Admitted.class);
        return ((Admission.Admitted) a).identity();
    }

    // ---- check 1: credentials

    @Test
    void noCredentialIsRefusedWith4001MissingCredential() {
        assertThat(auth.admit(null, null, null, NOW_MILLIS)).isEqualTo(MISSING);
    }

    @Test
    void emptyTokenOrEmptyKeyAloneIsRefusedWith4001MissingCredential() {
        assertThat(auth.admit("", null, null, NOW_MILLIS)).isEqualTo(MISSING);
        assertThat(auth.admit(null, "", null, NOW_MILLIS)).isEqualTo(MISSING);
    }

    @Test
    void tokenAndKeyTogetherAreRefusedWith4001AmbiguousCredential() {
        assertThat(auth.admit(token(payload("")), PK_ID, null, NOW_MILLIS)).isEqualTo(AMBIGUOUS);
    }

    @Test
    void ambiguousCredentialIsReportedBeforeAnInvalidToken() {
        assertThat(auth.admit("not.a.jwt", PK_ID, null, NOW_MILLIS)).isEqualTo(AMBIGUOUS);
        assertThat(auth.admit("garbage", "garbage", "https://evil.example", NOW_MILLIS)).isEqualTo(AMBIGUOUS);
    }

    @Test
    void bothParametersPresentWithOneEmptyAreRefusedAsAmbiguous() {
        assertThat(auth.admit("", PK_ID, null, NOW_MILLIS)).isEqualTo(AMBIGUOUS);
        assertThat(auth.admit(token(payload("")), "", null, NOW_MILLIS)).isEqualTo(AMBIGUOUS);
        assertThat(auth.admit("", "", null, NOW_MILLIS)).isEqualTo(AMBIGUOUS);
    }

    // ---- check 2: key lookup

    @Test
    void unknownPublishableKeyIsRefusedWith4001InvalidKey() {
        assertThat(withKey("pk_live_unknown", null)).isEqualTo(INVALID_KEY);
    }

    @Test
    void disabledPublishableKeyIsRefusedWith4001InvalidKey() {
        assertThat(withKey(PK_DISABLED_ID, null)).isEqualTo(INVALID_KEY);
    }

    @Test
    void secretKeyIdSecretOrJwtGivenAsKeyIsRefusedWith4001InvalidKey() {
        assertThat(withKey(SK_ID, null)).isEqualTo(INVALID_KEY);
        assertThat(withKey(SK_SECRET, null)).isEqualTo(INVALID_KEY);
        assertThat(withKey(SK_ID + ":" + SK_SECRET, null)).isEqualTo(INVALID_KEY);
        assertThat(withKey(token(payload("")), null)).isEqualTo(INVALID_KEY);
    }

    @Test
    void invalidKeyIsReportedBeforeOrigin() {
        assertThat(withKey("pk_live_unknown", "https://evil.example")).isEqualTo(INVALID_KEY);
    }

    // ---- check 3: origin

    @Test
    void keyWithoutAllowedOriginsAcceptsAnyOrigin() {
        assertThat(withKey(PK_ID, "https://anything.example")).isInstanceOf(Admission.Admitted.class);
        assertThat(withKey(PK_ID, "null")).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void missingOriginIsAcceptedEvenWithAllowedOrigins() {
        assertThat(withKey(PK_ORIGINS_ID, null)).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void listedOriginIsAccepted() {
        assertThat(withKey(PK_ORIGINS_ID, "https://app.example.com")).isInstanceOf(Admission.Admitted.class);
        assertThat(withKey(PK_ORIGINS_ID, "http://localhost:3000")).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void originSchemeAndHostCompareCaseInsensitively() {
        assertThat(withKey(PK_ORIGINS_ID, "HTTPS://APP.Example.COM")).isInstanceOf(Admission.Admitted.class);
        assertThat(withKey(PK_ORIGINS_ID, "https://admin.example.com")).isInstanceOf(Admission.Admitted.class);
    }

    @Test
    void unlistedOriginIsRefusedWith4001OriginNotAllowed() {
        assertThat(withKey(PK_ORIGINS_ID, "https://evil.example")).isEqualTo(ORIGIN);
        assertThat(withKey(PK_ORIGINS_ID, "http://app.example.com")).isEqualTo(ORIGIN);
        assertThat(withKey(PK_ORIGINS_ID, "https://app.example.com.evil.example")).isEqualTo(ORIGIN);
        assertThat(withKey(PK_ORIGINS_ID, "null")).isEqualTo(ORIGIN);
        assertThat(withKey(PK_ORIGINS_ID, "")).isEqualTo(ORIGIN);
    }

    @Test
    void originPortComparesExactly() {
        assertThat(withKey(PK_ORIGINS_ID, "http://localhost:3001")).isEqualTo(ORIGIN);
        assertThat(withKey(PK_ORIGINS_ID, "http://localhost")).isEqualTo(ORIGIN);
        assertThat(withKey(PK_ORIGINS_ID, "https://app.example.com:8443")).isEqualTo(ORIGIN);
    }

    @Test
    void explicitDefaultPortIsNotTheSameOriginTextAsAnOmittedOne() {
        assertThat(withKey(PK_ORIGINS_ID, "https://app.example.com:443")).isEqualTo(ORIGIN);
    }

    @Test
    void nonAsciiLookAlikeNeverMatchesAnOrigin() {
        assertThat(withKey(PK_ORIGINS_ID, "https://app.example.\u212Aom")).isEqualTo(ORIGIN); // KELVIN SIGN
        assertThat(withKey(PK_ORIGINS_ID, "http://localhost:3000")).isInstanceOf(Admission.Admitted.class);
    }

    // ---- publishable-key sessions

    @Test
    void publishableKeySessionGetsKeyActionsAndPatternsNoMetadataAndNoExpiry() {
        Identity id = admitted(withKey(PK_ID, null));
        assertThat(id.app().id()).isEqualTo("app_abc");
        assertThat(id.key().config()).isEqualTo(PK);
        assertThat(id.actions()).isEqualTo(PK.actions());
        assertThat(id.can(Action.SEND)).isFalse();
        assertThat(id.grants().allows("room-42")).isTrue();
        assertThat(id.grants().allows("demo/a/b")).isTrue();
        assertThat(id.grants().allows("admin-1")).isFalse();
        assertThat(id.expiresAtSeconds()).isNull();
        assertThat(id.peerMetadata()).isNull();
        assertThat(id.welcomeMetadata()).isNull();
    }

    @Test
    void publishableKeySessionPeerIdIsAFreshLowercaseUuidV4() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String peerId = admitted(withKey(PK_ID, null)).peerId();
            assertThat(peerId).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
            assertThat(seen.add(peerId)).isTrue();
        }
    }

    @Test
    void publishableKeyNeverExpires() {
        assertThat(auth.admit(null, PK_ID, null, Long.MAX_VALUE)).isInstanceOf(Admission.Admitted.class);
    }

    // ---- checks 4–5: token

    @Test
    void validTokenIsAdmitted() {
        Identity id = admitted(auth.admit(token(payload("")), null, "https://anything.example", NOW_MILLIS));
        assertThat(id.peerId()).isEqualTo("alice");
        assertThat(id.expiresAtSeconds()).isEqualTo(NOW_SECONDS + 3600);
    }

    @Test
    void invalidTokenIsRefusedWith4001InvalidToken() {
        assertThat(auth.admit("a.b.c", null, null, NOW_MILLIS)).isEqualTo(INVALID_TOKEN);
        assertThat(auth.admit(PK_ID, null, null, NOW_MILLIS)).isEqualTo(INVALID_TOKEN);
    }

    @Test
    void publishableKeyIdUsedAsTokenKidIsRefusedWith4001() {
        assertThat(auth.admit(sign(header(PK_ID), payload(""), PK_ID), null, null, NOW_MILLIS)).isEqualTo(INVALID_TOKEN);
    }

    @Test
    void expiredTokenIsRefusedWith4002TokenExpired() {
        assertThat(auth.admit(token(payload("")), null, null, (NOW_SECONDS + 3600) * 1000 - 250)).isEqualTo(EXPIRED);
    }

    @Test
    void appSuspensionIsLeftToTheCaller() {
        String t = sign(header(SK_OTHER_APP_ID), payload(""), SK_OTHER_APP.secret());
        Identity id = admitted(auth.admit(t, null, null, NOW_MILLIS));
        assertThat(id.app().suspended()).isTrue();
    }
}
