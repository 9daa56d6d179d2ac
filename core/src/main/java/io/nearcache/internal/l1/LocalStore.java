package io.nearcache.internal.l1;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Policy;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.nearcache.CacheSpec;
import java.time.Duration;
import java.util.Collection;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.function.Predicate;

/**
 * One cache's L1: decoded values in Caffeine, bounded by count or by encoded bytes, expiring
 * {@link CacheSpec#localTtl()} after they were written ("no value" entries sooner, after {@code
 * min(nullTtl, localTtl)}).
 *
 * <p>Fills are guarded by reservations, as Hazelcast's near cache does, so that a value fetched
 * before an invalidation never enters L1 after it: {@link #reserve} puts a placeholder with a
 * unique identity in the slot before the fetch; {@link #invalidate} and {@link #invalidateAll}
 * remove entries in any state, placeholders included; {@link #fill} swaps the value in only if
 * that very placeholder is still there. Only {@link ConcurrentMap} operations on single keys are
 * used (no Caffeine compute across I/O; Caffeine leaves {@code invalidate} of an entry being
 * loaded undefined, so loading entries are never used).
 *
 * <p>The hit path is what this class is shaped for. A count-bounded L1 holds values as they are,
 * not wrapped, so that a hit follows no pointer beyond Caffeine's own node: a wrapper cost a
 * cache miss per hit, a quarter of the hit's time. Caffeine's {@code expireAfterWrite} keeps the
 * write time in that node and reads a {@link CoarseClock}, not {@code System.nanoTime()}, whose
 * call alone cost another quarter. Only the rarer slots carry a wrapper: a cached "no value"
 * ({@link Absent}, with its shorter deadline), values with their encoded size in a bytes-bounded
 * L1 ({@link Weighed}), and values with their tags or the time they are due for a refresh ({@link
 * Boxed}).
 *
 * <p>Tagged values are also indexed by tag, so that a tag invalidation drops exactly its entries
 * without a pass over L1. The index holds the very {@link Boxed} slots, so dropping one removes it
 * only if the key still holds that slot; a value is indexed before it enters the map, and leaves
 * the index once Caffeine reports its removal (on the maintenance executor, after the fact: a
 * stale index entry costs a conditional remove that finds nothing, never a missed drop).
 *
 * <p>An L1 bounded to nothing ({@code localMaxSize=0}) stores nothing: its reservations stay out of
 * the map and its fills are refused, so that every read of a cache without L1 goes to L2 without
 * writing to Caffeine twice on the way.
 *
 * @param <V> the value type
 */
public final class LocalStore<V> {
  /** What {@link #get} and {@link #reserve} return when L1 has no servable slot for the key. */
  public static final Object MISS = new Object() {
    @Override
    public String toString() {
      return "MISS";
    }
  };

  private static final String[] NO_TAGS = {};

  private final ConcurrentMap<String, Object> map;
  private final Policy.FixedExpiration<String, Object> writes;
  private final CoarseClock clock;
  private final long nullTtlNanos;
  private final boolean weighed;
  private final boolean holdsNothing;
  /** {@link CacheSpec#refreshAfter()} in nanoseconds; 0 when entries are not refreshed. */
  private final long refreshNanos;
  /** Tag to the tagged slots now in L1 (and their keys); {@code null} in an untagged L1. */
  private final ConcurrentMap<String, ConcurrentMap<Boxed, String>> byTag;

  /**
   * Creates an empty L1 bounded and expiring as {@code spec} says, on {@code clock}'s time.
   *
   * @param maintenance where Caffeine's maintenance runs: the client's {@link TickMaintenance};
   *     tests pass the calling thread, so that a model checker sees every step (for readers that
   *     costs 40% of the hit rate, as they drain the read buffer themselves)
   */
  public LocalStore(CacheSpec spec, CoarseClock clock, Executor maintenance) {
    this(spec, clock, maintenance, false);
  }

