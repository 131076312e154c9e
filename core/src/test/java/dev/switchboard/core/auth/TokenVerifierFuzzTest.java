package dev.switchboard.core.auth;

import static dev.switchboard.core.auth.AuthFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.switchboard.protocol.CloseCode;

/**
 * {@link TokenVerifier#verify} is fed attacker-controlled URLs: it must never throw and may only answer Admitted,
 * 4001 or 4002. Runs the stored inputs in regression mode under plain {@code mvn test}; fuzz with
 * {@code JAZZER_FUZZ=1}.
 */
class TokenVerifierFuzzTest {

    private final TokenVerifier verifier = new TokenVerifier(keyring());

    @FuzzTest
    void arbitraryStringsNeverThrow(FuzzedDataProvider data) {
        long now = data.consumeLong();
        check(verifier.verify(data.consumeRemainingAsString(), now));
    }

    @FuzzTest
    void correctlySignedTokensWithFuzzedPayloadsNeverThrow(FuzzedDataProvider data) {
        long now = data.consumeBoolean() ? NOW_MILLIS : data.consumeLong();
        byte[] payload = data.consumeRemainingAsBytes();
        check(verifier.verify(signBytes(SK_ID, payload, SK_SECRET), now));
    }

    private static void check(Admission a) {
        assertThat(a).isNotNull();
        if (a instanceof Admission.Refused(CloseCode code, String reason)) {
            assertThat(code).isIn(CloseCode.INVALID_TOKEN, CloseCode.TOKEN_EXPIRED);
            assertThat(reason).isNotBlank();
        } else {
            Identity id = ((Admission.Admitted) a).identity();
            assertThat(id.peerId()).isNotEmpty().hasSizeLessThanOrEqualTo(128);
            assertThat(id.expiresAtSeconds()).isNotNull();
        }
    }
}
