package io.nearcache.internal.invalidation;

import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.l2.RemoteStore;
import io.nearcache.internal.resilience.CircuitBreaker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.resps.StreamEntry;

/**
 * Reads back the invalidation logs: one capped Redis Stream per slot group of a prefix, written by
 * the same Lua script as each mutation (see {@link RemoteStore}). Pub/sub is the doorbell; the log
 * is the record, ordered by Redis' own clock. A client that may have missed messages replays every
 * group's log from a point in time and drops what it finds; if a log no longer reaches back that
 * far, the replay is incomplete and the client flushes instead.
 *
 * <p>Entry fields: {@code c} the cache; {@code k} the encoded key, or {@code g} the new generation
 * for a whole-cache invalidation.
 */
public final class InvalidationLog {
  private static final int PAGE = 1_000;

  private final UnifiedJedis jedis;
  private final CircuitBreaker breaker;
  private final String prefix;

  /** Creates a reader of the logs of {@code prefix}. */
  public InvalidationLog(UnifiedJedis jedis, CircuitBreaker breaker, String prefix) {
    this.jedis = jedis;
    this.breaker = breaker;
    this.prefix = prefix;
  }

  /**
   * One logged invalidation.
   *
   * @param cache the cache
   * @param key the encoded key, or {@code null} for the whole cache
   * @param generation the cache's new generation, for a whole-cache invalidation
   */
  public record Entry(String cache, String key, long generation) {}

  /**
   * What a replay found.
   *
   * @param complete whether every log reached back to the starting point; if not, entries may be
   *     missing and the caller must flush
   * @param entries the invalidations logged since the starting point, when complete
   */
  public record Replay(boolean complete, List<Entry> entries) {}

  /**
   * Every invalidation logged at or after {@code fromMillis} of Redis' clock, across all groups.
   *
   * @throws JedisException if Redis could not be read
   */
  public Replay since(long fromMillis) {
    List<Entry> entries = new ArrayList<>();
    for (int group = 0; group < KeyLayout.GROUPS; group++) {
      String log = KeyLayout.logKey(prefix, group);
      if (trimmedAfter(log, fromMillis)) {
        return new Replay(false, List.of());
      }
      String start = fromMillis + "-0";
      while (true) {
        String from = start;
        List<StreamEntry> page = breaker.call(() -> jedis.xrange(log, from, "+", PAGE));
        for (StreamEntry entry : page) {
          Map<String, String> fields = entry.getFields();
          String generation = fields.get("g");
          entries.add(new Entry(fields.get("c"), fields.get("k"),
              generation == null ? 0 : Long.parseLong(generation)));
        }
        if (page.size() < PAGE) {
          break;
        }
        start = "(" + page.get(page.size() - 1).getID();
      }
    }
    return new Replay(true, entries);
  }

  /** Whether entries at or after {@code fromMillis} were trimmed from {@code log}. */
  private boolean trimmedAfter(String log, long fromMillis) {
    List<?> info;
    try {
      info = (List<?>) breaker.call(() -> jedis.sendCommand(Protocol.Command.XINFO, "STREAM",
          log));
    } catch (JedisDataException e) {
      return false; // no such stream: nothing was ever logged, so nothing was trimmed
    }
    Long maxDeleted = null;
    Long first = null;
    long length = 0;
    for (int i = 0; i + 1 < info.size(); i += 2) {
      String field = text(info.get(i));
      Object value = info.get(i + 1);
      switch (field) {
        case "max-deleted-entry-id" -> maxDeleted = millisOf(text(value));
        case "first-entry" -> first = value instanceof List<?> e && !e.isEmpty()
            ? millisOf(text(e.get(0))) : null;
        case "length" -> length = (Long) value;
        default -> { }
      }
    }
    if (maxDeleted != null) {
      return maxDeleted >= fromMillis; // Redis 7 says what trimming removed
    }
    // Redis 6: only a full log can have been trimmed; then its oldest entry must be old enough.
    return length >= RemoteStore.LOG_LENGTH && first != null && first > fromMillis;
  }

  private static String text(Object reply) {
    return reply instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8)
        : String.valueOf(reply);
  }

  private static long millisOf(String streamId) {
    int dash = streamId.indexOf('-');
    return Long.parseLong(dash < 0 ? streamId : streamId.substring(0, dash));
  }
}
