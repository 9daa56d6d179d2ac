package io.nearcache.internal.redis;

import io.nearcache.internal.keys.KeyLayout;
import io.nearcache.internal.l2.Script;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.Connection;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * The Redis permissions the library needs, and a check, made once in {@code build()}, that the
 * client's ACL user has every one of them: a user that lacks one must fail at start with its name,
 * never start and then miss invalidations. The check runs each command the library sends, on keys
 * and channels of the application prefix that no cache uses, with no effect on what caches hold.
 */
public final class Permissions {
  /**
   * Every command a change script calls, once, on probe keys, and the announcement's command: one
   * per line, so that a refusal inside the script, which Redis reports by line only
   * ({@code @user_script:4}), can be named.
   */
  private static final List<String> PROBE_LINES = List.of(
      "redis.call('SET', KEYS[1], '1', 'PX', 10000)",
      "redis.call('GET', KEYS[1])",
      "redis.call('INCR', KEYS[2])",
      "redis.call('XADD', KEYS[3], 'MAXLEN', '~', '1', '*', 'p', '1')",
      "redis.call('XINFO', 'STREAM', KEYS[3])",
      "redis.call('SADD', KEYS[4], '1')",
      "redis.call('PEXPIRE', KEYS[4], 10000)",
      "redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])",
      "redis.call(ARGV[1], ARGV[2], '')",
      "return 1");
  /** What each line of the probe needs, for the message. */
  private static final List<String> PROBE_NEEDS = List.of("SET", "GET", "INCR", "XADD",
      "XINFO STREAM", "SADD", "PEXPIRE", "DEL", "publishing on the channels <prefix>:*");
  private static final Script PROBE = new Script(String.join("\n", PROBE_LINES));
  private static final Pattern SCRIPT_LINE = Pattern.compile("@user_script:(\\d+)");
  /** Sharded pub/sub's commands: Redis 6.2 does not know them, and refuses a rule naming them. */
  private static final String SHARDED = " +spublish +ssubscribe +sunsubscribe";
  /** The channel on which a Sentinel announces a failover, and Jedis listens. */
  private static final String SWITCH_MASTER = "+switch-master";

  private Permissions() {}

  /**
   * The ACL rule, for {@code ACL SETUSER <user> on >password <rule>}, that grants exactly what
   * the library needs for {@code prefix}: its commands, the keys {@code <prefix>:*} and the
   * channels {@code <prefix>:*}.
   *
   * @param sharded whether the deployment uses sharded pub/sub (a Cluster of Redis 7.0 or later),
   *     whose commands Redis 6.2 refuses to name in a rule
   */
  public static String rule(String prefix, boolean sharded) {
    return "resetkeys ~" + prefix + ":* resetchannels &" + prefix + ":* -@all"
        + " +get +mget +set +del +incr +sadd +pexpire +xadd +xrange +xinfo|stream"
        + " +eval +evalsha +publish +subscribe +unsubscribe" + (sharded ? SHARDED : "")
        + " +ping +hello +info +client|setname +cluster|slots";
  }

  /**
   * The ACL rule, for {@code ACL SETUSER <user> on >password <rule>} on every Sentinel, that
   * grants the Sentinel user exactly what the library's Sentinel client needs: asking where the
   * primary is, and hearing {@code +switch-master}.
   */
  public static String sentinelRule() {
    return "resetchannels &" + SWITCH_MASTER + " -@all +sentinel|get-master-addr-by-name"
        + " +subscribe +unsubscribe +hello +client|setname";
  }

  /** The rule for {@code redis}: see {@link #rule(String, boolean)}. */
  public static String rule(RedisDeployment redis, String prefix) {
    return rule(prefix, redis.pubSub() == PubSub.SHARDED);
  }

