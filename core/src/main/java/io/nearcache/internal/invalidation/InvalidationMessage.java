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
 * One message on an application's invalidation channel. Wire format, big-endian, version 1:
 *
 * <pre>
 *   byte    format version (1)
 *   byte    kind: 1 = keys, 2 = whole cache, 3 = heartbeat
 *   short   sender id length, then its UTF-8 bytes
 *   long    sender sequence number (1, 2, 3, ... per sender, across all caches)
 *   short   cache name length, then its UTF-8 bytes
 *   long    the cache's generation as the sender knew it (for a whole-cache message, the new one;
 *           for a heartbeat, Redis' clock in ms when it was sent)
 *   int     key count (0 for a whole-cache message)
 *   per key: int length, then the UTF-8 bytes of the encoded key
 * </pre>
 *
 * <p>The format is the library's own and never the user's value codec, so that every JVM can read
 * it whatever serializer its caches use.
 *
 * @param senderId the sending client, unique per client object
 * @param sequence the sender's sequence number, for gap detection
 * @param cache the cache the message is about (empty for a heartbeat)
 * @param kind what the message says
 * @param generation the cache's generation as the sender knew it; for a heartbeat, Redis' clock
 * @param keys the encoded keys to drop
 */
public record InvalidationMessage(String senderId, long sequence, String cache, Kind kind,
    long generation, List<String> keys) {
  /** The format version this code writes and reads. */
  public static final byte VERSION = 1;

  /** What a message says. */
  public enum Kind {
    /** Drop these keys of the cache. */
    KEYS,
    /** Drop every entry of the cache; {@code generation} is its new generation. */
    WHOLE_CACHE,
    /**
     * Nothing changed: the sender checks that it hears its own messages; {@code generation} holds
     * Redis' clock (ms) when it was sent.
     */
    HEARTBEAT
  }

  /**
   * Checks and freezes the fields.
   *
   * @throws IllegalArgumentException if a message other than {@link Kind#KEYS} carries keys
   */
  public InvalidationMessage {
    Objects.requireNonNull(senderId, "senderId");
    Objects.requireNonNull(cache, "cache");
    Objects.requireNonNull(kind, "kind");
    keys = List.copyOf(keys);
    if (kind != Kind.KEYS && !keys.isEmpty()) {
      throw new IllegalArgumentException("a " + kind + " message carries no keys");
    }
  }

  /** Returns the wire form. */
  public byte[] encode() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 32 * keys.size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeByte(kind.ordinal() + 1);
      writeShortString(out, senderId);
      out.writeLong(sequence);
      writeShortString(out, cache);
      out.writeLong(generation);
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

  /**
   * Reads the wire form.
   *
   * @throws IllegalArgumentException if the bytes are not a version-1 message, saying what is wrong
   */
  public static InvalidationMessage decode(byte[] message) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(message))) {
      byte version = in.readByte();
      if (version != VERSION) {
        throw new IllegalArgumentException("unsupported invalidation message version " + version);
      }
      byte kindByte = in.readByte();
      if (kindByte < 1 || kindByte > Kind.values().length) {
        throw new IllegalArgumentException("unknown invalidation message kind " + kindByte);
      }
      Kind kind = Kind.values()[kindByte - 1];
      String sender = readString(in, in.readUnsignedShort());
      long sequence = in.readLong();
      String cache = readString(in, in.readUnsignedShort());
      long generation = in.readLong();
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
      return new InvalidationMessage(sender, sequence, cache, kind, generation, keys);
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
