package io.nearcache.micrometer;

import io.micrometer.core.instrument.Meter;

/**
 * The meters this module names itself: their names, Micrometer types and descriptions, in one
 * place. Names and descriptions are API: dashboards and alerts depend on them, so they change only
 * with a release note. Rename meters in an application with a Micrometer {@code MeterFilter}, not
 * here.
 *
 * <p>The standard {@code cache.gets}, {@code cache.size} and {@code cache.puts} are not listed:
 * Micrometer's {@code CacheMeterBinder} names and describes them ({@link NearCacheMetrics} says
 * what nearcache counts in each). {@link #CACHE_LOADS} and {@link #CACHE_LOAD_DURATION} use the
 * names, types and tag keys of Micrometer's {@code CaffeineCacheMetrics}, so that a Caffeine
 * loading cache and a nearcache cache of one application share one series family each.
 *
 * <p>Every per-cache meter carries {@code cache=<name>} and the tags given to {@link
 * NearCacheMetrics}; every per-client meter carries {@link #TAG_PREFIX}, {@link #TAG_CLIENT} and
 * the tags given to {@link NearCacheClientMetrics}. Each constant's Javadoc names its own tags.
 */
public enum NearCacheMeter {
  /**
   * Counter, per cache, tagged {@code result=success|failure}: loader and bulk-loader calls that
   * returned (a {@code null} result included) or threw. {@code CacheStats.loadSuccesses()} and
   * {@code loadFailures()}.
   */
  CACHE_LOADS("cache.load", Meter.Type.COUNTER,
      "Loader calls of this cache, by whether they returned (success) or threw (failure)"),

  /**
   * Time gauge, per cache: the total time spent in loaders, successful or not. It only grows, so
   * {@code rate()} of it over {@code rate()} of {@link #CACHE_LOADS} is the mean load time. A
   * gauge, as {@code CaffeineCacheMetrics} registers it, because Prometheus refuses two types
   * under one name. {@code CacheStats.totalLoadTimeNanos()}.
   */
  CACHE_LOAD_DURATION("cache.load.duration", Meter.Type.GAUGE,
      "Total time this cache has spent in loaders, successful or not"),

  /**
   * Counter, per cache, tagged {@link #TAG_TIER}{@code =l1|l2} and {@code result=hit|miss}: keys
   * looked up in each tier. Every key looked up counts in {@code l1}; each L1 miss that read Redis
   * counts in {@code l2} (a Redis failure or undecodable bytes count as a miss). {@code
   * CacheStats.l1Hits()}, {@code l1Misses()}, {@code l2Hits()}, {@code l2Misses()}.
   */
  GETS("nearcache.gets", Meter.Type.COUNTER,
      "Keys looked up in each tier of this cache (l1, l2), by whether the tier had them"),

  /**
   * Counter, per cache: L2 misses that found another instance loading the key and waited for its
   * value instead of calling the loader. {@code CacheStats.leaseWaits()}.
   */
  LEASE_WAITS("nearcache.lease.waits", Meter.Type.COUNTER,
      "Misses that waited for another instance's load of the key instead of loading"),

  /**
   * Counter, per cache: lease waits that outlived the other instance's lease and loaded the key
   * here. {@code CacheStats.leaseTakeovers()}.
   */
  LEASE_TAKEOVERS("nearcache.lease.takeovers", Meter.Type.COUNTER,
      "Lease waits that outlived the other instance's lease and took the load over"),

  /**
   * Counter, per cache: Redis calls that failed (timeouts, lost connections, server errors). None
   * of them reached a caller. {@code CacheStats.redisErrors()}.
   */
  REDIS_ERRORS("nearcache.redis.errors", Meter.Type.COUNTER,
      "Redis calls of this cache that failed; reads went on to the loader"),

  /**
   * Counter, per cache: values in Redis the serializer refused; each was deleted and counted as an
   * L2 miss. {@code CacheStats.decodeErrors()}.
   */
  DECODE_ERRORS("nearcache.decode.errors", Meter.Type.COUNTER,
      "Values in Redis that could not be decoded; each was deleted and treated as a miss"),

  /**
   * Counter, per cache: values served and kept in L1 but not written to Redis, their encoding
   * being larger than the cache's {@code maxValueBytes}. {@code CacheStats.oversizedValues()}.
   */
  OVERSIZED_VALUES("nearcache.oversized.values", Meter.Type.COUNTER,
      "Values served but not written to Redis for exceeding maxValueBytes"),

  /**
   * Counter, per cache: invalidations missed on pub/sub while out of contact and applied from the
   * invalidation log once back. {@code CacheStats.replayedInvalidations()}.
   */
  REPLAYED_INVALIDATIONS("nearcache.invalidations.replayed", Meter.Type.COUNTER,
      "Invalidations missed while out of contact and replayed from the invalidation log"),

  /**
   * Counter, per cache: slot groups of L1 (a client has 16 unless configured otherwise) dropped
   * because the invalidation log could not repair them; dropping group 0 drops all of L1. {@code
   * CacheStats.flushes()}.
   */
  FLUSHES("nearcache.flushes", Meter.Type.COUNTER,
      "Slot groups of L1 dropped because the invalidation log could not repair them"),

