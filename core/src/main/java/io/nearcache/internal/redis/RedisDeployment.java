package io.nearcache.internal.redis;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The one place that knows how a client's Redis is deployed: one server ({@link
 * StandaloneRedis}), a primary guarded by Sentinel ({@link SentinelRedis}) or a Cluster ({@link
 * ClusterRedis}). The rest of the library asks it for commands, the servers that own the slot
 * groups now (where to listen), how changes are announced, and the identity of the history a
 * group's log belongs to; it never learns which deployment it runs on.
 *
 * <p>Every method that talks to Redis may throw {@link JedisException}; callers run those calls
 * through the circuit breaker of the groups concerned.
 */
public interface RedisDeployment extends AutoCloseable {
  /**
   * Runs commands and scripts. On a Cluster each command's keys lie in one slot group (see {@link
   * #spansGroups()}).
   */
  UnifiedJedis commands();

  /**
   * Whether one command or script may touch keys of different slot groups: on one server or
   * behind Sentinel, where one server holds every key, it may; on a Cluster, where each group is
   * a hash slot of its own and Redis refuses a command whose keys span slots, it may not.
   */
  boolean spansGroups();

  /** How changes are announced and heard here. */
  PubSub pubSub();

  /**
   * The servers that own the groups now, as this deployment last learned the topology, each with
   * its groups; together they own every group once. Makes no round trip to Redis on one server
   * or Sentinel; on a cluster it may open a pooled connection.
   *
   * @throws JedisException if the topology is not known (no node reachable)
   */
  List<Shard> shards();

  /**
   * The servers that hold the groups' data now, each with its groups: where the calls of a group
   * go, and so which circuit breaker they share. The same as {@link #shards()}, except on a
   * Cluster without sharded pub/sub (6.2), where one subscription hears every group but each
   * primary still holds its own.
   *
   * @throws JedisException if the topology is not known (no node reachable)
   */
  default List<Shard> owners() {
    return shards();
  }

  /**
   * Learns the topology from Redis again: a subscription was moved or broken, so the servers that
   * own the groups may have changed. A no-op on one server; Sentinel follows its primary by
   * itself.
   *
   * @throws JedisException if Redis cannot be reached
   */
  void refreshTopology();

  /**
   * For each of {@code groups}, the identity of the history its log and numbering belong to: the
   * replication ID of the primary that holds it. It changes when that server lost what it held:
   * a restart (this library keeps nothing on disk), or a replica promoted in a failover, which
   * may lack the last acknowledged writes (replication is asynchronous). Numbers of one history
   * say nothing about another. One round trip per server.
   *
   * @throws JedisException if a server of those groups cannot be reached
   */
  Map<Integer, String> historyIds(Collection<Integer> groups);

  /**
   * The Redis version of the server(s), as {@code INFO server} reports it (e.g. {@code 7.0.15}).
   *
   * @throws JedisException if Redis cannot be reached
   */
  String serverVersion();

  /** Closes the connections this deployment opened; a client the caller passed in stays open. */
  @Override
  void close();
}
