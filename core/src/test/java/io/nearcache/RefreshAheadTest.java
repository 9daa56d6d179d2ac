package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nearcache.internal.DefaultNearCache;
import io.nearcache.testkit.RedisServer;
import io.nearcache.testkit.RedisServerExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link CacheSpec#refreshAfter()}: a read of an old entry is served at once while one node of the
 * fleet reloads it in the background, and the new value reaches every node as a change. The
 * timing (no read waits for the loader) is measured by {@code jmh/}'s refresh harness.
 */
@ExtendWith(RedisServerExtension.class)
class RefreshAheadTest {
  private static final CacheSpec SPEC =
      CacheSpec.parse("localTtl=1h,remoteTtl=1h,refreshAfter=100ms");
  private static final Duration PROPAGATION = Duration.ofSeconds(2);

  /** A loader whose calls after the first wait at a gate, recording the thread they ran on. */
  private static final class GatedLoader implements Function<String, String> {
    final AtomicInteger calls = new AtomicInteger();
    final CountDownLatch refreshing = new CountDownLatch(1);
    final CountDownLatch gate = new CountDownLatch(1);
    final AtomicReference<String> refreshThread = new AtomicReference<>();
    volatile RuntimeException failure;

    @Override
    public String apply(String key) {
      int call = calls.incrementAndGet();
      if (call > 1) {
        refreshThread.set(Thread.currentThread().getName());
        refreshing.countDown();
        Concurrently.awaitLatch(gate);
        if (failure != null) {
          throw failure;
        }
      }
      return "v" + call;
    }
  }

  @Test
  void anOldEntryIsServedAtOnceWhileOneNodeOfTheFleetReloadsIt(RedisServer redis)
      throws Exception {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      GatedLoader loader = new GatedLoader();
      assertThat(caches.get(0).get("k", loader)).isEqualTo("v1");
      assertThat(caches.get(1).get("k", loader)).isEqualTo("v1");

      // Reads go on being served v1 at once; the first read past refreshAfter starts a refresh.
      await().atMost(PROPAGATION).until(() -> {
        assertThat(caches.get(0).get("k", loader)).isEqualTo("v1");
        return loader.refreshing.getCount() == 0;
      });
      assertThat(loader.refreshThread.get()).as("never the caller's thread")
          .startsWith("nearcache-refresh-");
      // The other node's entry is old too, but node 0 holds the lease: node 1 keeps serving.
      await().atMost(PROPAGATION).until(() -> {
        assertThat(caches.get(1).get("k", loader)).isEqualTo("v1");
        return caches.get(1).stats().l1Hits() > 3;
      });
      loader.gate.countDown();

      for (DefaultNearCache<String, String> cache : caches) {
        await().atMost(PROPAGATION).until(() -> "v2".equals(cache.get("k", loader)));
      }
      assertThat(loader.calls).as("one load, one refresh across the fleet").hasValue(2);
      assertThat(caches.get(0).stats().refreshes()).isEqualTo(1);
      assertThat(caches.get(1).stats().refreshes()).isZero();
    }
  }

  @Test
  void aFailedRefreshLeavesTheOldValueCounted(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 1)) {
      DefaultNearCache<String, String> cache = fleet.caches("product", SPEC).get(0);
      GatedLoader loader = new GatedLoader();
      loader.failure = new IllegalStateException("database down");
      loader.gate.countDown();
      cache.get("k", loader);

      await().atMost(PROPAGATION).until(() -> {
        assertThat(cache.get("k", loader)).isEqualTo("v1");
        return cache.stats().refreshFailures() == 1;
      });
      assertThat(cache.get("k", loader)).as("kept until its TTL").isEqualTo("v1");
      assertThat(cache.stats().loadFailures()).isEqualTo(1);
      assertThat(loader.calls).as("not retried by every read").hasValue(2);
    }
  }

  @Test
  void aWriteDuringARefreshWins(RedisServer redis) {
    try (Fleet fleet = new Fleet(redis, 2)) {
      List<DefaultNearCache<String, String>> caches = fleet.caches("product", SPEC);
      GatedLoader loader = new GatedLoader();
      caches.get(0).get("k", loader);
      await().atMost(PROPAGATION).until(() -> {
        caches.get(0).get("k", loader);
        return loader.refreshing.getCount() == 0;
      });

      caches.get(1).put("k", "written");
      loader.gate.countDown(); // the refresh's "v2" was loaded before the write

      for (DefaultNearCache<String, String> cache : caches) {
        await().atMost(PROPAGATION).until(() -> "written".equals(cache.get("k", k -> "lost")));
      }
      assertThat(caches.get(0).stats().refreshes()).as("it ran, and its v2 never showed")
          .isEqualTo(1);
    }
  }

  @Test
  void refreshesRunOnTheExecutorTheUserGave(RedisServer redis) throws Exception {
    ExecutorService mine = Executors.newSingleThreadExecutor(r -> new Thread(r, "app-refresh"));
    try (NearCacheClient client = NearCacheClient.builder().redisUri(redis.uri())
        .keyPrefix(Fleet.PREFIX).refreshExecutor(mine).build()) {
      NearCache<String, String> cache = client.cache("product", SPEC, new StringSerializer());
      GatedLoader loader = new GatedLoader();
      loader.gate.countDown();
      cache.get("k", loader);
      await().atMost(PROPAGATION).until(() -> "v2".equals(cache.get("k", loader)));
      assertThat(loader.refreshThread.get()).isEqualTo("app-refresh");
    } finally {
      mine.shutdown();
      assertThat(mine.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }
}
