package io.nearcache.internal.stats;

import io.nearcache.CacheStats;

/** Records nothing, so that a cache with stats off pays nothing for them. */
enum DisabledStatsCounter implements StatsCounter {
  INSTANCE;

  @Override
  public void recordL1Hit() {}

  @Override
  public void recordL1Miss() {}

  @Override
  public void recordL2Hit() {}

  @Override
  public void recordL2Miss() {}

  @Override
  public void recordLoadSuccess(long nanos) {}

  @Override
  public void recordLoadFailure(long nanos) {}

  @Override
  public void recordDecodeError() {}

  @Override
  public void recordRedisError() {}

  @Override
  public void recordOversizedValue() {}

  @Override
  public void recordLeaseWait() {}

  @Override
  public void recordLeaseTakeover() {}

  @Override
  public void recordReplayedInvalidation() {}

  @Override
  public void recordFlush() {}

  @Override
  public void recordSampledEntry() {}

  @Override
  public void recordStaleEntry() {}

  @Override
  public void recordRefresh() {}

  @Override
  public void recordRefreshFailure() {}

  @Override
  public void recordStaleServed() {}

  @Override
  public CacheStats snapshot() {
    return CacheStats.empty();
  }
}
