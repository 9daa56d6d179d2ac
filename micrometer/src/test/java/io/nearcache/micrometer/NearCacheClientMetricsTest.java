package io.nearcache.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nearcache.CacheSpec;
import io.nearcache.NearCache;
import io.nearcache.NearCacheClient;
import io.nearcache.testkit.PrometheusScrape;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import io.nearcache.testkit.TcpProxy;
import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link NearCacheClientMetrics}: the health gauges through an outage, and references. */
@ExtendWith(RedisServerExtension.class)
class NearCacheClientMetricsTest {
  private static final String PREFIX = "shop";
  private static final Map<String, String> CLIENT =
      Map.of("prefix", PREFIX, "client", "app-1", "region", "eu");

  @Test
  void theGaugesFollowAnOutageAndTheRecovery(RedisServer redis) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (TcpProxy proxy = TcpProxy.to(redis.host(), redis.port());
         NearCacheClient client = NearCacheClient.builder().redisUri(proxy.uri())
             .keyPrefix(PREFIX).instanceId("app-1").build()) {
      NearCacheClientMetrics.monitor(registry, client, "region", "eu");
      NearCache<String, String> cache =
          client.cache("product", CacheSpec.defaults(), new StringSerializer());
      await().atMost(Duration.ofSeconds(5)).until(() -> gauge(registry, "contact") == 1);
      assertGauges(registry, 0, 1, 0);
      // Two probes a second on the one subscriber connection, each timed.
      await().atMost(Duration.ofSeconds(5)).until(() -> new PrometheusScrape(registry.scrape())
          .value("nearcache_client_probe_lag_seconds_count", CLIENT).orElse(0) >= 2);
      Timer lag = registry.get("nearcache.client.probe.lag").tags("client", "app-1").timer();
      assertThat(lag.max(TimeUnit.MILLISECONDS)).as("probe lag on loopback, ms")
          .isPositive().isLessThan(2_000);

      proxy.cut();
      cache.invalidate("k");
      assertThat(gauge(registry, "invalidations_pending")).as("kept for Redis' return")
          .isEqualTo(1);
      await().atMost(Duration.ofSeconds(5)).until(() -> gauge(registry, "contact") == 0);
      await().atMost(Duration.ofSeconds(5)).until(() -> gauge(registry, "degraded") == 1);
      assertGauges(registry, 1, 0, 1);

      proxy.restore();
      await().atMost(Duration.ofSeconds(10)).until(() -> gauge(registry, "invalidations_pending")
          == 0 && gauge(registry, "contact") == 1 && gauge(registry, "degraded") == 0);
      assertGauges(registry, 0, 1, 0);
    }
  }

  @Test
  void theGaugesDoNotKeepAClosedClientAlive(RedisServer redis) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    WeakReference<NearCacheClient> closed = bindAndClose(registry, redis);

    await().atMost(Duration.ofSeconds(10)).until(() -> {
      System.gc();
      return closed.get() == null;
    });
    assertThat(gauge(registry, "contact")).as("collected").isNaN();
  }

  private static WeakReference<NearCacheClient> bindAndClose(PrometheusMeterRegistry registry,
      RedisServer redis) {
    NearCacheClient client = NearCacheClient.builder().redisUri(redis.uri()).keyPrefix(PREFIX)
        .instanceId("app-1").build();
    NearCacheClientMetrics.monitor(registry, client, "region", "eu");
    await().atMost(Duration.ofSeconds(5)).until(() -> gauge(registry, "contact") == 1);
    client.close();
    assertThat(gauge(registry, "contact")).as("a closed client is out of contact").isZero();
    return new WeakReference<>(client);
  }

  /** Asserts the three gauges as a Prometheus server would read them. */
  private static void assertGauges(PrometheusMeterRegistry registry, double pending,
      double contact, double degraded) {
    PrometheusScrape scrape = new PrometheusScrape(registry.scrape());
    assertThat(scrape.value("nearcache_client_invalidations_pending", CLIENT)).hasValue(pending);
    assertThat(scrape.value("nearcache_client_contact", CLIENT)).hasValue(contact);
    assertThat(scrape.value("nearcache_client_degraded", CLIENT)).hasValue(degraded);
  }

  private static double gauge(PrometheusMeterRegistry registry, String suffix) {
    return registry.get("nearcache.client." + suffix.replace('_', '.')).tags("prefix", PREFIX,
        "client", "app-1", "region", "eu").gauge().value();
  }
}
