package io.nearcache;

import static org.assertj.core.api.Assertions.assertThat;

import io.nearcache.internal.DefaultNearCache;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** Real threads started together, for the concurrency tests. */
final class Concurrently {
  private Concurrently() {}

  /**
   * Runs {@code work} on {@code threadsPerCache} threads per cache, all released at once by one
   * latch, and returns everything they returned.
   */
  static <T> List<T> onEveryCache(List<DefaultNearCache<String, String>> caches,
      int threadsPerCache, Function<DefaultNearCache<String, String>, List<T>> work)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(caches.size() * threadsPerCache);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<T>>> futures = new ArrayList<>();
      for (DefaultNearCache<String, String> cache : caches) {
        for (int t = 0; t < threadsPerCache; t++) {
          futures.add(pool.submit(() -> {
            start.await();
            return work.apply(cache);
          }));
        }
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<List<T>> future : futures) {
        results.addAll(future.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  /** A loader's work: takes {@code duration}, as a database query would. */
  static void pause(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted in a loader", e);
    }
  }

  /** Waits for {@code latch}, failing the test after 30 s; for use inside loaders. */
  static void awaitLatch(CountDownLatch latch) {
    try {
      assertThat(latch.await(30, TimeUnit.SECONDS)).as("latch released within 30 s").isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
