package io.nearcache.internal.l2;

import io.nearcache.Serializer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * How a value is stored in Redis: one kind byte, then the serializer's bytes.
 *
 * <pre>
 *   0x01 payload...   a value
 *   0x00              "no value" (a loader found nothing; cached only with nullTtl)
 *   0x02 long epoch, short n, n * (short length, UTF-8 tag), payload...
 *                     a value carrying tags, loaded in tag epoch {@code epoch}: it is stale, and
 *                     unreachable, once any of its tags was invalidated in a later epoch
 *   0x03 token...     a load lease, in place of a value: the instance holding {@code token} is
 *                     loading the key (see {@link RemoteStore}); to a reader, no value
 * </pre>
 *
 * <p>The kind byte keeps "no value" apart from any payload a serializer can produce (an empty
 * string may well encode to no bytes) and leaves room for later formats.
 */
public final class Frame {
  private static final byte NO_VALUE = 0;
  private static final byte VALUE = 1;
  private static final byte TAGGED = 2;
  private static final byte LEASE = 3;
  private static final byte[] NO_VALUE_FRAME = {NO_VALUE};
  /** Most tags one value may carry: the count is written as an unsigned short. */
  public static final int MAX_TAGS = 0xFFFF;

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

  /**
   * The frame of {@code value} carrying {@code tags}, loaded in tag epoch {@code epoch}; a plain
   * frame when there are no tags or no value.
   *
   * @throws io.nearcache.SerializationException if the serializer refuses the value
   * @throws IllegalArgumentException if there are more than {@link #MAX_TAGS} tags or one is
   *     longer than 65,535 UTF-8 bytes
   */
  public static <V> byte[] of(Serializer<V> serializer, V value, Collection<String> tags,
      long epoch) {
    if (value == null || tags.isEmpty()) {
      return of(serializer, value);
    }
    return ofTagged(serializer.serialize(value), tags, epoch);
  }

  /**
   * The frame of a serialized value carrying {@code tags} (at least one), loaded in tag epoch
   * {@code epoch}.
   *
   * @throws IllegalArgumentException if there are more than {@link #MAX_TAGS} tags or one is
   *     longer than 65,535 UTF-8 bytes
   */
  public static byte[] ofTagged(byte[] payload, Collection<String> tags, long epoch) {
    if (tags.size() > MAX_TAGS) {
      throw new IllegalArgumentException(tags.size() + " tags, over " + MAX_TAGS);
    }
    List<byte[]> encoded = new ArrayList<>(tags.size());
    int size = 1 + Long.BYTES + Short.BYTES + payload.length;
    for (String tag : tags) {
      byte[] utf8 = tag.getBytes(StandardCharsets.UTF_8);
      if (utf8.length > 0xFFFF) {
        throw new IllegalArgumentException("a tag of " + utf8.length + " bytes, over 65535");
      }
      encoded.add(utf8);
      size += Short.BYTES + utf8.length;
    }
    ByteBuffer frame = ByteBuffer.allocate(size).put(TAGGED).putLong(epoch)
        .putShort((short) tags.size());
    encoded.forEach(tag -> frame.putShort((short) tag.length).put(tag));
    return frame.put(payload).array();
  }

  /** The frame of "no value". */
  public static byte[] noValue() {
    return NO_VALUE_FRAME.clone();
  }

  /** The frame of a load lease held by {@code token}. */
  public static byte[] lease(byte[] token) {
    byte[] frame = new byte[token.length + 1];
    frame[0] = LEASE;
    System.arraycopy(token, 0, frame, 1, token.length);
    return frame;
  }

  /** Whether {@code frame} is a load lease, which holds no value. */
  public static boolean isLease(byte[] frame) {
    return frame.length > 0 && frame[0] == LEASE;
  }

  /** Whether {@code frame} is "no value". */
  public static boolean isNoValue(byte[] frame) {
    return frame.length == 1 && frame[0] == NO_VALUE;
  }

  /**
   * The tags of a tagged frame and the epoch it was loaded in.
   *
   * @param epoch the tag epoch the value was loaded in
   * @param tags its tags, never empty
   */
  public record Tags(long epoch, List<String> tags) {}

  /**
   * The tags a frame carries, or {@code null} for an untagged frame.
   *
   * @throws IllegalArgumentException if a tagged frame is truncated
   */
  public static Tags tags(byte[] frame) {
    if (frame.length == 0 || frame[0] != TAGGED) {
      return null;
    }
    try {
      ByteBuffer in = ByteBuffer.wrap(frame, 1, frame.length - 1);
      long epoch = in.getLong();
      int count = Short.toUnsignedInt(in.getShort());
      List<String> tags = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        byte[] tag = new byte[Short.toUnsignedInt(in.getShort())];
        in.get(tag);
        tags.add(new String(tag, StandardCharsets.UTF_8));
      }
      return new Tags(epoch, List.copyOf(tags));
    } catch (java.nio.BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated tagged frame of " + frame.length + " bytes", e);
    }
  }

  /**
   * The serializer's bytes inside a value frame, tagged or not.
   *
   * @throws IllegalArgumentException if {@code frame} is no kind of value frame
   */
  public static byte[] payload(byte[] frame) {
    if (frame.length > 0 && frame[0] == TAGGED) {
      ByteBuffer in = ByteBuffer.wrap(frame, 1 + Long.BYTES, frame.length - 1 - Long.BYTES);
      int count = Short.toUnsignedInt(in.getShort());
      for (int i = 0; i < count; i++) {
        int length = Short.toUnsignedInt(in.getShort());
        in.position(in.position() + length);
      }
      return Arrays.copyOfRange(frame, in.position(), frame.length);
    }
    if (frame.length == 0 || frame[0] != VALUE) {
      throw new IllegalArgumentException("not a nearcache value frame (" + frame.length
          + " bytes" + (frame.length == 0 ? "" : ", kind byte " + frame[0]) + ")");
    }
    return Arrays.copyOfRange(frame, 1, frame.length);
  }
}
