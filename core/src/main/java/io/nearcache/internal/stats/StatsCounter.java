package io.nearcache.internal.stats;

import io.nearcache.CacheStats;

/**
 * The live side of {@link CacheStats}: each cache records into one of these and {@link
 * #snapshot()} freezes it. {@link #disabled()} records nothing, keeping the L1-hit path free when
 * stats are off.
 */
public interface StatsCounter {

  void recordL1Hit();

  void recordL1Miss();

  void recordL2Hit();

  void recordL2Miss();

  void recordLoadSuccess(long nanos);

  void recordLoadFailure(long nanos);

  void recordDecodeError();

  void recordRedisError();

  void recordOversizedValue();

  /** Returns the counts so far. */
  CacheStats snapshot();

  /** A counter backed by {@link java.util.concurrent.atomic.LongAdder}s. */
  static StatsCounter concurrent() {
    return new ConcurrentStatsCounter();
  }

  /** A counter that records nothing and always reports {@link CacheStats#empty()}. */
  static StatsCounter disabled() {
    return DisabledStatsCounter.INSTANCE;
  }
}
