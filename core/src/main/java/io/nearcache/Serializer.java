package io.nearcache;

/**
 * Turns cache values into the bytes stored in Redis (L2) and back.
 *
 * <p>Implementations must be thread-safe: one instance serves every thread of a cache. The bytes
 * produced by {@link #serialize} on one JVM must be readable by {@link #deserialize} on every other
 * JVM of the application that uses the same serializer configuration. Core depends on no
 * serialization library; {@code nearcache-serializers} holds Kryo and Jackson implementations.
 *
 * <p>Failure behaviour: a serializer reports bad input by throwing {@link SerializationException}
 * (any other {@link RuntimeException} is treated the same way). The cache never lets a
 * {@link #deserialize} failure reach its caller: the entry counts as a miss, is deleted from Redis,
 * and is counted in {@link CacheStats#decodeErrors()}. A {@link #serialize} failure of a loaded or
 * written value reaches the caller of the operation that produced it.
 *
 * @param <T> the type of values this serializer reads and writes
 */
public interface Serializer<T> {

  /**
   * Encodes a value.
   *
   * @param value the value to encode, never {@code null} (the cache does not store nulls)
   * @return the encoded bytes, never {@code null}
   * @throws SerializationException if the value cannot be encoded
   */
  byte[] serialize(T value);

  /**
   * Decodes bytes produced by {@link #serialize}.
   *
   * @param bytes the encoded value, never {@code null}
   * @return the decoded value, never {@code null}
   * @throws SerializationException if the bytes are not a valid encoding of a {@code T}
   */
  T deserialize(byte[] bytes);
}
