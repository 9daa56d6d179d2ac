package io.nearcache.examples.catalog;

import io.nearcache.CacheStats;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * How the service caches its reads, chosen at start: not at all ({@link NoCache}), the seed's
 * Redis cache-aside ({@link RedisCache}), or nearcache ({@link NearCatalogCache}).
 *
 * <p>What is cached is the JSON body an endpoint answers with, as the seed caches the serialized
 * result: a hit writes stored bytes, and only a load reads the database and encodes. A listing's
 * loader also gives the ids of the products the page shows, for the modes that invalidate by
 * product. Callers must not change a returned array. Every loader reads the database; a loader's
 * exception reaches the caller and nothing is cached.
 */
public interface CatalogCache extends AutoCloseable {

  /** The body for {@code query}'s listing, cached or loaded. */
  byte[] listing(ListingQuery query, Supplier<ListingBody> loader);

  /** The body for product {@code id}, cached or loaded; {@code null} when there is none. */
  byte[] product(long id, LongFunction<byte[]> loader);

  /** The body listing every category, cached or loaded. */
  byte[] categories(Supplier<byte[]> loader);

  /**
   * Called after product {@code id} changed in the database: drops the product and the listings
   * that may show it (event-driven invalidation, as the seed advises for prices): every listing,
   * or, where the cache knows which pages show which products, exactly those showing it.
   */
  void productChanged(long id);

  /**
   * This node's counters of the listing cache, since it was created; empty for the modes without
   * a local tier, which keep none.
   */
  default Optional<CacheStats> listingStats() {
    return Optional.empty();
  }

  /** Releases the cache's connections; the database is not touched. */
  @Override
  void close();
}
