package io.nearcache;

import java.util.Objects;

/**
 * An immutable snapshot of one cache's counters on one instance, taken by {@link
 * NearCache#stats()}. Counts never go negative; {@link #plus} saturates at {@link Long#MAX_VALUE}
 * and {@link #minus} clamps at zero, so {@code now.minus(before)} gives an interval's activity.
 *
 * <p>Which operation moves which counter:
 * <ul>
 *   <li>{@code l1Hits}/{@code l1Misses}: each key looked up by {@code get}, {@code getIfPresent} or
 *       {@code getAll}, found in L1 or not.
 *   <li>{@code l2Hits}/{@code l2Misses}: each L1 miss that went on to Redis, found a decodable
 *       value there or not (a Redis failure or undecodable bytes count as a miss).
 *   <li>{@code loadSuccesses}/{@code loadFailures}/{@code totalLoadTimeNanos}: each loader or bulk
 *       loader call, by whether it returned or threw, and the time it took.
 *   <li>{@code decodeErrors}: bytes in Redis that the serializer refused (the key is deleted).
 *   <li>{@code redisErrors}: Redis calls that failed (timeouts, lost connections, server errors).
 *   <li>{@code oversizedValues}: values served but not written to Redis because their encoding
 *       exceeded {@link CacheSpec#maxValueBytes()}.
 *   <li>{@code leaseWaits}: L2 misses that found another instance loading the key (its lease)
 *       and waited for its value instead of calling the loader.
 *   <li>{@code leaseTakeovers}: such waits that outlived the other instance's lease and took the
 *       load over.
 *   <li>{@code replayedInvalidations}: invalidations this instance missed while out of contact
 *       and applied from the invalidation log once back.
 *   <li>{@code flushes}: slot groups (of 16) of L1 dropped because their missed changes could not
 *       be replayed: the group's log no longer reached back to them, its numbering went back, or
 *       Redis lost its data (a restart drops every group); an unreadable message drops every
 *       group too. Dropping group 0, which also logs whole-cache invalidations, drops all of L1.
 *   <li>{@code sampledEntries}: L1 entries the consistency sampler compared with Redis (see
 *       {@link NearCacheClient.Builder#consistencySampling}); 0 while it is off.
 *   <li>{@code staleEntries}: sampled L1 entries that still differed from Redis a whole {@link
 *       NearCacheClient.Builder#SAMPLE_BOUND} after they were first seen to differ, each logged and
 *       dropped: values the invalidations failed to reach this instance with.
 *   <li>{@code refreshes}/{@code refreshFailures}: background reloads of entries older than {@link
 *       CacheSpec#refreshAfter()} that this instance ran (it held the key's lease), by whether
 *       they completed (stored the new value, or lost to a write made meanwhile) or failed
 *       (loader threw, Redis failed, or the refresh executor had no room); a failure leaves the
 *       old value until its TTL. Their loader calls count in {@code loadSuccesses}/{@code
 *       loadFailures} too.
 *   <li>{@code staleServed}: reads answered with a value that had expired less than {@link
 *       CacheSpec#staleIfError()} ago, because the loader threw.
 * </ul>
 */
public final class CacheStats {
  private static final CacheStats EMPTY =
      new CacheStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  private final long l1Hits;
  private final long l1Misses;
  private final long l2Hits;
  private final long l2Misses;
  private final long loadSuccesses;
  private final long loadFailures;
  private final long totalLoadTimeNanos;
  private final long decodeErrors;
  private final long redisErrors;
  private final long oversizedValues;
  private final long leaseWaits;
  private final long leaseTakeovers;
  private final long replayedInvalidations;
  private final long flushes;
  private final long sampledEntries;
  private final long staleEntries;
  private final long refreshes;
  private final long refreshFailures;
  private final long staleServed;

  private CacheStats(long l1Hits, long l1Misses, long l2Hits, long l2Misses, long loadSuccesses,
      long loadFailures, long totalLoadTimeNanos, long decodeErrors, long redisErrors,
      long oversizedValues, long leaseWaits, long leaseTakeovers, long replayedInvalidations,
      long flushes, long sampledEntries, long staleEntries, long refreshes, long refreshFailures,
      long staleServed) {
    this.l1Hits = l1Hits;
    this.l1Misses = l1Misses;
    this.l2Hits = l2Hits;
    this.l2Misses = l2Misses;
    this.loadSuccesses = loadSuccesses;
    this.loadFailures = loadFailures;
    this.totalLoadTimeNanos = totalLoadTimeNanos;
    this.decodeErrors = decodeErrors;
    this.redisErrors = redisErrors;
    this.oversizedValues = oversizedValues;
    this.leaseWaits = leaseWaits;
    this.leaseTakeovers = leaseTakeovers;
    this.replayedInvalidations = replayedInvalidations;
    this.flushes = flushes;
    this.sampledEntries = sampledEntries;
    this.staleEntries = staleEntries;
    this.refreshes = refreshes;
    this.refreshFailures = refreshFailures;
    this.staleServed = staleServed;
  }

