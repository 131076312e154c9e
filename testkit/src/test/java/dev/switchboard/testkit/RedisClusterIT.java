package dev.switchboard.testkit;

/**
 * {@link ClusterTests} on a Redis Cluster of three masters ({@code broker.cluster: true}): rooms, peers and nodes
 * spread over the shards, sharded pub/sub, pattern subscribers served through their app's feed.
 */
class RedisClusterIT extends ClusterTests {
    private RedisShards shards;

    @Override
    String startRedis() {
        shards = RedisShards.start();
        return shards.uri();
    }

    @Override
    boolean redisCluster() {
        return true;
    }

    @Override
    void stopRedis() {
        if (shards != null) {
            shards.close();
        }
    }
}