  /**
   * Creates an empty L1, as {@link #LocalStore(CacheSpec, CoarseClock, Executor)}, that with
   * {@code tagged} also indexes the tags of its values.
   */
  public LocalStore(CacheSpec spec, CoarseClock clock, Executor maintenance, boolean tagged) {
    this.clock = clock;
    this.byTag = tagged ? new ConcurrentHashMap<>() : null;
    this.nullTtlNanos = Math.min(spec.nullTtl().toNanos(), spec.localTtl().toNanos());
    this.weighed = spec.localMaxBytes() >= 0;
    this.holdsNothing = spec.localMaxSize() == 0;
    this.refreshNanos = spec.refreshAfter().toNanos();
    Caffeine<Object, Object> builder = Caffeine.newBuilder()
        .executor(maintenance)
        .ticker(clock::nanos)
        .expireAfterWrite(spec.localTtl());
    if (tagged) {
      builder.removalListener((Object key, Object slot, RemovalCause cause) -> unindex(slot));
    }
    Cache<String, Object> cache = weighed
        ? builder.maximumWeight(spec.localMaxBytes())
            .<String, Object>weigher(LocalStore::weight).build()
        : builder.maximumSize(spec.localMaxSize()).build();
    this.map = cache.asMap();
    this.writes = cache.policy().expireAfterWrite().orElseThrow();
  }

  /**
   * What L1 holds for {@code key}: the value, {@code null} for a cached "no value", or {@link
   * #MISS} when there is nothing, the key is reserved, or its "no value" expired.
   */
  public Object get(String key) {
    return servable(map.get(key));
  }

  /**
   * Reserves {@code key} for a fill, unless a servable slot is already there (a load that just
   * finished). A reservation of another fetch in progress is replaced: that fetch's fill is then
   * refused, which costs a later miss, never a stale value.
   *
   * @return the new {@link Reservation}, or what {@link #get} would have returned
   */
  public Object reserve(String key) {
    Reservation mine = new Reservation();
    if (holdsNothing) {
      return mine;
    }
    // Judged once, inside compute: judged again afterwards, a "no value" could have expired in
    // between, and the caller would get MISS, which is neither a value nor a reservation.
    Object[] found = {mine};
    map.compute(key, (k, current) -> {
      Object servable = servable(current);
      if (servable == MISS) {
        return mine;
      }
      found[0] = servable;
      return current;
    });
    return found[0];
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
    return fill(key, reservation, value, encodedSize, NO_TAGS) != null;
  }

  /**
   * {@link #fill} of a value carrying {@code tags}, indexed by them before it goes in.
   *
   * @return the slot now in L1, for {@link #unfill}, or {@code null} if the value did not go in
   */
  public Object fill(String key, Reservation reservation, V value, int encodedSize,
      String[] tags) {
    if (holdsNothing) {
      return null;
    }
    int weight = weighed ? encodedSize : 0;
    Object slot = value == null ? new Absent(clock.nanos() + nullTtlNanos, encodedSize)
        : tags.length > 0 || refreshNanos > 0
            ? new Boxed(value, weight, tags, refreshNanos > 0 ? clock.nanos() + refreshNanos : 0)
        : weighed ? new Weighed(value, weight)
        : value;
    if (slot instanceof Boxed boxed && tags.length > 0) {
      for (String tag : tags) {
        // Added inside compute: an unindex emptying the tag's map could otherwise remove it from
        // the index between our lookup and our put, and a tag invalidation would miss this slot.
        byTag.compute(tag, (t, slots) -> {
          ConcurrentMap<Boxed, String> held = slots != null ? slots : new ConcurrentHashMap<>();
          held.put(boxed, key);
          return held;
        });
      }
    }
    if (map.replace(key, reservation, slot)) {
      return slot;
    }
    unindex(slot);
    return null;
  }

  /**
   * Claims the refresh of {@code key}'s entry if it is older than {@link CacheSpec#refreshAfter()}
   * and nobody claimed it yet: one refresh per entry per node.
   *
   * @return the entry's slot, for {@link #unfill} and {@link #unclaim}, or {@code null} if it is
   *     not due or already claimed
   */
  public Object claimRefresh(String key) {
    return map.get(key) instanceof Boxed b && b.refreshAt != 0
        && clock.nanos() - b.refreshAt >= 0 && b.claim() ? b : null;
  }

  /** Gives a claimed refresh back, so that a later read of the entry claims it again. */
  public void unclaim(Object slot) {
    ((Boxed) slot).unclaim();
  }

  /** Drops {@code key} if it still holds {@code slot}, as {@link #fill} returned it. */
  public void unfill(String key, Object slot) {
    map.remove(key, slot);
  }

  /**
   * Drops every entry carrying any of {@code tags}. An entry filled while this runs is either
   * found here or was indexed after the caller recorded the invalidation, so it checks that itself
   * ({@link io.nearcache.internal.tags.TagVersions}).
   */
  public void invalidateTags(Collection<String> tags) {
    if (byTag == null) {
      return;
    }
    for (String tag : tags) {
      ConcurrentMap<Boxed, String> slots = byTag.get(tag);
      if (slots != null) {
        slots.forEach((slot, key) -> map.remove(key, slot));
      }
    }
  }

