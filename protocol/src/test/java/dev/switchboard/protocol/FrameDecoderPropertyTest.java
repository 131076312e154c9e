package dev.switchboard.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fuzz invariants over seeded random mutations of realistic frames, so they run on every build
 * regardless of Jazzer's mode.
 */
class FrameDecoderPropertyTest {
    private static final String[] SEEDS = {
        "{\"type\":\"publish\",\"channel\":\"app_abc/room-1\",\"data\":{\"text\":\"hi\"},\"requestId\":\"pub-1\"}",
        "{\"type\":\"send\",\"to\":\"bob\",\"data\":{\"type\":\"rtc-ice\",\"candidate\":null},\"requestId\":\"snd-1\"}",
        "{\"type\":\"subscribe\",\"channel\":\"devices/*/events\",\"requestId\":\"s\",\"includeSenderMetadata\":true}",
        "{\"type\":\"unsubscribe\",\"channel\":\"c\"}",
        "{\"type\":\"ping\"}",
        "{\"data\":[1,-2.5e3,\"a\\\"\\\\\\u00e9😀\",true,false,null,{}],\"type\":\"publish\",\"channel\":\"é\"}",
        "{\"type\":\"send\",\"to\":\"x\",\"data\":\"str\"}",
        "{\"type\":\"publish\",\"channel\":\"c\",\"data\":12345}",
    };
    private static final byte[] INTERESTING = "{}[]\",:\\ \t\n0123456789.eE+-truefalsenull\u00e9"
            .getBytes(StandardCharsets.UTF_8);

    @Test
    void decoderInvariantsHoldForRandomMutationsOfRealFrames() {
        Random random = new Random(0x5B0A4DL);
        for (int round = 0; round < 100_000; round++) {
            byte[] frame = SEEDS[random.nextInt(SEEDS.length)].getBytes(StandardCharsets.UTF_8);
            int mutations = 1 + random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                frame = mutate(random, frame);
            }
            DecoderInvariants.check(frame);
        }
    }

    @Test
    void globInvariantsHoldForRandomPatterns() {
        Random random = new Random(99L);
        for (int round = 0; round < 5_000; round++) {
            GlobInvariants.check(GlobTest.randomString(random, GlobInvariants.PATTERN_ALPHABET, 12),
                    GlobTest.randomString(random, GlobInvariants.CHANNEL_ALPHABET, 16));
        }
    }

    private static byte[] mutate(Random random, byte[] in) {
        if (in.length == 0) {
            return new byte[] {INTERESTING[random.nextInt(INTERESTING.length)]};
        }
        int at = random.nextInt(in.length);
        byte b = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : INTERESTING[random.nextInt(INTERESTING.length)];
        switch (random.nextInt(4)) {
            case 0: { // replace
                byte[] out = in.clone();
                out[at] = b;
                return out;
            }
            case 1: { // insert
                byte[] out = new byte[in.length + 1];
                System.arraycopy(in, 0, out, 0, at);
                out[at] = b;
                System.arraycopy(in, at, out, at + 1, in.length - at);
                return out;
            }
            case 2: { // delete
                byte[] out = new byte[in.length - 1];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(in, at + 1, out, at, in.length - at - 1);
                return out;
            }
            default: { // truncate
                byte[] out = new byte[at];
                System.arraycopy(in, 0, out, 0, at);
                return out;
            }
        }
    }
}
