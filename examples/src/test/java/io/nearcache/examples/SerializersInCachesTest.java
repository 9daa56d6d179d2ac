package io.nearcache.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.CacheSpec;
import io.nearcache.CacheStats;
import io.nearcache.KeyCodec;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.Serializer;
import io.nearcache.serializers.JacksonJsonSerializer;
import io.nearcache.serializers.KryoSerializer;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One contract over the matrix core's own tests cannot reach (core does not depend on the
 * serializers): Kryo and JSON values, string and structured keys, stats on and off, across two
 * clients of one Redis.
 */
@ExtendWith(RedisServerExtension.class)
class SerializersInCachesTest {
  private static final Product PRODUCT = new Product("42", "Trail running shoe \u2013 \uD83C\uDFC3",
      new BigDecimal("89.90"), "EUR", List.of("shoes", "running", "sale"));

  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    Map<String, Supplier<Serializer<Product>>> serializers = Map.of(
        "kryo", () -> KryoSerializer.<Product>builder(Product.class).build(),
        "json", () -> new JacksonJsonSerializer<>(Product.class));
    Map<String, KeyCodec<?>> codecs = Map.of(
        "string keys", KeyCodec.strings(),
        "structured keys", KeyCodec.structured());
    serializers.forEach((serializerName, serializer) -> codecs.forEach((codecName, codec) -> {
      for (boolean stats : new boolean[] {true, false}) {
        cases.add(Arguments.of(serializerName + ", " + codecName + ", stats " + stats,
            serializer, codec, stats));
      }
    }));
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("matrix")
  @SuppressWarnings("unchecked")
  void valuesTravelBetweenClientsAndBadBytesAreACountedMiss(String name,
      Supplier<Serializer<Product>> serializer, KeyCodec<?> codec, boolean recordStats,
      RedisServer redis) {
    Object key = codec == KeyCodec.strings() ? "42" : Map.of("id", 42, "view", "detail");
    CacheSpec spec = CacheSpec.parse("localTtl=1h,remoteTtl=1h,recordStats=" + recordStats);
    try (NearCacheClient a = client(redis, "a"); NearCacheClient b = client(redis, "b")) {
      NearCache<Object, Product> onA =
          a.cache("product", spec, (KeyCodec<Object>) codec, serializer.get());
      NearCache<Object, Product> onB =
          b.cache("product", spec, (KeyCodec<Object>) codec, serializer.get());
      Function<Object, Product> database = k -> PRODUCT;

      assertThat(onA.get(key, database)).isEqualTo(PRODUCT);
      assertThat(onB.get(key, k -> null)).as("decoded from Redis").isEqualTo(PRODUCT);

      Product cheaper = PRODUCT.withPrice(new BigDecimal("69.90"));
      onA.put(key, cheaper);
      await().atMost(Duration.ofSeconds(2)).until(() -> cheaper.equals(onB.getIfPresent(key)));

      // Bytes that are a nearcache frame but no encoding of a Product, in either format.
      redis.withJedis(j -> {
        j.keys("*:v:*".getBytes()).forEach(k -> j.set(k, new byte[] {1, (byte) 0xFF, 0x00, 0x13}));
        return null;
      });
      assertThat(onA.getIfPresent(key)).as("undecodable bytes are a miss").isNull();
      assertThat(redis.<Long>withJedis(j -> (long) j.keys("*:v:*").size()))
          .as("and are deleted").isZero();
      CacheStats stats = onA.stats();
      if (recordStats) {
        assertThat(stats.decodeErrors()).isEqualTo(1);
      } else {
        assertThat(stats).isEqualTo(CacheStats.empty());
      }
      assertThat(onA.get(key, database)).as("a bad value is a miss, then reloaded")
          .isEqualTo(PRODUCT);
    }
  }

  private static NearCacheClient client(RedisServer redis, String id) {
    return NearCacheClient.builder().redisUri(redis.uri()).keyPrefix("matrix").instanceId(id)
        .build();
  }
}
