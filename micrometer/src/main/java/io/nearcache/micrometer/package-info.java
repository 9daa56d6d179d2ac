/**
 * Micrometer meters for nearcache, read from the public API only ({@code NearCache.stats()},
 * {@code estimatedSize()}, and {@code NearCacheClient}'s health methods): {@link
 * io.nearcache.micrometer.NearCacheMetrics} per cache, {@link
 * io.nearcache.micrometer.NearCacheClientMetrics} per client, and {@link
 * io.nearcache.micrometer.NearCacheMeter} for the names and descriptions. Core does not depend on
 * Micrometer.
 */
package io.nearcache.micrometer;
