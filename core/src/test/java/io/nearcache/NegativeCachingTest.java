package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** With nullTtl, "no value" is cached in both tiers so that lookups of a missing key stay cheap. */
@ExtendWith(RedisServerExtension.class)
class NegativeCachingTest {

  @Test
  void aThousandLookupsOfAMissingKeyAcrossThreeClientsLoadItOnce(RedisServer redis)
      throws Exception {
    try (Fleet fleet = new Fleet(redis, 3)) {
      List<DefaultNearCache<String, String>> caches =
          fleet.caches("product", CacheSpec.parse("nullTtl=10s,localTtl=1h,remoteTtl=1h"));
      AtomicInteger loads = new AtomicInteger();
      int threadsPerClient = 4;
      int lookupsPerThread = 84; // 3 x 4 x 84 = 1008 lookups
      List<String> answers = Concurrently.onEveryCache(caches, threadsPerClient, cache -> {
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < lookupsPerThread; i++) {
          seen.add(cache.get("no-such-product", k -> {
            loads.incrementAndGet();
            return null;
          }));
        }
        return seen;
      });

      assertThat(answers).hasSize(caches.size() * threadsPerClient * lookupsPerThread)
          .containsOnlyNulls();
      assertThat(loads).hasValue(1);
      byte[] key = ReadPathTest.keyOf("product", "no-such-product");
      assertThat(redis.<byte[]>withJedis(j -> j.get(key))).as("the \"no value\" frame")
          .containsExactly(0);
      assertThat(redis.<Long>withJedis(j -> j.pttl(key))).isBetween(1L, 10_000L);
      System.out.printf("negative caching: 1008 lookups, %d loader call%n", loads.get());
    }
  }

  @Test
  void noValueExpiresAfterNullTtlInBothTiers(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 1)) {
      DefaultNearCache<String, String> cache = fleet.caches("product",
          CacheSpec.parse("nullTtl=300ms,localTtl=1h,remoteTtl=1h")).get(0);
      AtomicInteger loads = new AtomicInteger();
      assertThat(cache.get("gone", k -> {
        loads.incrementAndGet();
        return null;
      })).isNull();
      assertThat(cache.getIfPresent("gone")).isNull();
      assertThat(loads).hasValue(1);

      await().atMost(Duration.ofSeconds(3)).until(() -> cache.get("gone", k -> {
        loads.incrementAndGet();
        return "back in stock";
      }) != null);
      assertThat(loads).hasValue(2);
      assertThat(cache.get("gone", k -> "unexpected")).isEqualTo("back in stock");
    }
  }

  @Test
  void getAllCachesTheKeysTheBulkLoaderDidNotFind(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches =
          fleet.caches("product", CacheSpec.parse("nullTtl=10s,localTtl=1h,remoteTtl=1h"));
      AtomicInteger bulkCalls = new AtomicInteger();
      for (DefaultNearCache<String, String> cache : caches) {
        Map<String, String> found = cache.getAll(List.of("a", "missing"), keys -> {
          bulkCalls.incrementAndGet();
          return Map.of("a", "A");
        });
        assertThat(found).containsExactly(Map.entry("a", "A"));
      }
      assertThat(bulkCalls).as("the second client found both answers in Redis").hasValue(1);
      assertThat(caches.get(0).get("missing", k -> "unexpected")).isNull();
    }
  }

  @Test
  void withoutNullTtlNoValueIsNeverCached(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 1)) {
      DefaultNearCache<String, String> cache =
          fleet.caches("product", CacheSpec.parse("localTtl=1h,remoteTtl=1h")).get(0);
      AtomicInteger loads = new AtomicInteger();
      for (int i = 0; i < 3; i++) {
        cache.get("missing", k -> {
          loads.incrementAndGet();
          return null;
        });
      }
      assertThat(loads).hasValue(3);
      assertThat(Fleet.cacheKeys(redis)).as("no value and no lease left").isEmpty();
    }
  }
}
