package io.nearcache.examples.catalog;

import io.nearcache.CacheStats;
import io.nearcache.KeyCodec;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.Serializer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Modes {@code near} and {@code near-all}: nearcache, L1 in this JVM in front of Redis. Listings
 * are keyed by their query parameters through the library's structured-key codec. A price change
 * invalidates the product and, on every node through Redis pub/sub, the listings: in {@code near}
 * exactly those showing the product (each page is tagged with its products' ids), in {@code
 * near-all} every listing, as before tags existed, kept for the benchmark's comparison.
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

  /** How a price change reaches the cached listings. */
  enum ListingInvalidation {
    /** Exactly the listings showing the product: {@code invalidateTag}. */
    BY_PRODUCT,
    /** Every listing: {@code invalidateAll}. */
    ALL
  }

  private final NearCacheClient client;
  private final ListingInvalidation invalidation;
  private final NearCache<Map<String, ?>, ListingBody> listings;
  private final NearCache<Long, byte[]> products;
  private final NearCache<String, byte[]> categories;

  NearCatalogCache(String redisUri, String prefix, String instanceId, CacheSettings settings,
      ListingInvalidation invalidation) {
    this.client = RedisAddress.configure(NearCacheClient.builder(), redisUri).keyPrefix(prefix)
        .instanceId(instanceId).build();
    this.invalidation = invalidation;
    // near-all keeps the untagged cache it had before tags, so that it pays nothing for them.
    this.listings = invalidation == ListingInvalidation.BY_PRODUCT
        ? client.cache("listing", settings.listing(), KeyCodec.structured(),
            new ListingBodySerializer(), NearCatalogCache::tags)
        : client.cache("listing", settings.listing(), KeyCodec.structured(),
            new ListingBodySerializer());
    this.products = client.cache("product", settings.product(), id -> Long.toString(id), BODY);
    this.categories = client.cache("category", settings.category(), BODY);
  }

  /** The tag of the listings showing product {@code id}. */
  static String tag(long id) {
    return "p" + id;
  }

  private static List<String> tags(ListingBody listing) {
    return listing.productIds().stream().map(NearCatalogCache::tag).toList();
  }

  @Override
  public byte[] listing(ListingQuery query, Supplier<ListingBody> loader) {
    return listings.get(query.asKey(), key -> loader.get()).body();
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
    if (invalidation == ListingInvalidation.BY_PRODUCT) {
      listings.invalidateTag(tag(id));
    } else {
      listings.invalidateAll();
    }
  }

  @Override
  public Optional<CacheStats> listingStats() {
    return Optional.of(listings.stats());
  }

  @Override
  public void close() {
    client.close();
  }
}
