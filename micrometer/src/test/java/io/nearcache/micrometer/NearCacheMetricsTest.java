package io.nearcache.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nearcache.CacheSpec;
import io.nearcache.CacheStats;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.testkit.PrometheusScrape;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link NearCacheMetrics} in a Prometheus scrape, beside a Caffeine cache's meters. */
@ExtendWith(RedisServerExtension.class)
class NearCacheMetricsTest {
  private static final String PREFIX = "shop";
  private static final CacheSpec SPEC = CacheSpec.parse("localTtl=1h,remoteTtl=1h");
  private static final Map<String, String> PRODUCT = Map.of("cache", "product", "app", "shop");
  private static final Map<String, String> CAFFEINE = Map.of("cache", "local", "app", "shop");

  @Test
  void aNearCacheAndACaffeineCacheShareTheCacheFamiliesAndTheCountsMatchStats(RedisServer redis)
      throws Exception {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.throwExceptionOnRegistrationFailure(); // a tag-key clash fails the test here
    LoadingCache<String, String> local = Caffeine.newBuilder().recordStats().build(k -> "v");
    CaffeineCacheMetrics.monitor(registry, local, "local", "app", "shop");
    local.get("x"); // a miss and a load
    local.get("x"); // a hit

    try (NearCacheClient reader = client(redis, "reader");
         NearCacheClient peer = client(redis, "peer")) {
      NearCache<String, String> products = NearCacheMetrics.monitor(registry,
          reader.cache("product", SPEC, new StringSerializer()), "app", "shop");
      NearCache<String, String> peerProducts = peer.cache("product", SPEC, new StringSerializer());
      await().atMost(Duration.ofSeconds(5)).until(() -> reader.isInContact() && peer.isInContact());

      assertThat(products.get("a", k -> "loaded")).isEqualTo("loaded"); // L1 and L2 miss, a load
      products.get("a", NearCacheMetricsTest::unexpectedLoad); // L1 hit
      products.get("a", NearCacheMetricsTest::unexpectedLoad); // L1 hit
      peerProducts.get("b", k -> "from the peer");
      assertThat(products.get("b", NearCacheMetricsTest::unexpectedLoad)) // L2 hit
          .isEqualTo("from the peer");
      products.get("b", NearCacheMetricsTest::unexpectedLoad); // L1 hit
      assertThatThrownBy(() -> products.get("c", k -> {
        throw new IllegalStateException("the database is down");
      })).hasMessage("the database is down"); // a failed load
      assertThat(products.getIfPresent("d")).isNull(); // a miss of both tiers, no load
      assertThat(leaseWait(products, peerProducts)).isEqualTo("from the peer's load");

      CacheStats stats = products.stats();
      assertThat(stats.l1Hits()).isEqualTo(3);
      assertThat(stats.l1Misses()).isEqualTo(5);
      assertThat(stats.l2Hits()).isPositive();
      assertThat(stats.l2Misses()).isGreaterThanOrEqualTo(4);
      assertThat(stats.loadSuccesses()).isEqualTo(1);
      assertThat(stats.loadFailures()).isEqualTo(1);
      assertThat(stats.leaseWaits()).isEqualTo(1);
      PrometheusScrape scrape = new PrometheusScrape(registry.scrape());

      assertThat(scrape.series("cache_gets_total")).as("both caches in one family")
          .containsExactlyInAnyOrder(with(PRODUCT, "result", "hit"),
              with(PRODUCT, "result", "miss"), with(CAFFEINE, "result", "hit"),
              with(CAFFEINE, "result", "miss"));
      assertThat(scrape.value("cache_gets_total", with(CAFFEINE, "result", "hit"))).hasValue(1);
      assertThat(scrape.value("cache_gets_total", with(CAFFEINE, "result", "miss"))).hasValue(1);
      assertThat(scrape.series("cache_load_total")).hasSize(4);
      assertThat(scrape.series("cache_load_duration_seconds")).hasSize(2);
      assertThat(scrape.value("cache_size", CAFFEINE)).hasValue(1);

      assertThat(scrape.value("cache_gets_total", with(PRODUCT, "result", "hit")))
          .hasValue(stats.l1Hits() + stats.l2Hits());
      assertThat(scrape.value("cache_gets_total", with(PRODUCT, "result", "miss")))
          .hasValue(stats.l2Misses());
      assertThat(scrape.value("cache_size", PRODUCT)).hasValue(products.estimatedSize());
      assertThat(scrape.value("cache_puts_total", PRODUCT)).hasValue(stats.loadSuccesses());
      assertThat(scrape.has("cache_evictions_total", PRODUCT)).as("nearcache counts none")
          .isFalse();
      assertThat(scrape.value("cache_load_total", with(PRODUCT, "result", "success")))
          .hasValue(stats.loadSuccesses());
      assertThat(scrape.value("cache_load_total", with(PRODUCT, "result", "failure")))
          .hasValue(stats.loadFailures());
      assertThat(scrape.value("cache_load_duration_seconds", PRODUCT).orElseThrow())
          .isPositive().isEqualTo(stats.totalLoadTimeNanos() / 1e9, within(1e-9));
      assertThat(scrape.value("nearcache_gets_total", tiered("l1", "hit")))
          .hasValue(stats.l1Hits());
      assertThat(scrape.value("nearcache_gets_total", tiered("l1", "miss")))
          .hasValue(stats.l1Misses());
      assertThat(scrape.value("nearcache_gets_total", tiered("l2", "hit")))
          .hasValue(stats.l2Hits());
      assertThat(scrape.value("nearcache_gets_total", tiered("l2", "miss")))
          .hasValue(stats.l2Misses());
      Map<NearCacheMeter, Long> counts = Map.ofEntries(
          Map.entry(NearCacheMeter.LEASE_WAITS, stats.leaseWaits()),
          Map.entry(NearCacheMeter.LEASE_TAKEOVERS, stats.leaseTakeovers()),
          Map.entry(NearCacheMeter.REDIS_ERRORS, stats.redisErrors()),
          Map.entry(NearCacheMeter.DECODE_ERRORS, stats.decodeErrors()),
          Map.entry(NearCacheMeter.OVERSIZED_VALUES, stats.oversizedValues()),
          Map.entry(NearCacheMeter.REPLAYED_INVALIDATIONS, stats.replayedInvalidations()),
          Map.entry(NearCacheMeter.FLUSHES, stats.flushes()),
          Map.entry(NearCacheMeter.SAMPLED_ENTRIES, stats.sampledEntries()),
          Map.entry(NearCacheMeter.STALE_ENTRIES, stats.staleEntries()),
          Map.entry(NearCacheMeter.REFRESHES, stats.refreshes()),
          Map.entry(NearCacheMeter.REFRESH_FAILURES, stats.refreshFailures()),
          Map.entry(NearCacheMeter.STALE_SERVED, stats.staleServed()));
      counts.forEach((meter, count) -> assertThat(scrape.value(prometheusName(meter), PRODUCT))
          .as(meter.meterName()).hasValue(count));
      Arrays.stream(NearCacheMeter.values())
          .filter(m -> !m.meterName().startsWith("nearcache.client."))
          .forEach(m -> assertThat(scrape.has(prometheusName(m), PRODUCT))
              .as(prometheusName(m) + " in\n" + scrape).isTrue());
    }
  }

