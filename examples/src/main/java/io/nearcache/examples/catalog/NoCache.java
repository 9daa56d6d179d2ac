package io.nearcache.examples.catalog;

import java.util.List;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/** Mode {@code none}: every read goes to the database, the seed's baseline. */
final class NoCache implements CatalogCache {
  @Override
  public ProductPage listing(ListingQuery query, Supplier<ProductPage> loader) {
    return loader.get();
  }

  @Override
  public Product product(long id, LongFunction<Product> loader) {
    return loader.apply(id);
  }

  @Override
  public List<Category> categories(Supplier<List<Category>> loader) {
    return loader.get();
  }

  @Override
  public void productChanged(long id) {}

  @Override
  public void close() {}
}
