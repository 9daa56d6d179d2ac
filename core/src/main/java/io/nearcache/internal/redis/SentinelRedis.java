package io.nearcache.internal.redis;

import io.nearcache.internal.keys.SlotGroups;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.Pool;

/**
 * A primary with replicas, guarded by Sentinel: every group on the primary, one classic channel
 * per prefix. Jedis' Sentinel client follows the primary through {@code +switch-master}; {@link
 * #shards()} names the primary it follows now, so that the subscriber moves with it. That matters:
 * after {@code SENTINEL FAILOVER} the old primary stays {@code role:master} for seconds and
 * answers PING, while no change is published on it any more.
 */
public final class SentinelRedis implements RedisDeployment {
  private final RedisSentinelClient jedis;
  private final boolean owned;
  private final SlotGroups groups;

  private SentinelRedis(RedisSentinelClient jedis, boolean owned, SlotGroups groups) {
    this.jedis = jedis;
    this.owned = owned;
    this.groups = groups;
  }

  /** The caller's client, which {@link #close()} leaves open, holding {@code groups}. */
  public static SentinelRedis of(RedisSentinelClient jedis, SlotGroups groups) {
    return new SentinelRedis(jedis, false, groups);
  }

  /**
   * A client of its own for the primary Sentinel knows as {@code masterName}; {@link #close()}
   * closes it.
   *
   * @param nodes how to connect to the primary
   * @param sentinel how to connect to the sentinels (their own user, password and TLS)
   * @throws redis.clients.jedis.exceptions.JedisException if no sentinel knows the primary
   * @throws IllegalStateException if the sentinel user lacks a permission the client needs, see
   *     {@link Permissions#requireOfSentinels}
   */
  public static SentinelRedis connect(String masterName, Set<HostAndPort> sentinels,
      ClientSettings nodes, ClientSettings sentinel, SlotGroups groups) {
    RedisSentinelClient jedis;
    try {
      jedis = RedisSentinelClient.builder()
          .masterName(masterName)
          .sentinels(sentinels)
          .clientConfig(nodes.config())
          .sentinelClientConfig(sentinel.config())
          .poolConfig(nodes.pool())
          .build();
    } catch (JedisException e) {
      // Jedis says only "All sentinels down", and logs why; the message should say it.
      throw new JedisException(e.getMessage() + " " + answers(masterName, sentinels,
          sentinel.config()), e);
    }
    try {
      Permissions.requireOfSentinels(masterName, sentinels, sentinel.config());
    } catch (RuntimeException e) {
      jedis.close();
      throw e;
    }
    return new SentinelRedis(jedis, true, groups);
  }

  /** What each sentinel answers when asked for {@code masterName}, for a message. */
  private static String answers(String masterName, Set<HostAndPort> sentinels,
      JedisClientConfig config) {
    List<String> answers = new ArrayList<>();
    for (HostAndPort address : sentinels) {
      try (Jedis jedis = new Jedis(address, config)) {
        List<String> primary = jedis.sentinelGetMasterAddrByName(masterName);
        answers.add(address + (primary == null || primary.isEmpty()
            ? " knows no primary named " + masterName : " names " + primary));
      } catch (JedisException e) {
        answers.add(address + " answers " + e.getMessage());
      }
    }
    return "The sentinels, asked again: " + String.join("; ", answers) + ".";
  }

  @Override
  public boolean spansGroups() {
    return true;
  }

  @Override
  public UnifiedJedis commands() {
    return jedis;
  }

  @Override
  public PubSub pubSub() {
    return PubSub.CLASSIC;
  }

  /** The primary Jedis follows now, with every group. */
  @Override
  public List<Shard> shards() {
    HostAndPort primary = jedis.getCurrentMaster();
    return List.of(new Shard(primary.toString(), groups.all(),
        () -> connectionTo(primary)));
  }

  private Connection connectionTo(HostAndPort primary) {
    for (Pool<Connection> pool : jedis.getPrimaryNodesConnectionMap().values()) {
      Connection connection = pool.getResource();
      if (connection.getHostAndPort().equals(primary)) {
        return connection;
      }
      connection.close();
    }
    throw new JedisConnectionException("the primary moved away from " + primary);
  }

  @Override
  public void refreshTopology() {
    // Jedis hears +switch-master from the sentinels by itself.
  }

  /** The primary's {@code master_replid}, for every group: a promoted replica makes a new one. */
  @Override
  public Map<Integer, String> historyIds(Collection<Integer> groups) {
    return Info.historyIds(jedis, groups);
  }

  @Override
  public String serverVersion() {
    return Info.version(jedis);
  }

  @Override
  public void close() {
    if (owned) {
      jedis.close();
    }
  }
}
