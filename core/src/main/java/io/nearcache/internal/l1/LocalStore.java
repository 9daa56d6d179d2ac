package io.nearcache.internal.l1;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.nearcache.CacheSpec;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/**
 * One cache's L1: decoded values in Caffeine, bounded by count or by encoded bytes, expiring
 * {@link CacheSpec#localTtl()} after they were written ("no value" entries sooner, after {@code
 * min(nullTtl, localTtl)}).
 *
 * <p>Fills are guarded by reservations, as Hazelcast's near cache does, so that a value fetched
 * before an invalidation never enters L1 after it: {@link #reserve} puts a placeholder with a unique
 * identity in the slot before the fetch; {@link #invalidate} and {@link #invalidateAll} remove
 * entries in any state, placeholders included; {@link #fill} swaps the value in only if that very
 * placeholder is still there. Only {@link ConcurrentMap} operations on single keys are used (no
 * Caffeine compute across I/O; Caffeine leaves {@code invalidate} of an entry being loaded
 * undefined, so loading entries are never used).
 *
 * @param <V> the value type
 */
public final class LocalStore<V> {
  private final ConcurrentMap<String, Object> map;
  private final long nullTtlNanos;

  /** Creates an empty L1 bounded and expiring as {@code spec} says. */
  public LocalStore(CacheSpec spec) {
    this(spec, ForkJoinPool.commonPool());
  }

  /**
   * Creates an empty L1 whose Caffeine runs its maintenance on {@code maintenance}; tests pass the
   * calling thread so that a model checker sees every step.
   */
  LocalStore(CacheSpec spec, Executor maintenance) {
    long localTtlNanos = spec.localTtl().toNanos();
    this.nullTtlNanos = Math.min(spec.nullTtl().toNanos(), localTtlNanos);
    Caffeine<String, Object> builder = Caffeine.newBuilder()
        .executor(maintenance)
        .expireAfter(new EntryExpiry(localTtlNanos));
    Cache<String, Object> cache = spec.localMaxBytes() >= 0
        ? builder.maximumWeight(spec.localMaxBytes())
            .weigher((String key, Object slot) -> slot instanceof Entry<?> e ? e.weight : 0)
            .build()
        : builder.maximumSize(spec.localMaxSize()).build();
    this.map = cache.asMap();
  }

  /**
   * The entry of {@code key}: a value, or "no value" when that is cached; {@code null} on a miss
   * or while the key is reserved.
   */
  @SuppressWarnings("unchecked")
  public Entry<V> get(String key) {
    return map.get(key) instanceof Entry<?> entry ? (Entry<V>) entry : null;
  }

  /**
   * Reserves {@code key} for a fill, unless an entry is already there (a load that just finished).
   * A reservation of another fetch in progress is replaced: that fetch's fill is then refused,
   * which costs a later miss, never a stale value.
   *
   * @return the entry found, or the new {@link Reservation}
   */
  public Object reserve(String key) {
    Reservation mine = new Reservation();
    return map.compute(key, (k, current) -> current instanceof Entry<?> ? current : mine);
  }

  /**
   * Puts a fetched value in place of {@code reservation}, if it is still there: no invalidation of
   * the key or the cache arrived since it was made.
   *
   * @param value the value, or {@code null} for a cached "no value"
   * @param encodedSize the size of its encoding, which a bytes-bounded L1 weighs it by
   * @return whether the value went in
   */
  public boolean fill(String key, Reservation reservation, V value, int encodedSize) {
    return map.replace(key, reservation, new Entry<>(value, encodedSize));
  }

  /** Drops {@code reservation} if it is still in place; a no-op after a fill or invalidation. */
  public void release(String key, Reservation reservation) {
    map.remove(key, reservation);
  }

  /** Drops {@code key} in any state: value, "no value" or reservation. */
  public void invalidate(String key) {
    map.remove(key);
  }

  /** Drops every entry and reservation. */
  public void invalidateAll() {
    map.clear();
  }

  /** Entries and reservations now held, including expired ones not yet cleaned up. */
  public long estimatedSize() {
    return map.size();
  }

  /**
   * A cached value, or a cached "no value" when {@link #value()} is {@code null}.
   *
   * @param <V> the value type
   */
  public static final class Entry<V> {
    private final V value;
    private final int weight;

    Entry(V value, int weight) {
      this.value = value;
      this.weight = weight;
    }

    /** The value, or {@code null} for a cached "no value". */
    public V value() {
      return value;
    }
  }

  /** A placeholder for a fill in progress; equal only to itself. */
  public static final class Reservation {
    Reservation() {}
  }

  /** Values live {@code localTtl}, "no value" entries {@code min(nullTtl, localTtl)}. */
  private final class EntryExpiry implements Expiry<String, Object> {
    private final long localTtlNanos;

    EntryExpiry(long localTtlNanos) {
      this.localTtlNanos = localTtlNanos;
    }

    @Override
    public long expireAfterCreate(String key, Object slot, long currentTime) {
      return slot instanceof Entry<?> e && e.value == null ? nullTtlNanos : localTtlNanos;
    }

    @Override
    public long expireAfterUpdate(String key, Object slot, long currentTime,
        long currentDuration) {
      return expireAfterCreate(key, slot, currentTime);
    }

    @Override
    public long expireAfterRead(String key, Object slot, long currentTime,
        long currentDuration) {
      return currentDuration;
    }
  }
}
