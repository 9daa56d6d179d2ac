package io.nearcache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nearcache.CacheStats;
import io.nearcache.NearCache;
import io.nearcache.spring.NearCacheCache;
import io.nearcache.testkit.PrometheusScrape;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.cache.CacheManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/**
 * Boot's cache metrics bind every nearcache cache through the starter's provider, and Boot's
 * metrics bind the client's meters: a Prometheus scrape holds them, with counts equal to {@code
 * stats()} after a known sequence of calls.
 */
@ExtendWith(RedisServerExtension.class)
class MetricsTest {
  private static final Logger log = LoggerFactory.getLogger(MetricsTest.class);

  @SpringBootConfiguration
  @EnableAutoConfiguration
  @Import(ShopApp.class)
  static class WithPrometheus {
    @Bean
    PrometheusMeterRegistry prometheus() {
      return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }
  }

  @Test
  void theScrapeHoldsEveryCachesMetersAndTheClientsWithCountsOfStats(RedisServer redis) {
    try (ConfigurableApplicationContext app = Apps.run(WithPrometheus.class,
        Map.of("calls", new ShopApp.Calls()),
        "nearcache.redis-uri=" + redis.uri(), "nearcache.key-prefix=shop",
        "nearcache.instance-id=metrics-1",
        "nearcache.caches.product.value-type=" + Product.class.getName(),
        "nearcache.caches.async.value-type=" + Product.class.getName())) {
      ShopApp.Catalog catalog = app.getBean(ShopApp.Catalog.class);
      // Spring's @Cacheable looks up, calls the method on a miss and puts what it returned.
      catalog.product(1); // miss
      catalog.product(1); // hit
      catalog.product(1); // hit
      catalog.product(2); // miss
      Object nativeCache = app.getBean(CacheManager.class).getCache("product").getNativeCache();
      NearCache<?, ?> cache = (NearCache<?, ?>) nativeCache;
      CacheStats stats = cache.stats();
      log.info("stats of product after 2 misses and 2 hits: {}", stats);
      assertThat(stats.l1Hits() + stats.l2Hits()).isEqualTo(2);
      assertThat(stats.l2Misses()).isEqualTo(2);

      PrometheusScrape scrape = new PrometheusScrape(app.getBean(PrometheusMeterRegistry.class).scrape());
      log.info("cache_gets_total series: {}", scrape.series("cache_gets_total"));
      Map<String, String> product = Map.of("cache", "product", "cache_manager", "cacheManager");
      assertThat(scrape.value("cache_gets_total", with(product, "result", "hit")))
          .hasValue((double) (stats.l1Hits() + stats.l2Hits()));
      assertThat(scrape.value("cache_gets_total", with(product, "result", "miss")))
          .hasValue((double) stats.l2Misses());
      assertThat(scrape.value("cache_load_total", with(product, "result", "success")))
          .hasValue((double) stats.loadSuccesses());
      assertThat(scrape.value("nearcache_gets_total",
          with(with(product, "tier", "l1"), "result", "hit"))).hasValue((double) stats.l1Hits());
      assertThat(scrape.value("cache_size", product)).hasValue((double) cache.estimatedSize());
      assertThat(scrape.has("cache_gets_total", Map.of("cache", "async")))
          .as("every cache the manager had at start").isTrue();

      Map<String, String> client = Map.of("prefix", "shop", "client", "metrics-1");
      assertThat(scrape.value("nearcache_client_contact", client)).hasValue(1.0);
      assertThat(scrape.value("nearcache_client_degraded", client)).hasValue(0.0);
      assertThat(scrape.value("nearcache_client_invalidations_pending", client)).hasValue(0.0);
      assertThat(app.getBean(CacheManager.class).getCache("product"))
          .isInstanceOf(NearCacheCache.class);
    }
  }

  private static Map<String, String> with(Map<String, String> labels, String key, String value) {
    Map<String, String> all = new java.util.HashMap<>(labels);
    all.put(key, value);
    return all;
  }
}
