package io.nearcache.micrometer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.cache.CacheMeterBinder;
import io.nearcache.CacheStats;
import io.nearcache.NearCache;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;

/**
 * Binds one {@link NearCache}'s meters: Micrometer's standard {@code cache.*} meters, with both
 * tiers combined as {@link CacheMeterBinder} defines them, and nearcache's own {@code
 * nearcache.*} meters, all read from {@link NearCache#stats()} and {@link
 * NearCache#estimatedSize()} when the registry asks.
 *
 * <pre>{@code
 * NearCacheMetrics.monitor(registry, products);           // tags: cache=product
 * NearCacheMetrics.monitor(registry, products, "app", "shop");
 * }</pre>
 *
 * <p>Every meter is tagged {@code cache=<name>} (the cache's {@link NearCache#name()}, which wins
 * over a user tag of that key) and the user's tags.
 *
 * <table>
 *   <caption>Meters bound per cache</caption>
 *   <tr><th>Name</th><th>Type</th><th>Extra tags</th><th>Value</th></tr>
 *   <tr><td>{@code cache.gets}</td><td>counter</td><td>{@code result=hit}</td>
 *       <td>{@code l1Hits + l2Hits}: keys either tier answered</td></tr>
 *   <tr><td>{@code cache.gets}</td><td>counter</td><td>{@code result=miss}</td>
 *       <td>{@code l2Misses}: keys neither tier answered (then loaded, or {@code null})</td></tr>
 *   <tr><td>{@code cache.size}</td><td>gauge</td><td></td>
 *       <td>{@link NearCache#estimatedSize()}: this JVM's L1 entries</td></tr>
 *   <tr><td>{@code cache.puts}</td><td>counter</td><td></td>
 *       <td>{@code loadSuccesses}: entries a loader added (see below)</td></tr>
 *   <tr><td>{@code cache.load}</td><td>counter</td><td>{@code result=success|failure}</td>
 *       <td>{@link NearCacheMeter#CACHE_LOADS}</td></tr>
 *   <tr><td>{@code cache.load.duration}</td><td>time gauge</td><td></td>
 *       <td>{@link NearCacheMeter#CACHE_LOAD_DURATION}</td></tr>
 *   <tr><td>{@code nearcache.gets}</td><td>counter</td>
 *       <td>{@code tier=l1|l2}, {@code result=hit|miss}</td>
 *       <td>{@link NearCacheMeter#GETS}</td></tr>
 *   <tr><td>{@code nearcache.lease.waits}</td><td>counter</td><td></td>
 *       <td>{@link NearCacheMeter#LEASE_WAITS}</td></tr>
 *   <tr><td>{@code nearcache.lease.takeovers}</td><td>counter</td><td></td>
 *       <td>{@link NearCacheMeter#LEASE_TAKEOVERS}</td></tr>
 *   <tr><td>{@code nearcache.redis.errors}</td><td>counter</td><td></td>
 *       <td>{@link NearCacheMeter#REDIS_ERRORS}</td></tr>
 *   <tr><td>{@code nearcache.decode.errors}</td><td>counter</td><td></td>
 *       <td>{@link NearCacheMeter#DECODE_ERRORS}</td></tr>
 *   <tr><td>{@code nearcache.oversized.values}</td><td>counter</td><td></td>
 *       <td>{@link NearCacheMeter#OVERSIZED_VALUES}</td></tr>
 *   <tr><td>{@code nearcache.invalidations.replayed}</td><td>counter</td><td></td>
 *       <td>{@link NearCacheMeter#REPLAYED_INVALIDATIONS}</td></tr>
 *   <tr><td>{@code nearcache.flushes}</td><td>counter</td><td></td>
 *       <td>{@link NearCacheMeter#FLUSHES}</td></tr>
 *   <tr><td>{@code nearcache.consistency.sampled}</td><td>counter</td><td></td>
 *       <td>{@link NearCacheMeter#SAMPLED_ENTRIES}</td></tr>
 *   <tr><td>{@code nearcache.consistency.stale}</td><td>counter</td><td></td>
 *       <td>{@link NearCacheMeter#STALE_ENTRIES}</td></tr>
 *   <tr><td>{@code nearcache.refreshes}</td><td>counter</td><td></td>
 *       <td>{@link NearCacheMeter#REFRESHES}</td></tr>
 *   <tr><td>{@code nearcache.refresh.failures}</td><td>counter</td><td></td>
 *       <td>{@link NearCacheMeter#REFRESH_FAILURES}</td></tr>
 *   <tr><td>{@code nearcache.stale.served}</td><td>counter</td><td></td>
 *       <td>{@link NearCacheMeter#STALE_SERVED}</td></tr>
 * </table>
 *
 * <p><b>What the standard meters count.</b> {@code cache.gets} carries no tier tag on purpose: an
 * L2 hit is one answered lookup, not two, and Prometheus keeps one set of tag keys per name, so a
 * tag that Caffeine's {@code cache.gets} lacks would get one of the two meters dropped; the tiers
 * are in {@code nearcache.gets}. Both {@code cache.gets} counters only grow. A lookup that joined
 * another thread's load of the same key in this JVM counts as an L1 miss but in neither {@code
 * cache.gets} series, so their sum may fall short of {@code nearcache.gets{tier=l1}} by those. A
 * miss that waited for another instance's load counts as a miss. {@code cache.puts} counts loader
 * calls that returned, as Caffeine counts loads as puts; {@link NearCache#put} calls are not
 * counted (nearcache's stats do not count them, nor do Caffeine's). {@code cache.evictions} is not
 * registered: nearcache does not count L1 evictions.
 *
 * <p><b>Prometheus.</b> For a Caffeine cache and a nearcache cache to share the {@code cache.*}
 * families, bind both with the same user tag keys: Prometheus refuses a second set of tag keys
 * under one name, and Micrometer then drops the meter (or throws, if the registry was told to).
 *
 * <p><b>Reads and references.</b> Each meter takes its own {@link NearCache#stats()} snapshot when
 * read: fourteen counter sums and no I/O, a few hundred nanoseconds per meter read on a busy
 * two-core machine ({@code NearCacheMetricsTest} prints it), and never a stale count. With {@code
 * recordStats} off every counter reads 0 and only {@code cache.size} moves. The binder and its
 * meters hold the cache weakly, as {@code CaffeineCacheMetrics} does: they never keep a cache (or
 * its closed client) alive; once the cache is collected its gauges read {@code NaN} and its
 * counters keep their last value until the meters are removed from the registry. Binding a second
 * cache of the same name and tags to one registry binds nothing: the registry keeps the first
 * cache's meters (give it a distinguishing tag).
 */
