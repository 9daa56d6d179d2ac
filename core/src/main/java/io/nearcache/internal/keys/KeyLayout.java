package io.nearcache.internal.keys;

import com.google.common.hash.Hashing;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Where one cache's data lives in Redis. Layout (documented in README, stable across versions):
 *
 * <pre>
 *   value       &lt;prefix&gt;:&lt;cache&gt;:&lt;generation&gt;:{&lt;tag&gt;}:v:&lt;key&gt;
 *   lease       &lt;prefix&gt;:&lt;cache&gt;:&lt;generation&gt;:{&lt;tag&gt;}:l:&lt;key&gt;
 *   generation  &lt;prefix&gt;:&lt;cache&gt;:generation
 *   channel     &lt;prefix&gt;:invalidations            (pub/sub, one per application prefix)
 * </pre>
 *
 * <p>{@code <key>} is the UTF-8 of the encoded key, byte for byte, so any key is safe. {@code
 * <tag>} is the 8-hex-digit murmur3 hash of those bytes: a fixed-width Redis Cluster hash tag that
 * every key of one entry shares (so a Lua script may touch all of them on a cluster) whatever
 * braces the key itself contains. Prefix and cache names are restricted to {@code [A-Za-z0-9_.-]},
 * so the segments before the tag can never run into each other: no two caches or prefixes share a
 * key. The {@code v}/{@code l} segment, at a fixed position, keeps an entry's keys apart.
 */
public final class KeyLayout {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private final String cacheHead;
  private final byte[] generationKey;

  /**
   * Creates the layout of one cache.
   *
   * @throws IllegalArgumentException if the prefix or cache name breaks the naming rule
   */
  public KeyLayout(String prefix, String cache) {
    this.cacheHead = requireName("keyPrefix", prefix) + ':' + requireName("cache name", cache) + ':';
    this.generationKey = utf8(cacheHead + "generation");
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

  /** The pub/sub channel of an application prefix. */
  public static byte[] channel(String prefix) {
    return utf8(requireName("keyPrefix", prefix) + ":invalidations");
  }

  /** The key holding this cache's generation counter. */
  public byte[] generationKey() {
    return generationKey.clone();
  }

  /** The key holding the value of {@code encodedKey} in {@code generation}. */
  public byte[] valueKey(long generation, String encodedKey) {
    return entryKey(generation, encodedKey, ":v:");
  }

  /** The key holding the load lease of {@code encodedKey} in {@code generation}. */
  public byte[] leaseKey(long generation, String encodedKey) {
    return entryKey(generation, encodedKey, ":l:");
  }

  private byte[] entryKey(long generation, String encodedKey, String kind) {
    byte[] key = utf8(encodedKey);
    byte[] head = utf8(cacheHead + generation + ":{" + tag(key) + "}" + kind);
    byte[] full = new byte[head.length + key.length];
    System.arraycopy(head, 0, full, 0, head.length);
    System.arraycopy(key, 0, full, head.length, key.length);
    return full;
  }

  private static String tag(byte[] key) {
    String hex = Integer.toHexString(Hashing.murmur3_32_fixed().hashBytes(key).asInt());
    return "00000000".substring(hex.length()) + hex;
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
