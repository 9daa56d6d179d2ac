package io.nearcache.examples.catalog;

import io.nearcache.KeyCodec;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.Serializer;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Mode {@code near}: nearcache, L1 in this JVM in front of Redis. Listings are keyed by their
 * query parameters through the library's structured-key codec; a price change invalidates the
 * product and every listing on every node through Redis pub/sub.
 */
final class NearCatalogCache implements CatalogCache {
  /** The values are JSON bodies already: Redis stores them as they are. */
  private static final Serializer<byte[]> BODY = new Serializer<>() {
    @Override
    public byte[] serialize(byte[] body) {
      return body;
    }

    @Override
    public byte[] deserialize(byte[] bytes) {
      return bytes;
    }
  };

  private final NearCacheClient client;
  private final NearCache<Map<String, ?>, byte[]> listings;
  private final NearCache<Long, byte[]> products;
  private final NearCache<String, byte[]> categories;

  NearCatalogCache(String redisUri, String prefix, String instanceId, CacheSettings settings) {
    this.client = RedisAddress.configure(NearCacheClient.builder(), redisUri).keyPrefix(prefix)
        .instanceId(instanceId).build();
    this.listings = client.cache("listing", settings.listing(), KeyCodec.structured(), BODY);
    this.products = client.cache("product", settings.product(), id -> Long.toString(id), BODY);
    this.categories = client.cache("category", settings.category(), BODY);
  }

  @Override
  public byte[] listing(ListingQuery query, Supplier<byte[]> loader) {
    return listings.get(query.asKey(), key -> loader.get());
  }

  @Override
  public byte[] product(long id, LongFunction<byte[]> loader) {
    return products.get(id, loader::apply);
  }

  @Override
  public byte[] categories(Supplier<byte[]> loader) {
    return categories.get("all", key -> loader.get());
  }

  @Override
  public void productChanged(long id) {
    products.invalidate(id);
    listings.invalidateAll();
  }

  @Override
  public void close() {
    client.close();
  }
}
