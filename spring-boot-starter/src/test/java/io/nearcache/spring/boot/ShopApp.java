package io.nearcache.spring.boot;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cache.annotation.CacheEvict;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.context.annotation.Bean;

/**
 * An application as one writes it: every auto-configuration on the classpath, caching on, and an
 * annotated service. The nodes of a test share one {@link Calls}, registered in each context.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@EnableCaching
public class ShopApp {
  @Bean
  Catalog catalog(Calls calls) {
    return new Catalog(calls);
  }

  /** What the annotated methods did, across the nodes of a test. */
  public static final class Calls {
    final AtomicInteger loads = new AtomicInteger();
    /** The "database": prices by product id, 100 unless changed. */
    final Map<Long, Integer> prices = new ConcurrentHashMap<>();
    /** Holds a load until this many callers reached the door (0: does not hold). */
    volatile CountDownLatch door = new CountDownLatch(0);
  }

  /** The annotated service. */
  public static class Catalog {
    private final Calls calls;

    @Autowired
    public Catalog(Calls calls) {
      this.calls = calls;
    }

    @Cacheable(cacheNames = "product")
    public Product product(long id) {
      calls.loads.incrementAndGet();
      return new Product(id, "product " + id, calls.prices.getOrDefault(id, 100));
    }

    @CacheEvict(cacheNames = "product", key = "#p0")
    public void priceChanged(long id, int newPriceCents) {
      calls.prices.put(id, newPriceCents);
    }

    @CachePut(cacheNames = "product", key = "#p0.id")
    public Product save(Product p) {
      return p;
    }

    @Cacheable(cacheNames = "stampede", sync = true)
    public Product stampede(long id) throws InterruptedException {
      calls.loads.incrementAndGet();
      // Holds the load until every caller of the stampede has reached the cache.
      if (!calls.door.await(20, TimeUnit.SECONDS)) {
        throw new IllegalStateException("callers did not all arrive");
      }
      return Product.of(id);
    }

    @Cacheable(cacheNames = "async")
    public CompletableFuture<Product> productAsync(long id) {
      calls.loads.incrementAndGet();
      return CompletableFuture.supplyAsync(() -> Product.of(id));
    }
  }
}
