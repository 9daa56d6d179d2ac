package io.nearcache.spring;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a cache's {@code retrieve} work off the caller's thread, and counts what the executor
 * refused (its queue full, or the manager closed): the caller then goes without the cache, as if
 * it had missed, rather than failing or blocking.
 */
final class Retrievals {
  private static final Logger log = LoggerFactory.getLogger(Retrievals.class);
  /** At most one warning per interval, so that an overload does not flood the log too. */
  private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final String cacheName;
  private final Executor executor;
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong nextWarnNanos = new AtomicLong(System.nanoTime());

  Retrievals(String cacheName, Executor executor) {
    this.cacheName = cacheName;
    this.executor = executor;
  }

  /**
   * Hands {@code task} to the executor.
   *
   * @return {@code false} if the executor refused it (counted and logged); the caller then falls
   *     back
   */
  boolean submit(Runnable task) {
    try {
      executor.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      long count = rejected.incrementAndGet();
      long now = System.nanoTime();
      long due = nextWarnNanos.get();
      if (now - due >= 0 && nextWarnNanos.compareAndSet(due, now + WARN_INTERVAL_NANOS)) {
        log.warn("cache '{}': the retrieval executor refused work ({} times so far); serving"
            + " without the cache. Give the manager more retrievalThreads or an executor of"
            + " your own", cacheName, count, e);
      }
      return false;
    }
  }

  /** How many retrievals the executor refused since the cache was created. */
  long rejected() {
    return rejected.get();
  }
}