public final class NearCacheMetrics extends CacheMeterBinder<NearCache<?, ?>> {

  /**
   * Creates a binder for {@code cache}; {@link #bindTo} registers its meters.
   *
   * @param cache the cache; held weakly
   * @param tags tags added to every meter, besides {@code cache=<name>}
   * @throws NullPointerException if {@code cache} or {@code tags} is null
   */
  public NearCacheMetrics(NearCache<?, ?> cache, Iterable<Tag> tags) {
    super(Objects.requireNonNull(cache, "cache"), cache.name(),
        Objects.requireNonNull(tags, "tags"));
  }

  /**
   * Binds {@code cache}'s meters to {@code registry}.
   *
   * @param <C> the cache's type, kept so that the cache can be bound where it is created
   * @param registry where the meters go
   * @param cache the cache; held weakly
   * @param tags key/value pairs added to every meter, besides {@code cache=<name>}
   * @return {@code cache}, unchanged
   * @throws NullPointerException if any argument is null
   * @throws IllegalArgumentException if {@code tags} has an odd number of elements
   */
  public static <C extends NearCache<?, ?>> C monitor(MeterRegistry registry, C cache,
      String... tags) {
    return monitor(registry, cache, Tags.of(Objects.requireNonNull(tags, "tags")));
  }

  /**
   * Binds {@code cache}'s meters to {@code registry}.
   *
   * @param <C> the cache's type, kept so that the cache can be bound where it is created
   * @param registry where the meters go
   * @param cache the cache; held weakly
   * @param tags tags added to every meter, besides {@code cache=<name>}
   * @return {@code cache}, unchanged
   * @throws NullPointerException if any argument is null
   */
  public static <C extends NearCache<?, ?>> C monitor(MeterRegistry registry, C cache,
      Iterable<Tag> tags) {
    Objects.requireNonNull(registry, "registry");
    new NearCacheMetrics(cache, tags).bindTo(registry);
    return cache;
  }

  /** {@link NearCache#estimatedSize()}; {@code null} once the cache was collected. */
  @Override
  protected Long size() {
    NearCache<?, ?> cache = getCache();
    return cache == null ? null : cache.estimatedSize();
  }

  /** L1 hits plus L2 hits: lookups either tier answered. */
  @Override
  protected long hitCount() {
    CacheStats stats = stats();
    return stats.l1Hits() + stats.l2Hits();
  }

