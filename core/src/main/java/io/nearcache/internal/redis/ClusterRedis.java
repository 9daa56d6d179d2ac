package io.nearcache.internal.redis;

import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.keys.SlotGroups;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * A Redis Cluster. Each slot group of a prefix is one hash slot, so its keys, log and counter sit
 * on the one primary that owns the slot; the groups of a prefix spread over at most as many
 * primaries as there are groups.
 *
 * <p>From Redis 7.0 on, each group's changes go out with {@code SPUBLISH} on a channel in the
 * group's slot, and a client listens with one connection per primary that owns groups: a
 * message stays on its shard instead of crossing the cluster bus to every node. On 6.2, which has
 * no sharded pub/sub, changes go out with {@code PUBLISH} on one channel, which every node
 * forwards to every other, and one connection to any node hears them all.
 *
 * <p>The topology is the one Jedis routes commands by: {@link #shards()} reads it, {@link
 * #refreshTopology()} asks the cluster for it again. The history of a group is the replication ID
 * of its slot's primary: a replica promoted in a failover, which may lack the last acknowledged
 * writes, has a new one.
 */
public final class ClusterRedis implements RedisDeployment {
  private final RedisClusterClient jedis;
  private final boolean owned;
  private final String prefix;
  private final SlotGroups groups;
  private final PubSub pubSub;

  private ClusterRedis(RedisClusterClient jedis, boolean owned, String prefix,
      SlotGroups groups) {
    this.jedis = jedis;
    this.owned = owned;
    this.prefix = prefix;
    this.groups = groups;
    this.pubSub = SupportedVersions.hasShardedPubSub(serverVersion()) ? PubSub.SHARDED
        : PubSub.CLASSIC;
  }

  /**
   * The caller's client, which {@link #close()} leaves open.
   *
   * @throws redis.clients.jedis.exceptions.JedisException if no node answers
   */
  public static ClusterRedis of(RedisClusterClient jedis, String prefix, SlotGroups groups) {
    return new ClusterRedis(jedis, false, prefix, groups);
  }

  /**
   * A client of its own, which learns the cluster from any of {@code seeds}; {@link #close()}
   * closes it.
   *
   * @throws redis.clients.jedis.exceptions.JedisException if no seed answers {@code CLUSTER
   *     SLOTS}
   */
  public static ClusterRedis connect(Set<HostAndPort> seeds, ClientSettings settings,
      String prefix, SlotGroups groups) {
    RedisClusterClient jedis = RedisClusterClient.builder()
        .nodes(seeds)
        .clientConfig(settings.config())
        .poolConfig(settings.pool())
        .build();
    try {
      return new ClusterRedis(jedis, true, prefix, groups);
    } catch (RuntimeException e) {
      jedis.close();
      throw e;
    }
  }

  @Override
  public boolean spansGroups() {
    return false;
  }

  @Override
  public UnifiedJedis commands() {
    return jedis;
  }

  @Override
  public PubSub pubSub() {
    return pubSub;
  }

  /**
   * Sharded: each primary that owns groups, with them. Classic: the primary of group 0, with
   * every group, since every node hears every message.
   */
  @Override
  public List<Shard> shards() {
    if (pubSub == PubSub.CLASSIC) {
      int slot = KeyLayout.slot(prefix, 0);
      return List.of(shard(nodeOf(slot), slot, groups.all()));
    }
    return owners();
  }

  /** Each primary that owns groups, with them, as Jedis routes commands now. */
  @Override
  public List<Shard> owners() {
    Map<HostAndPort, List<Integer>> owners = new LinkedHashMap<>();
    Map<HostAndPort, Integer> slots = new HashMap<>();
    for (int group : groups.all()) {
      int slot = KeyLayout.slot(prefix, group);
      HostAndPort node = nodeOf(slot);
      owners.computeIfAbsent(node, n -> new ArrayList<>()).add(group);
      slots.putIfAbsent(node, slot);
    }
    List<Shard> shards = new ArrayList<>();
    owners.forEach((node, owned) -> shards.add(shard(node, slots.get(node), owned)));
    return shards;
  }

  private Shard shard(HostAndPort node, int slot, List<Integer> groups) {
    return new Shard(node.toString(), groups, () -> connectionTo(node, slot));
  }

  private HostAndPort nodeOf(int slot) {
    try (Connection connection = jedis.getConnectionFromSlot(slot)) {
      return connection.getHostAndPort();
    }
  }

  private Connection connectionTo(HostAndPort node, int slot) {
    Connection connection = jedis.getConnectionFromSlot(slot);
    if (!connection.getHostAndPort().equals(node)) {
      connection.close();
      throw new JedisConnectionException("slot " + slot + " moved away from " + node);
    }
    return connection;
  }

  @Override
  public void refreshTopology() {
    jedis.refreshClusterTopology();
  }

  /** Each group's primary's {@code master_replid}: one {@code INFO} per primary. */
  @Override
  public Map<Integer, String> historyIds(Collection<Integer> groups) {
    Map<HostAndPort, String> byNode = new HashMap<>();
    Map<Integer, String> ids = new HashMap<>();
    for (int group : groups) {
      int slot = KeyLayout.slot(prefix, group);
      ids.put(group, byNode.computeIfAbsent(nodeOf(slot),
          node -> Info.field(info(slot, "replication"), "master_replid")));
    }
    return ids;
  }

  /** The version of the primary of group 0's slot: a cluster runs one version. */
  @Override
  public String serverVersion() {
    return Info.field(info(KeyLayout.slot(prefix, 0), "server"), "redis_version");
  }

  private String info(int slot, String section) {
    try (Jedis node = new Jedis(jedis.getConnectionFromSlot(slot))) {
      return node.info(section);
    }
  }

  @Override
  public void close() {
    if (owned) {
      jedis.close();
    }
  }
}
