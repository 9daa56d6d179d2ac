package io.nearcache.internal.tags;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * What this node knows of one cache's tag invalidations, to tell whether a value carrying tags is
 * still current: whether none of its tags was invalidated after the value was loaded.
 *
 * <p>Redis numbers a cache's tag invalidations densely (its <em>tag epoch</em>) and keeps, per tag,
 * the epoch it was last invalidated in. A value is loaded in the epoch this node knew when the load
 * began ({@link #epoch()}), and that epoch travels with it, in L1 and in its L2 frame. It is
 * current as long as every tag's version is at most that epoch.
 *
 * <p>Versions come from the invalidation messages this node hears ({@link #heard}), so checking a
 * value costs no Redis call. The map is bounded: it forgets its oldest tags, and a {@code floor}
 * says how far its knowledge is incomplete: every tag it does not hold was last invalidated at or
 * below the floor. Only a value loaded below the floor whose tags the map does not hold costs one
 * Redis read of those tags' versions (an {@code MGET} in one hash slot). The floor starts at the
 * epoch read from Redis when this node learns it, and is raised to it again after contact was
 * lost ({@link #forget}): what was missed in between is in Redis, not here.
 *
 * <p>Thread-safe; every method takes this object's lock only for map and counter updates, never
 * across a Redis call.
 */
public final class TagVersions {
  /** The epoch before this node has learned it, and what {@link #epoch()} returns if it cannot. */
  public static final long UNKNOWN = -1;

  private final int maxTags;
  private final LongSupplier readEpoch;
  private final Function<List<String>, List<Long>> readVersions;
  private final LinkedHashMap<String, Long> versions;
  private long epoch = UNKNOWN;
  private long floor;

  /**
   * Creates a node's knowledge of one cache's tags.
   *
   * @param maxTags how many tags' versions to keep
   * @param readEpoch reads the cache's tag epoch from Redis; may throw
   * @param readVersions reads the versions of tags from Redis, 0 for a tag never invalidated (or
   *     whose record expired with the last value it could make stale); may throw
   */
  public TagVersions(int maxTags, LongSupplier readEpoch,
      Function<List<String>, List<Long>> readVersions) {
    this.maxTags = maxTags;
    this.readEpoch = readEpoch;
    this.readVersions = readVersions;
    this.versions = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
        if (size() <= TagVersions.this.maxTags) {
          return false;
        }
        floor = Math.max(floor, eldest.getValue());
        return true;
      }
    };
  }

  /**
   * The epoch a load beginning now is loaded in: every tag invalidation up to it was applied here
   * before this call. Reads it from Redis the first time and after {@link #forget}.
   *
   * @throws RuntimeException what reading Redis threw; the caller loads without caching
   */
  public long epoch() {
    synchronized (this) {
      if (epoch != UNKNOWN) {
        return epoch;
      }
    }
    long read = readEpoch.getAsLong();
    synchronized (this) {
      // Invalidations heard while the read was on its way are in the map, above the floor.
      floor = Math.max(floor, read);
      epoch = Math.max(epoch, read);
      return epoch;
    }
  }

  /** The invalidation of {@code tags} in tag epoch {@code invalidatedIn}, heard or made here. */
  public synchronized void heard(List<String> tags, long invalidatedIn) {
    for (String tag : tags) {
      versions.merge(tag, invalidatedIn, Math::max);
    }
    if (epoch != UNKNOWN) {
      epoch = Math.max(epoch, invalidatedIn);
    }
  }

  /**
   * Forgets what this node knew after contact was lost and could not be repaired by a replay: a
   * tag it remembers may have been invalidated again meanwhile. The next {@link #epoch()} (which
   * {@link #isCurrent} calls first) reads the epoch again and raises the floor to it, so until
   * messages teach it again, values loaded before that are judged by Redis.
   */
  public synchronized void forget() {
    epoch = UNKNOWN;
    versions.clear();
  }

  /**
   * Whether a value carrying {@code tags}, loaded in epoch {@code loadedIn}, is still current: none
   * of its tags was invalidated after that. Costs a Redis read only for tags this node cannot
   * judge (see the class comment).
   *
   * @return {@code false} also when {@code loadedIn} is {@link #UNKNOWN}
   * @throws RuntimeException what reading Redis threw
   */
  public boolean isCurrent(List<String> tags, long loadedIn) {
    if (loadedIn == UNKNOWN) {
      return false;
    }
    epoch(); // after a lost contact, the floor must rise before the map is trusted
    List<String> unknown = new ArrayList<>(0);
    synchronized (this) {
      for (String tag : tags) {
        Long version = versions.get(tag);
        if (version != null && version > loadedIn) {
          return false;
        }
        if (version == null && loadedIn < floor) {
          unknown.add(tag);
        }
      }
    }
    if (unknown.isEmpty()) {
      return true;
    }
    List<Long> read = readVersions.apply(unknown);
    boolean current = true;
    synchronized (this) {
      for (int i = 0; i < unknown.size(); i++) {
        versions.merge(unknown.get(i), read.get(i), Math::max);
        current &= read.get(i) <= loadedIn;
      }
    }
    return current;
  }
}