  /** L2 misses: lookups neither tier answered. Never {@code null}, so it is always registered. */
  @Override
  protected Long missCount() {
    return stats().l2Misses();
  }

  /** {@code null}: nearcache does not count L1 evictions, so {@code cache.evictions} is absent. */
  @Override
  protected Long evictionCount() {
    return null;
  }

  /** Loader calls that returned: the entries loads added to the cache. */
  @Override
  protected long putCount() {
    return stats().loadSuccesses();
  }

  /** Registers {@code cache.load}, {@code cache.load.duration} and the {@code nearcache.*} ones. */
  @Override
  protected void bindImplementationSpecificMetrics(MeterRegistry registry) {
    NearCache<?, ?> cache = getCache();
    if (cache == null) {
      return; // collected since bindTo began: there is nothing left to measure
    }
    Tags tags = Tags.of(getTagsWithCacheName());
    count(registry, NearCacheMeter.CACHE_LOADS, cache,
        tags.and(NearCacheMeter.TAG_RESULT, "success"), CacheStats::loadSuccesses);
    count(registry, NearCacheMeter.CACHE_LOADS, cache,
        tags.and(NearCacheMeter.TAG_RESULT, "failure"), CacheStats::loadFailures);
    TimeGauge.builder(NearCacheMeter.CACHE_LOAD_DURATION.meterName(), cache,
            TimeUnit.NANOSECONDS, c -> c.stats().totalLoadTimeNanos())
        .tags(tags)
        .description(NearCacheMeter.CACHE_LOAD_DURATION.description())
        .register(registry);

    count(registry, NearCacheMeter.GETS, cache, tiered(tags, "l1", "hit"), CacheStats::l1Hits);
    count(registry, NearCacheMeter.GETS, cache, tiered(tags, "l1", "miss"), CacheStats::l1Misses);
    count(registry, NearCacheMeter.GETS, cache, tiered(tags, "l2", "hit"), CacheStats::l2Hits);
    count(registry, NearCacheMeter.GETS, cache, tiered(tags, "l2", "miss"), CacheStats::l2Misses);
    count(registry, NearCacheMeter.LEASE_WAITS, cache, tags, CacheStats::leaseWaits);
    count(registry, NearCacheMeter.LEASE_TAKEOVERS, cache, tags, CacheStats::leaseTakeovers);
    count(registry, NearCacheMeter.REDIS_ERRORS, cache, tags, CacheStats::redisErrors);
    count(registry, NearCacheMeter.DECODE_ERRORS, cache, tags, CacheStats::decodeErrors);
    count(registry, NearCacheMeter.OVERSIZED_VALUES, cache, tags, CacheStats::oversizedValues);
    count(registry, NearCacheMeter.REPLAYED_INVALIDATIONS, cache, tags,
        CacheStats::replayedInvalidations);
    count(registry, NearCacheMeter.FLUSHES, cache, tags, CacheStats::flushes);
    count(registry, NearCacheMeter.SAMPLED_ENTRIES, cache, tags, CacheStats::sampledEntries);
    count(registry, NearCacheMeter.STALE_ENTRIES, cache, tags, CacheStats::staleEntries);
    count(registry, NearCacheMeter.REFRESHES, cache, tags, CacheStats::refreshes);
    count(registry, NearCacheMeter.REFRESH_FAILURES, cache, tags, CacheStats::refreshFailures);
    count(registry, NearCacheMeter.STALE_SERVED, cache, tags, CacheStats::staleServed);
  }

  private static Tags tiered(Tags tags, String tier, String result) {
    return tags.and(NearCacheMeter.TAG_TIER, tier, NearCacheMeter.TAG_RESULT, result);
  }

  /**
   * Registers a counter reading one count of a fresh snapshot. The function captures only {@code
   * count}, never the cache, so the registry's weak reference stays the only one.
   */
  private static void count(MeterRegistry registry, NearCacheMeter meter, NearCache<?, ?> cache,
      Tags tags, ToLongFunction<CacheStats> count) {
    FunctionCounter.builder(meter.meterName(), cache, c -> count.applyAsLong(c.stats()))
        .tags(tags)
        .description(meter.description())
        .register(registry);
  }

  /** A fresh snapshot, or the empty one once the cache was collected. */
  private CacheStats stats() {
    NearCache<?, ?> cache = getCache();
    return cache == null ? CacheStats.empty() : cache.stats();
  }
}
