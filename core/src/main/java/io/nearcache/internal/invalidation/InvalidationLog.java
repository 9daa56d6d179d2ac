package io.nearcache.internal.invalidation;

import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.l2.RemoteStore;
import io.nearcache.internal.resilience.CircuitBreaker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
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

  /**
   * The run id of the Redis server, which changes when it restarts: a restarted server lost its
   * logs (this project's Redis keeps nothing on disk), so a replay against it proves nothing.
   *
   * @throws JedisException if Redis could not be read
   */
  public String serverRunId() {
    String info = breaker.call(() -> jedis.info("server"));
    return info.lines().filter(line -> line.startsWith("run_id:"))
        .map(line -> line.substring("run_id:".length()).trim()).findFirst().orElse("");
  }

  /**
   * Whether entries at or after {@code fromMillis} may have been trimmed from {@code log}. Trimming
   * removes the oldest entries, so that happened only if entries were removed at all and what is
   * left (or, in an empty log, the last entry ever added) is not older than {@code fromMillis}.
   */
  private boolean trimmedAfter(String log, long fromMillis) {
    List<?> info;
    try {
      info = (List<?>) breaker.call(() -> jedis.sendCommand(Protocol.Command.XINFO, "STREAM",
          log));
    } catch (JedisDataException e) {
      return false; // no such log: nothing was ever logged, so nothing was trimmed
    }
    Long added = null;
    long length = 0;
    long first = -1;
    long last = -1;
    for (Map.Entry<String, Object> field : fields(info).entrySet()) {
      Object value = field.getValue();
      switch (field.getKey()) {
        case "entries-added" -> added = (Long) value;
        case "length" -> length = (Long) value;
        case "last-generated-id" -> last = millisOf(text(value));
        case "first-entry" -> first = value instanceof List<?> entry && !entry.isEmpty()
            ? millisOf(text(entry.get(0))) : -1;
        default -> { }
      }
    }
    if (added == null) {
      // Redis 6 does not count additions: only a full log can have been trimmed.
      return length >= RemoteStore.LOG_LENGTH && first >= fromMillis;
    }
    if (added == length) {
      return false;
    }
    return length == 0 ? last >= fromMillis : first >= fromMillis;
  }

  /** The fields of a map reply: RESP3 gives key-value entries, RESP2 a flat list. */
  private static Map<String, Object> fields(List<?> reply) {
    Map<String, Object> fields = new HashMap<>();
    if (!reply.isEmpty() && reply.get(0) instanceof Map.Entry<?, ?>) {
      for (Object entry : reply) {
        fields.put(text(((Map.Entry<?, ?>) entry).getKey()), ((Map.Entry<?, ?>) entry).getValue());
      }
    } else {
      for (int i = 0; i + 1 < reply.size(); i += 2) {
        fields.put(text(reply.get(i)), reply.get(i + 1));
      }
    }
    return fields;
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