  /** Takes a removed slot out of the tag index; empty tags leave it too. */
  private void unindex(Object slot) {
    if (!(slot instanceof Boxed boxed)) {
      return;
    }
    for (String tag : boxed.tags) {
      byTag.computeIfPresent(tag, (t, slots) -> {
        slots.remove(boxed);
        return slots.isEmpty() ? null : slots;
      });
    }
  }

  /** Drops {@code reservation} if it is still in place; a no-op after a fill or invalidation. */
  public void release(String key, Reservation reservation) {
    map.remove(key, reservation);
  }

  /** Drops {@code key} in any state: value, "no value" or reservation. */
  public void invalidate(String key) {
    map.remove(key);
  }

  /** Drops every entry and reservation whose key {@code which} accepts. */
  public void invalidateIf(Predicate<String> which) {
    map.keySet().removeIf(which);
  }

  /** Drops every entry and reservation. */
  public void invalidateAll() {
    map.clear();
  }

  /** The tags the entry of {@code key} carries, empty if none or none held. Not for hot paths. */
  public String[] tagsOf(String key) {
    return map.get(key) instanceof Boxed boxed ? boxed.tags.clone() : NO_TAGS;
  }

  /** Entries and reservations now held, including expired ones not yet cleaned up. */
  public long estimatedSize() {
    return map.size();
  }

  /** The keys held now, weakly consistent: for walking L1 a few keys at a time. */
  public Iterator<String> keys() {
    return map.keySet().iterator();
  }

  /**
   * What L1 holds for {@code key} and since when, for the consistency sampler; {@code null} when
   * it holds nothing {@link #get} would serve.
   */
  public Held held(String key) {
    Object slot = map.get(key);
    Object value = servable(slot);
    if (value == MISS) {
      return null;
    }
    return writes.ageOf(key).map(age -> new Held(slot, value, age)).orElse(null);
  }

  /**
   * An L1 entry as the sampler saw it.
   *
   * @param slot what the map held: a later fill of the key holds another object
   * @param value the value, {@code null} for "no value"
   * @param age how long ago it was filled
   */
  public record Held(Object slot, Object value, Duration age) {}

  /** A map slot as {@link #get} returns it. */
  private Object servable(Object slot) {
    if (slot == null || slot instanceof Reservation) {
      return MISS;
    }
    if (slot instanceof Absent absent) {
      return absent.deadlineNanos - clock.nanos() > 0 ? null : MISS;
    }
    return slot instanceof Weighed w ? w.value : slot;
  }

  private static int weight(String key, Object slot) {
    return slot instanceof Weighed w ? w.weight : slot instanceof Absent a ? a.weight : 0;
  }

  /** A placeholder for a fill in progress; equal only to itself. */
  public static final class Reservation {
    Reservation() {}
  }

  /** A cached "no value", with its own deadline: nullTtl may be shorter than localTtl. */
  private record Absent(long deadlineNanos, int weight) {}

  /**
   * A value with the size of its encoding, in a bytes-bounded L1: 24 bytes beside the value. Equal
   * only to itself, since the tag index and conditional removes must tell two fills of one value
   * apart.
   */
  private static class Weighed {
    final Object value;
    /** The size of its encoding in a bytes-bounded L1, else 0. */
    final int weight;

    Weighed(Object value, int weight) {
      this.value = value;
      this.weight = weight;
    }
  }

  /** A value with its tags or the time it is due for a refresh, and its size as {@link Weighed}. */
  private static final class Boxed extends Weighed {
    private static final AtomicIntegerFieldUpdater<Boxed> CLAIMED =
        AtomicIntegerFieldUpdater.newUpdater(Boxed.class, "claimed");

    final String[] tags;
    /** When a read should refresh it, on the {@link CoarseClock}; 0 for never. */
    final long refreshAt;
    private volatile int claimed;

    Boxed(Object value, int weight, String[] tags, long refreshAt) {
      super(value, weight);
      this.tags = tags;
      this.refreshAt = refreshAt;
    }

    boolean claim() {
      return claimed == 0 && CLAIMED.compareAndSet(this, 0, 1);
    }

    void unclaim() {
      claimed = 0;
    }
  }
}
