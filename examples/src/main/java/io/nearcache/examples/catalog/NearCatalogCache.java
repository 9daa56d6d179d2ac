package io.nearcache.examples.catalog;

import io.nearcache.KeyCodec;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.serializers.KryoSerializer;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * Mode {@code near}: nearcache, L1 in this JVM in front of Redis. Listings are keyed by their
 * query parameters through the library's structured-key codec; a price change invalidates the
 * product and every listing on every node through Redis pub/sub.
 */
final class NearCatalogCache implements CatalogCache {
  private final NearCacheClient client;
  private final NearCache<Map<String, ?>, ProductPage> listings;
  private final NearCache<Long, Product> products;
  private final NearCache<String, List<Category>> categories;

  NearCatalogCache(String redisUri, String prefix, String instanceId, CacheSettings settings) {
    this.client = NearCacheClient.builder().redisUri(redisUri).keyPrefix(prefix)
        .instanceId(instanceId).build();
    this.listings = client.cache("listing", settings.listing(), KeyCodec.structured(),
        KryoSerializer.builder(ProductPage.class)
            .register(Product.class, Variant.class, Price.class).build());
    this.products = client.cache("product", settings.product(), id -> Long.toString(id),
        KryoSerializer.builder(Product.class).register(Variant.class, Price.class).build());
    this.categories = client.cache("category", settings.category(),
        KryoSerializer.<List<Category>>builder(List.class).register(Category.class).build());
  }

  @Override
  public ProductPage listing(ListingQuery query, Supplier<ProductPage> loader) {
    return listings.get(query.asKey(), key -> loader.get());
  }

  @Override
  public Product product(long id, LongFunction<Product> loader) {
    return products.get(id, loader::apply);
  }

  @Override
  public List<Category> categories(Supplier<List<Category>> loader) {
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
