package io.nearcache.internal.stats;

import io.nearcache.CacheStats;

/**
 * The live side of {@link CacheStats}: each cache records into one of these and {@link
 * #snapshot()} freezes it. {@link #disabled()} records nothing, keeping the L1-hit path free when
 * stats are off.
 */
public interface StatsCounter {

  /** A key was found in L1. */
  void recordL1Hit();

  /** A key was not found in L1. */
  void recordL1Miss();

  /** An L1 miss found a decodable value in Redis. */
  void recordL2Hit();

  /** An L1 miss found no usable value in Redis (absent, undecodable, or Redis failed). */
  void recordL2Miss();

  /** A loader returned after {@code nanos}. */
  void recordLoadSuccess(long nanos);

  /** A loader threw after {@code nanos}. */
  void recordLoadFailure(long nanos);

  /** Bytes in Redis did not decode. */
  void recordDecodeError();

  /** A Redis call failed. */
  void recordRedisError();

  /** A value was too large to write to Redis. */
  void recordOversizedValue();

  /** Another instance held the load lease; this one waited for its value. */
  void recordLeaseWait();

  /** A wait outlived the other instance's lease and this instance took the load over. */
  void recordLeaseTakeover();

  /** An invalidation missed on pub/sub was applied from the log. */
  void recordReplayedInvalidation();

  /** The whole L1 was dropped because the log could not repair it. */
  void recordFlush();

  /** The consistency sampler compared an L1 entry with Redis. */
  void recordSampledEntry();

  /** A sampled L1 entry was found stale: different from Redis beyond the bound. */
  void recordStaleEntry();

  /** A background refresh stored a new value. */
  void recordRefresh();

  /** A background refresh failed; the old value stays. */
  void recordRefreshFailure();

  /** An expired value was served because the loader threw. */
  void recordStaleServed();

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
