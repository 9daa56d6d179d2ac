package io.nearcache.internal.invalidation;

import io.nearcache.internal.invalidation.InvalidationMessage.Kind;
import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.keys.SlotGroups;
import io.nearcache.internal.redis.RedisDeployment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a change script needs to number, log and announce the change it makes, in the same atomic
 * step: so that a writer that dies after its write cannot leave it unannounced. {@link #LUA} is the
 * script code shared by every change script; {@link #keys} and {@link #args} are what each call
 * appends to its own keys and arguments.
 *
 * <p>Each slot group numbers its changes densely: the script increments the group's counter,
 * appends the change to the group's log (a capped Redis Stream) with the stream ID {@code 0-<n>},
 * and publishes the message with {@code n} in it. A receiver thus knows exactly which group it
 * missed changes of, from which number, and finds them in the log by their IDs; no clock is read.
 */
public final class Announcer {
  /** Entries each group's log keeps: about 10,000 (trimming is approximate, and cheap). */
  private static final byte[] LOG_MAX_LENGTH = "10000".getBytes(StandardCharsets.US_ASCII);

  /**
   * {@code announce(generation, field, value, ...)}: numbers the change in its group, logs it with
   * the given fields and publishes its message; returns the number. The last two keys of the call
   * are the group's counter and log; its last five arguments the log's length, the publish
   * command, the channel, and the message's head and tail (between which the number and the
   * generation are packed). A counter that fell behind its log (evicted, or deleted by hand) is
   * moved past the log's last ID, so that numbers are never reused while the log lives.
   */
  public static final String LUA = """
      local function announce(generation, ...)
        local k, a = #KEYS, #ARGV
        local n = redis.call('INCR', KEYS[k - 1])
        local added = redis.pcall('XADD', KEYS[k], 'MAXLEN', '~', ARGV[a - 4], '0-' .. n, ...)
        if type(added) == 'table' and added.err then
          local info = redis.call('XINFO', 'STREAM', KEYS[k])
          for i = 1, #info, 2 do
            if info[i] == 'last-generated-id' then
              n = tonumber(string.match(info[i + 1], '%-(%d+)$')) + 1
            end
          end
          redis.call('SET', KEYS[k - 1], n)
          redis.call('XADD', KEYS[k], 'MAXLEN', '~', ARGV[a - 4], '0-' .. n, ...)
        end
        redis.call(ARGV[a - 3], ARGV[a - 2],
            ARGV[a - 1] .. struct.pack('>i8>i8', n, generation) .. ARGV[a])
        return n
      end
      """;

  private final String senderId;
  private final byte[] publishCommand;
  /** Per group: its counter and log, and its channel; made once, as every write needs them. */
  private final List<List<byte[]>> groupKeys = new ArrayList<>();
  private final List<byte[]> channels = new ArrayList<>();

  /** Announces the changes of {@code prefix} on {@code redis}'s channels as {@code senderId}. */
  public Announcer(RedisDeployment redis, SlotGroups groups, String prefix, String senderId) {
    this.senderId = senderId;
    this.publishCommand = redis.pubSub().publishCommand();
    for (int group : groups.all()) {
      groupKeys.add(List.of(KeyLayout.utf8(KeyLayout.counterKey(prefix, group)),
          KeyLayout.utf8(KeyLayout.logKey(prefix, group))));
      channels.add(redis.pubSub().channel(prefix, group));
    }
  }

  /** The keys a change script of {@code group} appends: the group's counter and log. */
  public List<byte[]> keys(int group) {
    return groupKeys.get(group);
  }

  /** The arguments a change script appends for a message of {@code kind} about {@code keys}. */
  public List<byte[]> args(Kind kind, int group, String cache, List<String> keys) {
    return List.of(LOG_MAX_LENGTH, publishCommand, channels.get(group),
        InvalidationMessage.head(kind, group), InvalidationMessage.tail(senderId, cache, keys));
  }

  /** {@code first}, then {@code second}: a script's own keys or arguments, then the announcer's. */
  public static List<byte[]> concat(List<byte[]> first, List<byte[]> second) {
    List<byte[]> all = new ArrayList<>(first.size() + second.size());
    all.addAll(first);
    all.addAll(second);
    return all;
  }
}
