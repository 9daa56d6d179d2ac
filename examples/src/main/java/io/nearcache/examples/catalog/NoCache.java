package io.nearcache.examples.catalog;

import java.util.function.LongFunction;
import java.util.function.Supplier;

/** Mode {@code none}: every read goes to the database, the seed's baseline. */
final class NoCache implements CatalogCache {
  @Override
  public byte[] listing(ListingQuery query, Supplier<ListingBody> loader) {
    return loader.get().body();
  }

  @Override
  public byte[] product(long id, LongFunction<byte[]> loader) {
    return loader.apply(id);
  }

  @Override
  public byte[] categories(Supplier<byte[]> loader) {
    return loader.get();
  }

  @Override
  public void productChanged(long id) {}

  @Override
  public void close() {}
}
