package dev.switchboard.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Jazzer fuzz tests. Under plain {@code mvn test} they run in regression mode over the seeds in
 * {@code src/test/resources/dev/switchboard/protocol/FrameDecoderFuzzTestInputs/<method>/}; with
 * {@code JAZZER_FUZZ=1} they fuzz. {@link FrameDecoderPropertyTest} covers the same invariants with a
 * seeded random generator so CI exercises many inputs either way.
 */
class FrameDecoderFuzzTest {

    /** The decoder never throws, and a Publish/Send data slice is exactly the value that was sent. */
    @FuzzTest(maxDuration = "60s")
    void decoderNeverThrowsAndDataSliceIsTheSentValue(byte[] input) {
        DecoderInvariants.check(input);
    }

    /** The compiled glob agrees with the reference matcher, and stays fast on long hostile inputs. */
    @FuzzTest(maxDuration = "60s")
    void globAgreesWithReferenceAndStaysLinear(FuzzedDataProvider data) {
        String pattern = GlobInvariants.restrict(data.consumeString(12), GlobInvariants.PATTERN_ALPHABET);
        String channel = GlobInvariants.restrict(data.consumeRemainingAsString(), GlobInvariants.CHANNEL_ALPHABET);
        if (channel.length() > 16) {
            channel = channel.substring(0, 16);
        }
        GlobInvariants.check(pattern, channel);
        assertThat(pattern.length()).isLessThanOrEqualTo(12);
    }
}
