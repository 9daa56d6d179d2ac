package io.nearcache.internal.keys;

import com.google.common.hash.Hashing;
import java.util.List;
import java.util.stream.IntStream;

/**
 * How many slot groups a prefix's keys fall into: each group is one Redis Cluster hash slot
 * holding its keys, log and counter, so the count bounds how many primaries carry a prefix's
 * writes, and sets how many counters a repair reads. Every node of a fleet must use the same
 * count (it decides every key); {@code build()} checks that against the count stored in Redis.
 */
public final class SlotGroups {
  /** The default count: 16. */
  public static final int DEFAULT = 16;
  /** The largest count: 256. */
  public static final int MAX = 256;

  private static final SlotGroups DEFAULTS = new SlotGroups(DEFAULT);

  private final int count;
  private final List<Integer> all;

  /**
   * Creates a count of groups.
   *
   * @throws IllegalArgumentException if {@code count} is not between 1 and {@value #MAX}
   */
  public SlotGroups(int count) {
    if (count < 1 || count > MAX) {
      throw new IllegalArgumentException("slotGroups must be 1 to " + MAX + ": " + count);
    }
    this.count = count;
    this.all = IntStream.range(0, count).boxed().toList();
  }

  /** {@value #DEFAULT} groups. */
  public static SlotGroups defaults() {
    return DEFAULTS;
  }

  /** The number of groups. */
  public int count() {
    return count;
  }

  /** Every group, ascending. */
  public List<Integer> all() {
    return all;
  }

  /** The group of {@code encodedKey}: the murmur3 hash of its UTF-8 modulo the count. */
  public int of(String encodedKey) {
    return of(KeyLayout.utf8(encodedKey));
  }

  int of(byte[] key) {
    return Math.floorMod(Hashing.murmur3_32_fixed().hashBytes(key).asInt(), count);
  }

  @Override
  public String toString() {
    return count + " slot groups";
  }
}