  /**
   * Returns a snapshot with the given counts, each at least 0.
   *
   * @param l1Hits keys found in L1
   * @param l1Misses keys not found in L1
   * @param l2Hits L1 misses that found a value in Redis
   * @param l2Misses L1 misses that found no usable value in Redis
   * @param loadSuccesses loader calls that returned
   * @param loadFailures loader calls that threw
   * @param totalLoadTimeNanos nanoseconds spent in loaders, successful or not
   * @param decodeErrors values in Redis that could not be decoded
   * @param redisErrors Redis calls that failed
   * @param oversizedValues values served but not written to Redis for being too large
   * @param leaseWaits misses that waited for another instance's load
   * @param leaseTakeovers waits that took over an expired lease
   * @param replayedInvalidations invalidations applied from the invalidation log
   * @param flushes slot groups of L1 dropped
   * @param sampledEntries L1 entries the consistency sampler compared with Redis
   * @param staleEntries sampled L1 entries found stale and dropped
   * @param refreshes background refreshes run to the end
   * @param refreshFailures background refreshes that failed
   * @param staleServed expired values served because the loader threw
   * @return the snapshot
   * @throws IllegalArgumentException if any count is negative, naming it
   */
  public static CacheStats of(long l1Hits, long l1Misses, long l2Hits, long l2Misses,
      long loadSuccesses, long loadFailures, long totalLoadTimeNanos, long decodeErrors,
      long redisErrors, long oversizedValues, long leaseWaits, long leaseTakeovers,
      long replayedInvalidations, long flushes, long sampledEntries, long staleEntries,
      long refreshes, long refreshFailures, long staleServed) {
    return new CacheStats(
        requireNonNegative("l1Hits", l1Hits),
        requireNonNegative("l1Misses", l1Misses),
        requireNonNegative("l2Hits", l2Hits),
        requireNonNegative("l2Misses", l2Misses),
        requireNonNegative("loadSuccesses", loadSuccesses),
        requireNonNegative("loadFailures", loadFailures),
        requireNonNegative("totalLoadTimeNanos", totalLoadTimeNanos),
        requireNonNegative("decodeErrors", decodeErrors),
        requireNonNegative("redisErrors", redisErrors),
        requireNonNegative("oversizedValues", oversizedValues),
        requireNonNegative("leaseWaits", leaseWaits),
        requireNonNegative("leaseTakeovers", leaseTakeovers),
        requireNonNegative("replayedInvalidations", replayedInvalidations),
        requireNonNegative("flushes", flushes),
        requireNonNegative("sampledEntries", sampledEntries),
        requireNonNegative("staleEntries", staleEntries),
        requireNonNegative("refreshes", refreshes),
        requireNonNegative("refreshFailures", refreshFailures),
        requireNonNegative("staleServed", staleServed));
  }

  /**
   * Returns the snapshot with every count at zero.
   *
   * @return the empty snapshot
   */
  public static CacheStats empty() {
    return EMPTY;
  }

  private static long requireNonNegative(String name, long value) {
    if (value < 0) {
      throw new IllegalArgumentException(name + " < 0: " + value);
    }
    return value;
  }

  /**
   * Keys found in L1.
   *
   * @return the count, never negative
   */
  public long l1Hits() {
    return l1Hits;
  }

  /**
   * Keys not found in L1.
   *
   * @return the count, never negative
   */
  public long l1Misses() {
    return l1Misses;
  }

  /**
   * {@code l1Hits + l1Misses}, saturated.
   *
   * @return the count, never negative
   */
  public long l1Requests() {
    return saturatedAdd(l1Hits, l1Misses);
  }

  /**
   * L1 hits over L1 requests; 1.0 when there were no requests.
   *
   * @return the rate, from 0.0 to 1.0
   */
  public double l1HitRate() {
    long requests = l1Requests();
    return requests == 0 ? 1.0 : (double) l1Hits / requests;
  }

  /**
   * L1 misses that found a value in Redis.
   *
   * @return the count, never negative
   */
  public long l2Hits() {
    return l2Hits;
  }

  /**
   * L1 misses that found no usable value in Redis.
   *
   * @return the count, never negative
   */
  public long l2Misses() {
    return l2Misses;
  }

