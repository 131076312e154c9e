package dev.switchboard.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchboard.core.spi.Publication;
import dev.switchboard.protocol.RawJson;
import dev.switchboard.testkit.RedisServer;
import dev.switchboard.testkit.RedisShards;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contracts against the Redis engine on a Redis Cluster of three masters ({@code broker.cluster}: sharded
 * pub/sub, every room, peer and node in a slot of its own), and the per-sender order across shards that only this
 * engine has to work for.
 */
class RedisClusterEngineContractsIT extends EngineContracts {
    private static RedisShards shards;

    @BeforeAll
    static void startRedisCluster() {
        Assumptions.assumeTrue(RedisServer.available() || System.getenv("CI") != null,
                "redis-server is not installed");
        shards = RedisShards.start();
    }

    @AfterAll
    static void stopRedisCluster() {
        if (shards != null) {
            shards.close();
        }
    }

    @Override
    Engine engine() {
        return new Engine.Redis(shards.uri(), true);
    }

    /** What only a Redis Cluster has to work for: order across shards, and slots that move. */
    @Nested
    class AcrossShards extends ThreeNodes {
        @Override
        protected Engine engine() {
            return RedisClusterEngineContractsIT.this.engine();
        }

        @Test
        void aSendOvertakingItsSendersJoinedOnAnotherShardWaitsForIt() throws Exception {
            String room = null;
            for (int i = 0; room == null; i++) { // a room whose shard is not bob's
                if (master("{" + app + "\0room-" + i + "}") != master("{" + app + "\0bob}")) {
                    room = "room-" + i;
                }
            }
            join(b.broker().subscribe(app, room));
            join(b.peers().register(app, "bob"));
            // the room's shard stalls: alice's joined waits there while her offer takes bob's shard at once
            pause(master("{" + app + "\0" + room + "}"));
            a.presence().add(app, room, "alice", null);
            a.peers().send(app, "alice", "bob", OFFER);
            assertThat(inB.nextArrival()).isEqualTo("joined alice");
            assertThat(inB.nextArrival()).isEqualTo("direct to bob");
        }

        @Test
        void aPatternSubscriberGetsAPublicationBeforeTheSendersNextSendThoughTheFeedLags() throws Exception {
            String feed = "sb:a:" + app; // a classic channel: its slot is its whole name's
            String bob = null;
            for (int i = 0; bob == null; i++) { // a peer whose shard is not the feed's
                if (master("{" + app + "\0bob-" + i + "}") != master(feed)) {
                    bob = "bob-" + i;
                }
            }
            join(b.broker().subscribe(app, "rooms/*"));
            join(b.peers().register(app, bob));
            pause(master(feed));
            a.broker().publish(new Publication(app, "rooms/1", "alice", RawJson.of("1"), null));
            a.peers().send(app, "alice", bob, OFFER);
            assertThat(inB.nextArrival()).isEqualTo("message alice");
            assertThat(inB.nextArrival()).isEqualTo("direct to " + bob);
        }

        @Test
        void aRoomWhoseSlotMovesToAnotherMasterIsSubscribedThereAgain() throws Exception {
            String tag = "{" + app + "\0room}";
            join(b.broker().subscribe(app, "room"));
            a.broker().publish(new Publication(app, "room", "alice", RawJson.of("\"before\""), null));
            assertThat(inB.nextPublication().data().toString()).isEqualTo("\"before\"");

            RedisServer from = master(tag);
            RedisServer to = shards.masters().stream().filter(m -> m != from).findFirst().orElseThrow();
            moveSlot(Integer.parseInt(from.command("CLUSTER", "KEYSLOT", tag).substring(1)), from, to);

            // b is told its subscription ended, and subscribes where the slot lives now
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                a.broker().publish(new Publication(app, "room", "alice", RawJson.of("\"after\""), null));
                assertThat(inB.publications.poll(200, TimeUnit.MILLISECONDS)).isNotNull()
                        .satisfies(p -> assertThat(p.data().toString()).isEqualTo("\"after\""));
            });
        }
    }

    private static final byte[] OFFER = "{\"offer\":1}".getBytes(StandardCharsets.UTF_8);

    /** Holds {@code master}'s writes (and publishes) for 400 ms: its shard lags behind the others. */
    private static void pause(RedisServer master) throws IOException {
        assertThat(master.command("CLIENT", "PAUSE", "400", "WRITE")).isEqualTo("+OK");
    }

    /** Moves {@code slot}, which holds no keys, from master {@code from} to master {@code to}, as resharding does. */
    private static void moveSlot(int slot, RedisServer from, RedisServer to) throws IOException {
        String fromId = from.bulkCommand("CLUSTER", "MYID");
        String toId = to.bulkCommand("CLUSTER", "MYID");
        assertThat(to.command("CLUSTER", "SETSLOT", Integer.toString(slot), "IMPORTING", fromId)).isEqualTo("+OK");
        assertThat(from.command("CLUSTER", "SETSLOT", Integer.toString(slot), "MIGRATING", toId)).isEqualTo("+OK");
        String keys = from.command("CLUSTER", "COUNTKEYSINSLOT", Integer.toString(slot));
        assertThat(keys).as("the room has no keys yet").isEqualTo(":0");
        for (RedisServer master : shards.masters()) {
            assertThat(master.command("CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", toId)).isEqualTo("+OK");
        }
    }

    /** The master serving {@code key}'s slot: the one that does not redirect a read of it. */
    private static RedisServer master(String key) throws IOException {
        for (RedisServer master : shards.masters()) {
            if (!master.command("EXISTS", key).startsWith("-MOVED")) {
                return master;
            }
        }
        throw new AssertionError("no master serves " + key);
    }
}