  @Test
  void theMetersDoNotKeepACacheOrItsClosedClientAlive(RedisServer redis) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    List<WeakReference<Object>> bound = bindUseAndClose(registry, redis);

    await().atMost(Duration.ofSeconds(10)).until(() -> {
      System.gc();
      return bound.stream().allMatch(ref -> ref.get() == null);
    });
    PrometheusScrape scrape = new PrometheusScrape(registry.scrape());
    assertThat(scrape.value("cache_size", Map.of("cache", "gone")).orElseThrow()).isNaN();
    assertThat(scrape.value("cache_gets_total", Map.of("cache", "gone", "result", "hit")))
        .as("a counter keeps its last value").hasValue(1);
  }

  @Test
  void withStatsOffTheCountersReadZeroAndTheSizeStillMoves(RedisServer redis) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (NearCacheClient client = client(redis, "reader")) {
      NearCache<String, String> quiet = NearCacheMetrics.monitor(registry,
          client.cache("quiet", CacheSpec.parse("recordStats=false"), new StringSerializer()));
      quiet.get("a", k -> "v");
      quiet.get("a", NearCacheMetricsTest::unexpectedLoad);

      PrometheusScrape scrape = new PrometheusScrape(registry.scrape());
      Map<String, String> cache = Map.of("cache", "quiet");
      assertThat(scrape.value("cache_gets_total", with(cache, "result", "hit"))).hasValue(0);
      assertThat(scrape.value("nearcache_gets_total", Map.of("cache", "quiet", "tier", "l1",
          "result", "miss"))).hasValue(0);
      assertThat(scrape.value("cache_size", cache)).hasValue(1);
    }
  }

  @Test
  void nullArgumentsAreRefusedByName() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    assertThatThrownBy(() -> NearCacheMetrics.monitor(registry, null))
        .isInstanceOf(NullPointerException.class).hasMessage("cache");
    assertThatThrownBy(() -> NearCacheMetrics.monitor(null, null))
        .isInstanceOf(NullPointerException.class).hasMessage("registry");
    assertThatThrownBy(() -> NearCacheClientMetrics.monitor(registry, null))
        .isInstanceOf(NullPointerException.class).hasMessage("client");
    assertThat(registry.getMeters()).isEmpty();
  }

  /** Binds a cache and reads its meters once, then closes its client; returns both, weakly. */
  private static List<WeakReference<Object>> bindUseAndClose(PrometheusMeterRegistry registry,
      RedisServer redis) {
    NearCacheClient client = client(redis, "closing");
    NearCache<String, String> gone = NearCacheMetrics.monitor(registry,
        client.cache("gone", SPEC, new StringSerializer()));
    gone.get("a", k -> "v");
    gone.get("a", NearCacheMetricsTest::unexpectedLoad);
    assertThat(new PrometheusScrape(registry.scrape()).value("cache_gets_total",
        Map.of("cache", "gone", "result", "hit"))).hasValue(1);
    client.close();
    return List.of(new WeakReference<>(gone), new WeakReference<>(client));
  }

  /**
   * The peer takes the lease of "e" and holds it until {@code products} waits for its value;
   * returns what {@code products} got.
   */
  private static String leaseWait(NearCache<String, String> products,
      NearCache<String, String> peerProducts) throws Exception {
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<String> holder = CompletableFuture.supplyAsync(() ->
        peerProducts.get("e", k -> {
          holding.countDown();
          awaitLatch(release);
          return "from the peer's load";
        }));
    assertThat(holding.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<String> waiter = CompletableFuture.supplyAsync(() ->
        products.get("e", NearCacheMetricsTest::unexpectedLoad));
    await().atMost(Duration.ofSeconds(5)).until(() -> products.stats().leaseWaits() == 1);
    release.countDown();
    assertThat(holder.get(5, TimeUnit.SECONDS)).isEqualTo("from the peer's load");
    return waiter.get(5, TimeUnit.SECONDS);
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("latch not released");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String unexpectedLoad(String key) {
    throw new AssertionError("unexpected load of " + key);
  }

  private static NearCacheClient client(RedisServer redis, String instance) {
    return NearCacheClient.builder().redisUri(redis.uri()).keyPrefix(PREFIX).instanceId(instance)
        .build();
  }

  /** The name a Prometheus server sees: snake case, {@code _total} on counters, unit suffix. */
  private static String prometheusName(NearCacheMeter meter) {
    String name = meter.meterName().replace('.', '_');
    if (meter == NearCacheMeter.CACHE_LOAD_DURATION) {
      return name + "_seconds";
    }
    return meter.type() == Meter.Type.COUNTER ? name + "_total" : name;
  }

  private static Map<String, String> tiered(String tier, String result) {
    return with(with(PRODUCT, "tier", tier), "result", result);
  }

  private static Map<String, String> with(Map<String, String> labels, String key, String value) {
    Map<String, String> more = new HashMap<>(labels);
    more.put(key, value);
    return more;
  }
}
