package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.redis.SlotGroupCheck;
import io.nearcache.testkit.RedisServer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Several {@link NearCacheClient}s of one application in one JVM, each with its own pool and
 * subscriber connection, as separate app nodes would have. {@link #close()} closes them and then
 * checks the invariants every test must leave behind.
 */
final class Fleet implements AutoCloseable {
  static final String PREFIX = "test";

  private final List<NearCacheClient> clients = new ArrayList<>();
  private final List<DefaultNearCache<String, String>> caches = new ArrayList<>();
  private boolean closed;

  Fleet(RedisServer redis, int size) {
    this(size, builder -> builder.redisUri(redis.uri()));
  }

  /** {@code size} clients of the Redis that {@code source} sets on each builder. */
  Fleet(int size, UnaryOperator<NearCacheClient.Builder> source) {
    for (int i = 0; i < size; i++) {
      clients.add(source.apply(NearCacheClient.builder())
          .keyPrefix(PREFIX)
          .instanceId("node-" + i)
          .build());
    }
  }

  /** Every key in {@code redis} but the prefix's count of slot groups, which build() stores. */
  static Set<String> cacheKeys(RedisServer redis) {
    Set<String> keys = new HashSet<>(redis.withJedis(j -> j.keys("*")));
    keys.remove(SlotGroupCheck.key(PREFIX));
    return keys;
  }

  /** Values stored in {@code redis}, leases and logs aside. */
  static long valueKeys(RedisServer redis) {
    return redis.withJedis(j -> (long) j.keys("*:v:*").size());
  }

  NearCacheClient client(int i) {
    return clients.get(i);
  }

  /** The cache {@code name} on every client, in client order. */
  List<DefaultNearCache<String, String>> caches(String name, CacheSpec spec) {
    List<DefaultNearCache<String, String>> created = new ArrayList<>();
    for (NearCacheClient client : clients) {
      created.add((DefaultNearCache<String, String>) client.cache(name, spec,
          new StringSerializer()));
    }
    caches.addAll(created);
    return created;
  }

  /**
   * The tagged cache {@code name} on every client: a value {@code "p1,p2|body"} carries the tags
   * {@code p1} and {@code p2} (see {@link #tagsOf}).
   */
  List<DefaultNearCache<String, String>> taggedCaches(String name, CacheSpec spec) {
    List<DefaultNearCache<String, String>> created = new ArrayList<>();
    for (NearCacheClient client : clients) {
      created.add((DefaultNearCache<String, String>) client.cache(name, spec, KeyCodec.strings(),
          new StringSerializer(), Fleet::tagsOf));
    }
    caches.addAll(created);
    return created;
  }

  /** The tags of a value {@code "p1,p2|body"}: {@code p1, p2}; none without a {@code |}. */
  static List<String> tagsOf(String value) {
    int bar = value.indexOf('|');
    return bar <= 0 ? List.of() : List.of(value.substring(0, bar).split(","));
  }

  /** Closes every client, then checks the stats and thread invariants. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    clients.forEach(NearCacheClient::close);
    for (DefaultNearCache<String, String> cache : caches) {
      CacheStats stats = cache.stats();
      assertThat(stats.l2Requests()).as("%s: only L1 misses go to Redis", cache.name())
          .isLessThanOrEqualTo(stats.l1Misses());
      assertThat(stats.loadCount()).as("%s: only L2 misses and refreshes load", cache.name())
          .isLessThanOrEqualTo(stats.l2Misses() + stats.refreshes() + stats.refreshFailures());
    }
    assertThat(Thread.getAllStackTraces().keySet())
        .as("no subscriber or maintenance thread outlives its client")
        .noneMatch(t -> t.getName().startsWith("nearcache-") && t.isAlive());
  }
}
