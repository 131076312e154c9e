package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeerIdsTest {

    @Test
    void targetOf128CharsIsValidAnd129IsNot() {
        assertThat(PeerIds.isValidTarget("p".repeat(127))).isTrue();
        assertThat(PeerIds.isValidTarget("p".repeat(128))).isTrue();
        assertThat(PeerIds.isValidTarget("p".repeat(129))).isFalse();
    }

    @Test
    void targetLengthCountsCharsNotBytes() {
        assertThat(PeerIds.isValidTarget("é".repeat(128))).isTrue();
        assertThat(PeerIds.isValidTarget("é".repeat(129))).isFalse();
    }

    @Test
    void targetMayBeAnyNonControlText() {
        assertThat(PeerIds.isValidTarget("7d1f0c2a-1b2c-4d5e-8f90-0123456789ab")).isTrue();
        assertThat(PeerIds.isValidTarget("bob smith ✓")).isTrue();
    }

    @Test
    void emptyNullOrControlTargetIsInvalid() {
        assertThat(PeerIds.isValidTarget("")).isFalse();
        assertThat(PeerIds.isValidTarget(null)).isFalse();
        assertThat(PeerIds.isValidTarget("bob\n")).isFalse();
        assertThat(PeerIds.isValidTarget("bob\u007f")).isFalse();
        assertThat(PeerIds.isValidTarget("bob\u0085")).isFalse();
    }

    @Test
    void subjectOf128PrintableAsciiCharsIsValidAnd129IsNot() {
        assertThat(PeerIds.isValidSubject("s".repeat(127))).isTrue();
        assertThat(PeerIds.isValidSubject("s".repeat(128))).isTrue();
        assertThat(PeerIds.isValidSubject("s".repeat(129))).isFalse();
    }

    @Test
    void subjectAllowsSpaceAndTildeButNothingOutsidePrintableAscii() {
        assertThat(PeerIds.isValidSubject(" alice ~")).isTrue();
        assertThat(PeerIds.isValidSubject("alicé")).isFalse();
        assertThat(PeerIds.isValidSubject("alice\t")).isFalse();
        assertThat(PeerIds.isValidSubject("alice\u007f")).isFalse();
        assertThat(PeerIds.isValidSubject("")).isFalse();
        assertThat(PeerIds.isValidSubject(null)).isFalse();
    }
}
