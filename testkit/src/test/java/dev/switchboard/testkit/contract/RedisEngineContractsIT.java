package dev.switchboard.testkit.contract;

import dev.switchboard.testkit.RedisServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/** The contracts against the Redis engine: nodes in this process, each with its own connections to one Redis. */
class RedisEngineContractsIT {
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

    @Nested
    class Broker extends BrokerContract {
        @Override
        protected Engine engine() {
            return new Engine.Redis(redis);
        }
    }

    @Nested
    class Presence extends PresenceStoreContract {
        @Override
        protected Engine engine() {
            return new Engine.Redis(redis);
        }
    }

    @Nested
    class Peers extends PeerRouterContract {
        @Override
        protected Engine engine() {
            return new Engine.Redis(redis);
        }
    }

    @Nested
    class Counters extends ClusterCountersContract {
        @Override
        protected Engine engine() {
            return new Engine.Redis(redis);
        }
    }
}
