package dev.switchboard.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.spi.Publication;
import dev.switchboard.protocol.Glob;
import dev.switchboard.protocol.RawJson;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WireTest {

    @Test
    void aPublicationTravelsWithItsBytesAndComesBackWithoutACopyOfItsBody() {
        Publication sent = new Publication("app", "room/1", "alice", RawJson.of("{\"s\":\"é\\u0000\"}"),
                RawJson.of("{\"name\":\"Zoë\"}"));
        byte[] payload = Wire.message(-42, "node-a", sent, false);
        Wire.Fields f = Wire.split(payload, 8);
        assertThat(f.text(0)).isEqualTo("M");
        assertThat(f.number(1)).isEqualTo(-42);
        assertThat(f.text(2)).isEqualTo("node-a");
        assertThat(f.text(3)).isEqualTo("app");
        assertThat(f.text(4)).isEqualTo("room/1");
        assertThat(f.text(5)).isEqualTo("alice");
        assertThat(f.json(6)).isEqualTo(sent.fromMetadata());
        assertThat(f.json(7)).isEqualTo(sent.data());
        assertThat(f.json(7).array()).as("the body is a view of the payload").isSameAs(payload);
    }

    @Test
    void aPublicationWithoutMetadataHasAnEmptyField() {
        byte[] payload = Wire.countedMessage(1, "n", 9, new Publication("a", "c", "f", RawJson.of("null"), null), true);
        Wire.Fields f = Wire.split(payload, 9);
        assertThat(f.text(0)).as("sent on the app's feed too").isEqualTo("G");
        assertThat(f.number(3)).isEqualTo(9);
        assertThat(f.json(7)).isNull();
        assertThat(f.json(8).toString()).isEqualTo("null");
    }

    @Test
    void aPayloadWithTooFewFieldsIsRefused() {
        assertThat(Wire.split("M\0only".getBytes(StandardCharsets.UTF_8), 8)).isNull();
    }

    @Test
    void aDirectFrameKeepsItsBytes() {
        byte[] frame = "{\"type\":\"direct\"}".getBytes(StandardCharsets.UTF_8);
        Wire.Fields f = Wire.split(Wire.direct("node-b", frame), 3);
        assertThat(f.text(1)).isEqualTo("node-b");
        assertThat(f.copy(2)).isEqualTo(frame);
    }

    @Test
    void patternRoomsSubscribeAnEscapedCoarserRedisPattern() {
        assertThat(new String(Wire.roomPattern("app[1]", Glob.compile("dev?/*/ev\\*ts/**")), StandardCharsets.UTF_8))
                .isEqualTo("sb:c:{app\\[1\\]\0dev\\?/*/ev\\*ts/*}");
    }

    @Test
    void everythingOfARoomSharesOneHashTagAndSoOneSlotOfARedisCluster() {
        String tag = "{app\0room}x}";
        for (byte[] name : new byte[][] {Wire.roomChannel("app", "room}x"), Wire.presenceKey("app", "room}x"),
                Wire.versionKey("app", "room}x")}) {
            String text = new String(name, StandardCharsets.UTF_8);
            assertThat(text).endsWith(tag);
            assertThat(hashTag(text)).as(text).isEqualTo("app\0room");
        }
        assertThat(Wire.appRoom(new String(Wire.roomChannel("app", "room}x"), StandardCharsets.UTF_8)))
                .containsExactly("app", "room}x");
        assertThat(Wire.appPeer(new String(Wire.peerChannel("app", "p{1}"), StandardCharsets.UTF_8)))
                .containsExactly("app", "p{1}");
        assertThat(Wire.appRoom("sb:p:{app\0peer}")).isNull();
    }

    /** What Redis Cluster hashes: the text between the first '{' and the next '}', if not empty. */
    private static String hashTag(String key) {
        int open = key.indexOf('{');
        int close = key.indexOf('}', open + 1);
        return key.substring(open + 1, close);
    }

    @Test
    void aPasswordInTheUriNeverShows() {
        assertThat(RedisSettings.redact("redis://:s3cret@10.0.0.5:6379/2")).isEqualTo("redis://***@10.0.0.5:6379/2");
        assertThat(RedisSettings.redact("rediss://user:pw@h:1")).isEqualTo("rediss://***@h:1");
        assertThat(RedisSettings.of("redis://:pw@h:1", "n").toString()).doesNotContain("pw");
    }
}
