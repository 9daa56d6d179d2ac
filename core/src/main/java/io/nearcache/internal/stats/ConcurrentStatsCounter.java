package io.nearcache.internal.stats;

import io.nearcache.CacheStats;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe counts; {@link LongAdder} keeps contended increments cheap on the hit path. */
final class ConcurrentStatsCounter implements StatsCounter {
  private final LongAdder l1Hits = new LongAdder();
  private final LongAdder l1Misses = new LongAdder();
  private final LongAdder l2Hits = new LongAdder();
  private final LongAdder l2Misses = new LongAdder();
  private final LongAdder loadSuccesses = new LongAdder();
  private final LongAdder loadFailures = new LongAdder();
  private final LongAdder totalLoadTimeNanos = new LongAdder();
  private final LongAdder decodeErrors = new LongAdder();
  private final LongAdder redisErrors = new LongAdder();
  private final LongAdder oversizedValues = new LongAdder();
  private final LongAdder leaseWaits = new LongAdder();
  private final LongAdder leaseTakeovers = new LongAdder();
  private final LongAdder replayedInvalidations = new LongAdder();
  private final LongAdder flushes = new LongAdder();
  private final LongAdder sampledEntries = new LongAdder();
  private final LongAdder staleEntries = new LongAdder();
  private final LongAdder refreshes = new LongAdder();
  private final LongAdder refreshFailures = new LongAdder();
  private final LongAdder staleServed = new LongAdder();

  @Override
  public void recordL1Hit() {
    l1Hits.increment();
  }

  @Override
  public void recordL1Miss() {
    l1Misses.increment();
  }

  @Override
  public void recordL2Hit() {
    l2Hits.increment();
  }

  @Override
  public void recordL2Miss() {
    l2Misses.increment();
  }

  @Override
  public void recordLoadSuccess(long nanos) {
    loadSuccesses.increment();
    totalLoadTimeNanos.add(nanos);
  }

  @Override
  public void recordLoadFailure(long nanos) {
    loadFailures.increment();
    totalLoadTimeNanos.add(nanos);
  }

  @Override
  public void recordDecodeError() {
    decodeErrors.increment();
  }

  @Override
  public void recordRedisError() {
    redisErrors.increment();
  }

  @Override
  public void recordOversizedValue() {
    oversizedValues.increment();
  }

  @Override
  public void recordLeaseWait() {
    leaseWaits.increment();
  }

  @Override
  public void recordLeaseTakeover() {
    leaseTakeovers.increment();
  }

  @Override
  public void recordReplayedInvalidation() {
    replayedInvalidations.increment();
  }

  @Override
  public void recordFlush() {
    flushes.increment();
  }

  @Override
  public void recordSampledEntry() {
    sampledEntries.increment();
  }

  @Override
  public void recordStaleEntry() {
    staleEntries.increment();
  }

  @Override
  public void recordRefresh() {
    refreshes.increment();
  }

  @Override
  public void recordRefreshFailure() {
    refreshFailures.increment();
  }

  @Override
  public void recordStaleServed() {
    staleServed.increment();
  }

  @Override
  public CacheStats snapshot() {
    // Each sum is read on its own, so a snapshot taken under load may be off by in-flight calls.
    return CacheStats.of(l1Hits.sum(), l1Misses.sum(), l2Hits.sum(), l2Misses.sum(),
        loadSuccesses.sum(), loadFailures.sum(), totalLoadTimeNanos.sum(), decodeErrors.sum(),
        redisErrors.sum(), oversizedValues.sum(), leaseWaits.sum(), leaseTakeovers.sum(),
        replayedInvalidations.sum(), flushes.sum(), sampledEntries.sum(), staleEntries.sum(),
        refreshes.sum(), refreshFailures.sum(), staleServed.sum());
  }
}
