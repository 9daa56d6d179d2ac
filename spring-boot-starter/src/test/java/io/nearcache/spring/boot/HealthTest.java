package io.nearcache.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import io.nearcache.testkit.TcpProxy;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The health indicator follows the client: UP, then DOWN while its link to Redis is cut (the
 * cached method still answering), then UP again once the link is back.
 */
@ExtendWith(RedisServerExtension.class)
class HealthTest {
  private static final Logger log = LoggerFactory.getLogger(HealthTest.class);

  @Test
  void upThenDownWhileRedisIsUnreachableThenUpAgain(RedisServer redis) {
    try (TcpProxy proxy = TcpProxy.to(redis.host(), redis.port());
        ConfigurableApplicationContext app = Apps.run(ShopApp.class,
            Map.of("calls", new ShopApp.Calls()),
            "nearcache.redis-uri=" + proxy.uri(), "nearcache.key-prefix=shop",
            "nearcache.instance-id=health-1",
            "nearcache.caches.product.value-type=" + Product.class.getName())) {
      HealthIndicator indicator = app.getBean("nearCacheHealthIndicator", HealthIndicator.class);
      ShopApp.Catalog catalog = app.getBean(ShopApp.Catalog.class);
      Health up = indicator.health();
      assertThat(up.getStatus()).isEqualTo(Status.UP);
      assertThat(up.getDetails()).containsEntry("inContact", true)
          .containsEntry("degraded", false).containsEntry("pendingInvalidations", 0)
          .containsEntry("keyPrefix", "shop").containsEntry("instanceId", "health-1");

      proxy.cut();
      long cut = System.nanoTime();
      // Reads go on, and their failing Redis calls open the circuit breaker.
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
        assertThat(catalog.product(1).id()).isEqualTo(1);
        return indicator.health().getStatus().equals(Status.DOWN);
      });
      Health down = indicator.health();
      log.info("DOWN {} ms after the cut: {}", (System.nanoTime() - cut) / 1_000_000,
          down.getDetails());
      assertThat(down.getDetails()).containsEntry("degraded", true);

      proxy.restore();
      long restored = System.nanoTime();
      await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> {
        catalog.product(1);
        return indicator.health().getStatus().equals(Status.UP);
      });
      log.info("UP {} ms after the restore: {}", (System.nanoTime() - restored) / 1_000_000,
          indicator.health().getDetails());
      assertThat(indicator.health().getDetails()).containsEntry("inContact", true)
          .containsEntry("degraded", false);
    }
  }

  /** Redis is not needed to start: the application comes up, served by its methods. */
  @Test
  void anApplicationStartsWithRedisUnreachableAndReportsNotUp(RedisServer redis) {
    try (TcpProxy proxy = TcpProxy.to(redis.host(), redis.port())) {
      proxy.cut();
      ShopApp.Calls calls = new ShopApp.Calls();
      try (ConfigurableApplicationContext app = Apps.run(ShopApp.class, Map.of("calls", calls),
          "nearcache.redis-uri=" + proxy.uri(), "nearcache.key-prefix=shop",
          "nearcache.caches.product.value-type=" + Product.class.getName())) {
        HealthIndicator indicator =
            app.getBean("nearCacheHealthIndicator", HealthIndicator.class);
        ShopApp.Catalog catalog = app.getBean(ShopApp.Catalog.class);
        assertThat(catalog.product(1).id()).isEqualTo(1);
        Status status = indicator.health().getStatus();
        log.info("started with Redis unreachable: {} {}", status,
            indicator.health().getDetails());
        assertThat(status).isIn(Status.DOWN, Status.OUT_OF_SERVICE);

        proxy.restore();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> {
          catalog.product(1);
          return indicator.health().getStatus().equals(Status.UP);
        });
      }
    }
  }
}