  /**
   * {@code l2Hits + l2Misses}, saturated.
   *
   * @return the count, never negative
   */
  public long l2Requests() {
    return saturatedAdd(l2Hits, l2Misses);
  }

  /**
   * L2 hits over L2 requests; 1.0 when there were no requests.
   *
   * @return the rate, from 0.0 to 1.0
   */
  public double l2HitRate() {
    long requests = l2Requests();
    return requests == 0 ? 1.0 : (double) l2Hits / requests;
  }

  /**
   * Share of lookups answered by either tier without a load: {@code (l1Hits + l2Hits) /
   * l1Requests}; 1.0 when there were no requests.
   *
   * @return the share of lookups answered without a load
   */
  public double hitRate() {
    long requests = l1Requests();
    return requests == 0 ? 1.0 : (double) saturatedAdd(l1Hits, l2Hits) / requests;
  }

  /**
   * Loader calls that returned (a {@code null} result included).
   *
   * @return the count, never negative
   */
  public long loadSuccesses() {
    return loadSuccesses;
  }

  /**
   * Loader calls that threw.
   *
   * @return the count, never negative
   */
  public long loadFailures() {
    return loadFailures;
  }

  /**
   * {@code loadSuccesses + loadFailures}, saturated.
   *
   * @return the count, never negative
   */
  public long loadCount() {
    return saturatedAdd(loadSuccesses, loadFailures);
  }

  /**
   * Nanoseconds spent in loaders, successful or not.
   *
   * @return the time in nanoseconds, never negative
   */
  public long totalLoadTimeNanos() {
    return totalLoadTimeNanos;
  }

  /**
   * Mean nanoseconds per loader call; 0.0 when there were none.
   *
   * @return the mean in nanoseconds, never negative
   */
  public double averageLoadPenaltyNanos() {
    long loads = loadCount();
    return loads == 0 ? 0.0 : (double) totalLoadTimeNanos / loads;
  }

  /**
   * Values in Redis that could not be decoded; each was deleted and treated as a miss.
   *
   * @return the count, never negative
   */
  public long decodeErrors() {
    return decodeErrors;
  }

  /**
   * Redis calls that failed.
   *
   * @return the count, never negative
   */
  public long redisErrors() {
    return redisErrors;
  }

  /**
   * Values served but not written to Redis for being larger than the configured maximum.
   *
   * @return the count, never negative
   */
  public long oversizedValues() {
    return oversizedValues;
  }

  /**
   * Misses that found another instance's load lease and waited for its value.
   *
   * @return the count, never negative
   */
  public long leaseWaits() {
    return leaseWaits;
  }

  /**
   * Waits that ended with this instance taking over an expired lease and loading itself.
   *
   * @return the count, never negative
   */
  public long leaseTakeovers() {
    return leaseTakeovers;
  }

  /**
   * Invalidations missed on pub/sub and applied from the invalidation log after lost contact.
   *
   * @return the count, never negative
   */
  public long replayedInvalidations() {
    return replayedInvalidations;
  }

  /**
   * Slot groups of L1 dropped because the invalidation log could not repair them.
   *
   * @return the count of slot groups, never negative
   */
  public long flushes() {
    return flushes;
  }

  /**
   * L1 entries the consistency sampler compared with Redis.
   *
   * @return the count, never negative; 0 while the sampler is off
   */
  public long sampledEntries() {
    return sampledEntries;
  }

  /**
   * Sampled L1 entries found to differ from Redis beyond the bound; each was dropped.
   *
   * @return the count, never negative
   */
  public long staleEntries() {
    return staleEntries;
  }

  /**
   * Background refreshes ({@link CacheSpec#refreshAfter()}) this instance ran to the end: it
   * stored the new value, or a write that came meanwhile won.
   *
   * @return the count, never negative
   */
  public long refreshes() {
    return refreshes;
  }

  /**
   * Background refreshes whose loader or Redis write failed; the old value stayed.
   *
   * @return the count, never negative
   */
  public long refreshFailures() {
    return refreshFailures;
  }

  /**
   * Expired values served because the loader threw ({@link CacheSpec#staleIfError()}).
   *
   * @return the count, never negative
   */
  public long staleServed() {
    return staleServed;
  }

