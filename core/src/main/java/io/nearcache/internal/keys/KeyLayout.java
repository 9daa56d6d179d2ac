package io.nearcache.internal.keys;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Where one cache's data lives in Redis. Layout (documented in docs/internals.md; a change to it
 * follows the rolling-upgrade policy of docs/compatibility.md):
 *
 * <pre>
 *   value       &lt;prefix&gt;:&lt;cache&gt;:&lt;generation&gt;:{&lt;prefix&gt;:&lt;group&gt;}:v:&lt;key&gt;
 *   lease       &lt;prefix&gt;:&lt;cache&gt;:&lt;generation&gt;:{&lt;prefix&gt;:&lt;group&gt;}:l:&lt;key&gt;
 *   generation  &lt;prefix&gt;:&lt;cache&gt;:{&lt;prefix&gt;:00}:generation
 *   healed      &lt;prefix&gt;:&lt;cache&gt;:{&lt;prefix&gt;:00}:healed   (failovers already healed)
 *   tag epoch   &lt;prefix&gt;:&lt;cache&gt;:{&lt;prefix&gt;:00}:tags     (last tag invalidation)
 *   tag         &lt;prefix&gt;:&lt;cache&gt;:{&lt;prefix&gt;:00}:t:&lt;tag&gt;  (its last epoch)
 *   log         &lt;prefix&gt;:{&lt;prefix&gt;:&lt;group&gt;}:log             (a capped Redis Stream per group)
 *   counter     &lt;prefix&gt;:{&lt;prefix&gt;:&lt;group&gt;}:changes        (the group's last change number)
 * </pre>
 *
 * <p>{@code <key>} is the UTF-8 of the encoded key, byte for byte, so any key is safe. {@code
 * <group>} is the key's murmur3 hash modulo the count of {@link SlotGroups}, at least two digits.
 * The braces make {@code <prefix>:<group>} the Redis Cluster hash tag of an entry's value, its
 * lease and its group's invalidation log and change counter alike, so one Lua script can change a
 * value, number the change and record it in the log on a cluster too; the generation counter sits
 * in group 00 with that group's log, and so do the tag versions, so that one script can invalidate
 * many tags and announce it. Prefix and cache names are restricted to {@code
 * [A-Za-z0-9_.-]}, so the segments before the tag can never run into each other, and no two caches
 * or prefixes share a key.
 */
public final class KeyLayout {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private final String prefix;
  private final SlotGroups groups;
  private final String cacheHead;
  private final byte[] generationKey;
  private final byte[] healedKey;
  private final byte[] tagEpochKey;
  private final String tagHead;

  /**
   * Creates the layout of one cache whose keys fall into {@code groups}.
   *
   * @throws IllegalArgumentException if the prefix or cache name breaks the naming rule
   */
  public KeyLayout(String prefix, String cache, SlotGroups groups) {
    this.prefix = requireName("keyPrefix", prefix);
    this.groups = groups;
    this.cacheHead = prefix + ':' + requireName("cache name", cache) + ':';
    this.generationKey = utf8(cacheHead + tag(prefix, 0) + ":generation");
    this.healedKey = utf8(cacheHead + tag(prefix, 0) + ":healed");
    this.tagEpochKey = utf8(cacheHead + tag(prefix, 0) + ":tags");
    this.tagHead = cacheHead + tag(prefix, 0) + ":t:";
  }

  /**
   * Checks a prefix or cache name.
   *
   * @return the name
   * @throws IllegalArgumentException naming the rule and the value
   */
  public static String requireName(String what, String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          what + " must match [A-Za-z0-9_.-]{1,64}: \"" + name + "\"");
    }
    return name;
  }

  /**
   * The invalidation log (Redis Stream) of {@code group} of an application prefix. Named apart
   * from the clock-stamped logs of wire format 1, which the numbered entries could not follow.
   */
  public static String logKey(String prefix, int group) {
    return prefix + ":" + tag(prefix, group) + ":log";
  }

  /** The counter holding the number of the last change logged in {@code group} of a prefix. */
  public static String counterKey(String prefix, int group) {
    return prefix + ":" + tag(prefix, group) + ":changes";
  }

  /** The key holding this cache's generation counter. */
  public byte[] generationKey() {
    return generationKey.clone();
  }

  /**
   * The set of the losses (a server's new history, or a group whose numbering went back) after
   * which this cache already moved to a new generation, so that a fleet that detects one
   * failover, in any number of groups, moves it once.
   */
  public byte[] healedKey() {
    return healedKey.clone();
  }

  /** The counter numbering this cache's tag invalidations: its tag epoch. */
  public byte[] tagEpochKey() {
    return tagEpochKey.clone();
  }

  /** The key holding the tag epoch in which {@code tag} was last invalidated. */
  public byte[] tagKey(String tag) {
    return utf8(tagHead + tag);
  }

  /** The key holding the value of {@code encodedKey} in {@code generation}. */
  public byte[] valueKey(long generation, String encodedKey) {
    return entryKey(generation, encodedKey, ":v:");
  }

  /** The key holding the load lease of {@code encodedKey} in {@code generation}. */
  public byte[] leaseKey(long generation, String encodedKey) {
    return entryKey(generation, encodedKey, ":l:");
  }

  /** The Redis Cluster hash slot of {@code group} of {@code prefix}. */
  public static int slot(String prefix, int group) {
    return JedisClusterCRC16.getSlot(tag(prefix, group));
  }

  /** The slot group of {@code encodedKey}: where its value, lease and change records live. */
  public int groupOf(String encodedKey) {
    return groups.of(encodedKey);
  }

  private byte[] entryKey(long generation, String encodedKey, String kind) {
    byte[] key = utf8(encodedKey);
    byte[] head = utf8(cacheHead + generation + ":" + tag(prefix, groups.of(key)) + kind);
    byte[] full = new byte[head.length + key.length];
    System.arraycopy(head, 0, full, 0, head.length);
    System.arraycopy(key, 0, full, head.length, key.length);
    return full;
  }

  /** The Redis Cluster hash tag of {@code group} of {@code prefix}: {@code {<prefix>:<group>}}. */
  public static String tag(String prefix, int group) {
    return "{" + prefix + ":" + (group < 10 ? "0" : "") + group + "}";
  }

  /**
   * UTF-8 of a well-formed string.
   *
   * @throws IllegalArgumentException if {@code s} holds an unpaired surrogate, which UTF-8 cannot
   *     carry: two such keys would otherwise end up as the same bytes
   */
  public static byte[] utf8(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            "key has an unpaired surrogate at index " + i + " and cannot be stored in Redis");
      }
    }
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
