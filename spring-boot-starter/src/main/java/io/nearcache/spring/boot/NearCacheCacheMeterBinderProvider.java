package io.nearcache.spring.boot;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.nearcache.micrometer.NearCacheMetrics;
import io.nearcache.spring.NearCacheCache;
import org.springframework.boot.cache.metrics.CacheMeterBinderProvider;

/**
 * Gives Boot's cache metrics the meters of a {@link NearCacheCache}: those of {@link
 * NearCacheMetrics} (Micrometer's {@code cache.*} with both tiers combined, and nearcache's own
 * {@code nearcache.*}), with the tags Boot adds ({@code cache}, {@code cache.manager}).
 */
public final class NearCacheCacheMeterBinderProvider
    implements CacheMeterBinderProvider<NearCacheCache> {
  /** Creates one; it holds nothing. */
  public NearCacheCacheMeterBinderProvider() {}

  /**
   * The meters of {@code cache}, read from its {@code stats()} when the registry asks.
   *
   * @param cache a nearcache Spring cache
   * @param tags the tags Boot gives every meter of the cache
   * @return a binder of the cache's meters
   */
  @Override
  public MeterBinder getMeterBinder(NearCacheCache cache, Iterable<Tag> tags) {
    return new NearCacheMetrics(cache.getNativeCache(), tags);
  }
}
