package io.nearcache.spring;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/** Runs tasks on real threads of their own, all released at once, and collects their results. */
final class Concurrently {
  private static final long TIMEOUT_SECONDS = 60;

  private Concurrently() {}

  /**
   * Runs {@code count} tasks, task {@code i} made by {@code task.apply(i)}, each on its own
   * thread, released together; returns their results in order, rethrowing the first failure.
   */
  static <T> List<T> run(int count, IntFunction<Callable<T>> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(count);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        Callable<T> body = task.apply(i);
        futures.add(pool.submit(() -> {
          start.await();
          return body.call();
        }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> future : futures) {
        results.add(future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
      if (!pool.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test threads did not end");
      }
    }
  }
}
