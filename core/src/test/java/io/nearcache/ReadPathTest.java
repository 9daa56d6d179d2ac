package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The read path on one client: tiers, TTLs, single flight, getAll, key isolation. */
@ExtendWith(RedisServerExtension.class)
class ReadPathTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");

  @Test
  void anL1MissGoesToRedisThenToTheLoaderAndFillsBothTiers(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      AtomicInteger loads = new AtomicInteger();

      assertThat(caches.get(0).get("42", k -> "p" + k + "#" + loads.incrementAndGet()))
          .isEqualTo("p42#1");
      assertThat(caches.get(0).get("42", k -> "never")).isEqualTo("p42#1");
      assertThat(caches.get(1).get("42", k -> "never")).isEqualTo("p42#1");
      assertThat(caches.get(1).get("42", k -> "never")).isEqualTo("p42#1");

      assertThat(loads).hasValue(1);
      assertThat(caches.get(0).stats()).isEqualTo(
          CacheStats.of(1, 1, 0, 1, 1, 0, caches.get(0).stats().totalLoadTimeNanos(), 0, 0, 0, 0,
              0, 0, 0, 0, 0, 0, 0, 0));
      CacheStats peer = caches.get(1).stats();
      assertThat(List.of(peer.l1Hits(), peer.l1Misses(), peer.l2Hits(), peer.loadCount()))
          .containsExactly(1L, 1L, 1L, 0L);
    }
  }

  /**
   * A server that lost its scripts (restarted, or a replica promoted: {@code SCRIPT LOAD} is not
   * replicated) answers {@code NOSCRIPT} to the scripts sent by their SHA1, alone and in
   * pipelines; each is sent again in full and the reads go on as before, their values in Redis.
   */
  @Test
  void aServerThatLostItsScriptsIsSentThemAgain(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      DefaultNearCache<String, String> cache = caches.get(0);
      assertThat(cache.get("warm", k -> "v-" + k)).isEqualTo("v-warm");

      redis.withJedis(j -> j.scriptFlush());
      List<Set<String>> bulkCalls = new ArrayList<>();
      Map<String, String> page = cache.getAll(List.of("a", "b", "c"), missing -> {
        bulkCalls.add(Set.copyOf(missing));
        Map<String, String> found = new LinkedHashMap<>();
        missing.forEach(k -> found.put(k, "v-" + k));
        return found;
      });
      assertThat(page).containsExactly(Map.entry("a", "v-a"), Map.entry("b", "v-b"),
          Map.entry("c", "v-c"));
      assertThat(bulkCalls).containsExactly(Set.of("a", "b", "c"));

      redis.withJedis(j -> j.scriptFlush());
      assertThat(cache.get("d", k -> "v-" + k)).isEqualTo("v-d");
      for (String key : List.of("a", "b", "c", "d")) {
        assertThat(caches.get(1).get(key, k -> "not from Redis")).as(key).isEqualTo("v-" + key);
      }
    }
  }

  @Test
  void l1AndL2TtlsExpireIndependently(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 1)) {
      DefaultNearCache<String, String> shortLocal =
          fleet.caches("local", CacheSpec.parse("localTtl=300ms,remoteTtl=1h")).get(0);
      DefaultNearCache<String, String> shortRemote =
          fleet.caches("remote", CacheSpec.parse("localTtl=1h,remoteTtl=300ms")).get(0);
      shortLocal.get("k", k -> "v");
      shortRemote.get("k", k -> "v");

      await().atMost(Duration.ofSeconds(3)).until(() -> shortLocal.peekLocal("k") == null);
      assertThat(shortLocal.get("k", k -> "reloaded")).as("still in Redis").isEqualTo("v");
      assertThat(shortLocal.stats().l2Hits()).isEqualTo(1);

      await().atMost(Duration.ofSeconds(3))
          .until(() -> !redis.<Boolean>withJedis(j -> j.exists(keyOf("remote", "k"))));
      assertThat(shortRemote.peekLocal("k")).as("still in L1").isEqualTo("v");
      assertThat(shortRemote.get("k", k -> "reloaded")).isEqualTo("v");
      assertThat(redis.<Boolean>withJedis(j -> j.exists(keyOf("local", "k")))).isTrue();
    }
  }

  @Test
  void concurrentMissesOfOneKeyInOneJvmCallTheLoaderOnce(RedisServer redis) throws Exception {
    int threads = 32;
    try (Fleet fleet = new Fleet(redis, 1)) {
      DefaultNearCache<String, String> cache = fleet.caches("product", SPEC).get(0);
      AtomicInteger loads = new AtomicInteger();
      CountDownLatch start = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          results.add(pool.submit(() -> {
            start.await();
            return cache.get("hot", k -> {
              loads.incrementAndGet();
              // Hold the load until every thread has missed L1, so each of them has to join it.
              await().atMost(Duration.ofSeconds(10))
                  .until(() -> cache.stats().l1Misses() == threads);
              return "value";
            });
          }));
        }
        start.countDown();
        for (Future<String> result : results) {
          assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo("value");
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(loads).hasValue(1);
      assertThat(cache.stats().l2Requests()).as("one Redis read for all 32 callers").isEqualTo(1);
    }
  }

  @Test
  void aLoaderFailureReachesEveryJoinedCallerAndCachesNothing(RedisServer redis)
      throws Exception {
    int threads = 8;
    try (Fleet fleet = new Fleet(redis, 1)) {
      DefaultNearCache<String, String> cache = fleet.caches("product", SPEC).get(0);
      IllegalStateException boom = new IllegalStateException("database down");
      AtomicInteger loads = new AtomicInteger();
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
          results.add(pool.submit(() -> cache.get("k", k -> {
            loads.incrementAndGet();
            await().atMost(Duration.ofSeconds(10))
                .until(() -> cache.stats().l1Misses() == threads);
            throw boom;
          })));
        }
        for (Future<String> result : results) {
          assertThatThrownBy(() -> result.get(20, TimeUnit.SECONDS)).cause().isSameAs(boom);
        }
      } finally {
        pool.shutdownNow();
      }
      assertThat(loads).hasValue(1);
      assertThat(cache.stats().loadFailures()).isEqualTo(1);
      assertThat(cache.peekLocal("k")).isNull();
      assertThat(Fleet.cacheKeys(redis)).isEmpty();
      assertThat(cache.get("k", k -> "later")).isEqualTo("later");
    }
  }

  @Test
  void getAllReadsL1ThenRedisThenLoadsTheRestInOneCall(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      caches.get(0).get("a", k -> "A");          // in client 0's L1 and in Redis
      caches.get(1).get("b", k -> "B");          // only in Redis, from client 0's view
      List<Set<String>> bulkCalls = new ArrayList<>();
      CacheStats before = caches.get(0).stats();

      Map<String, String> result = caches.get(0).getAll(List.of("c", "a", "b", "d", "a"), keys -> {
        bulkCalls.add(Set.copyOf(keys));
        Map<String, String> found = new LinkedHashMap<>();
        found.put("c", "C");
        found.put("zzz", "not asked for");
        return found;                              // "d" does not exist
      });

      assertThat(result).containsExactly(Map.entry("c", "C"), Map.entry("a", "A"),
          Map.entry("b", "B"));
      assertThatThrownBy(() -> result.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
      assertThat(bulkCalls).containsExactly(Set.of("c", "d"));
      CacheStats stats = caches.get(0).stats().minus(before);
      assertThat(List.of(stats.l1Hits(), stats.l2Hits(), stats.l2Misses(), stats.loadCount()))
          .containsExactly(1L, 1L, 2L, 1L); // "a"; "b"; "c" and "d"; one bulk load
      assertThat(caches.get(1).get("c", k -> "never")).as("the bulk load reached Redis")
          .isEqualTo("C");
      assertThat(caches.get(1).getIfPresent("zzz")).isNull();
      assertThat(caches.get(0).getAll(List.of("a", "b", "c"), keys -> {
        throw new AssertionError("all present: " + keys);
      })).hasSize(3);
    }
  }

  @Test
  void keysThatLookAlikeNeverShareAnEntry(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<String> keys = List.of("", "a", "a}", "{a}", "a:v:b", "a b", "ключ", "🔑", "\n\u0000");
      List<DefaultNearCache<String, String>> products = fleet.caches("product", SPEC);
      DefaultNearCache<String, String> product = products.get(0);
      DefaultNearCache<String, String> productX = fleet.caches("productX", SPEC).get(0);
      for (String key : keys) {
        product.put(key, "product/" + key);
        productX.put(key, "productX/" + key);
      }
      try (NearCacheClient otherApp = NearCacheClient.builder().redisUri(redis.uri())
          .keyPrefix("test2").build()) {
        NearCache<String, String> foreign = otherApp.cache("product", SPEC, new StringSerializer());
        for (String key : keys) {
          assertThat(foreign.getIfPresent(key)).as("another prefix sees nothing").isNull();
        }
      }
      // Read from the second client: L1 is empty there, so every value comes through Redis.
      DefaultNearCache<String, String> reader = products.get(1);
      for (String key : keys) {
        assertThat(reader.getIfPresent(key)).isEqualTo("product/" + key);
      }
      assertThat(Fleet.valueKeys(redis)).isEqualTo(2L * keys.size());
    }
  }

  @Test
  void structuredKeysAreTheSameWhateverTheParameterOrder(RedisServer redis) {
    try (NearCacheClient client = NearCacheClient.builder().redisUri(redis.uri())
        .keyPrefix("shop").build()) {
      NearCache<Map<String, ?>, String> listings = client.cache("product-list", SPEC,
          KeyCodec.structured(), new StringSerializer());
      Map<String, Object> query = new LinkedHashMap<>();
      query.put("limit", 20);
      query.put("offset", 0L);
      query.put("category", "shoes");
      listings.put(query, "page 1 of shoes");

      assertThat(listings.getIfPresent(Map.of("category", "shoes", "offset", 0, "limit", 20L)))
          .isEqualTo("page 1 of shoes");
      assertThat(listings.getIfPresent(Map.of("category", "shoes", "offset", "0", "limit", 20)))
          .as("\"0\" is not 0").isNull();
    }
  }

  /** The Redis key of {@code key} in cache {@code cache} of the fleet's prefix, generation 0. */
  static byte[] keyOf(String cache, String key) {
    return new KeyLayout(Fleet.PREFIX, cache, SlotGroups.defaults()).valueKey(0, key);
  }
}
