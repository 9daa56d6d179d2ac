package io.nearcache;

import io.nearcache.internal.keys.StructuredKeyCodec;
import java.util.Map;

/**
 * Turns a cache key into the canonical string that identifies its entry in L1, in Redis and in
 * invalidation messages.
 *
 * <p>An implementation must be deterministic across JVMs and versions (the same key always gives
 * the same string) and injective (two different keys never give the same string), and must be
 * thread-safe. It should be cheap: it runs on every call, L1 hits included.
 *
 * <p>Any string is a valid encoding, including empty strings and strings with spaces, braces,
 * colons or control characters, as long as it is well-formed UTF-16 (no unpaired surrogate): the
 * cache rejects malformed strings with {@link IllegalArgumentException} before they reach Redis.
 *
 * @param <K> the key type
 */
@FunctionalInterface
public interface KeyCodec<K> {

  /**
   * Encodes a key.
   *
   * @param key the key, never {@code null}
   * @return the canonical string, never {@code null}
   * @throws IllegalArgumentException if the key cannot be encoded, saying why
   */
  String encode(K key);

  /**
   * Returns the codec of string keys: the key is its own encoding, so an L1 hit allocates nothing.
   *
   * @return the identity codec
   */
  static KeyCodec<String> strings() {
    return key -> key;
  }

  /**
   * Returns the canonical codec of structured keys: a map of named parameters, such as the query
   * parameters of a product listing. The encoding is independent of the map's iteration order,
   * typed ({@code 10} and {@code "10"} differ; {@code Integer} and {@code Long} of the same value
   * agree), and hashed with SHA-256 when longer than 200 characters.
   *
   * <p>Supported values: {@code null}, {@link String}, {@link Character}, {@link Boolean}, the
   * integral boxes and {@link java.math.BigInteger}, {@link Float}/{@link Double}, {@link
   * java.math.BigDecimal}, enums, {@link java.util.List} (order kept), {@link java.util.Set} (order
   * ignored) and nested maps with string keys. Anything else is rejected with {@link
   * IllegalArgumentException} naming its type.
   *
   * @return the structured-key codec
   */
  static KeyCodec<Map<String, ?>> structured() {
    return StructuredKeyCodec.INSTANCE;
  }
}
