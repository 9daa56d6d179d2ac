package io.nearcache.internal.redis;

import io.nearcache.internal.keys.SlotGroups;
import java.net.URI;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * One Redis server: every group on it, one classic channel per application prefix, and the
 * server's replication ID as the identity of every group's history (a restart makes a new one).
 */
public final class StandaloneRedis implements RedisDeployment {
  private final RedisClient jedis;
  private final boolean owned;
  private final List<Shard> shards;

  private StandaloneRedis(RedisClient jedis, boolean owned, SlotGroups groups) {
    this.jedis = jedis;
    this.owned = owned;
    // The subscriber holds a connection of the pool while it listens.
    this.shards = List.of(new Shard("standalone", groups.all(),
        () -> jedis.getPool().getResource()));
  }

  /** The caller's client, which {@link #close()} leaves open, holding {@code groups}. */
  public static StandaloneRedis of(RedisClient jedis, SlotGroups groups) {
    return new StandaloneRedis(jedis, false, groups);
  }

  /**
   * A pool of its own for the server at {@code uri}, with the database the URI names; {@link
   * #close()} closes it. The caller has merged the URI's user, password and scheme into {@code
   * settings}.
   */
  public static StandaloneRedis connect(URI uri, ClientSettings settings, SlotGroups groups) {
    return new StandaloneRedis(RedisClient.builder()
        .hostAndPort(JedisURIHelper.getHostAndPort(uri))
        .clientConfig(settings.config(JedisURIHelper.getDBIndex(uri)))
        .poolConfig(settings.pool())
        .build(), true, groups);
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

  @Override
  public List<Shard> shards() {
    return shards;
  }

  @Override
  public void refreshTopology() {
    // One server: nothing moves.
  }

  /** The server's {@code master_replid}, for every group. */
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
