package io.nearcache.internal.l2;

import io.nearcache.Serializer;
import java.util.Arrays;

/**
 * How a value is stored in Redis: one kind byte, then the serializer's bytes.
 *
 * <pre>
 *   0x01 payload...   a value
 *   0x00              "no value" (a loader found nothing; cached only with nullTtl)
 * </pre>
 *
 * <p>The kind byte keeps "no value" apart from any payload a serializer can produce (an empty
 * string may well encode to no bytes) and leaves room for later formats.
 */
public final class Frame {
  private static final byte NO_VALUE = 0;
  private static final byte VALUE = 1;
  private static final byte[] NO_VALUE_FRAME = {NO_VALUE};

  private Frame() {}

  /** The frame of a serialized value. */
  public static byte[] ofValue(byte[] payload) {
    byte[] frame = new byte[payload.length + 1];
    frame[0] = VALUE;
    System.arraycopy(payload, 0, frame, 1, payload.length);
    return frame;
  }

  /**
   * The frame of {@code value} as {@code serializer} encodes it, or of "no value" for {@code null}.
   *
   * @throws io.nearcache.SerializationException if the serializer refuses the value
   */
  public static <V> byte[] of(Serializer<V> serializer, V value) {
    return value == null ? noValue() : ofValue(serializer.serialize(value));
  }

  /** The frame of "no value". */
  public static byte[] noValue() {
    return NO_VALUE_FRAME.clone();
  }

  /** Whether {@code frame} is "no value". */
  public static boolean isNoValue(byte[] frame) {
    return frame.length == 1 && frame[0] == NO_VALUE;
  }

  /**
   * The serializer's bytes inside a value frame.
   *
   * @throws IllegalArgumentException if {@code frame} is neither kind of frame
   */
  public static byte[] payload(byte[] frame) {
    if (frame.length == 0 || frame[0] != VALUE) {
      throw new IllegalArgumentException("not a nearcache value frame (" + frame.length
          + " bytes" + (frame.length == 0 ? "" : ", kind byte " + frame[0]) + ")");
    }
    return Arrays.copyOfRange(frame, 1, frame.length);
  }
}