  /**
   * Returns the sum of this snapshot and {@code other}, each count saturating.
   *
   * @param other the snapshot to add, not {@code null}
   * @return a new snapshot
   */
  public CacheStats plus(CacheStats other) {
    return new CacheStats(
        saturatedAdd(l1Hits, other.l1Hits),
        saturatedAdd(l1Misses, other.l1Misses),
        saturatedAdd(l2Hits, other.l2Hits),
        saturatedAdd(l2Misses, other.l2Misses),
        saturatedAdd(loadSuccesses, other.loadSuccesses),
        saturatedAdd(loadFailures, other.loadFailures),
        saturatedAdd(totalLoadTimeNanos, other.totalLoadTimeNanos),
        saturatedAdd(decodeErrors, other.decodeErrors),
        saturatedAdd(redisErrors, other.redisErrors),
        saturatedAdd(oversizedValues, other.oversizedValues),
        saturatedAdd(leaseWaits, other.leaseWaits),
        saturatedAdd(leaseTakeovers, other.leaseTakeovers),
        saturatedAdd(replayedInvalidations, other.replayedInvalidations),
        saturatedAdd(flushes, other.flushes),
        saturatedAdd(sampledEntries, other.sampledEntries),
        saturatedAdd(staleEntries, other.staleEntries),
        saturatedAdd(refreshes, other.refreshes),
        saturatedAdd(refreshFailures, other.refreshFailures),
        saturatedAdd(staleServed, other.staleServed));
  }

  /**
   * Returns this snapshot less {@code other}, each count clamped at zero.
   *
   * @param other the snapshot to subtract, typically an earlier one of the same cache; not
   *     {@code null}
   * @return a new snapshot
   */
  public CacheStats minus(CacheStats other) {
    return new CacheStats(
        Math.max(0, l1Hits - other.l1Hits),
        Math.max(0, l1Misses - other.l1Misses),
        Math.max(0, l2Hits - other.l2Hits),
        Math.max(0, l2Misses - other.l2Misses),
        Math.max(0, loadSuccesses - other.loadSuccesses),
        Math.max(0, loadFailures - other.loadFailures),
        Math.max(0, totalLoadTimeNanos - other.totalLoadTimeNanos),
        Math.max(0, decodeErrors - other.decodeErrors),
        Math.max(0, redisErrors - other.redisErrors),
        Math.max(0, oversizedValues - other.oversizedValues),
        Math.max(0, leaseWaits - other.leaseWaits),
        Math.max(0, leaseTakeovers - other.leaseTakeovers),
        Math.max(0, replayedInvalidations - other.replayedInvalidations),
        Math.max(0, flushes - other.flushes),
        Math.max(0, sampledEntries - other.sampledEntries),
        Math.max(0, staleEntries - other.staleEntries),
        Math.max(0, refreshes - other.refreshes),
        Math.max(0, refreshFailures - other.refreshFailures),
        Math.max(0, staleServed - other.staleServed));
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CacheStats s
        && l1Hits == s.l1Hits && l1Misses == s.l1Misses
        && l2Hits == s.l2Hits && l2Misses == s.l2Misses
        && loadSuccesses == s.loadSuccesses && loadFailures == s.loadFailures
        && totalLoadTimeNanos == s.totalLoadTimeNanos && decodeErrors == s.decodeErrors
        && redisErrors == s.redisErrors && oversizedValues == s.oversizedValues
        && leaseWaits == s.leaseWaits && leaseTakeovers == s.leaseTakeovers
        && replayedInvalidations == s.replayedInvalidations && flushes == s.flushes
        && sampledEntries == s.sampledEntries && staleEntries == s.staleEntries
        && refreshes == s.refreshes && refreshFailures == s.refreshFailures
        && staleServed == s.staleServed;
  }

  @Override
  public int hashCode() {
    return Objects.hash(l1Hits, l1Misses, l2Hits, l2Misses, loadSuccesses, loadFailures,
        totalLoadTimeNanos, decodeErrors, redisErrors, oversizedValues, leaseWaits, leaseTakeovers,
        replayedInvalidations, flushes, sampledEntries, staleEntries, refreshes, refreshFailures,
        staleServed);
  }

  @Override
  public String toString() {
    return "CacheStats{l1Hits=" + l1Hits + ", l1Misses=" + l1Misses
        + ", l2Hits=" + l2Hits + ", l2Misses=" + l2Misses
        + ", loadSuccesses=" + loadSuccesses + ", loadFailures=" + loadFailures
        + ", totalLoadTimeNanos=" + totalLoadTimeNanos + ", decodeErrors=" + decodeErrors
        + ", redisErrors=" + redisErrors + ", oversizedValues=" + oversizedValues
        + ", leaseWaits=" + leaseWaits + ", leaseTakeovers=" + leaseTakeovers
        + ", replayedInvalidations=" + replayedInvalidations + ", flushes=" + flushes
        + ", sampledEntries=" + sampledEntries + ", staleEntries=" + staleEntries
        + ", refreshes=" + refreshes + ", refreshFailures=" + refreshFailures
        + ", staleServed=" + staleServed + '}';
  }
}
