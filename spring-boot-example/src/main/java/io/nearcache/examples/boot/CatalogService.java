package io.nearcache.examples.boot;

import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.stereotype.Service;

/**
 * The cached reads and the writes that invalidate them. Products are cached in {@code product}
 * (see {@code application.properties}); a missing product is cached too (as "no value"), so a
 * flood of requests for it does not reach the database either.
 */
@Service
public class CatalogService {
  private final ProductRepository repository;

  /**
   * Creates the service.
   *
   * @param repository where products are kept
   */
  public CatalogService(ProductRepository repository) {
    this.repository = repository;
  }

  /**
   * One product, from this JVM's L1, else Redis, else the database; concurrent misses of one id
   * load it once across every instance ({@code sync = true}).
   *
   * @param id the product's id
   * @return the product, or {@code null} if there is none
   */
  @Cacheable(cacheNames = "product", sync = true)
  public Product product(long id) {
    return repository.find(id).orElse(null);
  }

  /**
   * Sets a product's price in the database, then evicts the product from every instance's cache
   * (Spring evicts after the method returned, so no instance reloads the old price).
   *
   * @param id the product's id
   * @param amount the USD price in cents
   * @return whether the product exists
   */
  @CacheEvict(cacheNames = "product", key = "#p0")
  public boolean setPrice(long id, long amount) {
    return repository.setPrice(id, amount);
  }
}
