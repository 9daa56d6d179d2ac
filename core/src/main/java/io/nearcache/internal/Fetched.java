package io.nearcache.internal;

/**
 * What an L1 miss produced.
 *
 * @param value the value, or {@code null} when there is none
 * @param encodedSize the size of its Redis frame, which a bytes-bounded L1 weighs it by
 * @param cacheable whether it may enter L1: false for "no value" without {@code nullTtl}, and for
 *     a load whose lease was taken from it by a write or an invalidation (its result is likely
 *     stale)
 * @param tags the tags the value carries, as L1 indexes them; empty for most caches
 */
record Fetched<V>(V value, int encodedSize, boolean cacheable, String[] tags) {}
