package io.nearcache.internal.redis;

import io.nearcache.internal.keys.KeyLayout;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisURIHelper;

/**
 * One Redis server: every group on it, one channel per application prefix, and the server's
 * {@code run_id} as the identity of every group's history (a restart makes a new one).
 */
public final class StandaloneRedis implements RedisDeployment {
  private static final int POOL_SIZE = 32;
  private static final byte[] PUBLISH = "PUBLISH".getBytes(StandardCharsets.US_ASCII);

  private final RedisClient jedis;
  private final boolean owned;

  private StandaloneRedis(RedisClient jedis, boolean owned) {
    this.jedis = jedis;
    this.owned = owned;
  }

  /** The caller's client, which {@link #close()} leaves open. */
  public static StandaloneRedis of(RedisClient jedis) {
    return new StandaloneRedis(jedis, false);
  }

  /**
   * A pool of its own for {@code uri} ({@code redis://} or {@code rediss://}, user, password and
   * database taken from it), every call bounded by {@code timeout}; {@link #close()} closes it.
   */
  public static StandaloneRedis connect(URI uri, Duration timeout) {
    int millis = (int) timeout.toMillis();
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(millis)
        .socketTimeoutMillis(millis)
        .user(JedisURIHelper.getUser(uri))
        .password(JedisURIHelper.getPassword(uri))
        .database(JedisURIHelper.getDBIndex(uri))
        .ssl(JedisURIHelper.isRedisSSLScheme(uri))
        .clientName("nearcache");
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(POOL_SIZE);
    pool.setMaxIdle(POOL_SIZE);
    pool.setMaxWait(timeout);
    return new StandaloneRedis(RedisClient.builder()
        .hostAndPort(JedisURIHelper.getHostAndPort(uri))
        .clientConfig(config.build())
        .poolConfig(pool)
        .build(), true);
  }

  @Override
  public UnifiedJedis commands() {
    return jedis;
  }

  /** A connection of the pool, which the subscriber holds while it listens. */
  @Override
  public Connection subscriberConnection() {
    return jedis.getPool().getResource();
  }

  @Override
  public byte[] publishCommand() {
    return PUBLISH.clone();
  }

  /** One channel for every group: {@code <prefix>:invalidations}. */
  @Override
  public byte[] channel(String prefix, int group) {
    return (prefix + ":invalidations").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public List<byte[]> channels(String prefix) {
    return List.of(channel(prefix, 0));
  }

  /** The server's {@code run_id}, for every group. */
  @Override
  public List<String> historyIds() {
    return Collections.nCopies(KeyLayout.GROUPS, infoField("run_id"));
  }

  @Override
  public String serverVersion() {
    return infoField("redis_version");
  }

  private String infoField(String name) {
    String prefix = name + ":";
    return jedis.info("server").lines().filter(line -> line.startsWith(prefix))
        .map(line -> line.substring(prefix.length()).trim()).findFirst().orElse("");
  }

  @Override
  public void close() {
    if (owned) {
      jedis.close();
    }
  }
}
