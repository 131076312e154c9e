package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelsTest {

    @Test
    void channelOf256AsciiBytesIsValidAnd257IsNot() {
        assertThat(Channels.isValidName("a".repeat(255))).isTrue();
        assertThat(Channels.isValidName("a".repeat(256))).isTrue();
        assertThat(Channels.isValidName("a".repeat(257))).isFalse();
    }

    @Test
    void channelLengthIsMeasuredInUtf8BytesWithTwoByteChars() {
        // é is 2 bytes: 128 × é = 256 bytes; one more ASCII char = 257
        assertThat(Channels.isValidName("é".repeat(127) + "a")).isTrue(); // 255
        assertThat(Channels.isValidName("é".repeat(128))).isTrue(); // 256
        assertThat(Channels.isValidName("é".repeat(128) + "a")).isFalse(); // 257
    }

    @Test
    void channelLengthIsMeasuredInUtf8BytesWithThreeAndFourByteChars() {
        String euro = "€"; // 3 bytes
        assertThat(Channels.isValidName(euro.repeat(85))).isTrue(); // 255
        assertThat(Channels.isValidName(euro.repeat(85) + "a")).isTrue(); // 256
        assertThat(Channels.isValidName(euro.repeat(85) + "ab")).isFalse(); // 257
        String emoji = "😀"; // 4 bytes, 2 chars
        assertThat(Channels.isValidName(emoji.repeat(63) + "abc")).isTrue(); // 255
        assertThat(Channels.isValidName(emoji.repeat(64))).isTrue(); // 256
        assertThat(Channels.isValidName(emoji.repeat(64) + "a")).isFalse(); // 257
    }

    @Test
    void emptyAndNullChannelsAreInvalid() {
        assertThat(Channels.isValidName("")).isFalse();
        assertThat(Channels.isValidName(null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(chars = {'\u0000', '\u0001', '\n', '\u001f', '\u007f', '\u0080', '\u0085', '\u009f'})
    void channelWithControlCharacterIsInvalid(char c) {
        assertThat(Channels.isValidName("room" + c + "1")).isFalse();
        assertThat(Channels.hasControlChars("room" + c)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(chars = {' ', '~', '\u00a0', '\u00e9', '/', '*', '\\'})
    void channelWithPrintableCharacterIsValid(char c) {
        assertThat(Channels.isValidName("room" + c + "1")).isTrue();
        assertThat(Channels.hasControlChars("room" + c)).isFalse();
    }

    @Test
    void channelNamesAreNotTrimmedOrNormalised() {
        assertThat(Channels.isValidName(" room ")).isTrue();
        assertThat(Channels.isValidName("app_abc/room-1")).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"_metered/x", "_internal/x", "_system/x", "_METERED/x", "_Internal/", "_SyStEm/a/b"})
    void reservedPrefixesMatchCaseInsensitively(String channel) {
        assertThat(Channels.isReserved(channel)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"_metered", "metered/x", "x/_metered/x", "_system", "_systemx/", "app/_internal/",
        "_\u017Fystem/x", "_metered\\x"})
    void otherNamesAreNotReserved(String channel) {
        // U+017F (long s) upper-cases to 'S' in Unicode, but the rule is ASCII case folding
        assertThat(Channels.isReserved(channel)).isFalse();
    }

    @Test
    void nullIsNeitherReservedNorHasControlChars() {
        assertThat(Channels.isReserved(null)).isFalse();
        assertThat(Channels.hasControlChars(null)).isFalse();
    }
}
