package io.nearcache.spring.boot;

import io.nearcache.NearCacheClient;
import io.nearcache.RedisTls;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;
import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails.Node;

/**
 * Points a client at the Redis of Spring Boot's {@link DataRedisConnectionDetails}
 * ({@code spring.data.redis.*}, or a service connection), used when no {@code nearcache} address
 * is set. A cluster, a Sentinel deployment or one server, in that order, as Boot's own Redis
 * clients choose; an SSL bundle turns TLS on with the JVM's trust (nearcache does not read
 * bundles).
 */
final class DataRedisFallback implements FallbackRedis {
  private final ObjectProvider<DataRedisConnectionDetails> details;

  DataRedisFallback(ObjectProvider<DataRedisConnectionDetails> details) {
    this.details = details;
  }

  @Override
  public String applyTo(NearCacheClient.Builder builder) {
    DataRedisConnectionDetails d = details.getIfAvailable();
    if (d == null) {
      throw new InvalidNearCacheConfigurationException("nearcache has no Redis address, and"
          + " Spring Boot has no Redis connection details.",
          "Set nearcache.redis-uri (e.g. redis://127.0.0.1:6379), or spring.data.redis.*.");
    }
    String property = "spring.data.redis";
    boolean tls = d.getSslBundle() != null;
    if (d.getCluster() != null) {
      String[] nodes = d.getCluster().getNodes().stream().map(DataRedisFallback::address)
          .toArray(String[]::new);
      NearCacheClientConfiguration.option(property + ".cluster.nodes",
          () -> builder.cluster(nodes));
      user(builder, d.getUsername(), d.getPassword());
      tls(builder, tls);
      return "spring.data.redis cluster " + String.join(",", nodes);
    }
    if (d.getSentinel() != null) {
      DataRedisConnectionDetails.Sentinel s = d.getSentinel();
      String[] nodes = s.getNodes().stream().map(DataRedisFallback::address).toArray(String[]::new);
      NearCacheClientConfiguration.option(property + ".sentinel",
          () -> builder.sentinel(s.getMaster(), nodes));
      user(builder, d.getUsername(), d.getPassword());
      if (s.getPassword() != null) {
        NearCacheClientConfiguration.option(property + ".sentinel.username",
            () -> builder.sentinelUser(s.getUsername() != null ? s.getUsername() : "default",
                s.getPassword()));
      }
      tls(builder, tls);
      return "spring.data.redis Sentinel master " + s.getMaster() + " " + String.join(",", nodes);
    }
    DataRedisConnectionDetails.Standalone one = d.getStandalone();
    if (one == null) {
      throw new InvalidNearCacheConfigurationException("spring.data.redis describes a"
          + " deployment nearcache cannot use (neither one server, a cluster nor Sentinel).",
          "Set nearcache.redis-uri, nearcache.cluster.nodes or nearcache.sentinel.*.");
    }
    String address = (tls ? "rediss://" : "redis://") + one.getHost() + ":" + one.getPort() + "/"
        + one.getDatabase();
    NearCacheClientConfiguration.option(property, () -> builder.redisUri(address));
    user(builder, d.getUsername(), d.getPassword());
    return "spring.data.redis " + address;
  }

  private static void user(NearCacheClient.Builder builder, String user, String password) {
    if (password != null) {
      NearCacheClientConfiguration.option("spring.data.redis.username",
          () -> builder.user(user != null ? user : "default", password));
    }
  }

  private static void tls(NearCacheClient.Builder builder, boolean tls) {
    if (tls) {
      NearCacheClientConfiguration.option("spring.data.redis.ssl",
          () -> builder.tls(RedisTls.systemTrust()));
    }
  }

  private static String address(Node node) {
    return node.host() + ":" + node.port();
  }
}