  /**
   * Runs every command the library needs, as its user, against {@code redis}.
   *
   * @throws IllegalStateException naming Redis' refusal and the rule to grant, if the user lacks
   *     a permission
   * @throws redis.clients.jedis.exceptions.JedisException if Redis fails otherwise (unreachable):
   *     the caller decides
   */
  public static void require(RedisDeployment redis, String prefix) {
    String head = prefix + ":" + KeyLayout.tag(prefix, 0) + ":permissions:";
    List<String> keys = List.of(head + "value", head + "counter", head + "log", head + "set");
    PubSub pubSub = redis.pubSub();
    String channel = pubSub == PubSub.CLASSIC ? prefix + ":permissions" : head + "channel";
    List<byte[]> args = List.of(pubSub.publishCommand(), channel.getBytes(StandardCharsets.UTF_8));
    UnifiedJedis jedis = redis.commands();
    try {
      jedis.eval(PROBE.source(), bytes(keys), args);
      PROBE.run(jedis, bytes(keys), args); // by SHA1 now that the server has it
      jedis.get(keys.get(0));
      jedis.mget(keys.get(0), keys.get(1));
      jedis.xrange(keys.get(2), "-", "+", 1);
      jedis.info("replication");
      listen(redis, prefix);
    } catch (JedisDataException e) {
      if (!isRefusal(e.getMessage())) {
        throw e;
      }
      throw new IllegalStateException("the Redis user lacks a permission nearcache needs: "
          + named(e.getMessage(), prefix) + " (Redis: " + e.getMessage() + "); grant: ACL SETUSER"
          + " <user> " + rule(redis, prefix), e);
    }
  }

  /**
   * Runs, as the Sentinel user, what Jedis' Sentinel client runs on each Sentinel to follow the
   * primary: {@code SENTINEL GET-MASTER-ADDR-BY-NAME} and {@code SUBSCRIBE +switch-master}, on the
   * first Sentinel that answers. A refused subscription would otherwise be logged by Jedis'
   * listener thread and retried forever, and the client would never hear of a failover.
   *
   * @throws IllegalStateException naming Redis' refusal and the rule to grant, if the user lacks
   *     a permission
   * @throws redis.clients.jedis.exceptions.JedisException if no Sentinel answers: the caller
   *     decides
   */
  public static void requireOfSentinels(String masterName, Set<HostAndPort> sentinels,
      JedisClientConfig config) {
    JedisConnectionException unreachable = null;
    for (HostAndPort address : sentinels) {
      try (Jedis sentinel = new Jedis(address, config)) {
        sentinel.sentinelGetMasterAddrByName(masterName);
        sentinel.subscribe(new JedisPubSub() {
          @Override
          public void onSubscribe(String channel, int subscribedChannels) {
            unsubscribe();
          }
        }, SWITCH_MASTER);
        return;
      } catch (JedisConnectionException e) {
        unreachable = e;
      } catch (JedisDataException e) {
        if (!isRefusal(e.getMessage())) {
          throw e;
        }
        throw new IllegalStateException("the Sentinel user lacks a permission nearcache needs"
            + " on " + address + ": " + e.getMessage() + "; grant on every Sentinel: ACL SETUSER"
            + " <user> " + sentinelRule(), e);
      }
    }
    throw unreachable != null ? unreachable
        : new IllegalArgumentException("no Sentinel address given");
  }

  /** Whether {@code message} is a refusal for lack of permission, in any Redis' words. */
  public static boolean isRefusal(String message) {
    String m = String.valueOf(message).toLowerCase(Locale.ROOT);
    return m.contains("noperm") || m.contains("no permission") || m.contains("can't run this")
        || m.contains("can't publish") || m.contains("can't access");
  }

  /** What a refusal was for: the probe line's command, when Redis names only the line. */
  private static String named(String message, String prefix) {
    Matcher line = SCRIPT_LINE.matcher(String.valueOf(message));
    if (line.find()) {
      int index = Integer.parseInt(line.group(1)) - 1;
      if (index >= 0 && index < PROBE_NEEDS.size()) {
        return PROBE_NEEDS.get(index).replace("<prefix>", prefix) + " inside a script";
      }
    }
    return "what Redis names";
  }

  /** Subscribes, PINGs and unsubscribes as the invalidation subscriber does, on its server. */
  private static void listen(RedisDeployment redis, String prefix) {
    Shard shard = redis.shards().get(0);
    boolean sharded = redis.pubSub() == PubSub.SHARDED;
    byte[] channel = redis.pubSub().channel(prefix, shard.groups().get(0));
    try (Connection connection = shard.connections().get()) {
      try {
        connection.sendCommand(Protocol.Command.HELLO, "2");
        connection.getOne();
        connection.sendCommand(sharded ? Protocol.Command.SSUBSCRIBE
            : Protocol.Command.SUBSCRIBE, channel);
        connection.getOne();
        connection.sendCommand(Protocol.Command.PING);
        connection.getOne();
        connection.sendCommand(sharded ? Protocol.Command.SUNSUBSCRIBE
            : Protocol.Command.UNSUBSCRIBE, channel);
        connection.getOne();
      } finally {
        connection.setBroken(); // never back to the pool in pub/sub mode
      }
    }
  }

  private static List<byte[]> bytes(List<String> strings) {
    return strings.stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
  }
}
