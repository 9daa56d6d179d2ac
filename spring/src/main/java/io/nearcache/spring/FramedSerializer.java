package io.nearcache.spring;

import io.nearcache.SerializationException;
import io.nearcache.Serializer;
import java.util.Arrays;
import java.util.Objects;
import org.springframework.cache.support.NullValue;

/**
 * The bytes of a Spring cache entry: one frame byte, then the user serializer's bytes. Spring may
 * cache {@code null}, which nearcache's {@code getIfPresent} cannot tell from a miss, so a cached
 * {@code null} is a value of its own here: {@link NullValue#INSTANCE}, stored as the single byte
 * {@value #NULL_FRAME}. Every other value is {@value #VALUE_FRAME} followed by its encoding.
 */
final class FramedSerializer implements Serializer<Object> {
  /** The whole encoding of a cached {@code null}. */
  static final byte NULL_FRAME = 0;
  /** The first byte of a cached value; the user serializer's bytes follow. */
  static final byte VALUE_FRAME = 1;

  private static final byte[] NULL_BYTES = {NULL_FRAME};

  private final Serializer<Object> values;

  @SuppressWarnings("unchecked")
  FramedSerializer(Serializer<?> values) {
    // A Spring cache hands out Objects; the user serializer checks (or trusts) their type.
    this.values = (Serializer<Object>) Objects.requireNonNull(values, "serializer");
  }

  @Override
  public byte[] serialize(Object value) {
    if (value instanceof NullValue) {
      return NULL_BYTES.clone();
    }
    byte[] encoded = values.serialize(value);
    byte[] framed = new byte[encoded.length + 1];
    framed[0] = VALUE_FRAME;
    System.arraycopy(encoded, 0, framed, 1, encoded.length);
    return framed;
  }

  @Override
  public Object deserialize(byte[] bytes) {
    if (bytes.length == 0) {
      throw new SerializationException("Cannot decode a Spring cache entry of 0 bytes");
    }
    switch (bytes[0]) {
      case NULL_FRAME -> {
        if (bytes.length != 1) {
          throw new SerializationException("A Spring cache null entry is 1 byte, not "
              + bytes.length);
        }
        return NullValue.INSTANCE;
      }
      case VALUE_FRAME -> {
        return values.deserialize(Arrays.copyOfRange(bytes, 1, bytes.length));
      }
      default -> throw new SerializationException(String.format(
          "Unknown frame byte 0x%02x of a Spring cache entry: not written by nearcache-spring",
          bytes[0]));
    }
  }
}
