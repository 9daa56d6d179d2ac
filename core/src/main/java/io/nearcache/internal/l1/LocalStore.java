package io.nearcache.internal.l1;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.nearcache.CacheSpec;

/**
 * One cache's L1: decoded values in Caffeine, bounded by count or by encoded bytes, expiring
 * {@link CacheSpec#localTtl()} after they were written.
 *
 * @param <V> the value type
 */
public final class LocalStore<V> {
  private final Cache<String, Entry<V>> cache;

  /** Creates an empty L1 bounded and expiring as {@code spec} says. */
  public LocalStore(CacheSpec spec) {
    Caffeine<Object, Object> builder = Caffeine.newBuilder().expireAfterWrite(spec.localTtl());
    this.cache = spec.localMaxBytes() >= 0
        ? builder.maximumWeight(spec.localMaxBytes())
            .<String, Entry<V>>weigher((key, entry) -> entry.weight)
            .build()
        : builder.maximumSize(spec.localMaxSize()).build();
  }

  /** The value of {@code key}, or {@code null}. */
  public V get(String key) {
    Entry<V> entry = cache.getIfPresent(key);
    return entry == null ? null : entry.value;
  }

  /**
   * Stores a value.
   *
   * @param encodedSize the size of its encoding, which a bytes-bounded L1 weighs it by
   */
  public void put(String key, V value, int encodedSize) {
    cache.put(key, new Entry<>(value, encodedSize));
  }

  /** Drops {@code key}, if present. */
  public void invalidate(String key) {
    cache.invalidate(key);
  }

  /** Drops every entry. */
  public void invalidateAll() {
    cache.invalidateAll();
  }

  /** Entries now held, including expired ones not yet cleaned up. */
  public long estimatedSize() {
    return cache.estimatedSize();
  }

  /** A value and the weight it was stored with. */
  private record Entry<V>(V value, int weight) {}
}
