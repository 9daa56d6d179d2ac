/**
 * Micrometer meters for nearcache caches and clients, read from their public stats: {@code
 * io.nearcache.micrometer.NearCacheMetrics}, {@code io.nearcache.micrometer.NearCacheClientMetrics}
 * and the meter names in {@code io.nearcache.micrometer.NearCacheMeter}.
 */
module io.nearcache.micrometer {
  requires transitive io.nearcache;
  requires transitive micrometer.core;

  exports io.nearcache.micrometer;
}
