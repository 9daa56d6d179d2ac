package io.nearcache;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisServer;
import java.util.ArrayList;
import java.util.List;

/**
 * Several {@link NearCacheClient}s of one application in one JVM, each with its own pool and
 * subscriber connection, as separate app nodes would have.
 */
final class Fleet implements AutoCloseable {
  static final String PREFIX = "test";

  private final List<NearCacheClient> clients = new ArrayList<>();

  Fleet(RedisServer redis, int size) {
    for (int i = 0; i < size; i++) {
      clients.add(NearCacheClient.builder()
          .redisUri(redis.uri())
          .keyPrefix(PREFIX)
          .instanceId("node-" + i)
          .build());
    }
  }

  NearCacheClient client(int i) {
    return clients.get(i);
  }

  /** The cache {@code name} on every client, in client order. */
  List<DefaultNearCache<String, String>> caches(String name, CacheSpec spec) {
    List<DefaultNearCache<String, String>> caches = new ArrayList<>();
    for (NearCacheClient client : clients) {
      caches.add((DefaultNearCache<String, String>) client.cache(name, spec, new StringSerializer()));
    }
    return caches;
  }

  @Override
  public void close() {
    clients.forEach(NearCacheClient::close);
  }
}
