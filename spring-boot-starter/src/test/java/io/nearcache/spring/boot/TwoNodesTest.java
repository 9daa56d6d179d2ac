package io.nearcache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.spring.NearCacheCacheManager;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.cache.CacheManager;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two Spring Boot applications on one Redis, as two app nodes configured by properties alone: a
 * write on one reaches the other's {@code @Cacheable}, a stampede on both loads once, and a
 * {@code CompletableFuture} method is cached.
 */
@ExtendWith(RedisServerExtension.class)
class TwoNodesTest {
  private static final int THREADS_PER_NODE = 32;

  static ConfigurableApplicationContext node(RedisServer redis, ShopApp.Calls calls, int n) {
    return Apps.run(ShopApp.class, Map.of("calls", calls),
        "nearcache.redis-uri=" + redis.uri(),
        "nearcache.key-prefix=shop",
        "nearcache.instance-id=node-" + n,
        "nearcache.default-spec=localTtl=1h,remoteTtl=1h",
        "nearcache.caches.product.value-type=" + Product.class.getName(),
        "nearcache.caches.stampede.value-type=" + Product.class.getName(),
        "nearcache.caches.async.value-type=" + Product.class.getName());
  }

  @Test
  void anEvictionOrAPutOnOneNodeReachesTheOther(RedisServer redis) {
    ShopApp.Calls calls = new ShopApp.Calls();
    try (ConfigurableApplicationContext a = node(redis, calls, 0);
        ConfigurableApplicationContext b = node(redis, calls, 1)) {
      assertThat(a.getBean(CacheManager.class)).isInstanceOf(NearCacheCacheManager.class);
      ShopApp.Catalog ca = a.getBean(ShopApp.Catalog.class);
      ShopApp.Catalog cb = b.getBean(ShopApp.Catalog.class);
      assertThat(ca.product(1).priceCents()).isEqualTo(100);
      assertThat(cb.product(1).priceCents()).isEqualTo(100);
      assertThat(cb.product(1).priceCents()).isEqualTo(100);
      assertThat(calls.loads).as("b read a's value from Redis, then from its L1").hasValue(1);

      ca.priceChanged(1, 250); // @CacheEvict on a
      await().atMost(Duration.ofSeconds(10)).until(() -> cb.product(1).priceCents() == 250);
      assertThat(ca.product(1).priceCents()).isEqualTo(250);

      ca.save(new Product(1, "renamed", 300)); // @CachePut on a
      await().atMost(Duration.ofSeconds(10)).until(() -> cb.product(1).name().equals("renamed"));
      assertThat(cb.product(1)).isEqualTo(new Product(1, "renamed", 300));
      assertThat(calls.loads).as("one load, one after the eviction; the put loaded nothing")
          .hasValue(2);
    }
  }

  @Test
  void syncTrueStampedeOfThirtyTwoThreadsPerNodeLoadsOnce(RedisServer redis) throws Exception {
    ShopApp.Calls calls = new ShopApp.Calls();
    calls.door = new CountDownLatch(2 * THREADS_PER_NODE);
    ExecutorService pool = Executors.newFixedThreadPool(2 * THREADS_PER_NODE);
    try (ConfigurableApplicationContext a = node(redis, calls, 0);
        ConfigurableApplicationContext b = node(redis, calls, 1)) {
      List<ShopApp.Catalog> catalogs =
          List.of(a.getBean(ShopApp.Catalog.class), b.getBean(ShopApp.Catalog.class));
      List<Future<Product>> results = new ArrayList<>();
      for (int t = 0; t < 2 * THREADS_PER_NODE; t++) {
        ShopApp.Catalog catalog = catalogs.get(t % 2);
        results.add(pool.submit(() -> {
          calls.door.countDown();
          return catalog.stampede(42);
        }));
      }
      for (Future<Product> result : results) {
        assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo(Product.of(42));
      }
      assertThat(calls.loads).as("64 callers on 2 nodes, one call of the method").hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aCompletableFutureMethodIsCachedOnBothNodes(RedisServer redis) throws Exception {
    ShopApp.Calls calls = new ShopApp.Calls();
    try (ConfigurableApplicationContext a = node(redis, calls, 0);
        ConfigurableApplicationContext b = node(redis, calls, 1)) {
      ShopApp.Catalog ca = a.getBean(ShopApp.Catalog.class);
      ShopApp.Catalog cb = b.getBean(ShopApp.Catalog.class);
      assertThat(ca.productAsync(7).get(10, TimeUnit.SECONDS)).isEqualTo(Product.of(7));
      // Spring puts the value once the future completed, on the future's thread.
      await().atMost(Duration.ofSeconds(10))
          .until(() -> a.getBean(CacheManager.class).getCache("async").get(7L) != null);
      assertThat(ca.productAsync(7).get(10, TimeUnit.SECONDS)).isEqualTo(Product.of(7));
      assertThat(cb.productAsync(7).get(10, TimeUnit.SECONDS)).isEqualTo(Product.of(7));
      assertThat(calls.loads).as("one call; b's came from Redis").hasValue(1);
    }
  }
}
