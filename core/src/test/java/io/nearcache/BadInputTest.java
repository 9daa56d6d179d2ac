package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bad input gets a clear exception or a counted, logged miss; nothing is corrupted. */
@ExtendWith(RedisServerExtension.class)
class BadInputTest {
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");

  @Test
  void nullArgumentsAreRejectedByName(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 1)) {
      NearCache<String, String> cache = fleet.caches("product", SPEC).get(0);
      assertThatThrownBy(() -> cache.get(null, k -> "v")).isInstanceOf(NullPointerException.class)
          .hasMessage("key");
      assertThatThrownBy(() -> cache.get("k", null)).isInstanceOf(NullPointerException.class)
          .hasMessage("loader");
      assertThatThrownBy(() -> cache.getIfPresent(null)).hasMessage("key");
      assertThatThrownBy(() -> cache.put(null, "v")).hasMessage("key");
      assertThatThrownBy(() -> cache.put("k", null)).hasMessage("value");
      assertThatThrownBy(() -> cache.invalidate(null)).hasMessage("key");
      assertThatThrownBy(() -> cache.getAll(null, keys -> Map.of())).hasMessage("keys");
      assertThatThrownBy(() -> cache.getAll(Arrays.asList("a", null), keys -> Map.of()))
          .hasMessage("key");
      assertThatThrownBy(() -> cache.getAll(List.of("a"), null)).hasMessage("bulkLoader");
      assertThatThrownBy(() -> cache.getAll(List.of("a"), keys -> null))
          .isInstanceOf(NullPointerException.class).hasMessage("bulkLoader returned null");
      assertThat(Fleet.cacheKeys(redis)).isEmpty();
    }
  }

  @Test
  void aNullLoaderResultIsReturnedButNotCached(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 1)) {
      NearCache<String, String> cache = fleet.caches("product", SPEC).get(0);
      AtomicInteger loads = new AtomicInteger();
      assertThat(cache.get("missing", k -> {
        loads.incrementAndGet();
        return null;
      })).isNull();
      assertThat(cache.get("missing", k -> {
        loads.incrementAndGet();
        return null;
      })).isNull();
      assertThat(loads).hasValue(2);
      assertThat(Fleet.cacheKeys(redis)).isEmpty();
    }
  }

  @Test
  void bytesThatDoNotDecodeAreAMissThatIsCountedAndDeleted(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 1)) {
      DefaultNearCache<String, String> cache = fleet.caches("product", SPEC).get(0);
      byte[] key = ReadPathTest.keyOf("product", "42");
      redis.withJedis(j -> j.set(key, new byte[] {(byte) 0xC3, (byte) 0x28})); // invalid UTF-8

      assertThat(cache.getIfPresent("42")).isNull();
      assertThat(cache.stats().decodeErrors()).isEqualTo(1);
      assertThat(redis.<Boolean>withJedis(j -> j.exists(key))).as("deleted").isFalse();

      redis.withJedis(j -> j.set(key, new byte[] {(byte) 0xFF}));
      assertThat(cache.get("42", k -> "fresh")).isEqualTo("fresh");
      assertThat(cache.stats().decodeErrors()).isEqualTo(2);
      assertThat(cache.stats().l2Misses()).isEqualTo(2);
      assertThat(redis.<byte[]>withJedis(j -> j.get(key))).as("replaced by the loaded value")
          .isEqualTo(new byte[] {1, 'f', 'r', 'e', 's', 'h'});
    }
  }

  @Test
  void oversizedValuesAreServedAndKeptLocallyButNotStoredInRedis(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches =
          fleet.caches("product", CacheSpec.parse("maxValueBytes=16,localTtl=1h"));
      String big = "x".repeat(17);

      assertThat(caches.get(0).get("loaded", k -> big)).isEqualTo(big);
      assertThat(caches.get(0).peekLocal("loaded")).isEqualTo(big);
      caches.get(0).put("small", "fits");
      caches.get(0).put("small", big); // the old small value must not stay behind in Redis

      assertThat(caches.get(0).stats().oversizedValues()).isEqualTo(2);
      assertThat(caches.get(0).peekLocal("small")).as("a write empties the writer's L1").isNull();
      assertThat(caches.get(0).get("small", k -> big)).isEqualTo(big);
      assertThat(caches.get(0).peekLocal("small")).as("kept locally once loaded").isEqualTo(big);
      assertThat(caches.get(1).getIfPresent("loaded")).isNull();
      assertThat(caches.get(1).getIfPresent("small")).isNull();
      assertThat(Fleet.valueKeys(redis)).isZero();
    }
  }

  @Test
  void keysThatCannotBeStoredAreRejectedWithAReason(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 1)) {
      NearCache<String, String> cache = fleet.caches("product", SPEC).get(0);
      assertThatThrownBy(() -> cache.get("bad\uD800key", k -> "v"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("unpaired surrogate at index 3");
      NearCache<Map<String, ?>, String> listings = fleet.client(0)
          .cache("listing", SPEC, KeyCodec.structured(), new StringSerializer());
      assertThatThrownBy(() -> listings.get(Map.of("since", new Object()), k -> "v"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("java.lang.Object is not supported");
    }
  }

  @Test
  void badNamesAndDuplicateCachesAreRejected(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 1)) {
      NearCacheClient client = fleet.client(0);
      assertThatThrownBy(() -> client.cache("pro duct", SPEC, new StringSerializer()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("cache name must match [A-Za-z0-9_.-]{1,64}: \"pro duct\"");
      client.cache("product", SPEC, new StringSerializer());
      assertThatThrownBy(() -> client.cache("product", SPEC, new StringSerializer()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("cache 'product' already exists in this client");
    }
    assertThatThrownBy(() -> NearCacheClient.builder().keyPrefix("a:b"))
        .hasMessage("keyPrefix must match [A-Za-z0-9_.-]{1,64}: \"a:b\"");
    assertThatThrownBy(() -> NearCacheClient.builder().redisUri("http://example.com"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redis://host:port");
    assertThatThrownBy(() -> NearCacheClient.builder().redisUri(redis.uri()).build())
        .isInstanceOf(IllegalStateException.class).hasMessage("keyPrefix is required");
    assertThatThrownBy(() -> NearCacheClient.builder().redisUri(redis.uri()).redisUri(redis.uri()))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aClosedClientRefusesWorkAndStopsItsThread(RedisServer redis) {
    Fleet fleet = new Fleet(redis, 1);
    NearCache<String, String> cache = fleet.caches("product", SPEC).get(0);
    cache.put("k", "v");
    assertThat(cache.get("k", k -> "loaded")).isEqualTo("v");
    assertThat(((DefaultNearCache<String, String>) cache).peekLocal("k")).isEqualTo("v");
    fleet.close();
    fleet.close(); // idempotent

    // "k" is still in L1: a hit must not get past the close either.
    assertThatThrownBy(() -> cache.get("k", k -> "v")).isInstanceOf(IllegalStateException.class)
        .hasMessage("NearCacheClient is closed");
    assertThatThrownBy(() -> cache.getIfPresent("k")).hasMessage("NearCacheClient is closed");
    assertThatThrownBy(() -> cache.getAll(List.of("k"), keys -> Map.of()))
        .hasMessage("NearCacheClient is closed");
    assertThatThrownBy(() -> cache.put("k", "w")).hasMessage("NearCacheClient is closed");
    assertThatThrownBy(() -> cache.invalidate("k")).hasMessage("NearCacheClient is closed");
    assertThatThrownBy(() -> fleet.client(0).cache("other", SPEC, new StringSerializer()))
        .hasMessage("NearCacheClient is closed");
    assertThatThrownBy(cache::invalidateAll).hasMessage("NearCacheClient is closed");
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("nearcache-") && t.isAlive());
    assertThat(redis.<String>withJedis(j -> j.clientList())).doesNotContain("name=nearcache");
  }
}
