package io.nearcache.internal.invalidation;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One message on an application's invalidation channel. Wire format, big-endian, version 2:
 *
 * <pre>
 *   byte    format version (2)
 *   byte    kind: 1 = keys, 2 = whole cache, 3 = tags
 *   short   the slot group whose log recorded the change
 *   long    the change's number in that group (1, 2, 3, ...: assigned by the script that made it)
 *   long    the cache's generation (for a whole-cache message, the new one); for a tags message,
 *           the cache's new tag epoch
 *   short   sender id length, then its UTF-8 bytes
 *   short   cache name length, then its UTF-8 bytes
 *   int     key count (0 for a whole-cache message; for a tags message, the tags)
 *   per key: int length, then the UTF-8 bytes of the encoded key (or of the tag)
 * </pre>
 *
 * <p>The script that changes Redis publishes the message too, so the number and, for a whole-cache
 * message, the generation are only known inside it: Java encodes the {@link #head} and the {@link
 * #tail}, and the script packs the two longs between them. The format is the library's own and
 * never the user's value codec, so that every JVM can read it whatever serializer its caches use.
 *
 * @param kind what the message says
 * @param group the slot group, {@code 0 <= group <} the prefix's count of groups
 * @param number the change's number in its group, for gap detection and replay
 * @param generation the cache's generation as the writer knew it; the new one for a whole cache;
 *     the new tag epoch for tags
 * @param senderId the writing client, unique per client object: a client skips its own changes
 * @param cache the cache the message is about
 * @param keys the encoded keys to drop, or the tags whose entries to drop
 */
public record InvalidationMessage(Kind kind, int group, long number, long generation,
    String senderId, String cache, List<String> keys) {
  /** The format version this code writes and reads. */
  public static final byte VERSION = 2;

  /** What a message says. */
  public enum Kind {
    /** Drop these keys of the cache. */
    KEYS,
    /** Drop every entry of the cache; {@code generation} is its new generation. */
    WHOLE_CACHE,
    /**
     * Drop every entry carrying one of these tags ({@code keys}); {@code generation} is the cache's
     * new tag epoch. Nodes of releases before tags read it as unreadable and drop their L1.
     */
    TAGS
  }

  /**
   * Checks and freezes the fields.
   *
   * @throws IllegalArgumentException if a whole-cache message carries keys, or the group does not
   *     fit the format
   */
  public InvalidationMessage {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(senderId, "senderId");
    Objects.requireNonNull(cache, "cache");
    keys = List.copyOf(keys);
    if (kind == Kind.WHOLE_CACHE && !keys.isEmpty()) {
      throw new IllegalArgumentException("a " + kind + " message carries no keys");
    }
    if (group < 0 || group > 0xFFFF) {
      throw new IllegalArgumentException("group out of range: " + group);
    }
  }

  /** The bytes before the number: version, kind and group. */
  public static byte[] head(Kind kind, int group) {
    return new byte[] {VERSION, (byte) (kind.ordinal() + 1), (byte) (group >>> 8), (byte) group};
  }

  /** The bytes after the generation: sender, cache and keys. */
  public static byte[] tail(String senderId, String cache, List<String> keys) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 32 * keys.size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      writeShortString(out, senderId);
      writeShortString(out, cache);
      out.writeInt(keys.size());
      for (String key : keys) {
        byte[] utf8 = key.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return bytes.toByteArray();
  }

  /** Returns the whole wire form, as the script publishes it. */
  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 32 * keys.size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.write(head(kind, group));
      out.writeLong(number);
      out.writeLong(generation);
      out.write(tail(senderId, cache, keys));
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return bytes.toByteArray();
  }

  /**
   * Reads the wire form.
   *
   * @throws IllegalArgumentException if the bytes are not a version-2 message, saying what is wrong
   */
  public static InvalidationMessage decode(byte[] message) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(message))) {
      byte version = in.readByte();
      if (version != VERSION) {
        throw new IllegalArgumentException("unsupported invalidation message version " + version
            + " (this node reads version " + VERSION + ")");
      }
      byte kindByte = in.readByte();
      if (kindByte < 1 || kindByte > Kind.values().length) {
        throw new IllegalArgumentException("unknown invalidation message kind " + kindByte);
      }
      Kind kind = Kind.values()[kindByte - 1];
      int group = in.readUnsignedShort();
      long number = in.readLong();
      long generation = in.readLong();
      String sender = readString(in, in.readUnsignedShort());
      String cache = readString(in, in.readUnsignedShort());
      int count = in.readInt();
      if (count < 0 || count > in.available() / Integer.BYTES) {
        throw new IllegalArgumentException("invalidation message key count " + count
            + " does not fit its " + message.length + " bytes");
      }
      List<String> keys = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        keys.add(readString(in, in.readInt()));
      }
      if (in.available() > 0) {
        throw new IllegalArgumentException(
            "invalidation message has " + in.available() + " trailing bytes");
      }
      return new InvalidationMessage(kind, group, number, generation, sender, cache, keys);
    } catch (EOFException e) {
      throw new IllegalArgumentException("truncated invalidation message", e);
    } catch (IOException e) {
      throw new UncheckedIOException("reading from memory cannot fail", e);
    }
  }

  private static void writeShortString(DataOutputStream out, String s) throws IOException {
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > 0xFFFF) {
      throw new IllegalArgumentException("string of " + utf8.length + " bytes is too long");
    }
    out.writeShort(utf8.length);
    out.write(utf8);
  }

  private static String readString(DataInputStream in, int length) throws IOException {
    if (length < 0 || length > in.available()) {
      throw new IllegalArgumentException(
          "invalidation message field of " + length + " bytes overruns the message");
    }
    return new String(in.readNBytes(length), StandardCharsets.UTF_8);
  }
}
