package io.nearcache.spring;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nearcache.CacheSpec;
import io.nearcache.NearCacheClient;
import io.nearcache.serializers.JacksonJsonSerializer;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.cache.Cache;

/** The manager: names to specs, serializers, on-demand caches, configuration errors, close. */
@ExtendWith(RedisServerExtension.class)
class NearCacheCacheManagerTest {

  @Test
  void configuredNamesGetTheirSpecAndOthersTheDefault(RedisServer redis) {
    Map<String, String> specs = new LinkedHashMap<>();
    specs.put("product", "localTtl=60s,remoteTtl=7s");
    specs.put("category", "localMaxSize=0,remoteTtl=600s");
    try (Nodes nodes = new Nodes(redis, 1, b -> b.caches(specs).defaultSpec("remoteTtl=1h")
        .defaultSerializer(SerializerKind.KRYO.create()))) {
      NearCacheCacheManager manager = nodes.manager(0);
      assertThat(manager.getCacheNames()).containsExactly("product", "category");

      for (String name : List.of("product", "category", "other")) {
        manager.getCache(name).put("1", Product.of(1));
      }

      assertThat(manager.getCacheNames()).containsExactly("product", "category", "other");
      assertThat(manager.specOf("product")).isEqualTo(CacheSpec.parse(specs.get("product")));
      assertThat(manager.specOf("other")).isEqualTo(CacheSpec.parse("remoteTtl=1h"));
      assertThat(remoteTtlMillis(redis, "product")).isBetween(1L, 7_000L);
      assertThat(remoteTtlMillis(redis, "category")).isBetween(7_001L, 600_000L);
      assertThat(remoteTtlMillis(redis, "other")).isBetween(600_001L, 3_600_000L);
      NearCacheCache category = (NearCacheCache) manager.getCache("category");
      assertThat(category.get("1", Product.class)).isEqualTo(Product.of(1));
      assertThat(category.getNativeCache().estimatedSize()).as("localMaxSize=0: no L1").isZero();
    }
  }

  @Test
  void eachCacheUsesItsOwnSerializerAndFramesNullsItself(RedisServer redis) {
    try (Nodes nodes = new Nodes(redis, 1, b -> b.defaultSpec(Nodes.LONG_LIVED)
        .serializer("json", new JacksonJsonSerializer<>(Product.class))
        .defaultSerializer(SerializerKind.KRYO.create()))) {
      nodes.cache(0, "json").put("1", new Product(1, "boots", 4999));
      nodes.cache(0, "json").put("2", null);
      nodes.cache(0, "kryo").put("1", new Product(1, "boots", 4999));

      // In Redis: nearcache's own frame byte, then this module's, then the serializer's bytes.
      byte[] json = redisValue(redis, "json", "s1:1");
      assertThat(json[1]).isEqualTo(FramedSerializer.VALUE_FRAME);
      assertThat(new String(json, 2, json.length - 2, UTF_8))
          .isEqualTo("{\"id\":1,\"name\":\"boots\",\"priceCents\":4999}");
      assertThat(Arrays.copyOfRange(redisValue(redis, "json", "s1:2"), 1, 2))
          .as("a cached null is one frame byte").containsExactly(FramedSerializer.NULL_FRAME);
      byte[] kryo = redisValue(redis, "kryo", "s1:1");
      assertThat(kryo[1]).isEqualTo(FramedSerializer.VALUE_FRAME);
      assertThat(new String(kryo, UTF_8)).doesNotContain("\"name\"");
    }
  }

  @Test
  void withoutCreatingMissingCachesOnlyConfiguredNamesExist(RedisServer redis) {
    try (Nodes nodes = new Nodes(redis, 1, b -> b.cache("product", Nodes.LONG_LIVED)
        .serializer("product", SerializerKind.JSON.create()).createMissingCaches(false))) {
      NearCacheCacheManager manager = nodes.manager(0);
      assertThat(manager.getCache("product")).isNotNull();
      assertThat(manager.getCache("other")).isNull();
      assertThat(manager.getCacheNames()).containsExactly("product");
    }
  }

  @Test
  void eachCacheIsCreatedOnceHoweverOftenSpringAsks(RedisServer redis) throws Exception {
    try (Nodes nodes = new Nodes(redis, 1, b -> b.cache("product", Nodes.LONG_LIVED)
        .defaultSerializer(SerializerKind.KRYO.create()))) {
      NearCacheCacheManager manager = nodes.manager(0);
      Object product = ((NearCacheCache) manager.getCache("product")).getNativeCache();

      manager.afterPropertiesSet(); // Spring does this after the builder's own initialization
      List<Cache> dynamic = Concurrently.run(8, t -> () -> manager.getCache("dynamic"));

      assertThat(((NearCacheCache) manager.getCache("product")).getNativeCache())
          .isSameAs(product);
      assertThat(dynamic).hasSize(8).allSatisfy(c -> assertThat(c).isSameAs(dynamic.get(0)));
    }
  }

