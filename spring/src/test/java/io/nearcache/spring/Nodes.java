package io.nearcache.spring;

import io.nearcache.NearCacheClient;
import io.nearcache.testkit.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.springframework.cache.Cache;

/**
 * Several app nodes in one JVM: each its own {@link NearCacheClient} (own pool and subscriber) and
 * its own {@link NearCacheCacheManager}, on one Redis. {@link #close()} closes managers, then
 * clients.
 */
final class Nodes implements AutoCloseable {
  static final String PREFIX = "springtest";
  /** A spec whose TTLs outlive any test, so that only the code under test removes entries. */
  static final String LONG_LIVED = "localTtl=1h,remoteTtl=1h";

  private final List<NearCacheClient> clients = new ArrayList<>();
  private final List<NearCacheCacheManager> managers = new ArrayList<>();

  /** {@code size} nodes, each manager configured by {@code config} over a fresh builder. */
  Nodes(RedisServer redis, int size, UnaryOperator<NearCacheCacheManager.Builder> config) {
    this(redis, size, UnaryOperator.identity(), config);
  }

  Nodes(RedisServer redis, int size, UnaryOperator<NearCacheClient.Builder> client,
      UnaryOperator<NearCacheCacheManager.Builder> config) {
    for (int i = 0; i < size; i++) {
      NearCacheClient c = client.apply(NearCacheClient.builder()
          .redisUri(redis.uri()).keyPrefix(PREFIX).instanceId("node-" + i)).build();
      clients.add(c);
      managers.add(config.apply(NearCacheCacheManager.builder(c)).build());
    }
  }

  /** Nodes whose caches hold {@code kind}'s values, long-lived, nulls allowed. */
  static Nodes of(RedisServer redis, int size, SerializerKind kind) {
    return new Nodes(redis, size, b -> b.defaultSpec(LONG_LIVED).defaultSerializer(kind.create()));
  }

  NearCacheClient client(int i) {
    return clients.get(i);
  }

  NearCacheCacheManager manager(int i) {
    return managers.get(i);
  }

  /** The cache {@code name} of node {@code i}. */
  Cache cache(int i, String name) {
    return Objects.requireNonNull(managers.get(i).getCache(name), name);
  }

  @Override
  public void close() {
    managers.forEach(NearCacheCacheManager::close);
    clients.forEach(NearCacheClient::close);
  }
}
