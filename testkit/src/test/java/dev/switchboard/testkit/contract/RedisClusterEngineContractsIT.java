package dev.switchboard.testkit.contract;

import dev.switchboard.testkit.RedisServer;
import dev.switchboard.testkit.RedisShards;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The contracts against the Redis engine on a Redis Cluster of three masters ({@code broker.cluster}: sharded
 * pub/sub, every room, peer and node in a slot of its own).
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
}