  @Test
  void badConfigurationFailsNamingWhatToChange(RedisServer redis) {
    try (NearCacheClient client = client(redis)) {
      assertThatThrownBy(() -> NearCacheCacheManager.builder(client).cache("product", "x")
          .defaultSerializer(SerializerKind.KRYO.create()).build())
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> NearCacheCacheManager.builder(client)
          .caches(Map.of("product", "remoteTtl=soon")))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cache 'product':");
      assertThatThrownBy(() -> NearCacheCacheManager.builder(client)
          .cache("product", "remoteTtl=1m").cache("product", "remoteTtl=2m"))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("already configured");
      assertThatThrownBy(() -> NearCacheCacheManager.builder(client)
          .cache("product", "remoteTtl=1m").createMissingCaches(false).build())
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("[product]")
          .hasMessageContaining("no serializer");
      assertThatThrownBy(() -> NearCacheCacheManager.builder(client).build())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("defaultSerializer");
      assertThatThrownBy(() -> NearCacheCacheManager.builder(client).retrievalThreads(2)
          .executor(Runnable::run))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("set one of them");
      assertThatThrownBy(() -> NearCacheCacheManager.builder(client).retrievalThreads(0))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 to 256: 0");
      assertThatThrownBy(() -> NearCacheCacheManager.builder(client).allowNullValues(true)
          .allowNullValues(false))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("already set to true");
      assertThatThrownBy(() -> NearCacheCacheManager.builder(client).cache("no spaces", "")
          .defaultSerializer(SerializerKind.KRYO.create()).build())
          .isInstanceOf(IllegalArgumentException.class);
      try (NearCacheCacheManager manager = NearCacheCacheManager.builder(client)
          .defaultSerializer(SerializerKind.KRYO.create()).build()) {
        assertThatThrownBy(() -> manager.getCache("a:b"))
            .isInstanceOf(IllegalArgumentException.class);
      }
    }
  }

  @Test
  void closeStopsItsThreadsAndLeavesTheClientOpenUnlessTold(RedisServer redis)
      throws Exception {
    try (NearCacheClient kept = client(redis); NearCacheClient handedOver = client(redis)) {
      NearCacheCacheManager keeping = NearCacheCacheManager.builder(kept)
          .defaultSerializer(SerializerKind.KRYO.create()).build();
      Cache cache = keeping.getCache("product");
      cache.retrieve("1", () -> CompletableFuture.completedFuture(Product.of(1))).get();
      assertThat(retrievalThreads()).isNotEmpty();

      keeping.close();

      await().atMost(Duration.ofSeconds(5)).until(() -> retrievalThreads().isEmpty());
      assertThat(cache.get("1", Product.class)).as("the client is still open")
          .isEqualTo(Product.of(1));
      assertThat(cache.retrieve("1")).as("after close, retrievals go without the cache")
          .isCompletedWithValue(null);

      NearCacheCacheManager closing = NearCacheCacheManager.builder(handedOver)
          .defaultSerializer(SerializerKind.KRYO.create()).closeClient(true).build();
      Cache closed = closing.getCache("product");
      closing.close();
      closing.close();
      assertThatThrownBy(() -> closed.get("1")).isInstanceOf(IllegalStateException.class)
          .hasMessage("NearCacheClient is closed");
    }
  }

  private static NearCacheClient client(RedisServer redis) {
    return NearCacheClient.builder().redisUri(redis.uri()).keyPrefix(Nodes.PREFIX).build();
  }

  private static List<Thread> retrievalThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("nearcache-spring-" + Nodes.PREFIX)).toList();
  }

  private static long remoteTtlMillis(RedisServer redis, String cache) {
    return redis.withJedis(j -> {
      Set<String> keys = j.keys(Nodes.PREFIX + ":" + cache + ":*:v:*");
      assertThat(keys).as("values of %s", cache).hasSize(1);
      return j.pttl(keys.iterator().next());
    });
  }

  private static byte[] redisValue(RedisServer redis, String cache, String encodedKey) {
    return redis.withJedis(j -> {
      Set<String> keys = j.keys(Nodes.PREFIX + ":" + cache + ":*:v:" + encodedKey);
      assertThat(keys).as("%s in %s", encodedKey, cache).hasSize(1);
      return j.get(keys.iterator().next().getBytes(UTF_8));
    });
  }
}
