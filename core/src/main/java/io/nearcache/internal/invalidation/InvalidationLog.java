package io.nearcache.internal.invalidation;

import io.nearcache.internal.keys.KeyLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Reads back the invalidation logs: per slot group of a prefix, a counter holding the number of
 * the group's last change, and a capped Redis Stream of its changes with the stream IDs {@code
 * 0-<number>}, both written by the script that made each change (see {@link Announcer}). A client
 * that missed changes of a group reads them by number; a log that no longer holds the first
 * number it asks for was trimmed past it, and the replay is incomplete. Nothing here reads a
 * clock or a command that Redis 6.2 lacks.
 *
 * <p>Entry fields: {@code c} the cache; {@code k} the encoded key, or {@code g} the new generation
 * for a whole-cache invalidation, or {@code e} the new tag epoch and {@code t} the tags, joined by
 * {@link #TAG_SEPARATOR}, for a tag invalidation. An entry with none of these (written by a later
 * release) makes the replay incomplete, so the group is dropped rather than half repaired.
 */
public final class InvalidationLog {
  private static final int PAGE = 1_000;

  /** Separates the tags of one logged tag invalidation; tags may not contain it. */
  public static final char TAG_SEPARATOR = '\0';

  private final UnifiedJedis jedis;
  private final String prefix;

  /**
   * Creates a reader of the logs of {@code prefix}. Its calls go to Redis directly: the caller
   * runs them through the breaker of the groups it reads.
   */
  public InvalidationLog(UnifiedJedis jedis, String prefix) {
    this.jedis = jedis;
    this.prefix = prefix;
  }

  /** One logged change of a cache. */
  public sealed interface Entry {
    /** The change's number in its group. */
    long number();

    /** The cache it changed. */
    String cache();
  }

  /** A key was written or invalidated. */
  public record KeyChanged(long number, String cache, String key) implements Entry {}

  /** The whole cache was invalidated, moving it to {@code generation}. */
  public record CacheCleared(long number, String cache, long generation) implements Entry {}

  /** The entries carrying any of {@code tags} were invalidated in tag epoch {@code epoch}. */
  public record TagsInvalidated(long number, String cache, long epoch, List<String> tags)
      implements Entry {}

  /**
   * What a replay of one group found.
   *
   * @param complete whether the log still held every change after the starting point; if not,
   *     changes may be missing and the caller must drop the group
   * @param entries the changes found, in order
   * @param through the number of the last change the replay accounts for
   */
  public record Replay(boolean complete, List<Entry> entries, long through) {}

  /**
   * The number of the last change of each of {@code groups} (0 for a group never changed), in one
   * round trip per server.
   *
   * @throws JedisException if Redis could not be read, or a counter holds a non-number
   */
  public Map<Integer, Long> lastNumbers(List<Integer> groups) {
    List<Response<String>> replies = new ArrayList<>(groups.size());
    try (AbstractPipeline pipeline = jedis.pipelined()) {
      for (int group : groups) {
        replies.add(pipeline.get(KeyLayout.counterKey(prefix, group)));
      }
      pipeline.sync();
    }
    Map<Integer, Long> numbers = new HashMap<>();
    for (int i = 0; i < groups.size(); i++) {
      String stored = replies.get(i).get();
      try {
        numbers.put(groups.get(i), stored == null ? 0 : Long.parseLong(stored));
      } catch (NumberFormatException e) {
        throw new JedisDataException(KeyLayout.counterKey(prefix, groups.get(i))
            + " holds a non-number; delete it to reset", e);
      }
    }
    return numbers;
  }

  /**
   * Every change of {@code group} after number {@code applied}, up to the newest.
   *
   * @param last the group's last number as read after the caller subscribed: the replay must
   *     reach at least that far
   * @throws JedisException if Redis could not be read
   */
  public Replay after(int group, long applied, long last) {
    String log = KeyLayout.logKey(prefix, group);
    List<Entry> entries = new ArrayList<>();
    String start = "0-" + (applied + 1);
    while (true) {
      List<StreamEntry> page = jedis.xrange(log, start, "+", PAGE);
      for (StreamEntry entry : page) {
        Entry read = entry(entry);
        if (read == null) {
          return new Replay(false, entries, Math.max(applied, last));
        }
        entries.add(read);
      }
      if (page.size() < PAGE) {
        break;
      }
      start = "(" + page.get(page.size() - 1).getID();
    }
    long through = entries.isEmpty() ? applied : entries.get(entries.size() - 1).number();
    boolean complete = entries.isEmpty() ? last <= applied
        : entries.get(0).number() == applied + 1;
    return new Replay(complete, entries, Math.max(through, last));
  }

  /** The logged change, or {@code null} for an entry of a kind this release does not know. */
  private static Entry entry(StreamEntry entry) {
    Map<String, String> fields = entry.getFields();
    long number = entry.getID().getSequence();
    String cache = fields.get("c");
    if (fields.containsKey("k")) {
      return new KeyChanged(number, cache, fields.get("k"));
    }
    if (fields.containsKey("g")) {
      return new CacheCleared(number, cache, Long.parseLong(fields.get("g")));
    }
    if (fields.containsKey("e") && fields.containsKey("t")) {
      return new TagsInvalidated(number, cache, Long.parseLong(fields.get("e")),
          List.of(fields.get("t").split(String.valueOf(TAG_SEPARATOR), -1)));
    }
    return null;
  }
}
