package io.nearcache.examples.catalog;

import io.nearcache.NearCacheClient;

/**
 * The Redis a catalog node uses, as one string: {@code redis://host:port} or {@code
 * rediss://user:password@host:port} for one server, {@code redis-cluster://host:port,host:port}
 * for a Cluster (any nodes as seeds), {@code redis-sentinel://master@host:port,host:port} for a
 * primary behind Sentinel.
 */
final class RedisAddress {
  private static final String CLUSTER = "redis-cluster://";
  private static final String SENTINEL = "redis-sentinel://";

  private RedisAddress() {}

  /** Whether {@code address} names one server, the only kind the {@code redis} mode supports. */
  static boolean isStandalone(String address) {
    return !address.startsWith(CLUSTER) && !address.startsWith(SENTINEL);
  }

  /**
   * Sets {@code address} as the builder's Redis source.
   *
   * @throws IllegalArgumentException if a Sentinel address names no master
   */
  static NearCacheClient.Builder configure(NearCacheClient.Builder builder, String address) {
    if (address.startsWith(CLUSTER)) {
      return builder.cluster(address.substring(CLUSTER.length()).split(","));
    }
    if (address.startsWith(SENTINEL)) {
      String rest = address.substring(SENTINEL.length());
      int at = rest.indexOf('@');
      if (at < 1) {
        throw new IllegalArgumentException(
            "a Sentinel address is redis-sentinel://master@host:port,...: " + address);
      }
      return builder.sentinel(rest.substring(0, at), rest.substring(at + 1).split(","));
    }
    return builder.redisUri(address);
  }
}
