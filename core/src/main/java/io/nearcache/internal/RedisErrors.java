package io.nearcache.internal;

import io.nearcache.internal.resilience.CircuitBreaker;
import io.nearcache.internal.stats.StatsCounter;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.exceptions.JedisException;

/**
 * Counts every Redis failure of one cache and logs it: a warning at most once a second (an outage
 * under load would otherwise flood the log), the rest at debug with the stack trace. Calls the
 * circuit breaker refused are only logged at debug: they were never made, so nothing failed.
 */
final class RedisErrors {
  private static final Logger log = LoggerFactory.getLogger(RedisErrors.class);
  private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final String cache;
  private final StatsCounter stats;
  private final AtomicLong lastWarn = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);

  RedisErrors(String cache, StatsCounter stats) {
    this.cache = cache;
    this.stats = stats;
  }

  /** Records a failed Redis {@code operation} on {@code what} that the caller goes on without. */
  void record(String operation, String what, JedisException e) {
    if (e instanceof CircuitBreaker.OpenException) {
      log.debug("cache {}: Redis {} of {} skipped: circuit breaker open", cache, operation, what);
      return; // no call was made, so nothing failed
    }
    stats.recordRedisError();
    long now = System.nanoTime();
    long last = lastWarn.get();
    if (now - last >= WARN_INTERVAL_NANOS && lastWarn.compareAndSet(last, now)) {
      log.warn("cache {}: Redis {} of {} failed, going on without L2: {}", cache, operation, what,
          e.toString());
    } else {
      log.debug("cache {}: Redis {} of {} failed", cache, operation, what, e);
    }
  }
}