  /**
   * Counter, per cache: L1 entries the consistency sampler compared with Redis; 0 unless the
   * client was built with {@code consistencySampling}. {@code CacheStats.sampledEntries()}.
   */
  SAMPLED_ENTRIES("nearcache.consistency.sampled", Meter.Type.COUNTER,
      "L1 entries of this cache the consistency sampler compared with Redis"),

  /**
   * Counter, per cache: sampled L1 entries that still differed from Redis a bound after they were
   * first seen to: an invalidation did not reach this instance. Each was logged and dropped; a
   * rising count calls for a look. {@code CacheStats.staleEntries()}.
   */
  STALE_ENTRIES("nearcache.consistency.stale", Meter.Type.COUNTER,
      "Sampled L1 entries found to differ from Redis beyond the bound, then dropped"),

  /**
   * Counter, per cache: refreshes ahead of expiry ({@code refreshAfter}) this instance ran to the
   * end, the one instance of the fleet that held the key's lease. {@code CacheStats.refreshes()}.
   */
  REFRESHES("nearcache.refreshes", Meter.Type.COUNTER,
      "Refreshes ahead of expiry this instance ran to the end"),

  /**
   * Counter, per cache: refreshes ahead of expiry that failed (loader threw, Redis failed, or the
   * refresh executor was full); the old value stays until its TTL. {@code
   * CacheStats.refreshFailures()}.
   */
  REFRESH_FAILURES("nearcache.refresh.failures", Meter.Type.COUNTER,
      "Refreshes ahead of expiry that failed; the old value stays until its TTL"),

  /**
   * Counter, per cache: reads answered with a value that expired less than {@code staleIfError}
   * ago, because the loader threw. {@code CacheStats.staleServed()}.
   */
  STALE_SERVED("nearcache.stale.served", Meter.Type.COUNTER,
      "Reads answered with an expired value within staleIfError because the loader threw"),

  /**
   * Gauge, per client: invalidations made while Redis could not take them, kept to be redone
   * (one per key, one per cache that overflowed the bound). While above zero, other instances may
   * serve values this one invalidated. {@code NearCacheClient.pendingInvalidations()}.
   */
  CLIENT_PENDING_INVALIDATIONS("nearcache.client.invalidations.pending", Meter.Type.GAUGE,
      "Invalidations waiting for Redis to be redone; other instances may serve stale values"),

  /**
   * Gauge, per client: 1 while the client hears every change (subscribed everywhere and caught
   * up), 0 while not; L1 is then bypassed for the slot groups concerned. {@code
   * NearCacheClient.isInContact()}.
   */
  CLIENT_CONTACT("nearcache.client.contact", Meter.Type.GAUGE,
      "1 while the client hears every invalidation and serves L1, 0 while it is out of contact"),

  /**
   * Gauge, per client: 1 while a circuit breaker keeps Redis off for some keys (their reads go
   * straight to the loaders), 0 while not. {@code NearCacheClient.isDegraded()}.
   */
  CLIENT_DEGRADED("nearcache.client.degraded", Meter.Type.GAUGE,
      "1 while a circuit breaker keeps Redis off for some keys, 0 while not"),

  /**
   * Timer, per client: the round trip of each liveness probe, about two a second per subscriber
   * connection, from a PING sent on it until its answer came, queued behind every change Redis
   * had for the client: how long a change published then took to arrive, the propagation lag as
   * the client sees it. {@code NearCacheClient.onProbeLag}. Percentiles and histograms are the
   * registry's to configure (a Micrometer {@code MeterFilter}).
   */
  CLIENT_PROBE_LAG("nearcache.client.probe.lag", Meter.Type.TIMER,
      "Round trip of the liveness probe on the subscriber connections: the propagation lag");

  /** Tag key of {@link #GETS}: {@code l1} or {@code l2}. */
  public static final String TAG_TIER = "tier";
  /** Tag key of {@link #GETS} and {@link #CACHE_LOADS}: hit/miss or success/failure. */
  public static final String TAG_RESULT = "result";
  /** Tag key of the per-client meters: the client's key prefix. */
  public static final String TAG_PREFIX = "prefix";
  /**
   * Tag key of the per-client meters: the client's instance id. Not {@code instance}, which a
   * Prometheus server renames to {@code exported_instance}, its own target label being that.
   */
  public static final String TAG_CLIENT = "client";

  private final String meterName;
  private final Meter.Type type;
  private final String description;

  NearCacheMeter(String meterName, Meter.Type type, String description) {
    this.meterName = meterName;
    this.type = type;
    this.description = description;
  }

  /**
   * The meter's name in Micrometer's dotted form, e.g. {@code nearcache.gets}.
   *
   * @return the name
   */
  public String meterName() {
    return meterName;
  }

  /**
   * The Micrometer type the meter is registered as: {@code COUNTER}, {@code GAUGE} or, for
   * {@link #CLIENT_PROBE_LAG}, {@code TIMER}.
   *
   * @return the type
   */
  public Meter.Type type() {
    return type;
  }

  /**
   * The meter's description, Prometheus' {@code HELP} text.
   *
   * @return the description
   */
  public String description() {
    return description;
  }
}
