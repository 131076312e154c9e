package dev.switchboard.testkit.contract;

import dev.switchboard.testkit.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/** The contracts against the Redis engine: nodes in this process, each with its own connections to one Redis. */
class RedisEngineContractsIT extends EngineContracts {
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        Assumptions.assumeTrue(RedisServer.available() || System.getenv("CI") != null,
                "redis-server is not installed");
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Override
    Engine engine() {
        return new Engine.Redis(redis.uri(), false);
    }
}
