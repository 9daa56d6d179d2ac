package io.nearcache.internal.redis;

import java.time.Duration;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.SslOptions;

/**
 * How a client that makes its own connections makes them: the bound of every call, the ACL user
 * and password, and TLS.
 *
 * @param timeout bounds connecting, waiting for a pooled connection and waiting for a reply
 * @param user the ACL user, or {@code null} for {@code default}
 * @param password the user's password, or {@code null} for none
 * @param tls the TLS options, or {@code null} for plaintext
 */
public record ClientSettings(Duration timeout, String user, String password, SslOptions tls) {
  /** Connections each pool of a client keeps at most. */
  static final int POOL_SIZE = 32;

  /** The Jedis configuration of every connection to a Redis node. */
  public JedisClientConfig config() {
    return builder().database(0).clientName("nearcache").build();
  }

  /** The same, for database {@code database} (standalone only: Cluster has one database). */
  JedisClientConfig config(int database) {
    return builder().database(database).clientName("nearcache").build();
  }

  private DefaultJedisClientConfig.Builder builder() {
    int millis = (int) timeout.toMillis();
    DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(millis)
        .socketTimeoutMillis(millis)
        .user(user)
        .password(password);
    if (tls != null) {
      config.ssl(true).sslOptions(tls);
    }
    return config;
  }

  /** A pool of {@value #POOL_SIZE} connections that waits at most the timeout for one. */
  ConnectionPoolConfig pool() {
    ConnectionPoolConfig pool = new ConnectionPoolConfig();
    pool.setMaxTotal(POOL_SIZE);
    pool.setMaxIdle(POOL_SIZE);
    pool.setMaxWait(timeout);
    return pool;
  }
}
