package io.nearcache.example.modular;

import io.nearcache.CacheSpec;
import io.nearcache.CacheStats;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.Serializer;
import io.nearcache.example.modular.catalog.Product;
import io.nearcache.example.modular.catalog.Stock;
import io.nearcache.serializers.JacksonJsonSerializer;
import io.nearcache.serializers.KryoSerializer;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Puts a value into a cache through one client and reads it through another, whose L1 is empty:
 * the value comes back from Redis, decoded by the serializer. A record as JSON and with Kryo, and
 * a class without a no-arg constructor with Kryo. Run it as {@code java -p <module path> -m
 * io.nearcache.example.modular/io.nearcache.example.modular.ModularApp redis://host:port}.
 */
public final class ModularApp {
  private ModularApp() {}

  /**
   * What the second client read, with its cache's stats.
   *
   * @param value the value read
   * @param stats the reading cache's stats
   * @param <V> the value type
   */
  public record Read<V>(V value, CacheStats stats) {}

  /**
   * Runs the example against the Redis at {@code args[0]} and prints what it read, a line per
   * cache: {@code <cache>: Read[value=..., stats=...]}.
   *
   * @param args the Redis URI
   */
  public static void main(String[] args) {
    if (args.length != 1) {
      throw new IllegalArgumentException("usage: ModularApp redis://host:port");
    }
    roundTrips(args[0]).forEach((cache, read) -> System.out.println(cache + ": " + read));
  }

  /**
   * The example's three round trips: the {@link #product()} as JSON and with Kryo, and the
   * {@link #stock()} with Kryo, each in a cache of its own.
   *
   * @param redisUri the Redis to use
   * @return what each was read back as, by cache name, in that order
   */
  public static Map<String, Read<?>> roundTrips(String redisUri) {
    Product product = product();
    Stock stock = stock();
    Map<String, Read<?>> reads = new LinkedHashMap<>();
    reads.put("product-json", roundTrip(redisUri, "product-json",
        new JacksonJsonSerializer<>(Product.class), product.id(), product));
    reads.put("product-kryo", roundTrip(redisUri, "product-kryo",
        new KryoSerializer<>(Product.class), product.id(), product));
    reads.put("stock-kryo", roundTrip(redisUri, "stock-kryo", new KryoSerializer<>(Stock.class),
        stock.sku(), stock));
    return reads;
  }

  /**
   * Returns the product the example caches.
   *
   * @return a product with every field set
   */
  public static Product product() {
    return new Product("42", "Trail running shoe", new BigDecimal("89.90"),
        List.of("shoes", "running"), Instant.parse("2026-01-02T03:04:05.678Z"));
  }

  /**
   * Returns the stock level the example caches.
   *
   * @return a stock level
   */
  public static Stock stock() {
    return new Stock("TRS-42", 17);
  }

  /**
   * Puts {@code value} through one client, then reads it through a second client's cache of the
   * same name, whose L1 is empty, so that the value is read from Redis.
   *
   * @param redisUri the Redis to use
   * @param cacheName the cache name
   * @param serializer the value serializer
   * @param key the key
   * @param value the value to store
   * @param <V> the value type
   * @return the value the second client read, and its cache's stats
   */
  public static <V> Read<V> roundTrip(String redisUri, String cacheName,
      Serializer<V> serializer, String key, V value) {
    CacheSpec spec = CacheSpec.builder().recordStats(true).build();
    Function<String, V> noLoad = k -> {
      throw new IllegalStateException("the value should have come from Redis, not a loader");
    };
    try (NearCacheClient writer = client(redisUri, "writer");
        NearCacheClient reader = client(redisUri, "reader")) {
      NearCache<String, V> written = writer.cache(cacheName, spec, serializer);
      written.put(key, value);
      NearCache<String, V> read = reader.cache(cacheName, spec, serializer);
      return new Read<>(read.get(key, noLoad), read.stats());
    }
  }

  private static NearCacheClient client(String redisUri, String instanceId) {
    return NearCacheClient.builder().redisUri(redisUri).keyPrefix("modular-example")
        .instanceId(instanceId).build();
  }
}
