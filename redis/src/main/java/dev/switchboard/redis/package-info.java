/**
 * The channel engine of a cluster of Switchboard nodes on Redis: {@link dev.switchboard.redis.RedisCluster}
 * carries publications over pub/sub, keeps the presence registry, the peer routes and the usage counters in Redis,
 * and heart-beats so the others can remove a dead node's members. docs/scale-out.md describes it for operators.
 */
package dev.switchboard.redis;
