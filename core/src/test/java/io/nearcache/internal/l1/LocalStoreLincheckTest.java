package io.nearcache.internal.l1;

import io.nearcache.CacheSpec;
import io.nearcache.internal.l1.LocalStore.Reservation;
import java.util.concurrent.atomic.AtomicLong;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.junit.jupiter.api.Test;

/**
 * Lincheck explores interleavings of L1 fills and invalidations of one key: a read reserves,
 * fetches the source's current version and fills; a write moves the source on and invalidates.
 * After every scenario L1 must hold nothing or the source's current version: a version fetched
 * before a write must never be left in L1 after it. (Whole-cache invalidation is left to {@code
 * StaleFillTest}: model checking Caffeine's clear, a traversal of its whole table, reads to Lincheck
 * as a livelock.)
 */
public class LocalStoreLincheckTest {
  private static final String KEY = "k";

  private final LocalStore<Long> store =
      new LocalStore<>(CacheSpec.parse("localTtl=1h"), new CoarseClock(), Runnable::run);
  private final AtomicLong source = new AtomicLong();

  /** A read that misses L1 and fills it from the source. */
  @Operation
  public void read() {
    Object slot = store.reserve(KEY);
    if (slot instanceof Reservation reservation) {
      long fetched = source.get();
      store.fill(KEY, reservation, fetched, Long.BYTES);
      store.release(KEY, reservation);
    }
  }

  /** A write: the source changes, then the key is invalidated, as a put or invalidate does. */
  @Operation
  public void write() {
    source.incrementAndGet();
    store.invalidate(KEY);
  }

  /** The property: whatever L1 holds is the source's current version. */
  @Validate
  public void l1HoldsNothingStale() {
    Object held = store.get(KEY);
    if (held != LocalStore.MISS && !held.equals(source.get())) {
      throw new IllegalStateException(
          "L1 holds version " + held + " but the source is at " + source.get());
    }
  }

  @Test
  void modelChecking() {
    new ModelCheckingOptions().iterations(10).invocationsPerIteration(100).threads(2)
        .actorsPerThread(2).actorsBefore(0).actorsAfter(0).check(getClass());
  }

  @Test
  void stress() {
    new StressOptions().iterations(10).invocationsPerIteration(1_000).threads(3)
        .actorsPerThread(2).actorsBefore(0).actorsAfter(0).check(getClass());
  }
}
