package io.nearcache.examples.catalog;

import java.util.List;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * How the service caches its reads, chosen at start: not at all ({@link NoCache}), the seed's
 * Redis cache-aside ({@link RedisCache}), or nearcache ({@link NearCatalogCache}). Every loader
 * reads the database; a loader's exception reaches the caller and nothing is cached.
 */
public interface CatalogCache extends AutoCloseable {

  /** The page for {@code query}, cached or loaded. */
  ProductPage listing(ListingQuery query, Supplier<ProductPage> loader);

  /** Product {@code id}, cached or loaded; {@code null} when there is none. */
  Product product(long id, LongFunction<Product> loader);

  /** Every category, cached or loaded. */
  List<Category> categories(Supplier<List<Category>> loader);

  /**
   * Called after product {@code id} changed in the database: drops the product and every listing,
   * since any page may show it (event-driven invalidation, as the seed advises for prices).
   */
  void productChanged(long id);

  /** Releases the cache's connections; the database is not touched. */
  @Override
  void close();
}
